"""XSD validation on lxml (libxml2): compiled once per schema, precise issue reports (layer L2).

The ``^…$`` pattern policy lives here. XML Schema has no anchors: a pattern is always matched
against the whole value, and ``^`` and ``$`` are ordinary characters. Many published RIV
schemas write ``^[0-9]{8}[0-9pPtTfF][0-9]{3}$`` all the same, which a conforming validator
reads as "a literal ^, twelve characters, a literal $" and so rejects every real value.

* :attr:`PatternPolicy.ANCHORS` (default): a leading ``^`` and a trailing unescaped ``$`` in an
  ``xs:pattern`` are treated as the anchors their authors meant, i.e. removed before compiling.
* :attr:`PatternPolicy.STRICT`: patterns are compiled exactly as written (XSD semantics).
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Iterator

from lxml import etree

from .._log import redact_quoted
from .._ns import XS
from .._xmlparse import LOADER_LOCK, make_parser, parse_bytes
from ..contracts import ContractPackage, PackageSource
from ..errors import ContractLoadError, ValidationIssue, XmlInputError
from .rules import element_path

# A Clark-notation namespace (an absolute URI in braces); not regex quantifiers like ``{8}``
# nor the ``{'A', 'B'}`` value sets that libxml2 prints for enumerations.
_CLARK = re.compile(r"\{[A-Za-z][A-Za-z0-9+.-]*:[^{}\s]*\}")
_STEP = re.compile(r"(?:(?P<prefix>[^:\[\]]+):)?(?P<name>[^:\[\]]+)(?:\[(?P<index>[0-9]+)\])?")
_ELEMENT = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: ")


class PatternPolicy(enum.Enum):
    """How ``^`` and ``$`` at the ends of ``xs:pattern`` values are read."""

    ANCHORS = "anchors"
    STRICT = "strict"


def strip_anchors(pattern: str) -> str:
    """Remove a leading ``^`` and a trailing unescaped ``$`` from a pattern."""
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


def apply_pattern_policy(source: PackageSource, policy: PatternPolicy) -> PackageSource:
    """The package with every anchored ``xs:pattern`` rewritten under ``policy``."""
    if policy is PatternPolicy.STRICT:
        return source
    changed: dict[str, bytes] = {}
    for path, data in source.files.items():
        if b"pattern" not in data or (b"^" not in data and b"$" not in data):
            continue
        try:
            root = parse_bytes(data, source=path, base_url=source.url(path))
        except XmlInputError:
            continue  # unusable: already in the package's problems, never compiled
        touched = False
        for facet in root.iter(f"{{{XS}}}pattern"):
            value = facet.get("value", "")
            stripped = strip_anchors(value)
            if stripped != value:
                facet.set("value", stripped)
                touched = True
        if touched:
            changed[path] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return source.with_files(changed) if changed else source


class SchemaSet:
    """The compiled XSDs of one package under one pattern policy.

    Compiled schemas are cached per schema file and per thread (libxml2 validation contexts are
    not shared between threads); compiling happens once per thread and file.
    """

    def __init__(self, package: ContractPackage, policy: PatternPolicy) -> None:
        self.package = package
        self.policy = policy
        self._source = apply_pattern_policy(package.source, policy)
        self._local = threading.local()

    def schema_for(self, schema_file: str) -> etree.XMLSchema:
        """The compiled schema of one package file."""
        try:
            compiled: dict[str, etree.XMLSchema] = self._local.cache
            return compiled[schema_file]
        except (AttributeError, KeyError):
            pass  # the first use in this thread, or of this file
        cache: dict[str, etree.XMLSchema] | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = {}
            self._local.cache = cache
        schema = cache.get(schema_file)
        if schema is None:
            schema = self._compile(schema_file)
            cache[schema_file] = schema
        return schema

    def _compile(self, schema_file: str) -> etree.XMLSchema:
        source = self._source
        parser = make_parser(source.resolver())
        try:
            with LOADER_LOCK:  # see LOADER_LOCK: imports vanish if another parse interleaves
                doc = etree.fromstring(
                    source.files[schema_file], parser, base_url=source.url(schema_file)
                )
                return etree.XMLSchema(doc)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError, KeyError) as exc:
            raise ContractLoadError(
                f"{schema_file}: the schema does not compile: {_readable(str(exc))}"
            ) from exc

    def issues(self, schema_file: str, root: etree._Element) -> Iterator[ValidationIssue]:
        """Every XSD issue of ``root`` against ``schema_file`` (nothing when valid)."""
        schema = self.schema_for(schema_file)
        if schema.validate(root):
            return
        for entry in schema.error_log:
            found = _element_at(root, entry.path or "")
            yield ValidationIssue(
                path=element_path(found) if found is not None else entry.path or "",
                reason=redact_quoted(_readable(entry.message)),
                line=entry.line or None,
                rule="xsd",
            )


def _element_at(root: etree._Element, path: str) -> etree._Element | None:
    """The element a libxml2 error path (``/*/*[2]/c:message``) points at, below ``root``.

    libxml2 writes ``*[n]`` (the n-th child element) for elements in a default namespace and
    ``prefix:name[n]`` otherwise; the first step is the validated element itself.
    """
    steps = [step for step in path.split("/") if step]
    if not steps:
        return None
    node = root
    for step in steps[1:]:
        match = _STEP.fullmatch(step)
        if match is None:
            return None
        children = [child for child in node if isinstance(child.tag, str)]
        if match["name"] != "*":
            children = [
                child
                for child in children
                if etree.QName(child).localname == match["name"] and child.prefix == match["prefix"]
            ]
        index = int(match["index"] or 1)
        if index > len(children):
            return None
        node = children[index - 1]
    return node


def _readable(message: str) -> str:
    """libxml2's message with Clark names shortened and the element prefix dropped."""
    match = _ELEMENT.match(message)
    if match:
        message = message[match.end() :]
        if match.group(2):
            message = f"attribute {_CLARK.sub('', match.group(2))!r}: {message}"
    message = _CLARK.sub("", message)
    message = message.replace("Expected is ( ", "Expected: ").replace(" ).", ".")
    message = message.replace("Expected is one of ( ", "Expected one of: ")
    return message.strip()
