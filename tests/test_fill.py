"""The compiled fillers of binding classes (``inkorg_riv.bindings._fill``) check exactly what
``XmlObject.__post_init__`` checks: compared value by value on good and bad input."""

from __future__ import annotations

import typing

import pytest

from inkorg_riv.bindings import XmlObject
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._fill import compile_filler
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
