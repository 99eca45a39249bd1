"""The binding generator and the codec on a synthetic RIV-TA package that uses what the bundled
contracts do not: abstract types with extensions, choices (of complex types, of simple elements,
repeated), xs:anyType, attributes, simple content, anonymous types and enumerations, an optional
nested sequence, element names that are Python keywords, and one local type name in two
namespaces.

The core schema with those constructs is written here; the responder schema, the WSDL and the
registry schema come from ``rivpackages``' builders (official folder layout). It is loaded with
``load_package(folder)``, generated into ``tmp_path``, imported, type-checked with
``mypy --strict`` and round-tripped through encode -> XSD validation -> decode.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import importlib.util
import subprocess
import sys
import typing
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
import rivpackages as rp
from lxml import etree

from inkorg_riv.bindings import XmlObject, generate_module
from inkorg_riv.codec import decode, encode
from inkorg_riv.contracts import ContractPackage, load_package
from inkorg_riv.errors import BindingError, ValidationError
from inkorg_riv.validation import Validator

XS = rp.XS
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CORE = "urn:riv:test:demo:1"
EXT = "urn:example:extension"
MYPY = Path(sys.executable).parent / "mypy"

CORE_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="{XS}" xmlns="{CORE}" targetNamespace="{CORE}"
           elementFormDefault="qualified" version="1.0">
  <xs:complexType name="PartyType" abstract="true">
    <xs:annotation><xs:documentation>Somebody taking part.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="partyId" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="PersonType">
    <xs:annotation><xs:documentation>A person who takes part.</xs:documentation></xs:annotation>
    <xs:complexContent>
      <xs:extension base="PartyType">
        <xs:sequence>
          <xs:element name="personName" type="xs:string"/>
          <xs:element name="born" type="xs:date" minOccurs="0"/>
        </xs:sequence>
        <xs:attribute name="title" type="xs:string"/>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>

  <xs:complexType name="OrganisationType">
    <xs:complexContent>
      <xs:extension base="PartyType">
        <xs:sequence>
          <xs:element name="organisationName" type="xs:string"/>
          <xs:element name="telecom" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>

  <xs:complexType name="AmountType">
    <xs:annotation><xs:documentation>A sum of money.</xs:documentation></xs:annotation>
    <xs:simpleContent>
      <xs:extension base="xs:decimal">
        <xs:attribute name="currency" type="xs:string" use="required">
          <xs:annotation><xs:documentation>ISO 4217 code.</xs:documentation></xs:annotation>
        </xs:attribute>
        <xs:attribute name="approximate" type="xs:boolean"/>
        <xs:attribute name="rate" type="xs:double"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>

  <xs:complexType name="CodeType">
    <xs:sequence>
      <xs:element name="code" type="xs:string"/>
      <xs:element name="codeSystem" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="AddressType">
    <xs:sequence>
      <xs:element name="street" type="xs:string"/>
      <xs:element name="city" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="StatusType">
    <xs:annotation>
      <xs:documentation>Status as the core components see it.</xs:documentation>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="code" type="xs:int"/>
      <xs:element name="since" type="xs:dateTime" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"""

DO_THING = rp.Contract(
    domain="test:demo",
    name="DoThing",
    major=1,
    imports=(("core", CORE, "test_demo_1.0.xsd"),),
    request_doc="Asks the producer to do a thing.",
    request="""
      <xs:element name="party" type="core:PartyType">
        <xs:annotation><xs:documentation>Who asks.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="others" type="core:PartyType" minOccurs="0" maxOccurs="3"/>
      <xs:choice>
        <xs:element name="code" type="core:CodeType"/>
        <xs:element name="address" type="core:AddressType"/>
      </xs:choice>
      <xs:choice>
        <xs:element name="text" type="xs:string"/>
        <xs:element name="number" type="xs:int"/>
      </xs:choice>
      <xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element name="note" type="xs:string"/>
        <xs:element name="flag" type="xs:boolean"/>
      </xs:choice>
      <xs:element name="payload" type="xs:anyType" minOccurs="0"/>
      <xs:element name="amount" type="core:AmountType" minOccurs="0"/>
      <xs:element name="window">
        <xs:annotation><xs:documentation>When it may happen.</xs:documentation></xs:annotation>
        <xs:complexType>
          <xs:sequence>
            <xs:element name="start" type="xs:dateTime"/>
            <xs:element name="end" type="xs:dateTime" minOccurs="0"/>
            <xs:element name="remindAt" type="xs:time" minOccurs="0"/>
            <xs:any namespace="##other" processContents="lax" minOccurs="0"
                    maxOccurs="unbounded"/>
          </xs:sequence>
          <xs:attribute name="zone" type="xs:string"/>
        </xs:complexType>
      </xs:element>
      <xs:element name="priority" minOccurs="0">
        <xs:simpleType>
          <xs:restriction base="xs:string">
            <xs:enumeration value="low"/>
            <xs:enumeration value="high"/>
            <xs:enumeration value="2nd-line"/>
          </xs:restriction>
        </xs:simpleType>
      </xs:element>
      <xs:sequence minOccurs="0">
        <xs:element name="contactName" type="xs:string"/>
        <xs:element name="contactPhone" type="xs:string"/>
      </xs:sequence>
      <xs:element name="class" type="xs:string"/>
      <xs:element name="from" type="xs:dateTime" minOccurs="0"/>
      <xs:element name="blob" type="xs:base64Binary" minOccurs="0"/>""",
    response="""
      <xs:element name="status" type="StatusType"/>
      <xs:element name="coreStatus" type="core:StatusType" minOccurs="0" maxOccurs="unbounded"/>
      <xs:element name="reviewer" type="xs:string" minOccurs="2" maxOccurs="4"/>
      <xs:element name="import" type="xs:boolean" minOccurs="0"/>""",
    extra_types="""

  <xs:complexType name="StatusType">
    <xs:annotation>
      <xs:documentation>Status as the responder sees it.</xs:documentation>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="state" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>""",
)
"""The responder schema and WSDL around the constructs: rivpackages' builders write them."""

RESP = "urn:riv:test:demo:DoThingResponder:1"
WSDL_NS = "urn:riv:test:demo:DoThing:1:rivtabp21"

FILES = {
    "core_components/itintegration_registry_1.0.xsd": rp.REGISTRY_XSD,
    "core_components/test_demo_1.0.xsd": CORE_XSD,
    **rp.contract_files(DO_THING),
}


@dataclass(frozen=True)
class Generated:
    package: ContractPackage
    validator: Validator
    source: str
    path: Path
    module: ModuleType


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    folder = tmp_path_factory.mktemp("ServiceContracts_test_demo_1.0")
    rp.write_folder(FILES, folder)
    package = load_package(folder, strict=True)
    source = generate_module(package)
    out = tmp_path_factory.mktemp("generated")
    path = out / "demo_bindings.py"
    path.write_text(source, encoding="utf-8")
    name = f"_inkorg_synthetic_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield Generated(package, Validator(package), source, path, module)
    finally:
        del sys.modules[name]


@pytest.fixture(scope="module")
def m(gen: Generated) -> typing.Any:
    return gen.module


TZ = datetime.timezone(datetime.timedelta(hours=1))


def _payload() -> etree._Element:
    return etree.fromstring(
        f'<p:payload xmlns:p="{RESP}" a="1"><x:any xmlns:x="urn:x">hej</x:any>text</p:payload>'
    )


def _full(m: typing.Any) -> XmlObject:
    obj: XmlObject = m.DoThingType(
        party=m.PersonType(party_id="p1", person_name="Åsa", born=datetime.date(1990, 1, 2),
                           title="Dr"),
        others=[
            m.OrganisationType(party_id="o1", organisation_name="Org", telecom=("1", "2")),
            m.PersonType(party_id="p2", person_name="Bo"),
        ],
        code_or_address=m.AddressType(street="Storgatan 1", city="Åre"),
        text_or_number=m.DoThingTypeNumberChoice(value=42),
        note_or_flag=[
            m.DoThingTypeNoteChoice(value="först"),
            m.DoThingTypeFlagChoice(value=False),
            m.DoThingTypeNoteChoice(value="sist"),
        ],
        payload=_payload(),
        amount=m.AmountType(value=decimal.Decimal("12.50"), currency="SEK", approximate=True,
                            rate=float("inf")),
        window=m.DoThingTypeWindow(
            start=datetime.datetime(2024, 1, 1, 8, 0, tzinfo=TZ),
            end=datetime.datetime(2024, 1, 1, 9, 30, tzinfo=TZ),
            remind_at=datetime.time(7, 45),
            zone="CET",
            any_elements=(etree.fromstring(f'<e:hint xmlns:e="{EXT}">x</e:hint>'),),
        ),
        priority=m.DoThingTypePriority.F_2ND_LINE,
        contact_name="Karin",
        contact_phone="070-123",
        class_="A",
        from_=datetime.datetime(2024, 2, 29, 23, 59, 59),
        blob=b"\x00\xff",
        any_elements=(etree.fromstring(f'<e:extra xmlns:e="{EXT}" e:n="1"/>'),),
    )
    return obj


def _minimal(m: typing.Any) -> XmlObject:
    obj: XmlObject = m.DoThingType(
        party=m.OrganisationType(party_id="o", organisation_name="Org"),
        code_or_address=m.CodeType(code="c", code_system="s"),
        text_or_number=m.DoThingTypeTextChoice(value=""),
        window=m.DoThingTypeWindow(start=datetime.datetime(2024, 1, 1)),
        class_="B",
    )
    return obj


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def same_xml(a: etree._Element, b: etree._Element) -> bool:
    """Same names, attributes, text and children; prefixes may differ."""
    return (
        a.tag == b.tag
        and dict(a.attrib) == dict(b.attrib)
        and (a.text or "") == (b.text or "")
        and len(a) == len(b)
        and all(
            same_xml(x, y) and (x.tail or "") == (y.tail or "")
            for x, y in zip(a, b, strict=True)
        )
    )


def assert_same(a: object, b: object, path: str = "") -> None:
    """Equal field by field; lxml elements (which compare by identity) by content."""
    if isinstance(a, etree._Element):
        assert isinstance(b, etree._Element), path
        assert same_xml(a, b), (path, etree.tostring(a), etree.tostring(b))
    elif isinstance(a, tuple):
        assert isinstance(b, tuple), path
        assert len(a) == len(b), path
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{index}]")
    elif isinstance(a, XmlObject):
        assert type(a) is type(b), (path, type(a), type(b))
        for spec in type(a).__xsd__.fields:
            assert_same(getattr(a, spec.attr), getattr(b, spec.attr), f"{path}.{spec.attr}")
    else:
        assert a == b, (path, a, b)
        assert type(a) is type(b), path


def _round_trip(gen: Generated, obj: XmlObject) -> tuple[etree._Element, XmlObject]:
    element = encode(obj)
    gen.validator.validate(element, rules=False)
    back = decode(etree.fromstring(etree.tostring(element)), type(obj))
    assert_same(obj, back)
    assert _c14n(encode(back)) == _c14n(element)
    return element, back


# --------------------------------------------------------------------------- the module


def test_the_package_loads_as_one_operation(gen: Generated) -> None:
    (op,) = gen.package.operations
    assert op.name == "DoThing"
    assert op.domain == "test:demo"
    assert op.wsdl_namespace == WSDL_NS
    assert gen.package.problems == ()


def test_generation_is_deterministic(gen: Generated) -> None:
    assert generate_module(gen.package) == gen.source
    compile(gen.source, str(gen.path), "exec")


def test_generated_module_passes_mypy_strict(gen: Generated, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(MYPY), "--strict", "--cache-dir", str(tmp_path / "cache"), str(gen.path)],
        cwd=gen.path.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_maps_name_the_roots_and_both_same_named_types(m: typing.Any) -> None:
    assert dict(m.ELEMENTS) == {
        f"{{{RESP}}}DoThing": m.DoThingType,
        f"{{{RESP}}}DoThingResponse": m.DoThingResponseType,
    }
    core_status, resp_status = m.TYPES[f"{{{CORE}}}StatusType"], m.TYPES[f"{{{RESP}}}StatusType"]
    assert core_status is not resp_status
    assert {core_status.__name__, resp_status.__name__} == {"StatusType", "StatusType_2"}
    assert core_status.__xsd__.namespace == CORE
    assert resp_status.__xsd__.namespace == RESP
    assert core_status.__doc__ == "Status as the core components see it."
    assert resp_status.__doc__ == "Status as the responder sees it."


def test_abstract_type_and_its_extensions(m: typing.Any) -> None:
    assert issubclass(m.PersonType, m.PartyType)
    assert issubclass(m.OrganisationType, m.PartyType)
    assert m.PartyType.__xsd__.abstract
    with pytest.raises(BindingError, match="abstract") as info:
        m.PartyType(party_id="x")
    assert info.value.path == "PartyType"
    assert [f.attr for f in m.PersonType.__xsd__.fields] == [
        "party_id", "person_name", "born", "title",
    ]
    hints = typing.get_type_hints(m.DoThingType)
    assert hints["party"] is m.PartyType
    assert hints["others"] == tuple[m.PartyType, ...]


def test_field_annotations_of_the_special_constructs(m: typing.Any) -> None:
    hints = typing.get_type_hints(m.DoThingType)
    assert hints["code_or_address"] == m.CodeType | m.AddressType
    assert hints["text_or_number"] == m.DoThingTypeTextChoice | m.DoThingTypeNumberChoice
    assert hints["note_or_flag"] == tuple[m.DoThingTypeNoteChoice | m.DoThingTypeFlagChoice, ...]
    assert hints["payload"] == etree._Element | None
    assert hints["window"] is m.DoThingTypeWindow
    assert hints["priority"] == m.DoThingTypePriority | None
    assert hints["contact_name"] == str | None
    assert hints["contact_phone"] == str | None
    assert hints["class_"] is str
    assert hints["from_"] == datetime.datetime | None
    assert hints["blob"] == bytes | None
    assert typing.get_type_hints(m.DoThingTypeNumberChoice)["value"] is int
    assert typing.get_type_hints(m.DoThingTypeFlagChoice)["value"] is bool
    amount = typing.get_type_hints(m.AmountType)
    assert amount["value"] is decimal.Decimal
    assert amount["currency"] is str
    assert amount["approximate"] == bool | None
    assert amount["rate"] == float | None
    window = typing.get_type_hints(m.DoThingTypeWindow)
    assert window["remind_at"] == datetime.time | None
    assert window["zone"] == str | None
    assert typing.get_type_hints(m.DoThingResponseType)["import_"] == bool | None
    assert typing.get_type_hints(m.DoThingResponseType)["reviewer"] == tuple[str, ...]
    assert issubclass(m.DoThingTypePriority, enum.Enum)
    assert [p.value for p in m.DoThingTypePriority] == ["low", "high", "2nd-line"]
    assert m.PersonType.__doc__ == "A person who takes part."
    assert m.AmountType.__doc__ == "A sum of money."


@pytest.mark.parametrize(
    "name",
    ["DoThingType", "PersonType", "DoThingTypeWindow", "DoThingTypeNoteChoice", "AmountType"],
)
def test_classes_are_frozen_keyword_only_and_slotted(m: typing.Any, name: str) -> None:
    cls = getattr(m, name)
    assert cls.__dataclass_params__.frozen
    assert "__slots__" in vars(cls)
    assert all(f.kw_only for f in dataclasses.fields(cls))


# --------------------------------------------------------------------------- round trips


def test_every_construct_round_trips(gen: Generated, m: typing.Any) -> None:
    element, back = _round_trip(gen, _full(m))
    party = element.find(f"{{{RESP}}}party")
    assert party is not None
    assert party.get(f"{{{XSI}}}type", "").endswith(":PersonType")
    assert party.get("title") == "Dr"
    assert isinstance(back, m.DoThingType)
    assert type(back.party) is m.PersonType
    assert [type(o) for o in back.others] == [m.OrganisationType, m.PersonType]
    assert [etree.QName(c).localname for c in element][5:8] == ["note", "flag", "note"]
    assert back.note_or_flag[0] == m.DoThingTypeNoteChoice(value="först")
    amount = element.find(f"{{{RESP}}}amount")
    assert amount is not None
    assert (amount.text, amount.get("currency"), amount.get("rate")) == ("12.50", "SEK", "INF")
    assert back.amount.value == decimal.Decimal("12.50")
    assert back.amount.rate == float("inf")
    assert element.findtext(f"{{{RESP}}}priority") == "2nd-line"
    assert element.findtext(f"{{{RESP}}}class") == "A"
    assert back.payload.tag == f"{{{RESP}}}payload"
    assert back.window.any_elements[0].tag == f"{{{EXT}}}hint"


def test_the_minimal_object_round_trips(gen: Generated, m: typing.Any) -> None:
    element, back = _round_trip(gen, _minimal(m))
    assert back == _minimal(m)
    assert element.find(f"{{{RESP}}}code") is not None
    assert element.findtext(f"{{{RESP}}}text") == ""
    assert element.find(f"{{{RESP}}}contactName") is None


def test_responses_with_both_same_named_types_round_trip(gen: Generated, m: typing.Any) -> None:
    response = m.DoThingResponseType(
        status=m.StatusType_2(state="klar"),
        core_status=[
            m.StatusType(code=-7, since=datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)),
            m.StatusType(code=2**31 - 1),
        ],
        reviewer=("a", "b", "c"),
        import_=True,
    )
    element, back = _round_trip(gen, response)
    assert back == response
    assert element.find(f"{{{RESP}}}status/{{{RESP}}}state") is not None
    assert element.find(f"{{{RESP}}}coreStatus/{{{CORE}}}code") is not None
    assert element.findtext(f"{{{RESP}}}import") == "true"


def test_xsi_type_with_any_prefix_or_a_default_namespace_is_read(m: typing.Any) -> None:
    data = f"""<DoThing xmlns="{RESP}" xmlns:r="{RESP}" xmlns:c="{CORE}" xmlns:i="{XSI}">
  <party i:type="c:OrganisationType"><c:partyId>o</c:partyId>
    <c:organisationName>Org</c:organisationName></party>
  <r:others xmlns="{CORE}" i:type="PersonType"><partyId>p</partyId><personName>P</personName>
  </r:others>
  <address><c:street>s</c:street><c:city>c</c:city></address>
  <text>t</text>
  <window><start>2024-01-01T00:00:00Z</start></window>
  <class>K</class>
</DoThing>"""
    obj = decode(etree.fromstring(data), m.DoThingType)
    assert obj.party == m.OrganisationType(party_id="o", organisation_name="Org")
    assert obj.others == (m.PersonType(party_id="p", person_name="P"),)


def test_abstract_element_without_xsi_type_is_refused(m: typing.Any) -> None:
    element = encode(_minimal(m))
    party = element.find(f"{{{RESP}}}party")
    assert party is not None
    del party.attrib[f"{{{XSI}}}type"]
    with pytest.raises(BindingError, match="unexpected element") as info:
        decode(element, m.DoThingType)
    assert info.value.path == "/DoThing/party/organisationName"
    for child in party.findall(f"{{{CORE}}}organisationName"):
        party.remove(child)
    with pytest.raises(BindingError, match="abstract") as info:
        decode(element, m.DoThingType)
    assert info.value.path == "/DoThing/party"


def test_xsi_type_that_is_no_subtype_is_refused(m: typing.Any) -> None:
    element = encode(_minimal(m))
    party = element.find(f"{{{RESP}}}party")
    assert party is not None
    party.set(f"{{{XSI}}}type", "xt:CodeType")
    with pytest.raises(BindingError, match="not a subtype of PartyType") as info:
        decode(element, m.DoThingType)
    assert info.value.path == "/DoThing/party"


def test_a_choice_value_of_the_wrong_type_is_refused(m: typing.Any) -> None:
    with pytest.raises(BindingError) as info:
        dataclasses.replace(_minimal(m), text_or_number="text")
    assert info.value.path == "DoThingType.text_or_number"
    assert "DoThingTypeTextChoice | DoThingTypeNumberChoice" in str(info.value)
    with pytest.raises(BindingError) as info:
        dataclasses.replace(_minimal(m), code_or_address=m.StatusType_2(state="x"))
    assert info.value.path == "DoThingType.code_or_address"


def test_too_many_and_too_few_values_are_refused(m: typing.Any) -> None:
    person = m.PersonType(party_id="p", person_name="P")
    with pytest.raises(BindingError, match="at most 3") as info:
        dataclasses.replace(_minimal(m), others=(person,) * 4)
    assert info.value.path == "DoThingType.others"
    with pytest.raises(BindingError, match="at least 2") as info:
        m.DoThingResponseType(status=m.StatusType_2(state="x"), reviewer=("only one",))
    assert info.value.path == "DoThingResponseType.reviewer"
    with pytest.raises(TypeError, match="reviewer"):
        m.DoThingResponseType(status=m.StatusType_2(state="x"))


def test_too_few_repeated_elements_in_xml_are_refused(m: typing.Any) -> None:
    data = f"""<r:DoThingResponse xmlns:r="{RESP}"><r:status><r:state>s</r:state></r:status>
  <r:reviewer>a</r:reviewer></r:DoThingResponse>"""
    with pytest.raises(BindingError, match="at least 2") as info:
        decode(etree.fromstring(data), m.DoThingResponseType)
    assert info.value.path.startswith("/DoThingResponse")


def test_an_any_type_field_holds_an_element_of_its_own_name(m: typing.Any) -> None:
    with pytest.raises(BindingError, match="named") as info:
        dataclasses.replace(_minimal(m), payload=etree.fromstring("<other/>"))
    assert info.value.path == "DoThingType.payload"
    with pytest.raises(BindingError):
        dataclasses.replace(_minimal(m), payload="<payload/>")


def test_anonymous_type_refuses_unknown_elements_of_its_own_namespace(m: typing.Any) -> None:
    assert m.DoThingTypeWindow.__xsd__.namespace == RESP
    element = encode(_minimal(m))
    window = element.find(f"{{{RESP}}}window")
    assert window is not None
    etree.SubElement(window, f"{{{RESP}}}duration").text = "PT1H"
    with pytest.raises(BindingError, match="unexpected element") as info:
        decode(element, m.DoThingType)
    assert info.value.path == "/DoThing/window/duration"


def test_half_of_an_optional_nested_sequence_is_caught_by_the_validator(
    gen: Generated, m: typing.Any
) -> None:
    half = dataclasses.replace(_minimal(m), contact_name="Karin")
    element = encode(half)
    with pytest.raises(ValidationError) as info:
        gen.validator.validate(element, rules=False)
    assert any("contactPhone" in issue.reason for issue in info.value.issues)


def test_values_xml_schema_cannot_hold_are_refused_on_encode(m: typing.Any) -> None:
    nan = dataclasses.replace(
        _minimal(m), amount=m.AmountType(value=decimal.Decimal("NaN"), currency="SEK")
    )
    with pytest.raises(BindingError) as info:
        encode(nan)
    assert info.value.path == "DoThingType.amount.value"
    control = dataclasses.replace(
        _minimal(m), amount=m.AmountType(value=decimal.Decimal(1), currency="S\x07EK")
    )
    with pytest.raises(BindingError, match=r"XML 1\.0") as info:
        encode(control)
    assert info.value.path == "DoThingType.amount.currency"


@pytest.mark.parametrize(
    ("rate", "text"),
    [(float("-inf"), "-INF"), (float("nan"), "NaN"), (1e300, "1e+300"), (-0.5, "-0.5")],
)
def test_doubles_are_written_in_xml_schema_form(
    gen: Generated, m: typing.Any, rate: float, text: str
) -> None:
    obj = dataclasses.replace(
        _minimal(m), amount=m.AmountType(value=decimal.Decimal("1E+3"), currency="SEK", rate=rate)
    )
    element = encode(obj)
    gen.validator.validate(element, rules=False)
    amount = element.find(f"{{{RESP}}}amount")
    assert amount is not None
    assert amount.get("rate") == text
    assert amount.text == "1000"
