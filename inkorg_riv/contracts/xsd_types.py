"""Build the type model from a schema index (layer L1).

Owns :class:`TypeBuilder`: it turns the raw global definitions that :mod:`.xsd` collected into
the read-only :class:`~.model.TypeModel` -- elements, complex and simple types, particles,
attributes, derivation by extension and restriction, facets -- lazily and memoised, and
resolves QName references (chameleon includes too) against the declaring schema.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree

from .._ns import XS, clark
from .model import Any, Attribute, ComplexType, Element, Group, SimpleType, TypeModel

if TYPE_CHECKING:
    from .xsd import SchemaIndex

_S = f"{{{XS}}}"


def _qname(node: etree._Element, value: str, namespace: str | None) -> str:
    prefix, _, local = value.rpartition(":")
    uri = node.nsmap.get(prefix or None)
    if prefix and uri is None:
        raise ValueError(f"undeclared prefix {prefix!r} in {value!r}")
    if not prefix and uri is None:
        # In a chameleon include (a schema without targetNamespace included by one with a
        # namespace) unqualified references take the including schema's namespace.
        if namespace is not None and _schema_of(node).get("targetNamespace") is None:
            return clark(namespace, local)
        return local
    return clark(uri, local)


def _schema_of(node: etree._Element) -> etree._Element:
    """The ``xs:schema`` element a declaration belongs to (a WSDL's inline schema too)."""
    for ancestor in node.iterancestors(f"{_S}schema"):
        return ancestor
    return node


def _doc(node: etree._Element) -> str:
    parts = [
        " ".join((d.text or "").split()) for d in node.iterfind(f"{_S}annotation/{_S}documentation")
    ]
    return " ".join(p for p in parts if p)


def _occurs(node: etree._Element) -> tuple[int, int | None]:
    low = int(node.get("minOccurs", "1"))
    high_raw = node.get("maxOccurs", "1")
    return low, None if high_raw == "unbounded" else int(high_raw)


class TypeBuilder:
    """Builds :class:`TypeModel` objects from a :class:`SchemaIndex`, lazily and memoised."""

    def __init__(self, index: SchemaIndex) -> None:
        self._index = index
        self._complex: dict[str, ComplexType] = {}
        self._simple: dict[str, SimpleType] = {}
        self._elements: dict[str, Element] = {}
        self._building: set[str] = set()

    def build(self, on_error: Callable[[str, str], None]) -> TypeModel:
        """Build every global declaration; ``on_error(file, cause)`` receives broken ones."""
        for table, build in (
            (self._index.simple_types, self.simple_type),
            (self._index.complex_types, self.complex_type),
            (self._index.elements, self.element),
        ):
            for name, definition in table.items():
                try:
                    build(name)
                except (ValueError, KeyError) as exc:
                    on_error(definition.file, f"cannot read {name}: {exc}")
        files = {name: d.file for name, d in self._index.elements.items()}
        return TypeModel(
            elements=MappingProxyType(dict(self._elements)),
            complex_types=MappingProxyType(dict(self._complex)),
            simple_types=MappingProxyType(dict(self._simple)),
            element_files=MappingProxyType(files),
        )

    # -- globals

    def element(self, name: str) -> Element:
        if name not in self._elements:
            definition = self._index.elements.get(name)
            if definition is None:
                raise KeyError(f"element {name} is not declared")
            self._elements[name] = self._element(definition.node, definition.namespace, name)
        return self._elements[name]

    def complex_type(self, name: str) -> ComplexType:
        if name not in self._complex:
            definition = self._index.complex_types[name]
            self._complex[name] = self._complex_node(
                definition.node, definition.namespace, name, definition.file
            )
        return self._complex[name]

    def simple_type(self, name: str) -> SimpleType:
        if name not in self._simple:
            if name in self._building:
                raise ValueError(f"simple type {name} derives from itself")
            self._building.add(name)
            try:
                definition = self._index.simple_types[name]
                self._simple[name] = self._simple_node(
                    definition.node, definition.namespace, name, definition.file
                )
            finally:
                self._building.discard(name)
        return self._simple[name]

    # -- nodes

    def _element(self, node: etree._Element, namespace: str | None, name: str) -> Element:
        low, high = _occurs(node)
        nillable = node.get("nillable") == "true"
        type_attr = node.get("type")
        inline: ComplexType | SimpleType | None = None
        type_name: str | None = None
        if type_attr is not None:
            type_name = _qname(node, type_attr, namespace)
            self._check_type(type_name)
        else:
            ctype = node.find(f"{_S}complexType")
            stype = node.find(f"{_S}simpleType")
            if ctype is not None:
                inline = self._complex_node(ctype, namespace, None, "")
            elif stype is not None:
                inline = self._simple_node(stype, namespace, None, "")
            else:
                type_name = f"{_S[:-1]}}}anyType"
        return Element(
            name=name,
            type_name=type_name,
            inline=inline,
            min_occurs=low,
            max_occurs=high,
            nillable=nillable,
            doc=_doc(node),
        )

    def _check_type(self, type_name: str) -> None:
        if type_name.startswith(_S):
            return
        if type_name in self._index.complex_types or type_name in self._index.simple_types:
            return
        raise KeyError(f"type {type_name} is not declared")

    def _local_element(self, node: etree._Element, namespace: str | None) -> Element:
        ref = node.get("ref")
        low, high = _occurs(node)
        if ref is not None:
            target = self.element(_qname(node, ref, namespace))
            return Element(
                name=target.name,
                type_name=target.type_name,
                inline=target.inline,
                min_occurs=low,
                max_occurs=high,
                nillable=target.nillable,
                doc=_doc(node) or target.doc,
            )
        form = node.get("form")
        schema = node.getroottree().getroot()
        qualified = form == "qualified" or (
            form is None and schema.get("elementFormDefault") == "qualified"
        )
        name = clark(namespace if qualified else None, node.get("name", ""))
        return self._element(node, namespace, name)

    def _particle(self, node: etree._Element, namespace: str | None) -> Element | Any | Group:
        tag = node.tag
        if tag == f"{_S}element":
            return self._local_element(node, namespace)
        if tag == f"{_S}any":
            low, high = _occurs(node)
            return Any(
                namespace=node.get("namespace", "##any"),
                process_contents=node.get("processContents", "strict"),
                min_occurs=low,
                max_occurs=high,
            )
        if tag == f"{_S}group":
            low, high = _occurs(node)
            ref = _qname(node, node.get("ref", ""), namespace)
            definition = self._index.groups.get(ref)
            if definition is None:
                raise KeyError(f"group {ref} is not declared")
            inner = next(
                (c for c in definition.node if c.tag in _GROUP_TAGS),
                None,
            )
            if inner is None:
                return Group(kind="sequence", items=(), min_occurs=low, max_occurs=high)
            group = self._group(inner, definition.namespace)
            return Group(kind=group.kind, items=group.items, min_occurs=low, max_occurs=high)
        return self._group(node, namespace)

    def _group(self, node: etree._Element, namespace: str | None) -> Group:
        low, high = _occurs(node)
        items = tuple(
            self._particle(child, namespace)
            for child in node
            if isinstance(child.tag, str) and child.tag in _PARTICLE_TAGS
        )
        return Group(kind=etree.QName(node).localname, items=items, min_occurs=low, max_occurs=high)

    def _attributes(self, node: etree._Element, namespace: str | None) -> tuple[Attribute, ...]:
        found: list[Attribute] = []
        for child in node:
            if child.tag == f"{_S}attribute":
                name = child.get("name") or child.get("ref") or ""
                type_attr = child.get("type")
                found.append(
                    Attribute(
                        name=name,
                        type_name=_qname(child, type_attr, namespace)
                        if type_attr
                        else f"{_S[:-1]}}}string",
                        required=child.get("use") == "required",
                        doc=_doc(child),
                    )
                )
            elif child.tag == f"{_S}attributeGroup" and child.get("ref"):
                ref = _qname(child, child.get("ref", ""), namespace)
                definition = self._index.attribute_groups.get(ref)
                if definition is not None:
                    found.extend(self._attributes(definition.node, definition.namespace))
        return tuple(found)

    def _complex_node(
        self, node: etree._Element, namespace: str | None, name: str | None, file: str
    ) -> ComplexType:
        base: str | None = None
        derivation: str | None = None
        simple_content: str | None = None
        body = node
        for wrapper in (f"{_S}complexContent", f"{_S}simpleContent"):
            content = node.find(wrapper)
            if content is None:
                continue
            for kind in ("extension", "restriction"):
                derived = content.find(f"{_S}{kind}")
                if derived is not None:
                    base = _qname(derived, derived.get("base", ""), namespace)
                    derivation = kind
                    body = derived
            if wrapper.endswith("simpleContent"):
                simple_content = base
                base = None if base and base.startswith(_S) else base
        group_node = next((c for c in body if c.tag in _GROUP_TAGS), None)
        content_group = self._particle(group_node, namespace) if group_node is not None else None
        if content_group is not None and not isinstance(content_group, Group):
            content_group = Group(kind="sequence", items=(content_group,))
        return ComplexType(
            name=name,
            content=content_group,
            base=base,
            derivation=derivation,
            abstract=node.get("abstract") == "true",
            mixed=node.get("mixed") == "true",
            simple_content=simple_content,
            attributes=self._attributes(body, namespace),
            doc=_doc(node),
            file=file,
        )

    def _simple_node(
        self, node: etree._Element, namespace: str | None, name: str | None, file: str
    ) -> SimpleType:
        restriction = node.find(f"{_S}restriction")
        doc = _doc(node)
        if restriction is None:
            listed = node.find(f"{_S}list")
            if listed is not None:
                item = listed.get("itemType")
                return SimpleType(
                    name=name,
                    base=f"{_S[:-1]}}}string",
                    item_type=_qname(listed, item, namespace) if item else None,
                    doc=doc,
                    file=file,
                )
            return SimpleType(name=name, base=f"{_S[:-1]}}}string", doc=doc, file=file)
        base_attr = restriction.get("base")
        if base_attr is None:
            inner = restriction.find(f"{_S}simpleType")
            base_type = (
                self._simple_node(inner, namespace, None, file)
                if inner is not None
                else SimpleType(name=None, base=f"{_S[:-1]}}}string")
            )
        else:
            base_name = _qname(restriction, base_attr, namespace)
            if base_name.startswith(_S):
                base_type = SimpleType(name=base_name, base=base_name)
            elif base_name in self._index.simple_types:
                base_type = self.simple_type(base_name)
            else:
                raise KeyError(f"type {base_name} is not declared")

        def facet(tag: str) -> list[str]:
            return [f.get("value", "") for f in restriction.iterfind(f"{_S}{tag}")]

        def number(tag: str, inherited: int | None) -> int | None:
            values = facet(tag)
            return int(values[0]) if values else inherited

        return SimpleType(
            name=name,
            base=base_type.base,
            enumeration=tuple(facet("enumeration")) or base_type.enumeration,
            patterns=tuple(facet("pattern")) + base_type.patterns,
            min_length=number("minLength", base_type.min_length),
            max_length=number("maxLength", base_type.max_length),
            length=number("length", base_type.length),
            item_type=base_type.item_type,
            doc=doc or base_type.doc,
            file=file,
        )


_GROUP_TAGS = {f"{_S}sequence", f"{_S}choice", f"{_S}all", f"{_S}group"}
_PARTICLE_TAGS = _GROUP_TAGS | {f"{_S}element", f"{_S}any"}
