"""The bytes writer (:func:`inkorg_riv.codec.encode_bytes`) writes exactly the document the lxml
encoder builds: compared in canonical XML for generated objects of every bundled root type, for
subtypes (``xsi:type``), recursive types, wildcard content and the constructs it hands to lxml;
and it refuses the same characters, naming the same field."""

from __future__ import annotations

import dataclasses
import typing
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from test_codec_properties import (
    FORBIDDEN,
    PROPERTY_SETTINGS,
    ROOTS,
    STRATEGIES,
    VALIDATOR,
    with_forbidden_character,
)

from inkorg_riv.bindings import FieldSpec, Kind, TypeSpec, XmlObject
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.codec import decode, encode, encode_bytes
from inkorg_riv.errors import BindingError

NS = "urn:example:writer:1"
OTHER = "urn:example:other:1"


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def _same_document(obj: XmlObject, element: str | None = None) -> bytes:
    written = encode_bytes(obj, element)
    assert not written.startswith(b"<?xml")
    assert _c14n(etree.fromstring(written)) == _c14n(encode(obj, element))
    return written


# --------------------------------------------------------------------------- bundled types


@pytest.mark.parametrize(("element", "cls"), ROOTS, ids=[c.__name__ for _, c in ROOTS])
def test_every_root_type_is_written_as_the_lxml_encoder_builds_it(
    element: str, cls: type[XmlObject]
) -> None:
    @PROPERTY_SETTINGS
    @given(STRATEGIES.for_class(cls))
    def same(obj: XmlObject) -> None:
        written = _same_document(obj)
        parsed = etree.fromstring(written)
        assert parsed.tag == element
        VALIDATOR.validate(parsed, rules=False)
        assert decode(parsed, cls) == obj

    same()


@PROPERTY_SETTINGS
@given(
    st.sampled_from([cls for _, cls in ROOTS]).flatmap(STRATEGIES.for_class),
    st.sampled_from(FORBIDDEN),
    st.data(),
)
def test_a_forbidden_character_is_refused_naming_the_same_field(
    obj: XmlObject, bad: str, data: st.DataObject
) -> None:
    broken, path = with_forbidden_character(obj, bad, data)
    with pytest.raises(BindingError) as written:
        encode_bytes(broken)
    with pytest.raises(BindingError) as built:
        encode(broken)
    assert written.value.path == built.value.path == path
    assert "characters XML 1.0 does not allow" in str(written.value)


def test_markup_characters_and_carriage_returns_survive() -> None:
    text = "a < b && c > d ]]> \"q\" 'a'\r\nrad två\rslut"
    request = pp.IsActiveUserType(subject_of_care_id=text)
    written = _same_document(request)
    assert b"&#13;" in written  # a raw CR would reach the producer as a line feed
    assert decode(etree.fromstring(written), pp.IsActiveUserType).subject_of_care_id == text


@pytest.mark.parametrize("company", ["", "Å", "€", "😀"], ids=["ascii", "latin-1", "bmp", "astral"])
@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\ud800", "\x01"])
def test_noncharacters_are_refused_whatever_else_the_text_holds(company: str, bad: str) -> None:
    # U+FFFE and U+FFFF are looked for in the text (at once when every character is below
    # U+0100): every width of str the text can have must still find them.
    request = pp.IsActiveUserType(subject_of_care_id=f"{company}1912{bad}1212{company}")
    with pytest.raises(BindingError) as written:
        encode_bytes(request)
    assert written.value.path == "IsActiveUserType.subject_of_care_id"
    fine = pp.IsActiveUserType(subject_of_care_id=f"{company}\ufffd{company}")
    assert f"{company}\ufffd{company}".encode() in encode_bytes(fine)


def test_wildcard_elements_are_written_with_their_namespaces() -> None:
    extra = etree.fromstring(f'<x:hint xmlns:x="{OTHER}" x:level="2">mer <x:b>text</x:b></x:hint>')
    response = pp.IsActiveUserResponseType(status=True, any_elements=(extra,))
    written = _same_document(response)
    back = decode(etree.fromstring(written), pp.IsActiveUserResponseType)
    assert _c14n(back.any_elements[0]) == _c14n(extra)


def test_a_class_that_is_not_a_root_needs_an_element_name() -> None:
    unit = pp.OrganisationUnitType(unit_id="SE1", unit_name="Vårdcentralen")
    with pytest.raises(BindingError, match="pass element="):
        encode_bytes(unit)
    _same_document(unit, f"{{{NS}}}unit")


# --------------------------------------------------------------------------- hand-made types
# Bindings written by hand, as the generator would: the codec resolves class names in this
# module, so subtypes and recursion need no schema here (the lxml encoder is the reference).


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BaseType(XmlObject):
    __xsd__: ClassVar[TypeSpec] = TypeSpec(
        f"{{{NS}}}BaseType", NS, (FieldSpec("name", f"{{{NS}}}name", Kind.SIMPLE, "string"),)
    )
    name: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DerivedType(BaseType):
    __xsd__: ClassVar[TypeSpec] = TypeSpec(
        f"{{{OTHER}}}DerivedType",
        NS,
        (
            FieldSpec("name", f"{{{NS}}}name", Kind.SIMPLE, "string"),
            FieldSpec("since", f"{{{NS}}}since", Kind.SIMPLE, "date", 0, 1),
        ),
    )
    since: typing.Any = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class NodeType(XmlObject):
    __xsd__: ClassVar[TypeSpec] = TypeSpec(
        f"{{{NS}}}NodeType",
        NS,
        (
            FieldSpec("label", f"{{{NS}}}label", Kind.SIMPLE, "string"),
            FieldSpec("party", f"{{{NS}}}party", Kind.COMPLEX, "BaseType", 0, None),
            FieldSpec("child", f"{{{NS}}}child", Kind.COMPLEX, "NodeType", 0, 1),
            FieldSpec("pair", f"{{{NS}}}pair", Kind.COMPLEX, "PairType", 0, 1),
            FieldSpec("count", "count", Kind.SIMPLE, "int", 0, 1),
        ),
    )
    label: str
    party: tuple[BaseType, ...] = ()
    child: NodeType | None = None
    pair: PairType | None = None
    count: int | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PairType(XmlObject):
    __xsd__: ClassVar[TypeSpec] = TypeSpec(
        f"{{{NS}}}PairType",
        NS,
        (FieldSpec("back", f"{{{NS}}}back", Kind.COMPLEX, "NodeType", 0, 1),),
    )
    back: NodeType | None = None


ELEMENTS = {f"{{{NS}}}node": NodeType}
TYPES = {f"{{{NS}}}BaseType": BaseType, f"{{{OTHER}}}DerivedType": DerivedType}


def test_subtypes_are_written_with_xsi_type() -> None:
    import datetime  # noqa: PLC0415  (only this test needs dates)

    node = NodeType(
        label="rot",
        party=(BaseType(name="bas"), DerivedType(name="härledd", since=datetime.date(2026, 1, 2))),
    )
    written = _same_document(node)
    assert b"xsi:type" in written
    back = decode(etree.fromstring(written), NodeType)
    assert type(back.party[1]) is DerivedType
    assert back == node


def test_recursive_and_mutually_recursive_types() -> None:
    deep = NodeType(label="löv", count=3)
    for level in range(5):
        inner = NodeType(label=f"nivå {level}", pair=PairType(back=deep))
        deep = NodeType(label=f"<{level}>", child=inner)
    written = _same_document(deep)
    assert b"<count>3</count>" in written  # an unqualified element has no prefix
    assert decode(etree.fromstring(written), NodeType) == deep


def test_a_forbidden_character_deep_in_a_recursive_type_names_its_path() -> None:
    node = NodeType(label="rot", child=NodeType(label="barn", pair=PairType(back=NodeType(
        label="fel\x07"
    ))))  # fmt: skip
    with pytest.raises(BindingError) as info:
        encode_bytes(node)
    assert info.value.path == "NodeType.child.pair.back.label"


def test_constructs_the_writer_hands_to_lxml_give_the_same_document() -> None:
    # The synthetic package of test_generator_synthetic covers attributes, text content,
    # choices and anyType fields; here, one class with an attribute is enough to take that path.
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Tagged(XmlObject):
        __xsd__: ClassVar[TypeSpec] = TypeSpec(
            None,
            NS,
            (
                FieldSpec("value", "value", Kind.TEXT, "string"),
                FieldSpec("lang", "lang", Kind.ATTRIBUTE, "string", 0, 1),
            ),
        )
        value: str
        lang: str | None = None

    _same_document(Tagged(value="hej & hå", lang="sv"), f"{{{NS}}}tagged")
