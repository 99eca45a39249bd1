"""The compiled fillers of binding classes (``inkorg_riv.bindings._fill``) check exactly what
``XmlObject.__post_init__`` checks: compared value by value on good and bad input."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass

import pytest

from inkorg_riv.bindings import XmlObject
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._fill import compile_filler, writes_out
from inkorg_riv.bindings._runtime import written_init
from inkorg_riv.errors import BindingError

Unit = pp.OrganisationUnitType


class Name(str):
    """A str subclass: not the exact type, accepted by the full check and kept as given."""


CASES: list[dict[str, typing.Any]] = [
    {"unit_id": "SE1", "unit_name": "Åby"},
    {"unit_id": Name("SE1"), "unit_name": "Åby"},
    {"unit_id": "SE1", "unit_name": None},
    {"unit_id": 12, "unit_name": "Åby"},
    {"unit_id": "SE1", "unit_name": "Åby", "any_elements": []},
    {"unit_id": "SE1", "unit_name": "Åby", "any_elements": ["not an element"]},
    {"unit_id": "SE1", "unit_name": "Åby", "unit_telephone": b"bytes"},
]


def _outcome(make: typing.Callable[[], XmlObject]) -> object:
    try:
        obj = make()
    except BindingError as exc:
        return ("error", exc.path, exc.message)
    return tuple((type(value), value) for value in obj._values())


@pytest.mark.parametrize("values", CASES)
def test_the_filler_and_post_init_agree(values: dict[str, typing.Any]) -> None:
    def by_filler() -> XmlObject:
        return Unit(**values)

    def by_post_init() -> XmlObject:
        obj = object.__new__(Unit)
        for name in ("unit_id", "unit_name", "unit_address", "unit_postal_code",
                     "unit_postal_city", "unit_telephone", "any_elements"):  # fmt: skip
            default: object = () if name == "any_elements" else None
            object.__setattr__(obj, name, values.get(name, default))
        obj.__post_init__()
        return obj

    assert _outcome(by_filler) == _outcome(by_post_init)


def test_each_class_compiles_its_own_filler_once() -> None:
    Unit(unit_id="SE1", unit_name="Åby")
    pp.SSOLinkType(system_id="S", text="t", query_string="q", type=pp.SSOLinkTargetType.NEW_TARGET)
    filler = vars(Unit)["_inkorg_filler"]
    assert filler is not vars(pp.SSOLinkType)["_inkorg_filler"]
    Unit(unit_id="SE2", unit_name="Åre")
    assert vars(Unit)["_inkorg_filler"] is filler


def test_a_bad_item_in_a_tuple_is_named_by_its_index() -> None:
    link = pp.SSOLinkType(
        system_id="S", text="t", query_string="q", type=pp.SSOLinkTargetType.NEW_TARGET
    )
    unit = Unit(unit_id="SE1", unit_name="Åby")
    with pytest.raises(BindingError) as info:
        pp.MessageType(organisation_unit=unit, message_text="x", sso_link=(link, "nope"))  # type: ignore[arg-type]
    assert info.value.path == "MessageType.sso_link[1]"


def test_field_names_that_are_not_identifiers_are_never_compiled() -> None:
    with pytest.raises(ValueError, match="cannot be compiled"):
        compile_filler(Unit, ["ok", "x); import os; ("], (), lambda *_: None)


# --------------------------------------------------------------------------- written-out inits
# The decoder constructs generated objects with new + filler (written_init); that must be what
# cls(**values) does, so only an __init__ that is exactly the generator's may qualify.

GENERATED = [
    c for c in vars(pp).values() if isinstance(c, type) and issubclass(c, XmlObject)
]  # fmt: skip
GENERATED.remove(XmlObject)


@pytest.mark.parametrize("cls", GENERATED, ids=lambda cls: cls.__name__)
def test_every_generated_class_is_recognised(cls: type[XmlObject]) -> None:
    made = written_init(cls)
    assert made is not None
    filler, names, defaults = made
    assert filler is vars(cls)["_inkorg_filler"]
    assert names == tuple(f.name for f in dataclasses.fields(cls))
    init = vars(cls)["__init__"]
    assert defaults == init.__kwdefaults__


@pytest.mark.parametrize("values", CASES)
def test_new_and_filler_do_what_the_class_call_does(values: dict[str, typing.Any]) -> None:
    made = written_init(Unit)
    assert made is not None
    filler, names, defaults = made

    def by_filler() -> XmlObject:
        obj = object.__new__(Unit)
        filler(obj, *[values.get(name, defaults.get(name)) for name in names])
        return obj

    assert _outcome(by_filler) == _outcome(lambda: Unit(**values))


def _unit_with(init_source: str) -> type:
    """OrganisationUnitType with another __init__ (everything else as generated)."""
    scope: dict[str, typing.Any] = {}
    exec(init_source, scope)  # noqa: S102  (test source written just above each use)
    return type("Unit2", (Unit,), {"__slots__": (), "__init__": scope["__init__"]})


NAMES = ", ".join(f.name for f in dataclasses.fields(Unit))
SWAPPED = NAMES.replace("unit_id, unit_name", "unit_name, unit_id")


@pytest.mark.parametrize(
    ("source", "recognised"),
    [
        (f"def __init__(self, *, {NAMES}):\n    self._fill({NAMES})", True),
        (f"def __init__(me, *, {NAMES}=None):\n    me._fill({NAMES})", True),
        (f"def __init__(self, *, {NAMES}):\n    self._fill({SWAPPED})", False),
        (f"def __init__(self, *, {SWAPPED}):\n    self._fill({SWAPPED})", False),
        (f"def __init__(self, *, {NAMES}):\n    print()\n    self._fill({NAMES})", False),
        (f"def __init__(self, *, {NAMES}):\n    self._fill({NAMES}, 1)", False),
        (f"def __init__(self, *, {NAMES}):\n    self._check({NAMES})", False),
        (f"def __init__(self, {NAMES}):\n    self._fill({NAMES})", False),
        (f"def __init__(self, *, {NAMES}, extra=None):\n    self._fill({NAMES})", False),
        ("def __init__(self, **values):\n    self._fill(*values.values())", False),
    ],
)
def test_only_the_generators_init_is_recognised(source: str, recognised: bool) -> None:
    cls = _unit_with(source)
    names = tuple(f.name for f in dataclasses.fields(cls))
    assert writes_out(vars(cls)["__init__"], names) is recognised
    assert (written_init(cls) is not None) is recognised


class _Renewed(Unit):
    __slots__ = ()

    def __new__(cls, **_values: typing.Any) -> _Renewed:
        return super().__new__(cls)


def test_a_class_with_its_own_new_fill_or_a_dataclass_init_is_not_recognised() -> None:
    assert written_init(_Renewed) is None
    own_fill = type("Unit3", (Unit,), {"__slots__": (), "_fill": XmlObject._values})
    assert written_init(own_fill) is None
    plain = dataclass(frozen=True, kw_only=True, slots=True)(type("Plain", (XmlObject,), {
        "__xsd__": Unit.__xsd__, "__annotations__": {"unit_id": str}
    }))  # fmt: skip
    assert written_init(plain) is None
