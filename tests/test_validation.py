"""Validation of requests and responses: XSD issues with paths, rules beyond the XSD, the
``^...$`` pattern policy, hostile input and thread safety."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import rivpackages as rp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv import (
    ContractPackage,
    UnknownOperationError,
    ValidationError,
    ValidationIssue,
    XmlInputError,
    bundled_package,
    load_package,
)
from inkorg_riv._xmlparse import parse_bytes
from inkorg_riv.contracts import Any, ComplexType, Element, Group, PackageSource
from inkorg_riv.validation import (
    PatternPolicy,
    Validator,
    default_validator,
    is_valid,
    iter_issues,
    strip_anchors,
    validate,
)
from inkorg_riv.validation.identity import check_digit
from inkorg_riv.validation.schema import SchemaSet

BASE = "urn:riv-application:infrastructure:eservicesupply:patientportal"
CORE = f"{BASE}:2"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
REGISTRY = "urn:riv:itintegration:registry:1"
WSA = "http://www.w3.org/2005/08/addressing"
VENDOR = "urn:example:vendor:trace:1"
TOLVAN = rp.TOLVAN


def responder(name: str) -> str:
    return f"{BASE}:{name}Responder:2"


def xml(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def find(root: etree._Element, path: str) -> etree._Element:
    """``path`` of local names below ``root`` (``message/booking/startTime``)."""
    node = root
    for local in path.split("/"):
        node = next(c for c in node if etree.QName(c).localname == local)
    return node


def envelope(payload: etree._Element, headers: dict[str, str] | None = None) -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP})
    header = rp.sub_element(env, SOAP, "Header")
    for clark, text in (headers or {}).items():
        child = etree.SubElement(header, clark)
        child.text = text
    body = rp.sub_element(env, SOAP, "Body")
    body.append(copy.deepcopy(payload))
    return xml(env)


def is_active_user(subject: str = TOLVAN) -> bytes:
    r = responder("IsActiveUser")
    return (
        f'<IsActiveUser xmlns="{r}"><subjectOfCareId>{subject}</subjectOfCareId></IsActiveUser>'
    ).encode()


def paths(issues: list[ValidationIssue] | tuple[ValidationIssue, ...]) -> set[tuple[str, str]]:
    return {(issue.path, issue.rule) for issue in issues}


# --------------------------------------------------------------------------- valid requests


def test_full_add_message_is_valid_as_bytes_and_as_element() -> None:
    root = rp.add_message_element()
    data = xml(root)
    assert list(iter_issues(data)) == []
    assert is_valid(data) is True
    returned = validate(data)
    assert returned.tag == f"{{{responder('AddMessage')}}}AddMessage"
    assert validate(root, "AddMessage") is root
    assert is_valid(root, bundled_package().operation("AddMessage"))
    # Every element the contract declares below AddMessage really is in the document.
    assert {el.tag for el in root.iter()} == _declared_below(
        bundled_package().operation("AddMessage").request_element
    )


def _declared_below(element_name: str) -> set[str]:
    types = bundled_package().types
    found: set[str] = set()

    def walk(element: Element) -> None:
        if element.name in found:
            return
        found.add(element.name)
        ctype = types.type_of(element)
        if isinstance(ctype, ComplexType):
            for particle in types.effective_particles(ctype):
                visit(particle)

    def visit(particle: Element | Any | Group) -> None:
        if isinstance(particle, Element):
            walk(particle)
        elif isinstance(particle, Group):
            for item in particle.items:
                visit(item)

    walk(types.elements[element_name])
    return found


def test_add_message_inside_a_soap_envelope_with_logical_address() -> None:
    data = envelope(
        rp.add_message_element(), {f"{{{REGISTRY}}}LogicalAddress": "SE2321000016-INBX"}
    )
    assert list(iter_issues(data)) == []
    payload = validate(data, "AddMessage")
    assert etree.QName(payload).localname == "AddMessage"
    as_element = etree.fromstring(data)
    assert validate(as_element) is as_element[1][0]
    assert is_valid(as_element, "AddMessage")


@pytest.mark.parametrize("logical_address", [None, "", "   "])
def test_envelope_without_logical_address_is_an_issue(logical_address: str | None) -> None:
    headers = {} if logical_address is None else {f"{{{REGISTRY}}}LogicalAddress": logical_address}
    data = envelope(rp.add_message_element(), headers)
    issues = list(iter_issues(data))
    assert [(i.path, i.rule) for i in issues] == [("/Envelope/Header", "xsd")]
    assert "LogicalAddress" in issues[0].reason
    assert is_valid(data) is False
    with pytest.raises(ValidationError) as info:
        validate(data)
    assert info.value.issues == tuple(issues)


def test_response_envelope_needs_no_header() -> None:
    r = responder("IsActiveUser")
    response = etree.fromstring(
        f'<IsActiveUserResponse xmlns="{r}"><status>true</status></IsActiveUserResponse>'.encode()
    )
    assert is_valid(envelope(response))


def test_empty_soap_body_is_an_issue() -> None:
    data = (
        f'<s:Envelope xmlns:s="{SOAP}"><s:Header/><s:Body/></s:Envelope>'
    ).encode()
    issues = list(iter_issues(data))
    assert [i.path for i in issues] == ["/Envelope/Body"]
    with pytest.raises(ValidationError):
        validate(data)


# --------------------------------------------------------------------------- invalid requests


def _broken_add_message() -> etree._Element:
    root = rp.add_message_element(subject="19121212121x")
    unit = find(root, "message/organisationUnit")
    unit.remove(find(unit, "unitId"))
    find(root, "message/messageType").text = "Appointment"
    find(root, "message/booking/isInvitation").text = "maybe"
    find(root, "message/booking/startTime").text = "tomorrow at nine"
    root.remove(find(root, "sourceSystem"))
    return root


def test_invalid_document_reports_every_issue_with_path_line_and_reason() -> None:
    data = xml(_broken_add_message())
    with pytest.raises(ValidationError) as info:
        validate(data, "AddMessage")
    error = info.value
    assert error.operation == "AddMessage"
    assert paths(error.issues) == {
        ("/AddMessage/subjectOfCareId", "xsd"),
        ("/AddMessage/subjectOfCareId", "identity-number"),
        ("/AddMessage/message/organisationUnit/unitName", "xsd"),
        ("/AddMessage/message/messageType", "xsd"),
        ("/AddMessage/message/booking/isInvitation", "xsd"),
        ("/AddMessage/message/booking/startTime", "xsd"),
        ("/AddMessage/sourceSystem", "notify-requires-sourceSystem"),
    }
    assert len(error.issues) == 7
    assert list(iter_issues(data)) == list(error.issues)
    lines = data.decode().splitlines()
    by_path = {(i.path, i.rule): i for i in error.issues}
    for issue in error.issues:
        assert issue.line is not None
        assert issue.reason
        assert issue.reason == issue.reason.strip()
        assert "{" + BASE not in issue.reason  # Clark names are shortened
        assert issue.path in str(error)
    for path, local in (
        ("/AddMessage/message/messageType", "messageType"),
        ("/AddMessage/message/booking/isInvitation", "isInvitation"),
        ("/AddMessage/message/booking/startTime", "startTime"),
    ):
        line = by_path[(path, "xsd")].line
        assert line is not None
        assert f"{local}>" in lines[line - 1]
    assert "unitId" in by_path[("/AddMessage/message/organisationUnit/unitName", "xsd")].reason
    enum_reason = by_path[("/AddMessage/message/messageType", "xsd")].reason
    assert "Appointment" in enum_reason
    assert "TimedInvitation" in enum_reason
    pattern_reason = by_path[("/AddMessage/subjectOfCareId", "xsd")].reason
    assert "[0-9]{8}[0-9pPtTfF][0-9]{3}" in pattern_reason
    assert "boolean" in by_path[("/AddMessage/message/booking/isInvitation", "xsd")].reason
    assert "dateTime" in by_path[("/AddMessage/message/booking/startTime", "xsd")].reason


def test_paths_do_not_depend_on_prefixes() -> None:
    bare = list(iter_issues(xml(_broken_add_message())))
    r = responder("AddMessage")
    prefixed = etree.fromstring(
        xml(_broken_add_message())
        .replace(f'xmlns="{r}"'.encode(), f'xmlns:am="{r}"'.encode())
        .replace(b"<", b"<am:")
        .replace(b"<am:/", b"</am:")
        .replace(b"<am:?xml", b"<?xml")
        .replace(b"<am:core:", b"<core:")
        .replace(b"</am:core:", b"</core:")
    )
    assert prefixed.prefix == "am"
    assert paths(list(iter_issues(prefixed))) == paths(bare)


def test_xsd_issues_only_without_rules() -> None:
    data = xml(_broken_add_message())
    issues = list(default_validator().iter_issues(data, rules=False))
    assert {i.rule for i in issues} == {"xsd"}
    assert len(issues) == 5


def test_wrong_root_for_the_named_operation() -> None:
    with pytest.raises(ValidationError) as info:
        validate(is_active_user(), "AddMessage")
    (issue,) = info.value.issues
    assert issue.path == "/IsActiveUser"
    assert "AddMessage" in issue.reason
    assert is_valid(is_active_user(), "IsActiveUser")


def test_root_of_no_operation() -> None:
    data = b'<AddMessage xmlns="urn:riv:somewhere:else:1"><x/></AddMessage>'
    (issue,) = list(iter_issues(data))
    assert issue.path == "/AddMessage"
    assert "not the request or response of any operation" in issue.reason
    assert default_validator().operation_of(data) is None
    assert default_validator().operation_of(is_active_user()) is (
        bundled_package().operation("IsActiveUser")
    )


def test_unknown_operation() -> None:
    with pytest.raises(UnknownOperationError) as info:
        validate(is_active_user(), "AddMesage")
    assert "AddMessage" in info.value.known
    with pytest.raises(UnknownOperationError):
        is_valid(is_active_user(), "NoSuchOperation")
    with pytest.raises(UnknownOperationError):
        list(iter_issues(is_active_user(), "NoSuchOperation"))


_LOL = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)
HOSTILE = {
    "malformed": is_active_user().replace(b"</subjectOfCareId>", b""),
    "not utf-8": is_active_user("Åsa").decode().encode("latin-1"),
    "utf-8 declared, latin-1 bytes": b'<?xml version="1.0" encoding="UTF-8"?>'
    + is_active_user("\xe5\xe4").decode().encode("latin-1"),
    "empty": b"   ",
    "external dtd": b'<!DOCTYPE IsActiveUser SYSTEM "http://example.invalid/a.dtd">'
    + is_active_user(),
    "billion laughs": (
        f'<!DOCTYPE IsActiveUser [<!ENTITY lol0 "lol">{_LOL}]>'.encode()
        + is_active_user("&lol9;")
    ),
    "billion laughs utf-16": (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE IsActiveUser '
        f'[<!ENTITY lol0 "lol">{_LOL}]>' + is_active_user("&lol9;").decode()
    ).encode("utf-16"),
    "external entity": (
        b'<!DOCTYPE IsActiveUser [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + is_active_user("&xxe;")
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("form", ["validate", "iter_issues", "is_valid"])
def test_unusable_xml_raises_xml_input_error(name: str, form: str) -> None:
    call: Callable[[bytes], object] = {
        "validate": validate,
        "iter_issues": lambda d: list(iter_issues(d)),
        "is_valid": is_valid,
    }[form]
    with pytest.raises(XmlInputError) as info:
        call(HOSTILE[name])
    assert "lol" * 4 not in str(info.value)
    assert "root:" not in str(info.value)


# --------------------------------------------------------------------------- identity rule


def test_wrong_check_digit_is_an_issue_that_never_shows_the_number() -> None:
    wrong = TOLVAN[:-1] + "3"
    data = xml(rp.add_message_element(subject=wrong))
    with pytest.raises(ValidationError) as info:
        validate(data)
    (issue,) = info.value.issues
    assert (issue.path, issue.rule) == ("/AddMessage/subjectOfCareId", "identity-number")
    assert "check digit" in issue.reason
    assert "19121212****" in issue.reason
    assert wrong not in str(info.value)
    assert wrong not in repr(info.value.issues)


def test_xsd_messages_never_show_a_full_identity_number() -> None:
    # Trailing blank: the pattern fails and libxml2 quotes the value in its message.
    data = xml(rp.add_message_element(subject=TOLVAN + " "))
    issues = list(iter_issues(data))
    assert ("/AddMessage/subjectOfCareId", "xsd") in paths(issues)
    text = " ".join(str(i) for i in issues)
    assert TOLVAN not in text
    assert "19121212****" in text


@pytest.mark.parametrize(
    "subject",
    [
        "197010632326",  # samordningsnummer (day 03 + 60)
        "19121212T123",  # reserve number: a letter in position 9
        "19121212p001",
        "200002291235",  # leap day
    ],
)
def test_identity_numbers_that_pass(subject: str) -> None:
    assert list(iter_issues(xml(rp.add_message_element(subject=subject)))) == []
    assert is_valid(is_active_user(subject))


@pytest.mark.parametrize(
    "subject", ["190002291230", "191213121212", "197010932326"]
)
def test_identity_numbers_with_impossible_dates_fail(subject: str) -> None:
    issues = list(iter_issues(is_active_user(subject)))
    assert [(i.path, i.rule) for i in issues] == [("/IsActiveUser/subjectOfCareId",
                                                   "identity-number")]
    assert subject not in str(issues[0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    birth=st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)),
    serial=st.integers(0, 999),
    samordning=st.booleans(),
)
def test_any_valid_identity_number_is_valid(
    birth: datetime.date, serial: int, samordning: bool
) -> None:
    day = birth.day + (60 if samordning else 0)
    eleven = f"{birth:%Y%m}{day:02d}{serial:03d}"
    number = eleven + str(check_digit(eleven[2:]))
    assert list(iter_issues(xml(rp.add_message_element(subject=number)))) == []
    wrong = eleven + str((int(number[-1]) + 1) % 10)
    assert [i.rule for i in iter_issues(is_active_user(wrong))] == ["identity-number"]


# --------------------------------------------------------------------------- notify rule


def test_notify_without_source_system_names_the_rule() -> None:
    root = rp.add_message_element()
    root.remove(find(root, "sourceSystem"))
    (issue,) = list(iter_issues(xml(root)))
    assert issue.rule == "notify-requires-sourceSystem"
    assert issue.path == "/AddMessage/sourceSystem"
    assert "notify" in issue.reason


@pytest.mark.parametrize(("notify", "source", "ok"), [
    ("1", None, False),
    ("true", "", False),
    ("false", None, True),
    (None, None, True),
    ("true", "SYS", True),
])
def test_notify_rule_cases(notify: str | None, source: str | None, ok: bool) -> None:
    root = rp.add_message_element()
    if notify is None:
        root.remove(find(root, "notify"))
    else:
        find(root, "notify").text = notify
    if source is None:
        root.remove(find(root, "sourceSystem"))
    else:
        find(root, "sourceSystem").text = source
    assert is_valid(xml(root)) is ok


# --------------------------------------------------------------------------- pattern policy


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> ContractPackage:
    folder = tmp_path_factory.mktemp("synthetic")
    return load_package(rp.write_folder(rp.multi_domain_files(), folder), strict=True)


def _care_documentation_request(patient_id: str) -> bytes:
    return (
        f'<GetCareDocumentation xmlns="{rp.GET_CARE_DOCUMENTATION.responder_ns}">'
        f"<patientId>{patient_id}</patientId>"
        "<timePeriod><start xmlns=\"urn:riv:common:datatypes:1\">2024-01-01</start>"
        "</timePeriod></GetCareDocumentation>"
    ).encode()


def test_pattern_policy_anchors_is_the_default(synthetic: ContractPackage) -> None:
    assert Validator(synthetic).patterns is PatternPolicy.ANCHORS
    assert default_validator().patterns is PatternPolicy.ANCHORS


def test_pattern_policy_both_ways(synthetic: ContractPackage) -> None:
    anchors = Validator(synthetic, patterns=PatternPolicy.ANCHORS)
    strict = Validator(synthetic, patterns=PatternPolicy.STRICT)
    real = _care_documentation_request(TOLVAN)
    literal = _care_documentation_request(f"^{TOLVAN}$")

    assert anchors.is_valid(real)
    issues = list(strict.iter_issues(real))
    assert [(i.path, i.rule) for i in issues] == [("/GetCareDocumentation/patientId", "xsd")]
    assert rp.ANCHORED_PATTERN in issues[0].reason
    # In XML Schema ^ and $ are ordinary characters, and libxml2 follows the standard:
    # under STRICT the literal value "^191212121212$" is the one that matches.
    assert strict.is_valid(literal)
    assert not anchors.is_valid(literal)
    # The policy is applied to a copy: the package model keeps the pattern as written.
    person_id = synthetic.types.simple_types[f"{{{rp.DESCRIPTION_CORE}}}PersonIdType"]
    assert person_id.patterns == (rp.ANCHORED_PATTERN,)
    assert synthetic.source.files[
        "core_components/clinicalprocess_healthcond_description_2.1.xsd"
    ].count(rp.ANCHORED_PATTERN.encode()) == 1


@pytest.mark.parametrize(("written", "meant"), [
    ("^[0-9]{12}$", "[0-9]{12}"),
    ("^abc", "abc"),
    ("abc$", "abc"),
    ("[0-9]{12}", "[0-9]{12}"),
    (r"price\$", r"price\$"),
    ("[^a]$", "[^a]"),
])
def test_strip_anchors(written: str, meant: str) -> None:
    assert strip_anchors(written) == meant


def test_abstract_type_needs_xsi_type(synthetic: ContractPackage) -> None:
    ns = {
        "r": rp.GET_CARE_DOCUMENTATION.responder_ns,
        "c": rp.DESCRIPTION_CORE,
        "dt": rp.DATATYPES,
    }
    response = f"""<r:GetCareDocumentationResponse xmlns:r="{ns['r']}" xmlns:c="{ns['c']}"
        xmlns:dt="{ns['dt']}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <r:careDocumentation>
        <c:documentId>doc-1</c:documentId>
        <c:documentTime>20240501093000</c:documentTime>
        <c:author xsi:type="c:PersonPartyType">
          <c:partyId>SE2321000016-ABC1</c:partyId><c:personName>Dr Exempel</c:personName>
        </c:author>
        <c:documentStatus>Signed</c:documentStatus>
        <c:text>Anteckning</c:text>
      </r:careDocumentation>
      <r:result><dt:resultCode>OK</dt:resultCode></r:result>
    </r:GetCareDocumentationResponse>""".encode()
    validator = Validator(synthetic)
    assert list(validator.iter_issues(response)) == []
    without_type = response.replace(b' xsi:type="c:PersonPartyType"', b"")
    issues = list(validator.iter_issues(without_type))
    assert [i.path for i in issues] == [
        "/GetCareDocumentationResponse/careDocumentation/author"
    ]
    assert "abstract" in issues[0].reason


def test_bp20_request_needs_the_wsa_to_header(synthetic: ContractPackage) -> None:
    ns = rp.PING_FOR_CONFIGURATION.responder_ns
    payload = etree.fromstring(
        f'<PingForConfiguration xmlns="{ns}"><serviceContractNamespace>urn:x</serviceContract'
        f"Namespace><logicalAddress>SE1</logicalAddress></PingForConfiguration>".encode()
    )
    validator = Validator(synthetic)
    assert validator.is_valid(envelope(payload, {f"{{{WSA}}}To": "SE2321000016-XYZ"}))
    issues = list(validator.iter_issues(envelope(payload)))
    assert [i.path for i in issues] == ["/Envelope/Header"]
    assert "wsa:To" in issues[0].reason


# --------------------------------------------------------------------------- responses


def _responses() -> dict[str, etree._Element]:
    vendor = f'<v:trace xmlns:v="{VENDOR}"><v:node>producer-7</v:node></v:trace>'
    add = responder("AddMessage")
    active = responder("IsActiveUser")
    thread = responder("GetMessageThreadStatus")
    return {
        "AddMessage": etree.fromstring(
            f'<AddMessageResponse xmlns="{add}"><messageThreadId>t-1</messageThreadId>'
            "<messageId>m-1</messageId><notificationSent>SMS</notificationSent>"
            "<notificationSent>Email</notificationSent><resultCode>INFO</resultCode>"
            f"<resultText>Meddelandet sparades.</resultText>{vendor}</AddMessageResponse>"
        ),
        "IsActiveUser": etree.fromstring(
            f'<IsActiveUserResponse xmlns="{active}"><status>true</status>'
            "<activeNotificationMethods>SMS</activeNotificationMethods>"
            "<activeNotificationMethods>Other</activeNotificationMethods>"
            f"<paperMailOptOut>false</paperMailOptOut>{vendor}{vendor}</IsActiveUserResponse>"
        ),
        "GetMessageThreadStatus": etree.fromstring(
            f'<GetMessageThreadStatusResponse xmlns="{thread}" xmlns:c="{CORE}">'
            "<messageThreadId>t-1</messageThreadId>"
            "<message><c:messageId>m-1</c:messageId><c:sentTime>2024-05-01T08:00:00Z"
            "</c:sentTime><c:readStatus>Read</c:readStatus><c:readTime>2024-05-01T10:00:00Z"
            f"</c:readTime>{vendor}</message>"
            "<message><c:sentTime>2024-05-02T08:00:00Z</c:sentTime>"
            f"<c:readStatus>Unread</c:readStatus></message>{vendor}"
            "</GetMessageThreadStatusResponse>"
        ),
    }


@pytest.mark.parametrize("name", ["AddMessage", "IsActiveUser", "GetMessageThreadStatus"])
def test_responses_validate_and_tolerate_foreign_trailing_elements(name: str) -> None:
    response = _responses()[name]
    assert list(iter_issues(response, name)) == []
    assert default_validator().operation_of(response) is bundled_package().operation(name)
    # A trailing element in the contract's own namespace is not tolerated (##other).
    extra = copy.deepcopy(response)
    etree.SubElement(extra, etree.QName(response).text.replace(f"{name}Response", "surprise"))
    issues = list(iter_issues(extra, name))
    assert [i.path for i in issues] == [f"/{name}Response/surprise"]


def test_response_with_missing_required_field() -> None:
    response = _responses()["AddMessage"]
    response.remove(find(response, "resultCode"))
    issues = list(iter_issues(response))
    assert [i.path for i in issues] == ["/AddMessageResponse/resultText"]
    assert "resultCode" in issues[0].reason


# --------------------------------------------------------------------------- threads


def test_concurrent_validation_gives_the_same_results() -> None:
    documents: list[bytes] = [
        xml(rp.add_message_element()),
        xml(_broken_add_message()),
        is_active_user(),
        is_active_user(TOLVAN[:-1] + "0"),
        envelope(rp.add_message_element()),
        *(xml(r) for r in _responses().values()),
    ]
    expected = [tuple(default_validator().iter_issues(d)) for d in documents]
    assert any(expected)
    assert not all(expected)

    # Fresh validators: every thread compiles its own schemas while the others parse and
    # validate (a compile racing a parse used to lose the in-package imports).
    for _attempt in range(6):
        validator = Validator()
        barrier = threading.Barrier(8)

        def work(seed: int, validator: Validator = validator,
                 barrier: threading.Barrier = barrier) -> list[tuple[ValidationIssue, ...]]:
            barrier.wait(timeout=30)
            results: list[tuple[ValidationIssue, ...]] = [()] * len(documents)
            for round_ in range(3):
                for index in range(len(documents)):
                    pick = (index + seed + round_) % len(documents)
                    results[pick] = tuple(validator.iter_issues(documents[pick]))
            return results

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(work, range(8)))
        assert all(outcome == expected for outcome in outcomes)


class _GatedResolver(etree.Resolver):
    """Holds a schema compile at its first import until ``release`` is set."""

    def __init__(self, inner: etree.Resolver, release: threading.Event) -> None:
        super().__init__()
        self._inner = inner
        self._release = release

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> object:
        self._release.wait(5)
        return self._inner.resolve(system_url, public_id, context)


def test_schema_compile_overlapping_a_parse_keeps_its_imports(
    synthetic: ContractPackage,
) -> None:
    # lxml swaps libxml2's process-global entity loader around every parse and compile. A parse
    # that starts before a compile and ends during it used to leave the compile with libxml2's
    # default loader, so the rest of the package's imports and includes could not be found.
    parsed = threading.Event()
    about_to_parse = threading.Event()

    class GatedSource(PackageSource):
        def resolver(self) -> etree.Resolver:
            return _GatedResolver(PackageSource.resolver(self), parsed)

    source = synthetic.source
    gated = dataclasses.replace(
        synthetic, source=GatedSource(source.name, source.origin, source.files)
    )
    schemas = SchemaSet(gated, PatternPolicy.STRICT)
    big = b"<batch>" + b"<item>inkorg-riv</item>" * 150_000 + b"</batch>"

    def parse() -> None:
        about_to_parse.set()
        parse_bytes(big)
        parsed.set()

    parser = threading.Thread(target=parse)
    parser.start()
    try:
        assert about_to_parse.wait(5)
        time.sleep(0.01)  # the parse is under way (it takes far longer than this)
        schema = schemas.schema_for(rp.GET_CARE_DOCUMENTATION.responder_path)
    finally:
        parsed.wait(10)
        parser.join(10)
    assert schema.validate(etree.fromstring(_care_documentation_request("^191212121212$")))


def test_validator_of_a_package_loaded_from_a_path(tmp_path: Path) -> None:
    package = load_package(Path(__file__).resolve().parent.parent / "schemas")
    validator = Validator(package, patterns=PatternPolicy.STRICT)
    assert validator.is_valid(xml(rp.add_message_element()))
    assert not validator.is_valid(xml(_broken_add_message()))
    del tmp_path
