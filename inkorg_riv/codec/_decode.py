"""Decoding: lxml elements to typed binding objects (layer L3, pure; see :mod:`inkorg_riv.codec`).

Keeps unknown elements that a lax wildcard allows, refuses unknown elements elsewhere, missing
required elements and unreadable values with a :class:`~inkorg_riv.errors.BindingError`
naming the element path.
"""

from __future__ import annotations

import binascii
import sys
from collections.abc import Mapping
from typing import Any, TypeVar

from lxml import etree

from .._ns import XSI, clark, split_clark
from .._xsdvalues import FROM_TEXT as _FROM_TEXT
from ..bindings._runtime import FieldSpec, Kind, XmlObject, class_cache, resolve_class
from ..errors import BindingError

T = TypeVar("T", bound=XmlObject)
_XSI_TYPE = clark(XSI, "type")



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
        child_path = f"{path}/{tag[tag.rfind('}') + 1 :]}"  # the local name
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
    return class_cache(cls, "_inkorg_index", _build_index)


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
