"""What generated bindings stand on: the specs that tie a dataclass to its XSD, and the base
class that refuses wrong values before any XML exists (layer L2).

A generated class carries ``__xsd__``, a :class:`TypeSpec` listing its fields in document
order with their element names, kinds and cardinalities. The codec reads only these specs;
class references inside them are names, resolved in the generated module.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import sys
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from lxml import etree

from ..errors import BindingError
from ..errors._record import Record, ValueEquality, record, setfield
from ._fill import Filler, compile_filler

T = TypeVar("T")

PYTHON_TYPES: dict[str, type] = {
    "boolean": bool,
    "dateTime": datetime.datetime,
    "date": datetime.date,
    "time": datetime.time,
    "base64Binary": bytes,
    "hexBinary": bytes,
    "double": float,
    "float": float,
}
"""XSD built-ins that are not ``str``; integer types map to ``int`` and ``decimal`` to
:class:`decimal.Decimal` (see :func:`python_type`)."""

_INTEGERS = frozenset(
    {
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    }
)  # fmt: skip


def python_type(builtin: str) -> type:
    """The Python type for an XSD built-in's local name (``str`` when not special)."""
    if builtin in _INTEGERS:
        return int
    if builtin == "decimal":
        import decimal  # noqa: PLC0415  (few contracts have xs:decimal; keeps start-up lean)

        return decimal.Decimal
    return PYTHON_TYPES.get(builtin, str)


class Kind(enum.Enum):
    """How a field is carried in XML."""

    SIMPLE = "simple"
    ENUM = "enum"
    COMPLEX = "complex"
    ANY = "any"
    RAW = "raw"
    CHOICE = "choice"
    ATTRIBUTE = "attribute"
    TEXT = "text"


@record()
class FieldSpec(Record):
    """One field of a generated class.

    ``element`` is the Clark name (the attribute name for ``ATTRIBUTE``, the namespace
    constraint for ``ANY``); ``xsd`` is the built-in local name for simple values or the class
    name for enums and complex types. (A :class:`~inkorg_riv.errors._record.Record`, not a
    dataclass: a generated module makes dozens and imports faster this way.)
    """

    __slots__ = (
        "attr",
        "choices",
        "element",
        "kind",
        "max_occurs",
        "min_occurs",
        "wrapper",
        "xsd",
    )

    attr: str
    element: str
    kind: Kind
    xsd: str
    min_occurs: int
    max_occurs: int | None
    choices: tuple[FieldSpec, ...]
    wrapper: str | None
    """For a choice alternative carried in a wrapper class: that class's name."""

    def __init__(
        self,
        attr: str,
        element: str,
        kind: Kind,
        xsd: str,
        min_occurs: int = 1,
        max_occurs: int | None = 1,
        choices: tuple[FieldSpec, ...] = (),
        wrapper: str | None = None,
    ) -> None:
        setfield(self, "attr", attr)
        setfield(self, "element", element)
        setfield(self, "kind", kind)
        setfield(self, "xsd", xsd)
        setfield(self, "min_occurs", min_occurs)
        setfield(self, "max_occurs", max_occurs)
        setfield(self, "choices", choices)
        setfield(self, "wrapper", wrapper)

    @property
    def repeated(self) -> bool:
        """Whether the field holds a tuple."""
        return self.max_occurs is None or self.max_occurs > 1


@record()
class TypeSpec(Record):
    """The XSD side of a generated class."""

    __slots__ = ("abstract", "fields", "namespace", "type_name")

    type_name: str | None
    namespace: str | None
    fields: tuple[FieldSpec, ...]
    abstract: bool

    def __init__(
        self,
        type_name: str | None,
        namespace: str | None,
        fields: tuple[FieldSpec, ...],
        abstract: bool = False,
    ) -> None:
        setfield(self, "type_name", type_name)
        setfield(self, "namespace", namespace)
        setfield(self, "fields", fields)
        setfield(self, "abstract", abstract)


class XmlObject(ValueEquality):
    """Base of every generated binding class: checks field values when an object is made.

    Raises :class:`~inkorg_riv.errors.BindingError` naming the field for ``None`` in a required
    field, a wrong type, a list where a tuple of values is expected (lists are accepted and
    frozen into tuples), or too few / too many repeated values.

    A generated class is a frozen, keyword-only, slotted dataclass whose ``__init__`` is
    written out in the module (it calls :meth:`_fill`), whose equality and hash come from
    :class:`~inkorg_riv.errors._record.ValueEquality` and whose repr is the one below: the same
    behaviour as the dataclass-made methods, without compiling six
    methods per class at import (``init=False, repr=False, eq=False``; about 0.3 ms a class).
    """

    __slots__ = ()
    __xsd__: ClassVar[TypeSpec]

    def _fill(self, *values: Any) -> None:
        """Set every field, in field order, then check them (what a dataclass __init__ does,
        with :meth:`__post_init__`'s checks compiled per class: see :mod:`._fill`)."""
        cls = type(self)
        filler = vars(cls).get("_inkorg_filler")
        if filler is None:
            filler = _filler(cls)
        filler(self, *values)

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in _field_names(type(self))])

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _field_names(type(self)))
        return f"{self.__class__.__qualname__}({shown})"

    def __post_init__(self) -> None:
        cls = type(self)
        plan: tuple[_Check, ...] | None = vars(cls).get("_inkorg_checks")
        if plan is None:
            plan = _checks(cls)
        for attr, expected, optional, item_type, low, high, spec in plan:
            value: Any = getattr(self, attr)
            if type(value) is expected:
                if item_type is None:
                    continue
                items: tuple[Any, ...] = getattr(self, attr)  # a tuple: expected is tuple here
                count = len(items)
                if low <= count <= high and (
                    not count or all(type(item) is item_type for item in items)
                ):
                    continue
            elif value is None and optional:
                continue
            # Not plainly right: the full check raises, or freezes a list into a tuple.
            checked = check_field(cls, spec, value, f"{cls.__name__}.{attr}")
            if checked is not value:
                object.__setattr__(self, attr, checked)


def _filler(cls: type[XmlObject]) -> Filler:
    """Compile (once per class) the filler that sets and checks the fields of ``cls``."""
    plan = vars(cls).get("_inkorg_checks") or _checks(cls)

    def slow(obj: XmlObject, index: int, value: Any) -> None:
        attr, spec = plan[index][0], plan[index][6]
        checked = check_field(cls, spec, value, f"{cls.__name__}.{attr}")
        if checked is not value:
            object.__setattr__(obj, attr, checked)

    filler = compile_filler(cls, _field_names(cls), plan, slow)
    type.__setattr__(cls, "_inkorg_filler", filler)
    return filler


def _field_names(cls: type) -> tuple[str, ...]:
    """The dataclass fields of a binding class, in order (cached on the class)."""
    found: tuple[str, ...] | None = vars(cls).get("_inkorg_fields")
    if found is None:
        found = tuple(f.name for f in dataclasses.fields(cls))
        type.__setattr__(cls, "_inkorg_fields", found)
    return found


class _Never:
    """Matches no value's exact type: the field always takes the full check."""


_Check = tuple[str, type, bool, "type | None", int, int, FieldSpec]


def _checks(cls: type[XmlObject]) -> tuple[_Check, ...]:
    """Per class, the exact-type fast path of each field's check (cached on the class)."""
    if cls.__xsd__.abstract:
        raise BindingError(
            f"{cls.__name__} is abstract: use one of its subclasses", path=cls.__name__
        )
    plan = tuple(_fast_check(cls, spec) for spec in cls.__xsd__.fields)
    type.__setattr__(cls, "_inkorg_checks", plan)
    return plan


def _fast_check(owner: type, spec: FieldSpec) -> _Check:
    kind = spec.kind
    exact: type = _Never
    if kind in (Kind.SIMPLE, Kind.ATTRIBUTE, Kind.TEXT):
        exact = python_type(spec.xsd)
    elif kind in (Kind.ENUM, Kind.COMPLEX):
        try:
            exact = resolve_class(owner, spec.xsd)
        except BindingError:  # not resolvable (yet): the full check reports it
            exact = _Never
    elif kind is Kind.ANY:
        exact = etree._Element
    if spec.repeated:
        high = sys.maxsize if spec.max_occurs is None else spec.max_occurs
        return (spec.attr, tuple, False, exact, spec.min_occurs, high, spec)
    optional = spec.min_occurs == 0 or kind is Kind.ATTRIBUTE
    return (spec.attr, exact, optional, None, 0, 0, spec)


def class_cache(cls: type, name: str, build: Callable[[Any], T]) -> T:
    """A value derived once from ``cls`` and kept on the class itself (no module-level state).

    The codec and the checks keep their per-class plans this way; ``build(cls)`` runs on the
    first use only.
    """
    found: T | None = vars(cls).get(name)
    if found is None:
        found = build(cls)
        type.__setattr__(cls, name, found)
    return found


def resolve_class(owner: type, name: str) -> Any:
    """A class named in a spec, looked up in the module that defines ``owner``."""
    try:
        return getattr(sys.modules[owner.__module__], name)
    except AttributeError:
        raise BindingError(f"the bindings module has no class {name}") from None


def check_field(owner: type, spec: FieldSpec, value: Any, path: str) -> Any:
    """Check one field value against its spec; returns the value (lists become tuples)."""
    if spec.repeated:
        if isinstance(value, list):
            value = tuple(value)
        if not isinstance(value, tuple):
            raise BindingError(
                f"expected a tuple of values, got {type(value).__name__}", path=path
            )
        if len(value) < spec.min_occurs:
            raise BindingError(
                f"needs at least {spec.min_occurs} value(s), got {len(value)}", path=path
            )
        if spec.max_occurs is not None and len(value) > spec.max_occurs:
            raise BindingError(
                f"allows at most {spec.max_occurs} value(s), got {len(value)}", path=path
            )
        for index, item in enumerate(value):
            _check_one(owner, spec, item, f"{path}[{index}]")
        return value
    if value is None:
        if spec.min_occurs == 0 or spec.kind is Kind.ATTRIBUTE:
            return value
        raise BindingError("is required but missing (None)", path=path)
    _check_one(owner, spec, value, path)
    return value


def _check_one(owner: type, spec: FieldSpec, value: Any, path: str) -> None:
    kind = spec.kind
    if kind in (Kind.SIMPLE, Kind.ATTRIBUTE, Kind.TEXT):
        expected = python_type(spec.xsd)
        ok = isinstance(value, expected)
        if ok and expected in (int, float) and isinstance(value, bool):
            ok = False
        if ok and expected is datetime.date and isinstance(value, datetime.datetime):
            ok = False
        if not ok:
            raise BindingError(
                f"expected {expected.__name__} (xs:{spec.xsd}), got {type(value).__name__}",
                path=path,
            )
    elif kind in (Kind.ENUM, Kind.COMPLEX):
        expected_cls = resolve_class(owner, spec.xsd)
        if not isinstance(value, expected_cls):
            raise BindingError(
                f"expected {expected_cls.__name__}, got {type(value).__name__}", path=path
            )
    elif kind in (Kind.ANY, Kind.RAW):
        if not isinstance(value, etree._Element):
            raise BindingError(
                f"expected an lxml element, got {type(value).__name__}", path=path
            )
        if kind is Kind.RAW and value.tag != spec.element:
            # An xs:anyType field holds the element itself, named as the schema declares it.
            raise BindingError(
                f"expected an element named {spec.element}, got {value.tag!r}", path=path
            )
    elif kind is Kind.CHOICE:
        allowed = tuple(
            resolve_class(owner, alt.wrapper or alt.xsd) for alt in spec.choices
        )
        if not isinstance(value, allowed):
            names = " | ".join(c.__name__ for c in allowed)
            raise BindingError(f"expected one of {names}, got {type(value).__name__}", path=path)
