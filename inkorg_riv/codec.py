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

import binascii
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from lxml import etree

from ._ns import XSI, clark, split_clark
from ._xsdvalues import FROM_TEXT as _FROM_TEXT
from ._xsdvalues import TO_TEXT as _TO_TEXT
from .bindings._runtime import FieldSpec, Kind, XmlObject, class_cache, resolve_class
from .errors import BindingError

T = TypeVar("T", bound=XmlObject)
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
