"""Property tests of the codec: any object the bindings accept encodes to schema-valid XML and
decodes back equal; text with a character XML 1.0 forbids is always refused, naming the field.

The strategies are built generically from the ``__xsd__`` specs of the generated classes, with
the value facets (pattern, length) read from the contract model, so every bundled request and
response type is covered without a hand-written strategy per type.
"""

from __future__ import annotations

import datetime
import enum
import functools
import typing
from types import ModuleType

import pytest
import rivpackages as rp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv.bindings import FieldSpec, Kind, XmlObject
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._runtime import resolve_class
from inkorg_riv.codec import decode, encode
from inkorg_riv.contracts import ContractPackage, Element, Group, SimpleType, bundled_package
from inkorg_riv.errors import BindingError
from inkorg_riv.validation import Validator
from inkorg_riv.validation.identity import check_digit, is_valid_identity_number

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PERSONNUMMER_PATTERN = "[0-9]{8}[0-9pPtTfF][0-9]{3}"

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
FORBIDDEN = tuple(
    [chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD)]
    + ["\ufffe", "\uffff", "\ud800", "\udbff", "\udc00", "\udfff"]
)
_XML_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters=FORBIDDEN)
_FLAVOUR = st.sampled_from("åäöÅÄÖéÉüß<>&\"' \t\n\r]]>")
_CHAR = st.one_of(_FLAVOUR, _XML_CHARS)


def xml_text(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """XML-1.0-safe text with Swedish letters and markup characters; sometimes long."""
    top = 40 if max_size is None else min(max_size, 40)
    short = st.text(_CHAR, min_size=min_size, max_size=max(top, min_size))
    if max_size is not None and max_size <= 40:
        return short
    long = st.builds(
        lambda piece, times: (piece * times)[: max_size or None],
        st.text(_CHAR, min_size=1, max_size=30),
        st.integers(min_value=40, max_value=120),
    ).filter(lambda text: len(text) >= min_size)
    return st.one_of(short, short, long)


@st.composite
def personnummer(draw: st.DrawFn) -> str:
    """A personnummer or samordningsnummer with a valid date and check digit."""
    born = draw(st.dates(datetime.date(1890, 1, 1), datetime.date(2024, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)
    serial = draw(st.integers(0, 999))
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    value = f"{born.year:04d}{born.month:02d}{day:02d}{serial:03d}{check_digit(nine)}"
    assert is_valid_identity_number(value)
    return value


_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
DATETIMES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(datetime.datetime(1900, 1, 1), datetime.datetime(2100, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.none() | _OFFSETS,
)

_SIMPLE: dict[str, st.SearchStrategy[typing.Any]] = {
    "boolean": st.booleans(),
    "dateTime": DATETIMES,
    "date": st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)),
    "base64Binary": st.binary(max_size=64),
    "hexBinary": st.binary(max_size=32),
    "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=4),
    "double": st.floats(allow_nan=False),
    "int": st.integers(-(2**31), 2**31 - 1),
    "integer": st.integers(),
}


class Strategies:
    """Strategies for the classes of one bindings module, facets read from its package."""

    def __init__(self, module: ModuleType, package: ContractPackage) -> None:
        self.module = module
        self.package = package

    def for_class(self, cls: type[XmlObject]) -> st.SearchStrategy[XmlObject]:
        concrete = [
            c for c in vars(self.module).get("TYPES", {}).values()
            if issubclass(c, cls) and not c.__xsd__.abstract
        ]
        if cls.__xsd__.abstract:
            return st.one_of([self._builds(c) for c in concrete])
        return self._builds(cls)

    def _builds(self, cls: type[XmlObject]) -> st.SearchStrategy[XmlObject]:
        facets = self._facets(cls)
        fields = {
            spec.attr: self._field(cls, spec, facets.get(spec.element))
            for spec in cls.__xsd__.fields
        }
        return st.builds(cls, **fields)

    def _facets(self, cls: type[XmlObject]) -> dict[str, SimpleType]:
        """Element name -> its simple type (with patterns and lengths), from the model."""
        type_name = cls.__xsd__.type_name
        ctype = self.package.types.complex_types.get(type_name or "")
        if ctype is None:
            return {}
        found: dict[str, SimpleType] = {}

        def walk(item: typing.Any) -> None:
            if isinstance(item, Group):
                for inner in item.items:
                    walk(inner)
            elif isinstance(item, Element):
                resolved = self.package.types.type_of(item)
                if isinstance(resolved, SimpleType):
                    found[item.name] = resolved

        for particle in self.package.types.effective_particles(ctype):
            walk(particle)
        return found

    def _field(
        self, owner: type[XmlObject], spec: FieldSpec, simple: SimpleType | None
    ) -> st.SearchStrategy[typing.Any]:
        if spec.kind in (Kind.ANY, Kind.RAW):
            return st.just(() if spec.repeated else None)
        item = self._item(owner, spec, simple)
        if spec.repeated:
            top = 3 if spec.max_occurs is None else min(spec.max_occurs, 3)
            return st.lists(item, min_size=spec.min_occurs, max_size=max(top, spec.min_occurs)).map(
                tuple
            )
        if spec.min_occurs == 0:
            return st.none() | item
        return item

    def _item(
        self, owner: type[XmlObject], spec: FieldSpec, simple: SimpleType | None
    ) -> st.SearchStrategy[typing.Any]:
        if spec.kind is Kind.ENUM:
            enum_cls: type[enum.Enum] = resolve_class(owner, spec.xsd)
            return st.sampled_from(list(enum_cls))
        if spec.kind is Kind.COMPLEX:
            return st.deferred(lambda: self.for_class(resolve_class(owner, spec.xsd)))
        if spec.kind is Kind.CHOICE:
            options = []
            for alternative in spec.choices:
                if alternative.wrapper is not None:
                    options.append(self._builds(resolve_class(owner, alternative.wrapper)))
                else:
                    options.append(self._item(owner, alternative, None))
            return st.one_of(options)
        return self._simple(spec.xsd, simple)

    @staticmethod
    def _simple(builtin: str, simple: SimpleType | None) -> st.SearchStrategy[typing.Any]:
        if builtin != "string":
            return _SIMPLE[builtin]
        if simple is None:
            return xml_text()
        if PERSONNUMMER_PATTERN in (p.strip("^$") for p in simple.patterns):
            return personnummer()
        if simple.patterns:
            return st.from_regex(simple.patterns[0].strip("^$"), fullmatch=True)
        if simple.length is not None:
            return xml_text(simple.length, simple.length)
        return xml_text(simple.min_length or 0, simple.max_length)


PACKAGE = bundled_package()
VALIDATOR = Validator(PACKAGE)
STRATEGIES = Strategies(pp, PACKAGE)
ROOTS = sorted(pp.ELEMENTS.items())


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize(("element", "cls"), ROOTS, ids=[c.__name__ for _, c in ROOTS])
def test_every_root_type_round_trips_through_schema_valid_xml(
    element: str, cls: type[XmlObject]
) -> None:
    @PROPERTY_SETTINGS
    @given(STRATEGIES.for_class(cls))
    def round_trip(obj: XmlObject) -> None:
        encoded = encode(obj)
        assert encoded.tag == element
        VALIDATOR.validate(encoded, rules=False)
        wire = etree.fromstring(etree.tostring(encoded, encoding="UTF-8"))
        back = decode(wire, cls)
        assert back == obj
        # Equal also where == is lenient (aware datetimes compare as instants).
        assert _c14n(encode(back)) == _c14n(encoded)

    round_trip()


@PROPERTY_SETTINGS
@given(
    st.sampled_from([cls for _, cls in ROOTS]).flatmap(STRATEGIES.for_class),
    st.sampled_from(FORBIDDEN),
    st.data(),
)
def test_a_forbidden_character_anywhere_is_refused_naming_the_field(
    obj: XmlObject, bad: str, data: st.DataObject
) -> None:
    broken, path = with_forbidden_character(obj, bad, data)
    with pytest.raises(BindingError) as info:
        encode(broken)
    assert info.value.path == path
    assert "characters XML 1.0 does not allow" in str(info.value)


def with_forbidden_character(
    obj: XmlObject, bad: str, data: st.DataObject
) -> tuple[XmlObject, str]:
    """``obj`` with ``bad`` put at a drawn place of a drawn string field, and that field's path
    (the test is skipped for objects without a string field)."""
    fields = rp.string_fields(obj, type(obj).__name__)
    assume(fields)  # IsActiveUserResponse has no string field at all
    path, steps = data.draw(st.sampled_from(fields), label="field")
    original: str = functools.reduce(
        lambda node, step: getattr(node, step[0]) if step[1] is None
        else getattr(node, step[0])[step[1]],
        steps,
        typing.cast(typing.Any, obj),
    )
    at = data.draw(st.integers(0, len(original)), label="position")
    return rp.replace_at(obj, steps, original[:at] + bad + original[at:]), path


# --------------------------------------------------------------------------- the strategies


def test_the_strategies_reach_every_field_kind_and_facet() -> None:
    """The builder must not silently skip anything the bundled package has."""
    kinds = {spec.kind for cls in pp.TYPES.values() for spec in cls.__xsd__.fields}
    assert kinds == {Kind.SIMPLE, Kind.ENUM, Kind.COMPLEX, Kind.ANY}
    facets = STRATEGIES._facets(pp.AddMessageType)
    assert facets[f"{{{pp.AddMessageType.__xsd__.namespace}}}subjectOfCareId"].patterns
    unit = STRATEGIES._facets(pp.OrganisationUnitType)
    assert any(t.min_length == 1 and t.max_length == 64 for t in unit.values())
    builtins = {
        spec.xsd for cls in pp.TYPES.values() for spec in cls.__xsd__.fields
        if spec.kind is Kind.SIMPLE
    }
    assert builtins <= {*_SIMPLE, "string"}


@PROPERTY_SETTINGS
@given(personnummer())
def test_generated_identity_numbers_pass_the_rules_too(value: str) -> None:
    request = pp.IsActiveUserType(subject_of_care_id=value)
    assert VALIDATOR.is_valid(encode(request))
