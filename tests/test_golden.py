"""Golden cases for every bundled operation (data in tests/cases/golden/).

* typed request objects -> the expected SOAP envelope, compared in canonical XML (C14N);
* response envelopes -> the expected typed objects (kept as JSON), or the expected error.

The request envelopes were first written out by the library and then checked by hand against
the contracts (header order, namespaces, entity-encoded body); the responses and their expected
objects were written by hand. A test validates every request payload against the XSD, and the
response tests validate theirs, so a golden file cannot drift away from the schema unnoticed.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._runtime import XmlObject
from inkorg_riv.codec import decode, encode
from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import build_request, parse_response
from inkorg_riv.errors import ResultCodeError
from inkorg_riv.validation import validate

CASES = Path(__file__).parent / "cases" / "golden"
ADDRESS = "SE2321000016-INKORG"
CORRELATION = "8d3b6f0e-2c1a-4f5e-9a57-0c1d2e3f4a5b"
UNIT = pp.OrganisationUnitType(
    unit_id="SE2321000016-A1B2",
    unit_name="Vårdcentralen Åby & Co <Norr>",
    unit_telephone="010-123 45 67",
)

REQUESTS: dict[str, XmlObject] = {
    "AddMessage": pp.AddMessageType(
        subject_of_care_id="191212121212",
        message=pp.MessageType(
            organisation_unit=UNIT,
            message_thread_id="episode-4711",
            message_id="kallelse-4711-1",
            message_type=pp.MessageTypeType.TIMED_INVITATION,
            message_description="Kallelse till hälsokontroll",
            message_text="<article><para>Välkommen &amp; ta med legitimation.</para></article>",
            sso_link=(
                pp.SSOLinkType(
                    system_id="FORM-1",
                    text="Fyll i hälsodeklaration",
                    type=pp.SSOLinkTargetType.NEW_TARGET,
                ),
            ),
            attachment=(
                pp.AttachmentType(
                    file_name="vägbeskrivning.pdf", mime_type="application/pdf", content=b"%PDF"
                ),
            ),
            booking=pp.BookingType(
                booking_id="BK-4711",
                is_invitation=True,
                rebooking_allowed=True,
                cancel_booking_allowed=True,
                time_type_id="HK30",
                start_time=datetime.datetime(
                    2026, 12, 14, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
                ),
                care_unit_id="SE2321000016-A1B2",
            ),
        ),
        notify=True,
        source_system="EXEMPEL-BOKNING",
    ),
    "IsActiveUser": pp.IsActiveUserType(subject_of_care_id="197010632326"),
    "GetMessageThreadStatus": pp.GetMessageThreadStatusType(
        subject_of_care_id="191212121212",
        message_thread_id="episode-4711",
        organisation_unit_id="SE2321000016-A1B2",
    ),
}

RESPONSES = {
    "AddMessage": pp.AddMessageResponseType,
    "IsActiveUser": pp.IsActiveUserResponseType,
    "GetMessageThreadStatus": pp.GetMessageThreadStatusResponseType,
}


def c14n(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.tostring(etree.fromstring(data, parser), method="c14n")


def plain(value: Any) -> Any:
    """A typed object as JSON-able data: enums by value, times and bytes as text."""
    if isinstance(value, XmlObject):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)  # type: ignore[arg-type]
            if f.name != "any_elements"
        }
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_request_object_gives_the_expected_envelope(operation: str) -> None:
    op = bundled_package().operation(operation)
    element = encode(REQUESTS[operation])
    validate(element, op)
    built = build_request(op, element, logical_address=ADDRESS, correlation_id=CORRELATION)
    expected = (CASES / f"{operation}.request.xml").read_bytes()
    assert c14n(built.body) == c14n(expected)
    assert built.http_headers["SOAPAction"] == f'"{op.soap_action}"'


@pytest.mark.parametrize("operation", sorted(RESPONSES))
def test_response_envelope_gives_the_expected_object(operation: str) -> None:
    op = bundled_package().operation(operation)
    body = (CASES / f"{operation}.response.xml").read_bytes()
    parsed = parse_response(op, status=200, content_type="text/xml; charset=UTF-8", body=body)
    validate(parsed.payload, op)
    result = decode(parsed.payload, RESPONSES[operation])
    expected = json.loads((CASES / f"{operation}.response.json").read_text(encoding="utf-8"))
    assert plain(result) == expected
    kept = [etree.QName(e).text for e in getattr(result, "any_elements", ())]
    if operation == "AddMessage":  # the producer's extension element survives, untouched
        assert kept == ["{urn:example:producer-extension}deliveryChannel"]
    else:
        assert kept == []


def test_response_with_result_code_error_gives_the_error() -> None:
    op = bundled_package().operation("AddMessage")
    body = (CASES / "AddMessage.response-error.xml").read_bytes()
    with pytest.raises(ResultCodeError) as info:
        parse_response(op, status=200, content_type="text/xml", body=body)
    assert info.value.result_text == "Dubblett: messageId finns redan i tråden"


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.request.xml")))
def test_golden_request_payloads_are_schema_valid(name: str) -> None:
    envelope = etree.fromstring((CASES / name).read_bytes())
    validate(envelope)
