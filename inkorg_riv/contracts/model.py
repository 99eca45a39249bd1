"""The read-only model of a loaded contract package (layer L1).

Two halves: the *service* model (interactions and operations, as the WSDLs declare them) and
the *type* model (elements, complex and simple types, as the XSDs declare them). Both are
frozen dataclasses and read-only mappings; the codec, the binding generator, the CLI and the
diff all read this model and never the files again.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .._ns import XS, split_clark


class RivProfile(enum.Enum):
    """The RIV-TA Basic Profile a WSDL follows."""

    BP21 = "rivtabp21"
    BP20 = "rivtabp20"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimpleType:
    """A named or anonymous simple type: a restriction of a built-in, maybe with facets."""

    name: str | None
    base: str
    """The XSD built-in type it restricts in the end (Clark notation, ``{XS}string``)."""
    enumeration: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    length: int | None = None
    item_type: str | None = None
    """For ``xs:list`` types: the item type."""
    doc: str = ""
    file: str = ""

    @property
    def builtin(self) -> str:
        """The local name of the built-in base (``string``, ``dateTime``...)."""
        return split_clark(self.base)[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Element:
    """An element particle (local or global, references resolved)."""

    name: str
    """Clark name of the element."""
    type_name: str | None
    """Clark name of the declared type, ``None`` for an anonymous type (see :attr:`inline`)."""
    inline: ComplexType | SimpleType | None = None
    min_occurs: int = 1
    max_occurs: int | None = 1
    nillable: bool = False
    doc: str = ""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Any:
    """An ``xs:any`` wildcard."""

    namespace: str = "##any"
    process_contents: str = "strict"
    min_occurs: int = 1
    max_occurs: int | None = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """A model group: ``sequence``, ``choice`` or ``all``."""

    kind: str
    items: tuple[Element | Any | Group, ...]
    min_occurs: int = 1
    max_occurs: int | None = 1


Particle = Element | Any | Group


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    """An attribute declaration."""

    name: str
    type_name: str
    required: bool = False
    doc: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplexType:
    """A named or anonymous complex type.

    ``content`` is the type's own particle; for an extension, :attr:`base` names the base type
    whose content comes first (use :meth:`TypeModel.effective_particles`).
    """

    name: str | None
    content: Group | None = None
    base: str | None = None
    derivation: str | None = None
    """``extension`` or ``restriction`` when derived, else ``None``."""
    abstract: bool = False
    mixed: bool = False
    simple_content: str | None = None
    """For ``xs:simpleContent``: the simple type of the text."""
    attributes: tuple[Attribute, ...] = ()
    doc: str = ""
    file: str = ""


@dataclass(frozen=True, slots=True)
class TypeModel:
    """Every global element and named type of a package, by Clark name."""

    elements: Mapping[str, Element]
    complex_types: Mapping[str, ComplexType]
    simple_types: Mapping[str, SimpleType]
    element_files: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Which file declares each global element (package-relative path)."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderPart:
    """A SOAP header the request carries (``LogicalAddress``, ``wsa:To``, or another).

    ``declared`` is False for a header the WSDL forgot but the profile requires; the envelope
    builder sends it all the same.
    """

    part: str
    element: str
    declared: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One operation of one interaction."""

    name: str
    contract: str
    domain: str
    major: int
    minor: int
    profile: RivProfile
    wsdl_namespace: str
    responder_namespace: str
    soap_action: str
    headers: tuple[HeaderPart, ...]
    request_element: str
    response_element: str
    wsdl_file: str
    schema_file: str
    """The package-relative path of the XSD that declares the request element."""

    @property
    def qualified_name(self) -> str:
        """``domain:Contract:major`` plus the operation when it differs from the contract."""
        base = f"{self.domain}:{self.contract}:{self.major}"
        return base if self.name == self.contract else f"{base}:{self.name}"

    @property
    def version(self) -> str:
        """``major.minor``."""
        return f"{self.major}.{self.minor}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Interaction:
    """One ``<Name>Interaction`` folder: a WSDL and its operations."""

    name: str
    contract: str
    domain: str
    major: int
    minor: int
    profile: RivProfile
    wsdl_file: str
    wsdl_namespace: str
    operations: tuple[Operation, ...]
