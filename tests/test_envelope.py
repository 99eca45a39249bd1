"""Tests for inkorg_riv.envelope: request envelopes, HTTP headers, response and fault parsing.

Built envelopes are compared in canonical form (C14N) with the expected files in
tests/cases/envelopes/.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv._ns import RIV_REGISTRY, SOAP11_ENV, WSA, WSA_2004
from inkorg_riv.contracts import HeaderPart, Operation, RivProfile, bundled_package
from inkorg_riv.envelope import (
    LOGICAL_ADDRESS,
    WSA_TO,
    ParsedResponse,
    ResultCode,
    ResultInfo,
    build_fault_response,
    build_request,
    build_response,
    build_vp_fault_response,
    check_result_code,
    parse_response,
    read_fault,
    routing_header,
)
from inkorg_riv.errors import (
    BindingError,
    ConfigurationError,
    Outcome,
    PlatformFaultError,
    ResultCodeError,
    SoapFaultError,
    UnexpectedResponseError,
)

ENVELOPES = Path(__file__).parent / "cases" / "envelopes"
DOMAIN = "urn:riv-application:infrastructure:eservicesupply:patientportal"
IS_ACTIVE = f"{DOMAIN}:IsActiveUserResponder:2"
ADD = f"{DOMAIN}:AddMessageResponder:2"
THREAD = f"{DOMAIN}:GetMessageThreadStatusResponder:2"
ADDRESS = "SE2321000016-A12B"
CID = "5f0c6a52-9a57-4c5e-8d1e-0d2b0f5b7e43"
TRACE = "urn:example:trace:1"


def op(name: str) -> Operation:
    return bundled_package().operation(name)


def is_active_user(ssn: str = "191212121212") -> etree._Element:
    root = etree.Element(f"{{{IS_ACTIVE}}}IsActiveUser", nsmap={None: IS_ACTIVE})
    etree.SubElement(root, f"{{{IS_ACTIVE}}}subjectOfCareId").text = ssn
    return root


def add_message() -> etree._Element:
    q = f"{{{ADD}}}"
    root = etree.Element(f"{q}AddMessage", nsmap={"am": ADD})
    etree.SubElement(root, f"{q}subjectOfCareId").text = "191212121212"
    message = etree.SubElement(root, f"{q}message")
    unit = etree.SubElement(message, f"{q}organisationUnit")
    etree.SubElement(unit, f"{q}unitId").text = "SE2321000016-A12C"
    etree.SubElement(unit, f"{q}unitName").text = "Vårdcentralen Exempel"
    text = etree.SubElement(message, f"{q}messageText")
    text.text = "<article><para>Välkommen & hej</para></article>"
    return root


def thread_status() -> etree._Element:
    q = f"{{{THREAD}}}"
    root = etree.Element(f"{q}GetMessageThreadStatus", nsmap={None: THREAD})
    etree.SubElement(root, f"{q}subjectOfCareId").text = "191212121212"
    etree.SubElement(root, f"{q}messageThreadId").text = "thread-2024-0001"
    return root


PAYLOADS = {
    "IsActiveUser": is_active_user,
    "AddMessage": add_message,
    "GetMessageThreadStatus": thread_status,
}


def canonical(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True, resolve_entities=False)
    return etree.tostring(etree.fromstring(data, parser), method="c14n")


def expected(name: str) -> bytes:
    return canonical((ENVELOPES / name).read_bytes())


def with_extra_headers() -> Operation:
    base = op("IsActiveUser")
    return dataclasses.replace(
        base,
        headers=(
            *base.headers,
            HeaderPart(part="trace", element=f"{{{TRACE}}}TraceId"),
            HeaderPart(part="priority", element=f"{{{TRACE}}}Priority"),
        ),
    )


def header_children(body: bytes) -> list[etree._Element]:
    root = etree.fromstring(body)
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    assert header is not None
    return list(header)


# --------------------------------------------------------------------------- build_request


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_request_matches_the_expected_envelope(name: str) -> None:
    request = build_request(op(name), PAYLOADS[name](), logical_address=ADDRESS, correlation_id=CID)
    assert canonical(request.body) == expected(f"{name}.xml")
    assert request.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert request.operation == name
    assert request.logical_address == ADDRESS
    assert request.correlation_id == CID


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_http_headers_are_exact(name: str) -> None:
    operation = op(name)
    request = build_request(
        operation, PAYLOADS[name](), logical_address=ADDRESS, correlation_id=CID
    )
    assert dict(request.http_headers) == {
        "Content-Type": "text/xml; charset=UTF-8",
        "SOAPAction": f'"{DOMAIN}:{name}Responder:2:{name}"',
        "x-skltp-correlation-id": CID,
    }
    assert operation.soap_action == f"{DOMAIN}:{name}Responder:2:{name}"


def test_acting_on_behalf_of_header_and_never_original_consumer() -> None:
    request = build_request(
        op("AddMessage"),
        add_message(),
        logical_address=ADDRESS,
        correlation_id=CID,
        acting_on_behalf_of="SE2321000016-A12C",
    )
    assert request.http_headers["x-rivta-acting-on-behalf-of-hsaid"] == "SE2321000016-A12C"
    assert all(h.lower() != "x-rivta-original-serviceconsumer-hsaid" for h in request.http_headers)
    with pytest.raises(TypeError):
        request.http_headers["x"] = "y"  # type: ignore[index]


def test_a_new_uuid4_correlation_id_per_call() -> None:
    first = build_request(op("IsActiveUser"), is_active_user(), logical_address=ADDRESS)
    second = build_request(op("IsActiveUser"), is_active_user(), logical_address=ADDRESS)
    assert uuid.UUID(first.correlation_id).version == 4
    assert first.correlation_id != second.correlation_id
    assert first.http_headers["x-skltp-correlation-id"] == first.correlation_id


def test_logical_address_comes_first() -> None:
    request = build_request(
        with_extra_headers(),
        is_active_user(),
        logical_address=ADDRESS,
        correlation_id=CID,
        # Given in the other order: the operation's declared order wins.
        extra_headers={f"{{{TRACE}}}Priority": "high", f"{{{TRACE}}}TraceId": "trace-42"},
    )
    tags = [h.tag for h in header_children(request.body)]
    assert tags == [LOGICAL_ADDRESS, f"{{{TRACE}}}TraceId", f"{{{TRACE}}}Priority"]
    assert canonical(request.body) == expected("IsActiveUser_extra_header.xml")


def test_logical_address_is_sent_when_the_wsdl_did_not_declare_it() -> None:
    base = op("IsActiveUser")
    undeclared = dataclasses.replace(
        base, headers=(HeaderPart(part="LogicalAddress", element=LOGICAL_ADDRESS, declared=False),)
    )
    request = build_request(
        undeclared, is_active_user(), logical_address=ADDRESS, correlation_id=CID
    )
    assert canonical(request.body) == expected("IsActiveUser.xml")
    bare = dataclasses.replace(base, headers=())
    request = build_request(bare, is_active_user(), logical_address=ADDRESS, correlation_id=CID)
    assert canonical(request.body) == expected("IsActiveUser.xml")


def test_rivtabp20_sends_wsa_to() -> None:
    bp20 = dataclasses.replace(
        op("IsActiveUser"),
        profile=RivProfile.BP20,
        headers=(HeaderPart(part="To", element=WSA_TO),),
    )
    request = build_request(bp20, is_active_user(), logical_address=ADDRESS, correlation_id=CID)
    assert canonical(request.body) == expected("IsActiveUser_rivtabp20.xml")
    assert routing_header(bp20) == f"{{{WSA}}}To"
    old_wsa = dataclasses.replace(
        bp20, headers=(HeaderPart(part="To", element=f"{{{WSA_2004}}}To"),)
    )
    assert routing_header(old_wsa) == f"{{{WSA_2004}}}To"
    assert routing_header(dataclasses.replace(bp20, headers=())) == WSA_TO
    assert routing_header(op("IsActiveUser")) == f"{{{RIV_REGISTRY}}}LogicalAddress"


def test_the_payload_is_the_only_body_child() -> None:
    request = build_request(op("AddMessage"), add_message(), logical_address=ADDRESS)
    body = etree.fromstring(request.body).find(f"{{{SOAP11_ENV}}}Body")
    assert body is not None
    assert [c.tag for c in body] == [f"{{{ADD}}}AddMessage"]


def test_the_payload_element_is_not_moved_or_changed() -> None:
    holder = etree.Element("holder")
    payload = is_active_user()
    holder.append(payload)
    payload.tail = "tail text"
    before = etree.tostring(holder)
    request = build_request(
        op("IsActiveUser"), payload, logical_address=ADDRESS, correlation_id=CID
    )
    assert payload.getparent() is holder
    assert etree.tostring(holder) == before
    assert b"tail text" not in request.body
    assert canonical(request.body) == expected("IsActiveUser.xml")
    # A standalone root stays a root.
    root = is_active_user()
    build_request(op("IsActiveUser"), root, logical_address=ADDRESS)
    assert root.getparent() is None
    assert root.getroottree().getroot() is root


@pytest.mark.parametrize("address", ["", "   ", "\t", "SE123\n", "SE\x00123", "SE\x7f1", " SE123"])
def test_unusable_logical_addresses_are_refused(address: str) -> None:
    with pytest.raises(ConfigurationError, match="logical address"):
        build_request(op("IsActiveUser"), is_active_user(), logical_address=address)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("correlation_id", "abc\r\nX-Injected: 1"),
        ("correlation_id", ""),
        ("acting_on_behalf_of", "SE1\nX-Injected: 1"),
        ("acting_on_behalf_of", "SE1\u00e4"),
    ],
)
def test_unusable_http_header_values_are_refused(field: str, value: str) -> None:
    with pytest.raises(ConfigurationError):
        build_request(
            op("IsActiveUser"),
            is_active_user(),
            logical_address=ADDRESS,
            **{field: value},  # type: ignore[arg-type]
        )


def test_wrong_payload_root_is_refused() -> None:
    with pytest.raises(BindingError) as info:
        build_request(op("AddMessage"), is_active_user(), logical_address=ADDRESS)
    message = str(info.value)
    assert f"{{{IS_ACTIVE}}}IsActiveUser" in message
    assert f"{{{ADD}}}AddMessage" in message
    assert info.value.operation == "AddMessage"


def test_undeclared_extra_headers_are_refused() -> None:
    with pytest.raises(ConfigurationError) as info:
        build_request(
            with_extra_headers(),
            is_active_user(),
            logical_address=ADDRESS,
            extra_headers={"{urn:example}Other": "x"},
        )
    assert "{urn:example}Other" in str(info.value)
    assert f"{{{TRACE}}}TraceId" in str(info.value)
    assert f"{{{TRACE}}}Priority" in str(info.value)
    with pytest.raises(ConfigurationError, match="allowed: none"):
        build_request(
            op("IsActiveUser"),
            is_active_user(),
            logical_address=ADDRESS,
            extra_headers={"{urn:example}Other": "x"},
        )
    with pytest.raises(ConfigurationError, match="logical_address"):
        build_request(
            op("IsActiveUser"),
            is_active_user(),
            logical_address=ADDRESS,
            extra_headers={LOGICAL_ADDRESS: "SE999"},
        )


def test_extra_header_text_that_xml_cannot_hold_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="XML text"):
        build_request(
            with_extra_headers(),
            is_active_user(),
            logical_address=ADDRESS,
            extra_headers={f"{{{TRACE}}}TraceId": "bad\x01"},
        )


PRINTABLE = st.characters(
    min_codepoint=0x21, max_codepoint=0x2FFF, exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")
)


@given(address=st.text(PRINTABLE, min_size=1, max_size=40))
def test_any_printable_logical_address_round_trips(address: str) -> None:
    request = build_request(op("IsActiveUser"), is_active_user(), logical_address=address)
    headers = header_children(request.body)
    assert headers[0].tag == LOGICAL_ADDRESS
    assert headers[0].text == address


# --------------------------------------------------------------------------- parse_response


def response_of(name: str, *children: tuple[str, str]) -> etree._Element:
    namespaces = {"IsActiveUser": IS_ACTIVE, "AddMessage": ADD, "GetMessageThreadStatus": THREAD}
    namespace = namespaces[name]
    root = etree.Element(f"{{{namespace}}}{name}Response")
    for local, text in children:
        etree.SubElement(root, f"{{{namespace}}}{local}").text = text
    return root


def parse(
    name: str, body: bytes, status: int = 200, content_type: str | None = "text/xml"
) -> ParsedResponse:
    return parse_response(
        op(name),
        status=status,
        content_type=content_type,
        body=body,
        correlation_id=CID,
        logical_address=ADDRESS,
    )


def test_read_only_response_has_no_result() -> None:
    payload = response_of("IsActiveUser", ("status", "true"))
    etree.SubElement(payload, "{urn:example:extension}future").text = "lax"  # tolerated
    parsed = parse("IsActiveUser", build_response(payload))
    assert parsed.payload.tag == f"{{{IS_ACTIVE}}}IsActiveUserResponse"
    assert parsed.payload.findtext(f"{{{IS_ACTIVE}}}status") == "true"
    assert parsed.result is None
    assert parsed.correlation_id == CID
    assert parsed.headers == ()


@pytest.mark.parametrize(
    ("code", "text", "result"),
    [
        ("OK", None, ResultInfo(ResultCode.OK)),
        ("INFO", "Invånaren saknar konto", ResultInfo(ResultCode.INFO, "Invånaren saknar konto")),
        (" OK ", None, ResultInfo(ResultCode.OK)),
    ],
)
def test_result_code_ok_and_info(code: str, text: str | None, result: ResultInfo) -> None:
    children = [("messageThreadId", "t-1"), ("resultCode", code)]
    if text is not None:
        children.append(("resultText", text))
    parsed = parse("AddMessage", build_response(response_of("AddMessage", *children)))
    assert parsed.result == result
    assert check_result_code(parsed.payload) == result


def test_result_code_error_raises() -> None:
    payload = response_of("AddMessage", ("resultCode", "ERROR"), ("resultText", "Fel 191212121212"))
    with pytest.raises(ResultCodeError) as info:
        parse("AddMessage", build_response(payload))
    assert info.value.result_text == "Fel 191212121212"
    assert info.value.outcome is Outcome.REFUSED
    assert info.value.correlation_id == CID
    assert info.value.logical_address == ADDRESS
    assert "191212121212" not in str(info.value)
    with pytest.raises(ResultCodeError):
        check_result_code(payload)


def test_unknown_result_code_is_an_unusable_answer() -> None:
    payload = response_of("AddMessage", ("resultCode", "MAYBE"))
    with pytest.raises(UnexpectedResponseError) as info:
        check_result_code(payload, operation="AddMessage")
    assert info.value.kind == "wrong-body"
    assert info.value.outcome is Outcome.UNKNOWN
    assert "MAYBE" in str(info.value)


def test_response_headers_are_returned() -> None:
    body = build_response(response_of("IsActiveUser", ("status", "false")))
    root = etree.fromstring(body)
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    assert header is not None
    etree.SubElement(header, "{urn:example:h}Trace").text = "x"
    parsed = parse("IsActiveUser", etree.tostring(root))
    assert [h.tag for h in parsed.headers] == ["{urn:example:h}Trace"]


def test_build_response_leaves_the_payload_alone() -> None:
    payload = response_of("IsActiveUser", ("status", "true"))
    build_response(payload)
    assert payload.getparent() is None


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"  \n ", "empty"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "not-xml"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "html"),
        (b"\xef\xbb\xbf<HTML><body>Gateway Timeout</body></HTML>", "html"),
        (b"<x:Envelope xmlns:x='" + SOAP11_ENV.encode() + b"'/>", "not-soap"),
        (
            b"<x:Envelope xmlns:x='" + SOAP11_ENV.encode() + b"'><x:Body/><x:Body/></x:Envelope>",
            "not-soap",
        ),
        (
            b"<x:Envelope xmlns:x='" + SOAP11_ENV.encode() + b"'><x:Body/></x:Envelope>",
            "wrong-body",
        ),
    ],
)
def test_unusable_answers(body: bytes, kind: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        parse("IsActiveUser", body)
    assert info.value.kind == kind
    assert info.value.outcome is Outcome.UNKNOWN
    assert info.value.http_status == 200


def test_two_body_children_are_refused() -> None:
    body = build_response(response_of("IsActiveUser", ("status", "true")))
    root = etree.fromstring(body)
    soap_body = root.find(f"{{{SOAP11_ENV}}}Body")
    assert soap_body is not None
    soap_body.append(copy.deepcopy(soap_body[0]))
    with pytest.raises(UnexpectedResponseError) as info:
        parse("IsActiveUser", etree.tostring(root))
    assert info.value.kind == "wrong-body"


def test_html_snippet_is_short_and_redacted() -> None:
    page = b"<!DOCTYPE html><html><body>" + b"191212121212 " * 40 + b"</body></html>"
    with pytest.raises(UnexpectedResponseError) as info:
        parse("IsActiveUser", page, status=503, content_type="text/html")
    error = info.value
    assert len(error.snippet) <= 200
    assert re.search(r"[0-9]{9}", error.snippet) is None
    assert "1212121212" not in str(error)
    assert error.content_type == "text/html"


# --------------------------------------------------------------------------- faults


def test_fault_builder_round_trips() -> None:
    body = build_fault_response("Server", "Något gick fel", detail="Something failed")
    root = etree.fromstring(body)
    fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
    assert fault is not None
    info = read_fault(fault)
    assert (info.faultcode, info.faultcode_raw) == ("Server", "soapenv:Server")
    assert info.faultcode_qname == f"{{{SOAP11_ENV}}}Server"
    assert (info.faultstring, info.detail) == ("Något gick fel", "Something failed")
    with pytest.raises(SoapFaultError) as raised:
        parse("AddMessage", body, status=500)
    assert type(raised.value) is SoapFaultError
    assert raised.value.detail == "Something failed"


def test_fault_without_detail() -> None:
    body = build_fault_response("Client", "saknas")
    assert b"detail" not in body
    with pytest.raises(SoapFaultError) as info:
        parse("IsActiveUser", body, status=500)
    assert info.value.detail is None
    assert info.value.faultcode == "Client"


def test_fault_builder_refuses_unknown_codes() -> None:
    with pytest.raises(ValueError, match="faultcode"):
        build_fault_response("Oops", "x")
    assert b"soapenv:Server.Timeout" in build_fault_response("Server.Timeout", "x")
    with pytest.raises(ValueError, match="VP099"):
        build_vp_fault_response("VP099")


@pytest.mark.parametrize(("code", "faultcode"), [("VP007", "Client"), ("VP012", "Server")])
def test_vp_fault_builder(code: str, faultcode: str) -> None:
    body = build_vp_fault_response(code, platform_name="NTjP QA", detail="English detail")
    assert f"<faultcode>soapenv:{faultcode}</faultcode>".encode() in body
    assert f"{code} [NTjP QA] ".encode() in body
    with pytest.raises(PlatformFaultError) as info:
        parse("AddMessage", body, status=500)
    assert info.value.code == code
    assert info.value.detail == "English detail"


def test_qualified_fault_children_and_undeclared_prefix_are_tolerated() -> None:
    body = (
        f"<s:Envelope xmlns:s='{SOAP11_ENV}'><s:Body><s:Fault>"
        "<s:faultcode>x:Custom</s:faultcode><s:faultstring>VP011 [SKLTP] ej TLS</s:faultstring>"
        "<detail>   </detail></s:Fault></s:Body></s:Envelope>"
    ).encode()
    with pytest.raises(PlatformFaultError) as info:
        parse("AddMessage", body, status=500)
    assert info.value.code == "VP011"
    assert info.value.faultcode == "Custom"
    assert info.value.faultcode_qname is None
    assert info.value.detail is None


def test_comments_and_processing_instructions_around_the_parts_are_ignored() -> None:
    payload = response_of("AddMessage", ("resultCode", "OK"))
    root = etree.fromstring(build_response(payload))
    header, soap_body = root.find(f"{{{SOAP11_ENV}}}Header"), root.find(f"{{{SOAP11_ENV}}}Body")
    assert header is not None
    assert soap_body is not None
    header.append(etree.Comment("a header comment"))
    etree.SubElement(header, "{urn:example:h}Trace").text = "x"
    soap_body.insert(0, etree.Comment("before"))
    soap_body.append(etree.ProcessingInstruction("after", "x"))
    root.insert(0, etree.Comment("first"))
    parsed = parse("AddMessage", etree.tostring(root))
    assert parsed.payload.tag == f"{{{ADD}}}AddMessageResponse"
    assert [h.tag for h in parsed.headers] == ["{urn:example:h}Trace"]
    assert parsed.result == ResultInfo(ResultCode.OK)


def test_a_fault_after_a_comment_is_still_a_fault() -> None:
    root = etree.fromstring(build_fault_response("Server", "Producer is down"))
    soap_body = root.find(f"{{{SOAP11_ENV}}}Body")
    assert soap_body is not None
    soap_body.insert(0, etree.Comment("c"))
    with pytest.raises(SoapFaultError):
        parse("AddMessage", etree.tostring(root), status=500)


def test_an_unknown_envelope_element_makes_the_answer_not_soap() -> None:
    env = SOAP11_ENV.encode()
    body = b"<x:Envelope xmlns:x='" + env + b"'><x:Trailer/><x:Body/></x:Envelope>"
    with pytest.raises(UnexpectedResponseError) as info:
        parse("IsActiveUser", body)
    assert info.value.kind == "not-soap"


def test_a_result_code_in_no_or_another_namespace_is_read_too() -> None:
    payload = response_of("AddMessage")
    etree.SubElement(payload, "resultCode").text = "info"
    etree.SubElement(payload, "{urn:example:other}resultText").text = "Sparat"
    etree.SubElement(payload, f"{{{ADD}}}resultCode").text = "ERROR"  # not the first one
    assert check_result_code(payload) == ResultInfo(ResultCode.INFO, "Sparat")
