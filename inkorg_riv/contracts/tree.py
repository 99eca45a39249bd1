"""Element trees: a request or response root expanded into one line per node (layer L1).

This module owns the flattening of the type model into :class:`TreeLine` rows, which
``inkorg-riv contracts show`` prints and :mod:`inkorg_riv.contracts.diff` compares. A tree is
expanded from :class:`~inkorg_riv.contracts.model.TypeModel` only (never the files): named and
anonymous types, extension bases first, ``sequence``/``choice``/``all`` groups, ``xs:any``
wildcards and attributes. A type that contains itself (directly or further down) is expanded
once per branch and then marked ``recursive``.

Paths name elements only: ``AddMessage/message/booking/startTime``. Model groups do not appear
in the paths of the elements inside them; a group that is shown (any ``choice`` or ``all``, and
a ``sequence`` that is optional or repeated) has its own path such as ``AddMessage/(choice)``.
Wildcards are ``.../any(##other)`` and attributes ``.../@name``; a name that occurs twice under
one parent gets ``[2]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._ns import split_clark
from ..errors import ContractError
from .model import Any, Attribute, ComplexType, Element, Group, SimpleType, TypeModel
from .package import ContractPackage

ELEMENT = "element"
ATTRIBUTE = "attribute"
ANY = "any"
SEQUENCE = "sequence"
CHOICE = "choice"
ALL = "all"


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeLine:
    """One node of an element tree.

    ``kind`` is ``element``, ``attribute``, ``any`` or a group kind (``sequence``, ``choice``,
    ``all``). ``type`` is the local name of the declared type (empty for an anonymous type); for
    a wildcard it holds the ``processContents`` value. ``base`` is the XSD built-in a simple type
    (or simple content) rests on. ``namespace`` is the element's namespace, or a wildcard's
    namespace constraint.
    """

    depth: int
    kind: str
    name: str
    path: str
    cardinality: str
    type: str = ""
    base: str = ""
    enumeration: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    length: str = ""
    """Length facets of a simple type: ``12``, ``1..64``, ``..64`` or ``1..``."""
    namespace: str | None = None
    recursive: bool = False
    doc: str = ""


def element_tree(package: ContractPackage, element: str) -> list[TreeLine]:
    """The tree of the global element ``element`` (Clark name), root first at depth 0.

    Raises :class:`~inkorg_riv.errors.ContractError` when the package declares no such element.
    """
    declared = package.types.elements.get(element)
    if declared is None:
        raise ContractError(f"{package.name}: no global element {element}")
    walker = _Walker(package.types)
    walker.element(declared, 0, "", frozenset(), {})
    return walker.lines


def _cardinality(low: int, high: int | None) -> str:
    return f"{low}..{'*' if high is None else high}"


def _length(simple: SimpleType | None) -> str:
    if simple is None:
        return ""
    if simple.length is not None:
        return str(simple.length)
    if simple.min_length is None and simple.max_length is None:
        return ""
    low = "" if simple.min_length is None else str(simple.min_length)
    high = "" if simple.max_length is None else str(simple.max_length)
    return f"{low}..{high}"


def _local(name: str | None) -> str:
    return split_clark(name)[1] if name else ""


def _unique(parent: str, name: str, counts: dict[str, int]) -> str:
    counts[name] = counts.get(name, 0) + 1
    suffix = f"[{counts[name]}]" if counts[name] > 1 else ""
    return f"{parent}/{name}{suffix}" if parent else f"{name}{suffix}"


class _Walker:
    """Collects the lines of one tree; ``seen`` holds the named types on the current branch."""

    def __init__(self, types: TypeModel) -> None:
        self.types = types
        self.lines: list[TreeLine] = []

    def element(
        self,
        element: Element,
        depth: int,
        parent: str,
        seen: frozenset[str],
        counts: dict[str, int],
    ) -> None:
        path = _unique(parent, element.local, counts)
        try:
            resolved: ComplexType | SimpleType | None = self.types.type_of(element)
        except KeyError:
            resolved = None
        type_label = _local(element.type_name)
        if resolved is None:
            type_label = f"{type_label} (unresolved)"
        recursive = (
            isinstance(resolved, ComplexType)
            and element.type_name is not None
            and element.type_name in seen
        )
        base = ""
        enumeration: tuple[str, ...] = ()
        patterns: tuple[str, ...] = ()
        if isinstance(resolved, SimpleType):
            base, enumeration, patterns = resolved.builtin, resolved.enumeration, resolved.patterns
        elif isinstance(resolved, ComplexType) and resolved.simple_content:
            base = _local(resolved.simple_content)
        self.lines.append(
            TreeLine(
                depth=depth,
                kind=ELEMENT,
                name=element.local,
                path=path,
                cardinality=element.cardinality(),
                type=type_label,
                base=base,
                enumeration=enumeration,
                patterns=patterns,
                length=_length(resolved if isinstance(resolved, SimpleType) else None),
                namespace=split_clark(element.name)[0],
                recursive=recursive,
                doc=element.doc or (resolved.doc if resolved is not None else ""),
            )
        )
        if isinstance(resolved, ComplexType) and not recursive:
            inner = seen | {element.type_name} if element.type_name else seen
            self.complex(resolved, depth + 1, path, inner)

    def complex(self, ctype: ComplexType, depth: int, path: str, seen: frozenset[str]) -> None:
        counts: dict[str, int] = {}
        for attribute in self._attributes(ctype):
            self.attribute(attribute, depth, path, counts)
        for particle in self.types.effective_particles(ctype):
            self.particle(particle, depth, path, seen, counts)

    def _attributes(self, ctype: ComplexType) -> list[Attribute]:
        """Attributes of the type and of its extension bases (bases first)."""
        chain: list[ComplexType] = [ctype]
        names = {ctype.name}
        current = ctype
        while current.derivation == "extension" and current.base is not None:
            base = self.types.complex_types.get(current.base)
            if base is None or current.base in names:
                break
            current = base
            names.add(current.name)
            chain.append(current)
        return [a for item in reversed(chain) for a in item.attributes]

    def attribute(
        self, attribute: Attribute, depth: int, parent: str, counts: dict[str, int]
    ) -> None:
        try:
            resolved: ComplexType | SimpleType | None = self.types.resolve(attribute.type_name)
        except KeyError:
            resolved = None
        simple = resolved if isinstance(resolved, SimpleType) else None
        name = _local(attribute.name)
        self.lines.append(
            TreeLine(
                depth=depth,
                kind=ATTRIBUTE,
                name=f"@{name}",
                path=_unique(parent, f"@{name}", counts),
                cardinality="1..1" if attribute.required else "0..1",
                type=_local(attribute.type_name),
                base=simple.builtin if simple else "",
                enumeration=simple.enumeration if simple else (),
                patterns=simple.patterns if simple else (),
                length=_length(simple),
                doc=attribute.doc,
            )
        )

    def particle(
        self,
        particle: Element | Any | Group,
        depth: int,
        parent: str,
        seen: frozenset[str],
        counts: dict[str, int],
    ) -> None:
        if isinstance(particle, Element):
            self.element(particle, depth, parent, seen, counts)
            return
        if isinstance(particle, Any):
            self.lines.append(
                TreeLine(
                    depth=depth,
                    kind=ANY,
                    name="any",
                    path=_unique(parent, f"any({particle.namespace})", counts),
                    cardinality=_cardinality(particle.min_occurs, particle.max_occurs),
                    type=particle.process_contents,
                    namespace=particle.namespace,
                )
            )
            return
        plain = particle.kind == SEQUENCE and particle.min_occurs == particle.max_occurs == 1
        if not plain:
            self.lines.append(
                TreeLine(
                    depth=depth,
                    kind=particle.kind,
                    name=particle.kind,
                    path=_unique(parent, f"({particle.kind})", counts),
                    cardinality=_cardinality(particle.min_occurs, particle.max_occurs),
                )
            )
            depth += 1
        for item in particle.items:
            self.particle(item, depth, parent, seen, counts)


__all__ = ["ALL", "ANY", "ATTRIBUTE", "CHOICE", "ELEMENT", "SEQUENCE", "TreeLine", "element_tree"]
