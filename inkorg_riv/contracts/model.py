"""The read-only model of a loaded contract package (layer L1).

Two halves: the *service* model (interactions and operations, as the WSDLs declare them) and
the *type* model (elements, complex and simple types, as the XSDs declare them). Both are
read-only records (see :mod:`._record`: frozen, compared by value, known to
:mod:`dataclasses`) and read-only mappings; the codec, the binding generator, the CLI and the
diff all read this model and never the files again.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._ns import XS, split_clark
from ..errors._record import Record, record, setfield
from .service import HeaderPart, Interaction, Operation, RivProfile

__all__ = [
    "Any",
    "Attribute",
    "ComplexType",
    "Element",
    "Group",
    "HeaderPart",
    "Interaction",
    "Operation",
    "Particle",
    "RivProfile",
    "SimpleType",
    "TypeModel",
]

_NO_FILES: Mapping[str, str] = MappingProxyType({})


@record(kw_only=True)
class SimpleType(Record):
    """A named or anonymous simple type: a restriction of a built-in, maybe with facets."""

    __slots__ = (
        "base",
        "doc",
        "enumeration",
        "file",
        "item_type",
        "length",
        "max_length",
        "min_length",
        "name",
        "patterns",
    )

    name: str | None
    base: str
    """The XSD built-in type it restricts in the end (Clark notation, ``{XS}string``)."""
    enumeration: tuple[str, ...]
    patterns: tuple[str, ...]
    min_length: int | None
    max_length: int | None
    length: int | None
    item_type: str | None
    """For ``xs:list`` types: the item type."""
    doc: str
    file: str

    def __init__(
        self,
        *,
        name: str | None,
        base: str,
        enumeration: tuple[str, ...] = (),
        patterns: tuple[str, ...] = (),
        min_length: int | None = None,
        max_length: int | None = None,
        length: int | None = None,
        item_type: str | None = None,
        doc: str = "",
        file: str = "",
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "base", base)
        setfield(self, "enumeration", enumeration)
        setfield(self, "patterns", patterns)
        setfield(self, "min_length", min_length)
        setfield(self, "max_length", max_length)
        setfield(self, "length", length)
        setfield(self, "item_type", item_type)
        setfield(self, "doc", doc)
        setfield(self, "file", file)

    @property
    def builtin(self) -> str:
        """The local name of the built-in base (``string``, ``dateTime``...)."""
        return split_clark(self.base)[1]


@record(kw_only=True)
class Element(Record):
    """An element particle (local or global, references resolved)."""

    __slots__ = ("doc", "inline", "max_occurs", "min_occurs", "name", "nillable", "type_name")

    name: str
    """Clark name of the element."""
    type_name: str | None
    """Clark name of the declared type, ``None`` for an anonymous type (see :attr:`inline`)."""
    inline: ComplexType | SimpleType | None
    min_occurs: int
    max_occurs: int | None
    nillable: bool
    doc: str

    def __init__(
        self,
        *,
        name: str,
        type_name: str | None,
        inline: ComplexType | SimpleType | None = None,
        min_occurs: int = 1,
        max_occurs: int | None = 1,
        nillable: bool = False,
        doc: str = "",
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "type_name", type_name)
        setfield(self, "inline", inline)
        setfield(self, "min_occurs", min_occurs)
        setfield(self, "max_occurs", max_occurs)
        setfield(self, "nillable", nillable)
        setfield(self, "doc", doc)

    @property
    def repeated(self) -> bool:
        """Whether the element may occur more than once."""
        return self.max_occurs is None or self.max_occurs > 1

    @property
    def optional(self) -> bool:
        """Whether the element may be absent."""
        return self.min_occurs == 0

    @property
    def local(self) -> str:
        """The local part of the name."""
        return split_clark(self.name)[1]

    def cardinality(self) -> str:
        """``min..max`` as contracts write it (``0..*``)."""
        top = "*" if self.max_occurs is None else str(self.max_occurs)
        return f"{self.min_occurs}..{top}"


@record(kw_only=True)
class Any(Record):
    """An ``xs:any`` wildcard."""

    __slots__ = ("max_occurs", "min_occurs", "namespace", "process_contents")

    namespace: str
    process_contents: str
    min_occurs: int
    max_occurs: int | None

    def __init__(
        self,
        *,
        namespace: str = "##any",
        process_contents: str = "strict",
        min_occurs: int = 1,
        max_occurs: int | None = 1,
    ) -> None:
        setfield(self, "namespace", namespace)
        setfield(self, "process_contents", process_contents)
        setfield(self, "min_occurs", min_occurs)
        setfield(self, "max_occurs", max_occurs)


@record(kw_only=True)
class Group(Record):
    """A model group: ``sequence``, ``choice`` or ``all``."""

    __slots__ = ("items", "kind", "max_occurs", "min_occurs")

    kind: str
    items: tuple[Element | Any | Group, ...]
    min_occurs: int
    max_occurs: int | None

    def __init__(
        self,
        *,
        kind: str,
        items: tuple[Element | Any | Group, ...],
        min_occurs: int = 1,
        max_occurs: int | None = 1,
    ) -> None:
        setfield(self, "kind", kind)
        setfield(self, "items", items)
        setfield(self, "min_occurs", min_occurs)
        setfield(self, "max_occurs", max_occurs)


Particle = Element | Any | Group


@record(kw_only=True)
class Attribute(Record):
    """An attribute declaration."""

    __slots__ = ("doc", "name", "required", "type_name")

    name: str
    type_name: str
    required: bool
    doc: str

    def __init__(self, *, name: str, type_name: str, required: bool = False, doc: str = "") -> None:
        setfield(self, "name", name)
        setfield(self, "type_name", type_name)
        setfield(self, "required", required)
        setfield(self, "doc", doc)


@record(kw_only=True)
class ComplexType(Record):
    """A named or anonymous complex type.

    ``content`` is the type's own particle; for an extension, :attr:`base` names the base type
    whose content comes first (use :meth:`TypeModel.effective_particles`).
    """

    __slots__ = (
        "abstract",
        "attributes",
        "base",
        "content",
        "derivation",
        "doc",
        "file",
        "mixed",
        "name",
        "simple_content",
    )

    name: str | None
    content: Group | None
    base: str | None
    derivation: str | None
    """``extension`` or ``restriction`` when derived, else ``None``."""
    abstract: bool
    mixed: bool
    simple_content: str | None
    """For ``xs:simpleContent``: the simple type of the text."""
    attributes: tuple[Attribute, ...]
    doc: str
    file: str

    def __init__(
        self,
        *,
        name: str | None,
        content: Group | None = None,
        base: str | None = None,
        derivation: str | None = None,
        abstract: bool = False,
        mixed: bool = False,
        simple_content: str | None = None,
        attributes: tuple[Attribute, ...] = (),
        doc: str = "",
        file: str = "",
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "content", content)
        setfield(self, "base", base)
        setfield(self, "derivation", derivation)
        setfield(self, "abstract", abstract)
        setfield(self, "mixed", mixed)
        setfield(self, "simple_content", simple_content)
        setfield(self, "attributes", attributes)
        setfield(self, "doc", doc)
        setfield(self, "file", file)


@record()
class TypeModel(Record):
    """Every global element and named type of a package, by Clark name."""

    __slots__ = ("complex_types", "element_files", "elements", "simple_types")

    elements: Mapping[str, Element]
    complex_types: Mapping[str, ComplexType]
    simple_types: Mapping[str, SimpleType]
    element_files: Mapping[str, str]
    """Which file declares each global element (package-relative path)."""

    def __init__(
        self,
        elements: Mapping[str, Element],
        complex_types: Mapping[str, ComplexType],
        simple_types: Mapping[str, SimpleType],
        element_files: Mapping[str, str] = _NO_FILES,
    ) -> None:
        setfield(self, "elements", elements)
        setfield(self, "complex_types", complex_types)
        setfield(self, "simple_types", simple_types)
        setfield(self, "element_files", element_files)

    def type_of(self, element: Element) -> ComplexType | SimpleType:
        """The resolved type of an element (built-ins become a :class:`SimpleType`)."""
        if element.inline is not None:
            return element.inline
        if element.type_name is None:
            return SimpleType(name=None, base=f"{{{XS}}}anyType")
        return self.resolve(element.type_name)

    def resolve(self, type_name: str) -> ComplexType | SimpleType:
        """Look up a named type; XSD built-ins resolve to a bare :class:`SimpleType`."""
        found = self.complex_types.get(type_name) or self.simple_types.get(type_name)
        if found is not None:
            return found
        namespace, _local = split_clark(type_name)
        if namespace == XS:
            return SimpleType(name=type_name, base=type_name)
        raise KeyError(type_name)

    def subtypes(self, type_name: str) -> tuple[ComplexType, ...]:
        """Every named complex type derived (directly or not) from ``type_name``."""
        found: list[ComplexType] = []
        for candidate in self.complex_types.values():
            base = candidate.base
            seen: set[str] = set()
            while base is not None and base not in seen:
                seen.add(base)
                if base == type_name:
                    found.append(candidate)
                    break
                parent = self.complex_types.get(base)
                base = parent.base if parent is not None else None
        return tuple(sorted(found, key=lambda t: t.name or ""))

    def effective_particles(self, ctype: ComplexType) -> tuple[Particle, ...]:
        """The content of ``ctype`` with the content of its extension bases first."""
        chain: list[ComplexType] = [ctype]
        seen = {ctype.name}
        current = ctype
        while current.derivation == "extension" and current.base is not None:
            if current.base in seen or current.base not in self.complex_types:
                break
            current = self.complex_types[current.base]
            seen.add(current.name)
            chain.append(current)
        particles: list[Particle] = []
        for item in reversed(chain):
            if item.content is not None:
                particles.append(item.content)
        return tuple(particles)
