"""Typed binding objects to XML elements and back, with lxml (layer L3, pure).

Driven by the ``__xsd__`` specs the generator derives from the contract model: element names
and namespaces, document order, cardinalities, ``xsi:type`` for subtypes, wildcards.

* :func:`encode` refuses characters XML 1.0 forbids, naming the field
  (:class:`~inkorg_riv.errors.BindingError`); it never produces a partial document.
* :func:`decode` keeps unknown elements that a lax wildcard allows (in ``any_elements``) and
  refuses unknown elements elsewhere, missing required elements and unreadable values with a
  :class:`~inkorg_riv.errors.BindingError` naming the element path.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import math
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from lxml import etree

from ._ns import XSI, clark, split_clark
from .bindings._runtime import FieldSpec, Kind, XmlObject, resolve_class
from .errors import BindingError

T = TypeVar("T", bound=XmlObject)
_XSI_TYPE = clark(XSI, "type")


# --------------------------------------------------------------------------- values


def _bool_out(value: bool) -> str:
    return "true" if value else "false"


def _b64_out(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _decimal_out(value: decimal.Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a number xs:decimal can hold")
    return format(value, "f")


def _float_out(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(value)


_MAX_OFFSET = datetime.timedelta(hours=14)


def _iso_out(value: datetime.date | datetime.time) -> str:
    offset = value.utcoffset() if isinstance(value, datetime.datetime | datetime.time) else None
    if offset is not None and (offset % datetime.timedelta(minutes=1) or abs(offset) > _MAX_OFFSET):
        raise ValueError(
            f"time zone offset {offset} is not whole minutes within -14:00..+14:00 "
            "(XML Schema allows nothing else)"
        )
    return value.isoformat()


_TO_TEXT: dict[str, Callable[[Any], str]] = {
    "boolean": _bool_out,
    "dateTime": _iso_out,
    "date": _iso_out,
    "time": _iso_out,
    "base64Binary": _b64_out,
    "hexBinary": bytes.hex,
    "decimal": _decimal_out,
    "double": _float_out,
    "float": _float_out,
}


def _bool_in(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"{text!r} is not a boolean (true, false, 1, 0)")


# The lexical forms XML Schema allows (fromisoformat alone also takes "2024-01-01",
# "20240101T1000" or a space for the T). Years beyond 9999 and BC years do not fit Python.
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = "[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]+)?"
_ZONE = "(?:Z|[+-][0-9]{2}:[0-9]{2})?"
_LEXICAL = {
    "dateTime": re.compile(f"{_DATE}T{_TIME}{_ZONE}"),
    "date": re.compile(_DATE),
    "time": re.compile(f"{_TIME}{_ZONE}"),
}
_END_OF_DAY = re.compile("T24:00:00(?:[.]0+)?")


def _lexical(kind: str, text: str) -> str:
    if _LEXICAL[kind].fullmatch(text) is None:
        raise ValueError(f"not in the lexical form of xs:{kind}")
    return text


def _datetime_in(text: str) -> datetime.datetime:
    _lexical("dateTime", text)
    end_of_day = _END_OF_DAY.search(text)
    if end_of_day is not None:  # 24:00:00 is the first instant of the next day
        start = text[: end_of_day.start()] + "T00:00:00" + text[end_of_day.end() :]
        return datetime.datetime.fromisoformat(start) + datetime.timedelta(days=1)
    return datetime.datetime.fromisoformat(text)


def _date_in(text: str) -> datetime.date:
    return datetime.date.fromisoformat(_lexical("date", text))


def _time_in(text: str) -> datetime.time:
    return datetime.time.fromisoformat(_lexical("time", text))


def _b64_in(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


_FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "boolean": _bool_in,
    "dateTime": _datetime_in,
    "date": _date_in,
    "time": _time_in,
    "base64Binary": _b64_in,
    "hexBinary": bytes.fromhex,
    "decimal": decimal.Decimal,
    "double": float,
    "float": float,
}
_INTEGER_NAMES = (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte",
)  # fmt: skip
for _name in _INTEGER_NAMES:
    _FROM_TEXT[_name] = int
    _TO_TEXT[_name] = str


def _text_of(spec: FieldSpec, value: Any) -> str:
    if spec.kind is Kind.ENUM:
        return str(value.value)
    convert = _TO_TEXT.get(spec.xsd)
    return value if convert is None else convert(value)


# --------------------------------------------------------------------------- encoding


def encode(obj: XmlObject, element: str | None = None) -> etree._Element:
    """Encode ``obj`` as an element named ``element`` (default: the root element of its class).

    Raises :class:`BindingError` when the class is not a root and no name is given, or when a
    value cannot be written (control characters XML 1.0 forbids), naming the field path.
    """
    cls = type(obj)
    name = element or _root_element(cls)
    namespace = split_clark(name)[0]
    nsmap = _nsmap(cls, namespace)
    root = etree.Element(name, nsmap=nsmap)
    _encode_fields(root, obj, cls.__name__)
    return root


def _nsmap(cls: type[XmlObject], namespace: str | None) -> dict[str, str]:
    found = _namespaces(cls)
    ordered = ([namespace] if namespace else []) + [n for n in found if n != namespace]
    return {f"ns{index}": uri for index, uri in enumerate(ordered)}


def _namespaces(cls: type[XmlObject]) -> tuple[str, ...]:
    cached: tuple[str, ...] | None = vars(cls).get("_inkorg_namespaces")
    if cached is None:
        cached = _collect_namespaces(cls)
        type.__setattr__(cls, "_inkorg_namespaces", cached)
    return cached


def _collect_namespaces(cls: type[XmlObject]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    todo: list[type[XmlObject]] = [cls]
    visited: set[type[XmlObject]] = set()
    while todo:
        current = todo.pop()
        if current in visited:
            continue
        visited.add(current)
        for spec in current.__xsd__.fields:
            specs = spec.choices or (spec,)
            for item in specs:
                ns = split_clark(item.element)[0] if item.element.startswith("{") else None
                if ns:
                    seen.setdefault(ns, None)
                if item.kind is Kind.COMPLEX:
                    todo.append(resolve_class(current, item.xsd))
                if item.wrapper:
                    todo.append(resolve_class(current, item.wrapper))
    return tuple(seen)


def _root_element(cls: type[XmlObject]) -> str:
    elements: Mapping[str, type[XmlObject]] = getattr(
        sys.modules[cls.__module__], "ELEMENTS", {}
    )
    names = [name for name, owner in elements.items() if owner is cls]
    if len(names) != 1:
        raise BindingError(
            f"{cls.__name__} is not the type of exactly one root element; pass element=",
            path=cls.__name__,
        )
    return names[0]


def _encode_fields(parent: etree._Element, obj: XmlObject, path: str) -> None:
    for spec in type(obj).__xsd__.fields:
        value = getattr(obj, spec.attr)
        if value is None:
            continue
        if spec.repeated:
            for index, item in enumerate(value):
                _encode_value(parent, spec, item, f"{path}.{spec.attr}[{index}]")
        else:
            _encode_value(parent, spec, value, f"{path}.{spec.attr}")


def _encode_value(parent: etree._Element, spec: FieldSpec, value: Any, path: str) -> None:
    kind = spec.kind
    try:
        if kind is Kind.SIMPLE or kind is Kind.ENUM:
            child = etree.SubElement(parent, spec.element)
            child.text = _text_of(spec, value)
        elif kind is Kind.COMPLEX:
            _encode_complex(parent, spec, value, path)
        elif kind is Kind.ANY or kind is Kind.RAW:
            parent.append(_copy(value))
        elif kind is Kind.ATTRIBUTE:
            parent.set(spec.element, _text_of(spec, value))
        elif kind is Kind.TEXT:
            parent.text = _text_of(spec, value)
        elif kind is Kind.CHOICE:
            _encode_choice(parent, spec, value, path)
    except ValueError as exc:
        raise BindingError(_xml_reason(exc), path=path) from exc


def _encode_complex(parent: etree._Element, spec: FieldSpec, value: XmlObject, path: str) -> None:
    cls = type(value)
    type_name = cls.__xsd__.type_name
    if cls.__name__ == spec.xsd or type_name is None:
        child = etree.SubElement(parent, spec.element)
    else:
        # A subtype: say which with xsi:type, declaring its namespace on the element.
        namespace, local = split_clark(type_name)
        nsmap = {"xsi": XSI, "xt": namespace} if namespace else {"xsi": XSI}
        child = etree.SubElement(parent, spec.element, nsmap=nsmap)
        child.set(_XSI_TYPE, f"xt:{local}" if namespace else local)
    _encode_fields(child, value, path)


def _encode_choice(parent: etree._Element, spec: FieldSpec, value: Any, path: str) -> None:
    for alternative in spec.choices:
        if alternative.wrapper is not None:
            if type(value).__name__ == alternative.wrapper:
                _encode_fields(parent, value, path)
                return
        elif isinstance(value, XmlObject) and isinstance(
            value, resolve_class(type(value), alternative.xsd)
        ):
            _encode_value(parent, alternative, value, path)
            return
    raise BindingError(f"{type(value).__name__} is not an alternative of this choice", path=path)


def _copy(element: etree._Element) -> etree._Element:
    import copy  # noqa: PLC0415  (rare path: wildcard content only)

    return copy.deepcopy(element)


def _xml_reason(exc: ValueError) -> str:
    text = str(exc)
    if "XML compatible" in text or "control characters" in text:
        return "contains characters XML 1.0 does not allow (control characters or NUL)"
    if isinstance(exc, UnicodeEncodeError):  # lone surrogates: lxml cannot even encode them
        return "contains characters XML 1.0 does not allow (lone surrogates)"
    return text


# --------------------------------------------------------------------------- decoding


def decode(element: etree._Element, cls: type[T]) -> T:
    """Decode ``element`` into an instance of ``cls`` (or of the subclass its ``xsi:type`` names).

    Raises :class:`BindingError` naming the element path for a missing required element, an
    unknown element where no wildcard allows it, or a value that cannot be read.
    """
    return _decode(element, cls, "/" + etree.QName(element).localname)


def _decode(element: etree._Element, cls: type[T], path: str) -> T:  # noqa: PLR0912  (one pass over children, then over specs)
    cls = _xsi_class(element, cls, path)
    specs = cls.__xsd__.fields
    by_name = _element_index(cls)
    values: dict[str, Any] = {}
    wildcard = next((s for s in specs if s.kind is Kind.ANY), None)
    own_ns = cls.__xsd__.namespace
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        found = by_name.get(tag)
        child_path = f"{path}/{etree.QName(child).localname}"
        if found is None:
            if wildcard is not None and _wildcard_allows(wildcard.element, tag, own_ns):
                values.setdefault(wildcard.attr, []).append(child)
                continue
            raise BindingError(f"unexpected element {tag}", path=child_path)
        spec, alternative = found
        target = alternative or spec
        value = _decode_value(child, target, cls, child_path)
        if alternative is not None and alternative.wrapper is not None:
            value = resolve_class(cls, alternative.wrapper)(value=value)
        if spec.repeated:
            values.setdefault(spec.attr, []).append(value)
        elif spec.attr in values:
            raise BindingError("occurs more than once", path=child_path)
        else:
            values[spec.attr] = value
    for spec in specs:
        if spec.kind is Kind.ATTRIBUTE:
            raw = element.get(spec.element)
            if raw is not None:
                values[spec.attr] = _convert(raw, spec, cls, f"{path}/@{spec.element}")
        elif spec.kind is Kind.TEXT:
            values[spec.attr] = _convert(_character_data(element, path), spec, cls, path)
        elif spec.attr not in values:
            if spec.min_occurs > 0:
                what = " or ".join(etree.QName(a.element).localname for a in spec.choices) or (
                    etree.QName(spec.element).localname if spec.element.startswith("{") else
                    spec.element
                )
                raise BindingError(f"required element {what} is missing", path=path)
        elif spec.repeated:
            values[spec.attr] = tuple(values[spec.attr])
    try:
        return cls(**values)
    except BindingError as exc:
        raise BindingError(exc.message, path=path) from exc


def _decode_value(child: etree._Element, spec: FieldSpec, owner: type, path: str) -> Any:
    kind = spec.kind
    if kind is Kind.COMPLEX:
        return _decode(child, resolve_class(owner, spec.xsd), path)
    if kind is Kind.RAW:
        return child
    return _convert(_character_data(child, path), spec, owner, path)


def _character_data(element: etree._Element, path: str) -> str:
    """The text of a simple value: all of it, across comments and processing instructions."""
    parts = [element.text or ""]
    for node in element:
        if isinstance(node.tag, str):
            raise BindingError(
                f"unexpected element {node.tag} inside a simple value",
                path=f"{path}/{etree.QName(node).localname}",
            )
        parts.append(node.tail or "")
    return "".join(parts)


def _convert(text: str, spec: FieldSpec, owner: type, path: str) -> Any:
    if spec.kind is Kind.ENUM:
        enum_cls = resolve_class(owner, spec.xsd)
        try:
            return enum_cls(text.strip())
        except ValueError:
            allowed = ", ".join(str(m.value) for m in enum_cls)
            raise BindingError(f"{text!r} is not one of {allowed}", path=path) from None
    convert = _FROM_TEXT.get(spec.xsd)
    if convert is None:
        return text
    try:
        return convert(text.strip())
    except (ValueError, ArithmeticError, binascii.Error) as exc:
        raise BindingError(f"cannot read {text[:40]!r} as xs:{spec.xsd}: {exc}", path=path) from exc


def _xsi_class(element: etree._Element, cls: type[T], path: str) -> type[T]:
    xsi_type = element.get(_XSI_TYPE)
    if xsi_type is None:
        return cls
    prefix, _, local = xsi_type.rpartition(":")
    type_name = clark(element.nsmap.get(prefix or None), local)
    types: Mapping[str, type[XmlObject]] = getattr(sys.modules[cls.__module__], "TYPES", {})
    found = types.get(type_name)
    if found is None or not issubclass(found, cls):
        raise BindingError(f"xsi:type {xsi_type} is not a subtype of {cls.__name__}", path=path)
    return found


def _element_index(cls: type[XmlObject]) -> dict[str, tuple[FieldSpec, FieldSpec | None]]:
    cached: dict[str, tuple[FieldSpec, FieldSpec | None]] | None = vars(cls).get(
        "_inkorg_index"
    )
    if cached is None:
        cached = _build_index(cls)
        type.__setattr__(cls, "_inkorg_index", cached)
    return cached


def _build_index(cls: type[XmlObject]) -> dict[str, tuple[FieldSpec, FieldSpec | None]]:
    index: dict[str, tuple[FieldSpec, FieldSpec | None]] = {}
    for spec in cls.__xsd__.fields:
        if spec.kind is Kind.CHOICE:
            for alternative in spec.choices:
                index[alternative.element] = (spec, alternative)
        elif spec.kind not in (Kind.ANY, Kind.ATTRIBUTE, Kind.TEXT):
            index[spec.element] = (spec, None)
    return index


def _wildcard_allows(constraint: str, tag: str, own_namespace: str | None) -> bool:
    namespace = split_clark(tag)[0]
    if constraint == "##any":
        return True
    if constraint == "##other":
        return namespace is not None and namespace != own_namespace
    allowed = constraint.split()
    return (namespace or "##local") in allowed or (
        "##targetNamespace" in allowed and namespace == own_namespace
    )
