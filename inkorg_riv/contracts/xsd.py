"""Read XML Schema files into a schema index (layer L1).

Covers what RIV-TA contracts use: named and anonymous complex and simple types, sequences,
choices and ``all``, element references, named groups, ``xs:any``, complex and simple content
extensions, enumerations and patterns, ``xs:import`` chains across core components,
``xs:include`` (chameleon includes too) and circular imports. Every problem -- unparsable
file, missing import, namespace mismatch -- is recorded against the file that has it, so
that one broken file does not stop the rest of the package from loading.

Owns reading the files, following imports and includes, and the :class:`SchemaIndex` of raw
global definitions; :mod:`.xsd_types` builds the type model from the index (its
:class:`~.xsd_types.TypeBuilder` is re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from .._ns import XS, clark
from .._xmlparse import parse_bytes
from ..errors import ContractProblem, XmlInputError
from .source import PackageSource
from .xsd_types import TypeBuilder

__all__ = ["SchemaIndex", "TypeBuilder", "index_package", "read_inline_schemas", "schema_roots"]

_S = f"{{{XS}}}"


class _Def:
    """A global definition: its node, target namespace and file (plain classes here: a
    dataclass costs import time)."""

    __slots__ = ("file", "namespace", "node")

    def __init__(self, node: etree._Element, namespace: str | None, file: str) -> None:
        self.node = node
        self.namespace = namespace
        self.file = file


class SchemaIndex:
    """Raw global definitions of every schema document, before types are built."""

    __slots__ = (
        "attribute_groups",
        "broken",
        "complex_types",
        "documents",
        "edges",
        "elements",
        "groups",
        "problems",
        "read",
        "simple_types",
    )

    def __init__(self) -> None:
        self.elements: dict[str, _Def] = {}
        self.complex_types: dict[str, _Def] = {}
        self.simple_types: dict[str, _Def] = {}
        self.groups: dict[str, _Def] = {}
        self.attribute_groups: dict[str, _Def] = {}
        self.problems: list[ContractProblem] = []
        self.edges: dict[str, set[str]] = {}
        """Which package files each file imports or includes."""
        self.broken: set[str] = set()
        """Files with a problem of their own."""
        self.read: set[tuple[str, str | None]] = set()
        self.documents: dict[str, etree._Element | XmlInputError] = {}
        """Each package file parsed once (or the reason it could not be), shared by every
        reader."""

    def document(self, source: PackageSource, path: str) -> etree._Element:
        """The parsed root of a package file, parsed on first use; raises its XmlInputError."""
        found = self.documents.get(path)
        if found is None:
            try:
                found = parse_bytes(source.files[path], source=path, base_url=source.url(path))
            except XmlInputError as exc:
                found = exc
            self.documents[path] = found
        if isinstance(found, XmlInputError):
            raise found
        return found

    def reachable(self, start: str) -> set[str]:
        """Every file reachable from ``start`` through imports and includes."""
        seen: set[str] = set()
        todo = [start]
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            todo.extend(self.edges.get(path, ()))
        return seen


def schema_roots(
    index: SchemaIndex, source: PackageSource, path: str
) -> Iterator[etree._Element]:
    """The ``xs:schema`` elements of a file: the root of an XSD, or a WSDL's inline schemas."""
    root = index.document(source, path)
    if root.tag == f"{_S}schema":
        yield root
        return
    yield from root.iterfind(f"{{*}}types/{_S}schema")


def index_package(source: PackageSource) -> SchemaIndex:
    """Read the global definitions of every XSD in the package."""
    index = SchemaIndex()
    for path in source.files:
        if path.lower().endswith(".xsd"):
            _read_file(source, index, path, None)
    return index


def read_inline_schemas(source: PackageSource, index: SchemaIndex, wsdl_path: str) -> None:
    """Add a WSDL's inline ``types`` schemas (and what they import) to ``index``."""
    try:
        roots = list(schema_roots(index, source, wsdl_path))
    except XmlInputError as exc:
        _problem(index, wsdl_path, exc.cause)
        return
    for root in roots:
        _read_schema(source, index, wsdl_path, root, None)


def _problem(index: SchemaIndex, path: str, cause: str) -> None:
    index.problems.append(ContractProblem(path, cause))
    index.broken.add(path)


def _read_file(
    source: PackageSource, index: SchemaIndex, path: str, chameleon_ns: str | None
) -> None:
    key = (path, chameleon_ns)
    if key in index.read:
        return
    index.read.add(key)
    try:
        root = index.document(source, path)
    except XmlInputError as exc:
        _problem(index, path, exc.cause)
        return
    if root.tag != f"{_S}schema":
        _problem(index, path, f"not an XML Schema (root element is {root.tag!r})")
        return
    _read_schema(source, index, path, root, chameleon_ns)


def _read_schema(
    source: PackageSource,
    index: SchemaIndex,
    path: str,
    root: etree._Element,
    chameleon_ns: str | None,
) -> None:
    namespace = root.get("targetNamespace") or chameleon_ns
    edges = index.edges.setdefault(path, set())
    for child in root:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = child.get("name")
        if tag in (f"{_S}import", f"{_S}include", f"{_S}redefine"):
            _follow(source, index, path, child, namespace, edges)
        elif name is None:
            continue
        elif tag == f"{_S}element":
            index.elements.setdefault(clark(namespace, name), _Def(child, namespace, path))
        elif tag == f"{_S}complexType":
            index.complex_types.setdefault(clark(namespace, name), _Def(child, namespace, path))
        elif tag == f"{_S}simpleType":
            index.simple_types.setdefault(clark(namespace, name), _Def(child, namespace, path))
        elif tag == f"{_S}group":
            index.groups.setdefault(clark(namespace, name), _Def(child, namespace, path))
        elif tag == f"{_S}attributeGroup":
            index.attribute_groups.setdefault(clark(namespace, name), _Def(child, namespace, path))


def _follow(  # noqa: PLR0911  (one return per way an import can fail)
    source: PackageSource,
    index: SchemaIndex,
    path: str,
    node: etree._Element,
    namespace: str | None,
    edges: set[str],
) -> None:
    kind = etree.QName(node).localname
    location = node.get("schemaLocation")
    expected = node.get("namespace") if kind == "import" else namespace
    if location is None:
        if kind == "import" and expected in (None, "http://www.w3.org/XML/1998/namespace"):
            return
        if kind == "import":
            # An import without a location is fine when another file brings the namespace.
            return
        _problem(index, path, f"xs:{kind} without schemaLocation")
        return
    target = source.resolve(path, location)
    if target is None:
        where = "outside the package" if "://" in location else "not in the package"
        _problem(index, path, f"xs:{kind} of {location!r}: file {where}")
        return
    edges.add(target)
    try:
        roots = list(schema_roots(index, source, target))
    except XmlInputError:
        _read_file(source, index, target, None)  # records the parse problem on the target
        return
    if not roots:
        _problem(index, path, f"xs:{kind} of {location!r}: {target} is not an XML Schema")
        return
    actual = roots[0].get("targetNamespace")
    if kind == "import":
        if actual != expected:
            _problem(
                index,
                path,
                f"xs:import of {location!r} expects namespace {expected!r} but {target} "
                f"declares {actual!r}",
            )
            return
        _read_file(source, index, target, None)
    elif actual is None:
        _read_file(source, index, target, namespace)  # chameleon include
    elif actual != namespace:
        _problem(
            index,
            path,
            f"xs:include of {location!r}: {target} declares namespace {actual!r}, "
            f"the including schema {namespace!r}",
        )
    else:
        _read_file(source, index, target, None)
