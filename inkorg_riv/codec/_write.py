"""Encoding straight to bytes: typed binding objects to serialized XML without building a tree
(layer L3, pure; see :mod:`inkorg_riv.codec`).

:func:`encode_bytes` writes the same infoset as ``etree.tostring(encode(obj))`` -- the same
element names, namespaces (declared once on the root, prefixes ``ns0``, ``ns1``, ...), order,
values and ``xsi:type`` markers -- from per-class plans of start and end tags, so sending a
message does not pay for creating one lxml element per field and serializing them again.
Text is escaped for XML 1.0 (``&``, ``<``, ``>`` and carriage returns, which a parser would
otherwise turn into line feeds).

Values XML 1.0 cannot carry (control characters, NUL, lone surrogates, U+FFFE/U+FFFF) are
refused with a :class:`~inkorg_riv.errors.BindingError` naming the field, before any byte is
returned. Classes with attributes, text content, choices or ``xs:anyType`` fields, and values
of a subtype (written with ``xsi:type``), are written by the lxml encoder for that part: the
output is the same, only slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from .._ns import split_clark
from .._xsdvalues import TO_TEXT as _TO_TEXT
from ..bindings._runtime import Kind, XmlObject, class_cache, resolve_class
from ..errors import BindingError
from ._encode import _encode_complex, _nsmap, _root_element, encode, reachable

# Everything outside XML 1.0's Char production.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WRITABLE_KINDS = frozenset({Kind.SIMPLE, Kind.ENUM, Kind.COMPLEX, Kind.ANY})


def encode_bytes(obj: XmlObject, element: str | None = None) -> bytes:
    """``obj`` serialized as UTF-8 XML (no XML declaration), named ``element`` (default: the
    root element of its class); the same document as :func:`~inkorg_riv.codec.encode` gives.

    Raises :class:`BindingError` when the class is not a root and no name is given, or when a
    value cannot be written (characters XML 1.0 forbids), naming the field path.
    """
    cls = type(obj)
    roots: dict[str | None, _Root] = class_cache(cls, "_inkorg_write_roots", _no_roots)
    root = roots.get(element)
    if root is None:
        root = roots[element] = _Root(cls, element or _root_element(cls))
    if root.writer is None:
        return etree.tostring(encode(obj, root.name), encoding="UTF-8")
    parts = [root.start]
    root.writer(obj, parts)
    parts.append(root.end)
    return _serialized(parts, obj)


def _no_roots(_cls: type[XmlObject]) -> dict[str | None, _Root]:
    return {}


class _Root:
    """What writing ``cls`` as the root element ``name`` needs, worked out once."""

    __slots__ = ("end", "name", "start", "writer")

    def __init__(self, cls: type[XmlObject], name: str) -> None:
        self.name = name
        nsmap = _nsmap(cls, split_clark(name)[0])
        tag = _qualified(name, {uri: prefix for prefix, uri in nsmap.items()})
        declarations = "".join(
            f' xmlns:{prefix}="{_escape_attribute(uri)}"' for prefix, uri in nsmap.items()
        )
        self.start = f"<{tag}{declarations}>"
        self.end = f"</{tag}>"
        self.writer = _writer(cls, nsmap) if _writable(cls) else None


def _writable(cls: type[XmlObject]) -> bool:
    """Whether every class reachable from ``cls`` uses only the kinds the writer handles."""
    return all(
        spec.kind in _WRITABLE_KINDS
        for current in reachable(cls)
        for spec in current.__xsd__.fields
    )


def _qualified(name: str, prefixes: dict[str, str]) -> str:
    namespace, local = split_clark(name)
    return local if namespace is None else f"{prefixes[namespace]}:{local}"


_Writer = Callable[[Any, list[str]], None]


def _writer(cls: type[XmlObject], nsmap: dict[str, str]) -> _Writer:
    """The compiled writer of ``cls``'s children under the root's prefixes (cached per class
    and prefix set; classes that contain each other share the cache)."""
    writers: dict[tuple[str, ...], _Writer] = class_cache(cls, "_inkorg_writers", _no_writers)
    key = tuple(nsmap.values())
    found = writers.get(key)
    if found is None:
        # While compiling, a type that contains this one (recursion) gets a deferred writer.
        writers[key] = _Deferred(cls, nsmap)
        found = writers[key] = _compile(cls, nsmap)
    return found


def _no_writers(_cls: type[XmlObject]) -> dict[tuple[str, ...], _Writer]:
    return {}


def _compile(cls: type[XmlObject], nsmap: dict[str, str]) -> _Writer:
    """Generate straight-line code for ``cls``: one block per field, literals for the tags.

    Every name in the generated source is either a Python identifier of the bindings (field
    names) or a ``repr`` literal, so no schema text can change the code.
    """
    prefixes = {uri: prefix for prefix, uri in nsmap.items()}
    scope: dict[str, Any] = {"_escape": _escape, "_tostring": etree.tostring, "_part": _lxml_part}
    lines = ["def write(obj, p):"]
    for index, spec in enumerate(cls.__xsd__.fields):
        lines.append(f"    v = obj.{spec.attr}")
        lines.append("    if v is not None:")
        each = "        for i in v:" if spec.repeated else None
        item = "i" if spec.repeated else "v"
        pad = "            " if spec.repeated else "        "
        if each:
            lines.append(each)
        if spec.kind is Kind.ANY:
            lines.append(f"{pad}p.append(_tostring({item}, encoding='unicode', with_tail=False))")
            continue
        tag = _qualified(spec.element, prefixes)
        start, end = repr(f"<{tag}>"), repr(f"</{tag}>")
        if spec.kind is Kind.COMPLEX:
            child = resolve_class(cls, spec.xsd)
            scope[f"C{index}"], scope[f"S{index}"] = child, spec
            scope[f"P{index}"] = f"{cls.__name__}.{spec.attr}"
            scope[f"W{index}"] = _writer(child, nsmap)
            lines += [
                f"{pad}if type({item}) is C{index} or {item}.__xsd__.type_name is None:",
                f"{pad}    p.append({start}); W{index}({item}, p); p.append({end})",
                f"{pad}else:",
                f"{pad}    p.append(_part({item}, S{index}, P{index}, {nsmap!r}))",
            ]
        elif spec.kind is Kind.ENUM:  # each member's whole element, written once
            scope[f"E{index}"] = {
                m: f"<{tag}>{_escape(str(m.value))}</{tag}>" for m in resolve_class(cls, spec.xsd)
            }
            lines.append(f"{pad}p.append(E{index}[{item}])")
        elif spec.xsd == "boolean":  # the converter goes by truth: both elements, written once
            truth = _TO_TEXT["boolean"]
            yes, no = (repr(f"<{tag}>{truth(value)}</{tag}>") for value in (True, False))
            lines.append(f"{pad}p.append({yes} if {item} else {no})")
        elif (convert := _TO_TEXT.get(spec.xsd)) is not None:
            scope[f"T{index}"] = convert  # numbers, dates, base64: nothing to escape
            lines.append(f"{pad}p += ({start}, T{index}({item}), {end})")
        else:  # _escape's tests, inline: most values have nothing to escape
            lines += [
                f"{pad}if '&' in {item} or '<' in {item} or '>' in {item} or '\\r' in {item}:",
                f"{pad}    {item} = _escape({item})",
                f"{pad}p += ({start}, {item}, {end})",
            ]
    if len(lines) == 1:
        lines.append("    return None")
    exec(compile("\n".join(lines), f"<inkorg-riv writer {cls.__name__}>", "exec"), scope)  # noqa: S102  (generated from the bindings' specs; see the docstring)
    writer: _Writer = scope["write"]
    return writer


class _Deferred:
    """A writer looked up when called: stands in for a type that is still being compiled."""

    __slots__ = ("cls", "nsmap")

    def __init__(self, cls: type[XmlObject], nsmap: dict[str, str]) -> None:
        self.cls = cls
        self.nsmap = nsmap

    def __call__(self, obj: Any, parts: list[str]) -> None:
        _writer(self.cls, self.nsmap)(obj, parts)


def _enum_text(value: Any) -> str:
    return str(value.value)


# Bytes that XML 1.0 forbids (C0 controls but tab, LF, CR) map to NUL, which is forbidden too:
# one C-speed table pass and one memchr check the whole document.
_FORBIDDEN = bytes(0 if (b < 0x20 and b not in (0x09, 0x0A, 0x0D)) else b for b in range(256))


def _serialized(parts: list[str], obj: XmlObject) -> bytes:
    """The document as UTF-8, or BindingError naming the first field XML 1.0 cannot carry."""
    text = "".join(parts)
    # U+FFFE and U+FFFF are looked for in the text, not in the bytes: a text whose characters
    # are all below U+0100 (most Swedish text) answers at once, the bytes would be searched.
    if "\ufffe" not in text and "\uffff" not in text:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            data = b""
        if data and b"\x00" not in data.translate(_FORBIDDEN):
            return data
    _locate(obj, type(obj).__name__)
    raise BindingError(_REASON, path=type(obj).__name__)  # pragma: no cover - _locate raises


def _locate(obj: XmlObject, path: str) -> None:
    """Raise BindingError for the first value of ``obj`` that XML 1.0 cannot carry (slow path)."""
    for spec in obj.__xsd__.fields:
        value = getattr(obj, spec.attr)
        if value is None or spec.kind is Kind.ANY:
            continue
        items = value if spec.repeated else (value,)
        for index, item in enumerate(items):
            where = f"{path}.{spec.attr}[{index}]" if spec.repeated else f"{path}.{spec.attr}"
            if spec.kind is Kind.COMPLEX:
                _locate(item, where)
                continue
            convert = _enum_text if spec.kind is Kind.ENUM else _TO_TEXT.get(spec.xsd)
            text = item if convert is None else convert(item)
            if _NOT_XML.search(text) is not None:
                raise BindingError(_REASON, path=where)


_REASON = "contains characters XML 1.0 does not allow (control characters, NUL or lone surrogates)"


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _escape_attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _lxml_part(value: XmlObject, spec: Any, path: str, nsmap: dict[str, str]) -> str:
    holder = etree.Element("holder", nsmap=nsmap)
    _encode_complex(holder, spec, value, path)
    return etree.tostring(holder[0], encoding="unicode", with_tail=False)
