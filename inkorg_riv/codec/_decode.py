"""Decoding: lxml elements to typed binding objects (layer L3, pure; see :mod:`inkorg_riv.codec`).

Keeps unknown elements that a lax wildcard allows, refuses unknown elements elsewhere, missing
required elements and unreadable values with a :class:`~inkorg_riv.errors.BindingError`
naming the element path.

Each class gets a decode plan, derived once from its ``__xsd__`` specs and kept on the class
(like the encoder's plans): element name -> how to read the value and where to put it, and
the few fields that need work after the children (attributes, text, required, repeated).
Values come out of the plan with the exact types the binding declares, so the class's own
checks take their fast path. A generated class also gets its plan compiled into straight-line
code (:func:`_compile`), held to the plan's general decoder by property tests.
"""

from __future__ import annotations

import binascii
import dataclasses
import keyword
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from lxml import etree

from .._ns import XSI, clark, split_clark
from .._xsdvalues import FROM_TEXT as _FROM_TEXT
from ..bindings._runtime import FieldSpec, Kind, XmlObject, resolve_class
from ..errors import BindingError

T = TypeVar("T", bound=XmlObject)
_XSI_TYPE = clark(XSI, "type")

# How a child element is read (the ``mode`` of an entry).
_STRING = 0  # a simple value kept as text
_CONVERT = 1  # a simple value read by a FROM_TEXT converter
_ENUM = 2  # an enumeration member
_OBJECT = 3  # a complex type: decoded recursively
_RAW = 4  # the element itself (xs:anyType)
_SLOW = 5  # a class the bindings module cannot resolve: read (and fail) on use, as before

# What is done after the children, in spec order (the ``action`` of a post step): read an
# attribute, read the text content, refuse a missing element, freeze a repeated one.
_ATTRIBUTE, _TEXT, _REQUIRED, _TUPLE = range(4)


_Entry = tuple[str, int, Any, bool, FieldSpec, "type | None"]
"""How to read one known child element of a class: the attribute; the mode; the converter
(``_CONVERT``), value -> member map (``_ENUM``) or class (``_OBJECT``); whether the field
repeats; the spec the value is read with (the alternative, for a choice); and for a choice
alternative carried in a wrapper class, that class. A tuple, unpacked once per child."""


_Post = tuple[tuple[int, FieldSpec, str], ...]
"""The steps after the children: (action, spec, message if missing), in spec order."""


class _Plan:
    """The per-class decode plan (see the module docstring). Built once (its compiled decoder
    last), never changed after."""

    __slots__ = ("by_tag", "cls", "fast", "namespace", "post", "wildcard")

    cls: type
    """The class the plan is for (a subclass finds its parent's plan, and makes its own)."""
    by_tag: dict[str, _Entry]
    wildcard: FieldSpec | None
    namespace: str | None
    post: _Post
    fast: Callable[[etree._Element, str], Any] | None
    """The compiled decoder of the class (see :func:`_compile`), or None."""

    def __init__(self, cls: type, by_tag: dict[str, _Entry], wildcard: FieldSpec | None,
                 namespace: str | None, post: _Post) -> None:  # fmt: skip
        self.cls, self.by_tag, self.wildcard = cls, by_tag, wildcard
        self.namespace, self.post, self.fast = namespace, post, None


def decode(element: etree._Element, cls: type[T]) -> T:
    """Decode ``element`` into an instance of ``cls`` (or of the subclass its ``xsi:type`` names).

    Raises :class:`BindingError` naming the element path for a missing required element, an
    unknown element where no wildcard allows it, or a value that cannot be read.
    """
    tag = element.tag
    local = tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else etree.QName(element).localname
    return _decode(element, cls, "/" + local)


def _decode(element: etree._Element, cls: type[T], path: str) -> T:
    if element.keys() and element.get(_XSI_TYPE) is not None:  # keys(): cheap, mostly empty
        cls = _xsi_class(element, cls, path)
    plan: _Plan | None = getattr(cls, "_inkorg_decode_plan", None)
    if plan is None or plan.cls is not cls:
        plan = _build_plan(cls)
        type.__setattr__(cls, "_inkorg_decode_plan", plan)
    fast = plan.fast
    if fast is not None:
        return fast(element, path)  # type: ignore[no-any-return]  # an instance of cls
    return _general(element, cls, plan, path)


def _general(element: etree._Element, cls: type[T], plan: _Plan, path: str) -> T:  # noqa: PLR0912  (the hot loop stays in one function: a call per child costs more than the branches)
    """The decoder every compiled one is held to: one plan entry per child, then :func:`_finish`."""
    by_tag = plan.by_tag
    values: dict[str, Any] = {}
    for child in element[:]:  # the nodes iteration gives (comments and PIs too), made faster
        tag: Any = child.tag  # a str, or for comments and PIs a function (that has no entry)
        entry = by_tag.get(tag)
        if entry is None:
            if not isinstance(tag, str):
                continue
            wildcard = plan.wildcard
            if wildcard is not None and _wildcard_allows(wildcard.element, tag, plan.namespace):
                values.setdefault(wildcard.attr, []).append(child)
                continue
            raise BindingError(f"unexpected element {tag}", path=_child_path(path, tag))
        attr, mode, read, repeated, target, wrapper = entry
        if mode <= _ENUM:  # a simple value
            text = (
                (child.text or "")
                if not len(child)  # no comments or PIs inside: the text is all of it
                else _character_data(child, _child_path(path, tag))
            )
            if mode == _STRING:
                value: Any = text
            elif mode == _ENUM:
                value = read.get(text.strip())
                if value is None:
                    value = _convert(text, target, cls, _child_path(path, tag))  # the full lookup
            else:
                value = _read(read, text, target, path, tag)
        elif mode == _OBJECT:
            value = _decode(child, read, _child_path(path, tag))
        elif mode == _RAW:
            value = child
        else:
            value = _decode_value(child, target, cls, _child_path(path, tag))
            if target.wrapper is not None:
                value = resolve_class(cls, target.wrapper)(value=value)
        if wrapper is not None:
            value = wrapper(value=value)
        if repeated:
            bucket = values.get(attr)
            if bucket is None:
                values[attr] = [value]
            else:
                bucket.append(value)
        elif attr in values:
            raise BindingError("occurs more than once", path=_child_path(path, tag))
        else:
            values[attr] = value
    return _finish(element, cls, plan, values, path)


def _finish(
    element: etree._Element, cls: type[T], plan: _Plan, values: dict[str, Any], path: str
) -> T:
    """Attributes, text, required and repeated fields; then the object."""
    for action, spec, message in plan.post:
        attr = spec.attr
        if action == _ATTRIBUTE:
            raw = element.get(spec.element)
            if raw is not None:
                values[attr] = _convert(raw, spec, cls, f"{path}/@{spec.element}")
        elif action == _TEXT:
            values[attr] = _convert(_character_data(element, path), spec, cls, path)
        elif attr not in values:
            if action == _REQUIRED:
                raise BindingError(message, path=path)
        elif spec.repeated:
            values[attr] = tuple(values[attr])
    try:
        return cls(**values)
    except BindingError as exc:
        raise BindingError(exc.message, path=path) from exc


def _child_path(path: str, tag: str) -> str:
    return f"{path}/{tag[tag.rfind('}') + 1 :]}"  # the local name


def _read(convert: Callable[[str], Any], text: str, spec: FieldSpec, path: str, tag: str) -> Any:
    try:
        return convert(text.strip())
    except (ValueError, ArithmeticError, binascii.Error) as exc:
        raise BindingError(
            f"cannot read {text[:40]!r} as xs:{spec.xsd}: {exc}", path=_child_path(path, tag)
        ) from exc


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


def _build_plan(cls: type[XmlObject]) -> _Plan:
    by_tag: dict[str, _Entry] = {}
    post: list[tuple[int, FieldSpec, str]] = []
    wildcard: FieldSpec | None = None
    for spec in cls.__xsd__.fields:
        kind = spec.kind
        if kind is Kind.ATTRIBUTE:
            post.append((_ATTRIBUTE, spec, ""))
            continue
        if kind is Kind.TEXT:
            post.append((_TEXT, spec, ""))
            continue
        if kind is Kind.ANY:
            wildcard = wildcard or spec  # the first wildcard takes unknown elements
        elif kind is Kind.CHOICE:
            for alternative in spec.choices:
                by_tag[alternative.element] = _entry(cls, spec, alternative)
        else:
            by_tag[spec.element] = _entry(cls, spec, None)
        if spec.min_occurs > 0:
            post.append((_REQUIRED, spec, f"required element {_display(spec)} is missing"))
        elif spec.repeated:
            post.append((_TUPLE, spec, ""))
    plan = _Plan(cls, by_tag, wildcard, cls.__xsd__.namespace, tuple(post))
    plan.fast = _compile(plan)
    return plan


def _entry(owner: type[XmlObject], spec: FieldSpec, alternative: FieldSpec | None) -> _Entry:
    target = alternative or spec
    try:
        wrapper = None if target.wrapper is None else resolve_class(owner, target.wrapper)
        mode, read = _reader(owner, target)
    except BindingError:  # a class the module lacks: the element fails when met, as before
        return (spec.attr, _SLOW, None, spec.repeated, target, None)
    return (spec.attr, mode, read, spec.repeated, target, wrapper)


def _reader(owner: type[XmlObject], spec: FieldSpec) -> tuple[int, Any]:
    kind = spec.kind
    if kind is Kind.COMPLEX:
        return _OBJECT, resolve_class(owner, spec.xsd)
    if kind is Kind.RAW:
        return _RAW, None
    if kind is Kind.ENUM:
        enum_cls = resolve_class(owner, spec.xsd)
        return _ENUM, {member.value: member for member in enum_cls}
    convert = _FROM_TEXT.get(spec.xsd)
    return (_STRING, None) if convert is None else (_CONVERT, convert)


def _display(spec: FieldSpec) -> str:
    return " or ".join(etree.QName(a.element).localname for a in spec.choices) or (
        etree.QName(spec.element).localname if spec.element.startswith("{") else spec.element
    )


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


def _compile(plan: _Plan) -> Callable[[etree._Element, str], Any] | None:
    """Straight-line code doing what :func:`_general` and :func:`_finish` do for one class: a
    string comparison per known tag instead of a dict lookup (which hashes a fresh tag
    string), and a local per field instead of a dict; the class is then called with every
    field as a keyword (an unset one with its dataclass default), which is ``cls(**values)``.
    None for a class it does not write: not a dataclass, attributes or text content, choice
    wrappers, unresolved classes, a field that may be missing without a default.
    The source names generated locals only; tags, maps, specs and messages are in its scope.
    """
    if not dataclasses.is_dataclass(plan.cls) or any(
        action in (_ATTRIBUTE, _TEXT) for action, _, _ in plan.post
    ):
        return None
    fields = dataclasses.fields(plan.cls)
    names = [f.name for f in fields]
    if not all(name.isidentifier() and not keyword.iskeyword(name) for name in names):
        return None  # the names become keywords in the generated source
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    scope: dict[str, Any] = dict(_SCOPE, _cls=plan.cls, NS=plan.namespace)
    local: dict[str, str] = {}  # field -> local
    code = ["    for child in element[:]:", "        tag = child.tag"]
    for i, (tag, (attr, mode, read, repeated, target, wrapper)) in enumerate(plan.by_tag.items()):
        if wrapper is not None or mode == _SLOW:
            return None
        v = local.setdefault(attr, f"v{len(local)}")
        scope[f"T{i}"], scope[f"R{i}"], scope[f"S{i}"] = tag, read, target
        code += [f"        {'elif' if i else 'if'} tag == T{i}:"]
        code += [line.replace("{i}", str(i)) for line in _READS[mode]]
        code += (_ADD if repeated else _SET).format(v=v).splitlines()
    code += [
        f"        {'elif' if plan.by_tag else 'if'} not isinstance(tag, str):",
        "            continue",
    ]
    if plan.wildcard is not None:
        scope["W"] = plan.wildcard.element
        v = local.setdefault(plan.wildcard.attr, f"v{len(local)}")
        code += ["        elif _wildcard_allows(W, tag, NS):", "            value = child"]
        code += _ADD.format(v=v).splitlines()
    code += ["        else:", "            raise BindingError(f'unexpected element {tag}', "
             "path=_child_path(path, tag))"]  # fmt: skip
    required = set()
    for i, (action, spec, message) in enumerate(plan.post):  # in spec order, as _finish
        v = local.setdefault(spec.attr, f"v{len(local)}")  # (a second wildcard: never set)
        if action == _REQUIRED:
            required.add(spec.attr)
            scope[f"M{i}"] = message
            code += [f"    if {v} is _UNSET:", f"        raise BindingError(M{i}, path=path)"]
        if spec.repeated:
            code += [f"    if {v} is not _UNSET:", f"        {v} = tuple({v})"]
    if not set(local) <= set(names):
        return None
    args = []
    for i, name in enumerate(names):
        scope[f"D{i}"], got = defaults.get(name), local.get(name)
        if name not in required and name not in defaults:  # cls(**values) raises TypeError
            return None  # when it is missing: let it
        use = f"(D{i} if {got} is _UNSET else {got})" if got else f"D{i}"
        args.append(f"{name}={local[name] if name in required else use}")  # required: set
    head = f"    {' = '.join(local.values())} = _UNSET" if local else "    pass"
    source = "\n".join(
        ["def decode(element, path):", head, *code, _BUILD.format(args=", ".join(args))]
    )
    exec(compile(source, f"<inkorg-riv decoder {plan.cls.__name__}>", "exec"), scope)  # noqa: S102  (generated locals only; see the docstring)
    decoder: Callable[[etree._Element, str], Any] = scope["decode"]
    return decoder


_TEXT_OF = ("            text = (child.text or '') if not len(child) else "
            "_character_data(child, _child_path(path, tag))")  # fmt: skip
_READS = {  # the value of a child, as _general reads it ({i}: the entry)
    _STRING: [_TEXT_OF, "            value = text"],
    _CONVERT: [_TEXT_OF, "            value = _read(R{i}, text, S{i}, path, tag)"],
    _ENUM: [_TEXT_OF, "            value = R{i}.get(text.strip())", "            if value is None:",
            "                value = _convert(text, S{i}, _cls, _child_path(path, tag))"],
    _OBJECT: ["            value = _decode(child, R{i}, _child_path(path, tag))"],
    _RAW: ["            value = child"],
}  # fmt: skip
_SET = """            if {v} is not _UNSET:
                raise BindingError('occurs more than once', path=_child_path(path, tag))
            {v} = value"""
_ADD = """            if {v} is _UNSET:
                {v} = [value]
            else:
                {v}.append(value)"""
_BUILD = """    try:
        return _cls({args})
    except BindingError as exc:
        raise BindingError(exc.message, path=path) from exc"""
_UNSET: Any = object()
"""A field no child has set (yet), in compiled decoders."""
_SCOPE = {"_UNSET": _UNSET, "W": None, "BindingError": BindingError,
          "_character_data": _character_data, "_convert": _convert, "_child_path": _child_path,
          "_read": _read, "_decode": _decode, "_wildcard_allows": _wildcard_allows}  # fmt: skip
