"""Generate a module of typed, frozen dataclasses from a loaded contract package (layer L2).

One class per complex type reachable from the package's requests and responses (and their
subtypes), one ``enum.Enum`` per enumerated simple type. Optional elements become ``X | None``,
repeated ones tuples, extensions subclasses, ``xs:choice`` a union, a trailing ``xs:any`` a tuple
of lxml elements. The output is deterministic: the same package gives the same text.

Owns collecting, naming and describing the classes and enums; :mod:`._render` writes the
descriptions as module text (:func:`snake` and :func:`enum_member` are re-exported from it).
"""

from __future__ import annotations

from .._ns import XS, split_clark
from ..contracts import Any as AnyParticle
from ..contracts import ComplexType, ContractPackage, Element, Group, SimpleType, TypeModel
from ..errors import BindingError
from ._render import (
    _Class,
    _Enum,
    _Field,
    _pascal,
    _simple_annotation,
    all_fields,
    enum_member,
    render_module,
    snake,
)
from ._runtime import Kind

__all__ = ["enum_member", "generate_module", "snake"]

_XS = f"{{{XS}}}"


class _Generator:
    def __init__(self, package: ContractPackage) -> None:
        self.package = package
        self.types: TypeModel = package.types
        self.class_names: dict[str, str] = {}
        self.enum_names: dict[str, str] = {}
        self.classes: dict[str, _Class] = {}
        self.enums: dict[str, _Enum] = {}
        self.anonymous: dict[int, str] = {}
        self._taken: set[str] = {"XmlObject", "TypeSpec", "FieldSpec", "Kind", "ELEMENTS", "TYPES"}

    # -- naming

    def _unique(self, wanted: str) -> str:
        name = wanted
        counter = 2
        while name in self._taken:
            name = f"{wanted}{counter}"
            counter += 1
        self._taken.add(name)
        return name

    def _assign_names(self, roots: list[str]) -> None:
        named = sorted(self._reachable(roots))
        by_local: dict[str, list[str]] = {}
        for type_name in named:
            by_local.setdefault(split_clark(type_name)[1], []).append(type_name)
        for local, owners in sorted(by_local.items()):
            for index, owner in enumerate(sorted(owners, key=lambda o: split_clark(o)[0] or "")):
                wanted = _pascal(local) if index == 0 else f"{_pascal(local)}_{index + 1}"
                target = self.enum_names if owner in self.types.simple_types else self.class_names
                target[owner] = self._unique(wanted)

    def _reachable(self, roots: list[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            type_name = todo.pop()
            if type_name in seen or type_name.startswith(_XS):
                continue
            resolved = self.types.resolve(type_name)
            if isinstance(resolved, SimpleType):
                if resolved.enumeration:
                    seen.add(type_name)
                continue
            seen.add(type_name)
            if resolved.base:
                todo.append(resolved.base)
            todo.extend(t.name for t in self.types.subtypes(type_name) if t.name)
            for particle in self.types.effective_particles(resolved):
                todo.extend(self._particle_types(particle))
            todo.extend(a.type_name for a in resolved.attributes)
            if resolved.simple_content:
                todo.append(resolved.simple_content)
        return seen

    def _particle_types(self, particle: Element | AnyParticle | Group) -> list[str]:
        if isinstance(particle, Element):
            if particle.type_name:
                return [particle.type_name]
            if isinstance(particle.inline, ComplexType):
                out: list[str] = []
                for inner in self.types.effective_particles(particle.inline):
                    out.extend(self._particle_types(inner))
                return out
            return []
        if isinstance(particle, Group):
            return [t for item in particle.items for t in self._particle_types(item)]
        return []

    # -- building

    def run(self) -> str:
        roots = [
            self.types.elements[e].type_name or ""
            for op in self.package.operations
            for e in (op.request_element, op.response_element)
        ]
        self._assign_names([r for r in roots if r])
        for type_name in sorted(self.enum_names, key=self.enum_names.__getitem__):
            simple = self.types.simple_types[type_name]
            self.enums[type_name] = _Enum(
                self.enum_names[type_name], simple.enumeration, simple.doc
            )
        for type_name in sorted(self.class_names, key=self.class_names.__getitem__):
            ctype = self.types.complex_types[type_name]
            self._build_class(ctype, self.class_names[type_name])
        return render_module(self.package, self.classes, self.enums, self.class_names)

    def _build_class(self, ctype: ComplexType, name: str, namespace: str | None = None) -> _Class:
        """``namespace``: for an anonymous type, the target namespace it was declared in."""
        extends = (
            ctype.derivation == "extension"
            and ctype.base is not None
            and ctype.base in self.class_names
        )
        base_name = self.class_names[ctype.base] if extends and ctype.base else None
        cls = _Class(
            name=name,
            type_name=ctype.name,
            namespace=split_clark(ctype.name)[0] if ctype.name else namespace,
            base=base_name,
            abstract=ctype.abstract,
            doc=ctype.doc,
        )
        self.classes[name] = cls
        own: list[Element | AnyParticle | Group]
        if extends and ctype.content is not None:
            own = [ctype.content]
        elif extends:
            own = []
        else:
            own = list(self.types.effective_particles(ctype))
        used = set()
        if base_name:
            base_cls = self.classes.get(base_name) or self._build_class(
                self.types.complex_types[ctype.base or ""], base_name
            )
            used = {f.attr for f in all_fields(self.classes, base_cls)}
        for particle in own:
            self._flatten(cls, particle, 1, 1, used, name)
        if ctype.simple_content is not None:
            builtin = self._builtin(ctype.simple_content)
            self._add(
                cls,
                used,
                "value",
                f"FieldSpec(@ATTR@, '', Kind.TEXT, {builtin!r})",
                _simple_annotation(builtin),
                None,
                "The text content.",
            )
        for attribute in ctype.attributes:
            builtin = self._builtin(attribute.type_name)
            annotation = _simple_annotation(builtin)
            required = attribute.required
            self._add(
                cls,
                used,
                snake(attribute.name),
                f"FieldSpec(@ATTR@, {attribute.name!r}, Kind.ATTRIBUTE, {builtin!r}, "
                f"{1 if required else 0})",
                annotation if required else f"{annotation} | None",
                None if required else "None",
                attribute.doc,
            )
        return cls

    def _builtin(self, type_name: str) -> str:
        resolved = self.types.resolve(type_name)
        if isinstance(resolved, ComplexType):
            raise BindingError(f"{type_name} is complex where a simple type is needed")
        return resolved.builtin

    def _add(
        self,
        cls: _Class,
        used: set[str],
        attr: str,
        spec: str,
        annotation: str,
        default: str | None,
        doc: str,
    ) -> None:
        base = attr
        counter = 2
        while attr in used:
            attr = f"{base}_{counter}"
            counter += 1
        used.add(attr)
        spec_text = spec.replace("@ATTR@", repr(attr))
        cls.fields.append(_Field(attr, spec_text, annotation, default, doc))

    def _flatten(
        self,
        cls: _Class,
        particle: Element | AnyParticle | Group,
        low: int,
        high: int | None,
        used: set[str],
        owner: str,
    ) -> None:
        if isinstance(particle, Group):
            inner_low = low * particle.min_occurs
            inner_high = (
                None
                if high is None or particle.max_occurs is None
                else (high * particle.max_occurs)
            )
            if particle.kind == "choice":
                self._choice(cls, particle, inner_low, inner_high, used, owner)
                return
            for item in particle.items:
                self._flatten(cls, item, inner_low, inner_high, used, owner)
            return
        if isinstance(particle, AnyParticle):
            if any(f.attr == "any_elements" for f in all_fields(self.classes, cls)):
                return
            cls.fields.append(
                _Field(
                    "any_elements",
                    f"FieldSpec('any_elements', {particle.namespace!r}, Kind.ANY, "
                    f"{particle.process_contents!r}, 0, None)",
                    "tuple[etree._Element, ...]",
                    "()",
                    "Elements the wildcard allows (kept as raw lxml elements).",
                )
            )
            return
        e_low = particle.min_occurs * low
        e_high = None if particle.max_occurs is None or high is None else particle.max_occurs * high
        kind, xsd, py = self._element_kind(particle, owner)
        self._emit(
            cls,
            used,
            snake(particle.local),
            particle.name,
            kind,
            xsd,
            py,
            e_low,
            e_high,
            particle.doc,
        )

    def _emit(
        self,
        cls: _Class,
        used: set[str],
        attr: str,
        element: str,
        kind: Kind,
        xsd: str,
        py: str,
        low: int,
        high: int | None,
        doc: str,
    ) -> None:
        spec = f"FieldSpec(@ATTR@, {element!r}, Kind.{kind.name}, {xsd!r}, {low}, {high!r})"
        if high is None or high > 1:
            annotation, default = f"tuple[{py}, ...]", ("()" if low == 0 else None)
        elif low == 0:
            annotation, default = f"{py} | None", "None"
        else:
            annotation, default = py, None
        self._add(cls, used, attr, spec, annotation, default, doc)

    def _element_kind(self, element: Element, owner: str) -> tuple[Kind, str, str]:
        if element.inline is not None:
            if isinstance(element.inline, ComplexType):
                key = id(element.inline)
                if key not in self.anonymous:
                    name = self._unique(f"{owner}{_pascal(element.local)}")
                    self.anonymous[key] = name
                    # Declared where its owner is: ``##other`` wildcards exclude that namespace.
                    self._build_class(element.inline, name, self.classes[owner].namespace)
                return Kind.COMPLEX, self.anonymous[key], self.anonymous[key]
            return self._simple_kind(element.inline, f"{owner}{_pascal(element.local)}")
        type_name = element.type_name or f"{_XS}anyType"
        if type_name == f"{_XS}anyType":
            return Kind.RAW, "anyType", "etree._Element"
        if type_name in self.class_names:
            name = self.class_names[type_name]
            return Kind.COMPLEX, name, name
        resolved = self.types.resolve(type_name)
        if isinstance(resolved, ComplexType):
            raise BindingError(f"type {type_name} was not collected")
        if type_name in self.enum_names:
            name = self.enum_names[type_name]
            return Kind.ENUM, name, name
        return self._simple_kind(resolved, "")

    def _simple_kind(self, simple: SimpleType, anon_name: str) -> tuple[Kind, str, str]:
        if simple.enumeration and anon_name:
            name = self._unique(anon_name)
            self.enums[f"anon:{name}"] = _Enum(name, simple.enumeration, simple.doc)
            return Kind.ENUM, name, name
        return Kind.SIMPLE, simple.builtin, _simple_annotation(simple.builtin)

    def _choice(
        self,
        cls: _Class,
        group: Group,
        low: int,
        high: int | None,
        used: set[str],
        owner: str,
    ) -> None:
        alternatives: list[tuple[Element, Kind, str, str]] = []
        for item in group.items:
            if not isinstance(item, Element):
                raise BindingError(
                    f"{owner}: an xs:choice alternative that is not an element is not supported"
                )
            kind, xsd, py = self._element_kind(item, owner)
            alternatives.append((item, kind, xsd, py))
        direct = all(k is Kind.COMPLEX and not e.repeated for e, k, _x, _p in alternatives) and (
            len({x for _e, _k, x, _p in alternatives}) == len(alternatives)
        )
        specs: list[str] = []
        members: list[str] = []
        for element, kind, xsd, py in alternatives:
            wrapper = None
            if not direct:
                wrapper = self._unique(f"{owner}{_pascal(element.local)}Choice")
                wrap = _Class(
                    wrapper,
                    None,
                    None,
                    None,
                    False,
                    f"The {element.local} alternative of a choice in {owner}.",
                )
                self.classes[wrapper] = wrap
                self._emit(
                    wrap,
                    set(),
                    "value",
                    element.name,
                    kind,
                    xsd,
                    py,
                    element.min_occurs,
                    element.max_occurs,
                    element.doc,
                )
                members.append(wrapper)
            else:
                members.append(py)
            specs.append(
                f"FieldSpec('value', {element.name!r}, Kind.{kind.name}, {xsd!r}, "
                f"{element.min_occurs}, {element.max_occurs!r}, wrapper={wrapper!r})"
            )
        attr = "_or_".join(snake(e.local).rstrip("_") for e, *_ in alternatives[:3]) or "choice"
        spec = (
            f"FieldSpec(@ATTR@, '', Kind.CHOICE, 'choice', {low}, {high!r}, "
            f"choices=({', '.join(specs)},))"
        )
        union = " | ".join(members)
        if high is None or high > 1:
            annotation, default = f"tuple[{union}, ...]", "()" if low == 0 else None
        elif low == 0:
            annotation, default = f"{union} | None", "None"
        else:
            annotation, default = union, None
        self._add(
            cls,
            used,
            attr,
            spec,
            annotation,
            default,
            "One of: " + ", ".join(e.local for e, *_ in alternatives) + ".",
        )


def generate_module(package: ContractPackage) -> str:
    """The source text of a bindings module for ``package``.

    Raises :class:`~inkorg_riv.errors.BindingError` for schema constructs the generator does
    not support (a choice alternative that is a group), naming the type.
    """
    return _Generator(package).run()
