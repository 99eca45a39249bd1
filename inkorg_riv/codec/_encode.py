"""Encoding: typed binding objects to lxml elements (layer L3, pure; see :mod:`inkorg_riv.codec`).

Refuses characters XML 1.0 forbids with a :class:`~inkorg_riv.errors.BindingError` naming the
field; never produces a partial document.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from .._ns import XSI, clark, split_clark
from .._xsdvalues import TO_TEXT as _TO_TEXT
from ..bindings._runtime import FieldSpec, Kind, XmlObject, class_cache, resolve_class
from ..errors import BindingError

_XSI_TYPE = clark(XSI, "type")

# --------------------------------------------------------------------------- values




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
    return class_cache(cls, "_inkorg_namespaces", _collect_namespaces)


def _collect_namespaces(cls: type[XmlObject]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for current in reachable(cls):
        for spec in current.__xsd__.fields:
            for item in spec.choices or (spec,):
                ns = split_clark(item.element)[0] if item.element.startswith("{") else None
                if ns:
                    seen.setdefault(ns, None)
    return tuple(seen)


def reachable(cls: type[XmlObject]) -> tuple[type[XmlObject], ...]:
    """``cls`` and every class an object of it may hold (complex fields, choice alternatives
    and their wrappers), in the order the encoders meet them (cached on the class)."""
    return class_cache(cls, "_inkorg_reachable", _collect_reachable)


def _collect_reachable(cls: type[XmlObject]) -> tuple[type[XmlObject], ...]:
    found: dict[type[XmlObject], None] = {}
    todo: list[type[XmlObject]] = [cls]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found[current] = None
        for spec in current.__xsd__.fields:
            for item in spec.choices or (spec,):
                if item.kind is Kind.COMPLEX:
                    todo.append(resolve_class(current, item.xsd))
                if item.wrapper:
                    todo.append(resolve_class(current, item.wrapper))
    return tuple(found)


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
    for attr, repeated, plain, tag, to_text, spec in _encode_plan(type(obj)):
        value = getattr(obj, attr)
        if value is None:
            continue
        if repeated:
            for index, item in enumerate(value):
                _encode_value(parent, spec, item, f"{path}.{attr}[{index}]")
        elif plain:  # a simple value or an enum: one element with text
            try:
                _sub(parent, tag).text = value if to_text is None else to_text(value)
            except ValueError as exc:
                raise BindingError(_xml_reason(exc), path=f"{path}.{attr}") from exc
        else:
            _encode_value(parent, spec, value, f"{path}.{attr}")


_sub = etree.SubElement
_Step = tuple[str, bool, bool, str, Callable[[Any], str] | None, FieldSpec]


def _enum_text(value: Any) -> str:
    return str(value.value)


def _encode_plan(cls: type[XmlObject]) -> tuple[_Step, ...]:
    return class_cache(cls, "_inkorg_encode", _build_encode_plan)


def _build_encode_plan(cls: type[XmlObject]) -> tuple[_Step, ...]:
    return tuple(
        (
            spec.attr,
            spec.repeated,
            spec.kind is Kind.SIMPLE or spec.kind is Kind.ENUM,
            spec.element,
            _enum_text if spec.kind is Kind.ENUM else _TO_TEXT.get(spec.xsd),
            spec,
        )
        for spec in cls.__xsd__.fields
    )


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
