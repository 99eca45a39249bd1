"""The codec on the bundled patientportal bindings: encode, validate against the XSD, decode.

Golden documents are compared in canonical form (C14N). Decoding goes through serialized bytes,
as a response from the wire would.
"""

from __future__ import annotations

import datetime
import typing

import pytest
import rivpackages as rp
from lxml import etree

from inkorg_riv.bindings import XmlObject
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.codec import decode, encode
from inkorg_riv.errors import BindingError
from inkorg_riv.validation import DEFAULT_RULES, Validator

R_ADD = "urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2"
R_ACTIVE = "urn:riv-application:infrastructure:eservicesupply:patientportal:IsActiveUserResponder:2"
R_THREAD = (
    "urn:riv-application:infrastructure:eservicesupply:patientportal:"
    "GetMessageThreadStatusResponder:2"
)
CORE = "urn:riv-application:infrastructure:eservicesupply:patientportal:2"
EXT = "urn:example:extension:1"
PNR = "191212121212"
CET = datetime.timezone(datetime.timedelta(hours=1))
CEST = datetime.timezone(datetime.timedelta(hours=2))

T = typing.TypeVar("T", bound=XmlObject)

# These tests put arbitrary text (markup characters, controls' neighbours) into messageText to test
# the codec's escaping; that text is not a DocBook body, so the body rule (tested in
# test_body.py) is left out here. Every other rule and the whole XSD still apply.
validate = Validator(rules=[r for r in DEFAULT_RULES if r.name != "docbook-body"]).validate


def _doc(root: str, namespace: str, inner: str) -> etree._Element:
    """``<r:ROOT xmlns:r=NAMESPACE>INNER</r:ROOT>`` parsed."""
    return etree.fromstring(f'<r:{root} xmlns:r="{namespace}">{inner}</r:{root}>')


def _wire(element: etree._Element) -> etree._Element:
    """The element after a trip through bytes."""
    return etree.fromstring(etree.tostring(element, encoding="UTF-8"))


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def _round_trip(obj: T) -> T:
    element = encode(obj)
    validate(element)
    back = decode(_wire(element), type(obj))
    assert _c14n(encode(back)) == _c14n(element)
    return back


def _body(length: int = 2000) -> str:
    chunk = (
        'Välkommen till Vårdcentralen Åre! <para> & "citat" \'apostrof\' > '
        "ÅÄÖ åäö é - kallelse.\n"
    )
    text = (chunk * (length // len(chunk) + 1))[:length]
    assert len(text) == length
    return text


def _full_add_message() -> pp.AddMessageType:
    unit = pp.OrganisationUnitType(
        unit_id="SE2321000016-F123",
        unit_name="Vårdcentralen Åre",
        unit_address="Storgatan 1",
        unit_postal_code="837 52",
        unit_postal_city="Åre",
        unit_telephone="+46 647 123 45",
    )
    booking = pp.BookingType(
        booking_id="BK-4711",
        is_invitation=True,
        is_open_invitation=False,
        new_booking_allowed=True,
        rebooking_allowed=True,
        cancel_booking_allowed=False,
        time_type_id="TT-12",
        start_time=datetime.datetime(2025, 3, 30, 9, 15, tzinfo=CEST),
        care_unit_id="SE2321000016-F123",
    )
    message = pp.MessageType(
        organisation_unit=unit,
        message_thread_id="thread-ÅÄÖ-1",
        message_id="msg-1",
        message_type=pp.MessageTypeType.TIMED_INVITATION,
        message_description="Kallelse till återbesök <viktigt> & \"snart\"",
        message_text=_body(),
        sso_link=(
            pp.SSOLinkType(
                system_id="sys-1", text="Boka om", query_string="a=1&b=<2>",
                type=pp.SSOLinkTargetType.NEW_TARGET,
            ),
            pp.SSOLinkType(system_id="sys-2", text="Läs mer", type=pp.SSOLinkTargetType.EMBEDDED),
        ),
        attachment=(
            pp.AttachmentType(
                file_name="kallelse.pdf", mime_type="application/pdf", content=bytes(range(256))
            ),
            pp.AttachmentType(file_name="tom.txt", mime_type="text/plain", content=b""),
        ),
        booking=booking,
    )
    return pp.AddMessageType(
        subject_of_care_id=PNR, message=message, notify=True, source_system="SE123-SYS"
    )


# --------------------------------------------------------------------------- round trips


def test_add_message_with_every_field_round_trips() -> None:
    request = _full_add_message()
    element = encode(request)
    assert element.tag == f"{{{R_ADD}}}AddMessage"
    validate(element)
    data = etree.tostring(element, encoding="UTF-8")
    assert b"&lt;para&gt; &amp;" in data
    back = decode(etree.fromstring(data), pp.AddMessageType)
    assert back == request
    assert back.message.message_text == _body()
    assert back.message.attachment[0].content == bytes(range(256))
    assert back.message.booking is not None
    assert back.message.booking.start_time == request.message.booking.start_time  # type: ignore[union-attr]
    assert back.message.booking.start_time.utcoffset() == datetime.timedelta(hours=2)  # type: ignore[union-attr]


def test_encoded_elements_follow_the_schema_order_and_namespaces() -> None:
    element = encode(_full_add_message())
    names = [etree.QName(child).text for child in element]
    assert names == [
        f"{{{R_ADD}}}subjectOfCareId", f"{{{R_ADD}}}message", f"{{{R_ADD}}}notify",
        f"{{{R_ADD}}}sourceSystem",
    ]
    message = element[1]
    assert [etree.QName(c).localname for c in message] == [
        "organisationUnit", "messageThreadId", "messageId", "messageType", "messageDescription",
        "messageText", "ssoLink", "ssoLink", "attachment", "attachment", "booking",
    ]
    assert {etree.QName(c).namespace for c in message} == {CORE}
    assert message.findtext(f"{{{CORE}}}messageType") == "TimedInvitation"
    assert element.findtext(f"{{{R_ADD}}}notify") == "true"
    start = message.findtext(f"{{{CORE}}}booking/{{{CORE}}}startTime")
    assert start == "2025-03-30T09:15:00+02:00"


def test_optional_fields_left_out_are_absent() -> None:
    request = pp.AddMessageType(
        subject_of_care_id=PNR,
        message=pp.MessageType(
            organisation_unit=pp.OrganisationUnitType(unit_id="SE1", unit_name="VC"),
            message_text="Hej",
        ),
    )
    element = encode(request)
    assert [etree.QName(c).localname for c in element] == ["subjectOfCareId", "message"]
    assert _round_trip(request) == request


def test_is_active_user_and_response_round_trip() -> None:
    request = pp.IsActiveUserType(subject_of_care_id=PNR)
    assert _round_trip(request) == request
    response = pp.IsActiveUserResponseType(
        status=True,
        active_notification_methods=(pp.NotificationMethodType.SMS,
                                     pp.NotificationMethodType.EMAIL),
        paper_mail_opt_out=False,
    )
    element = encode(response)
    assert element.tag == f"{{{R_ACTIVE}}}IsActiveUserResponse"
    assert element.findtext(f"{{{R_ACTIVE}}}paperMailOptOut") == "false"
    assert _round_trip(response) == response
    inactive = pp.IsActiveUserResponseType(status=False)
    assert _round_trip(inactive) == inactive


def test_get_message_thread_status_and_response_round_trip() -> None:
    request = pp.GetMessageThreadStatusType(
        subject_of_care_id=PNR, message_thread_id="thread-1", organisation_unit_id="SE1"
    )
    assert _round_trip(request) == request
    response = pp.GetMessageThreadStatusResponseType(
        message_thread_id="thread-1",
        message=(
            pp.MessageStatusType(
                message_id="m1",
                sent_time=datetime.datetime(2025, 1, 2, 8, 0, tzinfo=CET),
                read_status=pp.ReadStatusType.READ,
                read_time=datetime.datetime(2025, 1, 2, 19, 45, 30, tzinfo=CET),
            ),
            pp.MessageStatusType(
                message_id="m2",
                sent_time=datetime.datetime(2025, 1, 3, 8, 0, tzinfo=datetime.UTC),
                read_status=pp.ReadStatusType.UNREAD,
            ),
            pp.MessageStatusType(
                sent_time=datetime.datetime(2025, 1, 4, 8, 0),
                read_status=pp.ReadStatusType.UNREAD,
            ),
        ),
    )
    back = _round_trip(response)
    assert back == response
    assert [m.read_status for m in back.message] == [
        pp.ReadStatusType.READ, pp.ReadStatusType.UNREAD, pp.ReadStatusType.UNREAD,
    ]
    utc = datetime.datetime(2025, 1, 2, 18, 45, 30, tzinfo=datetime.UTC)
    assert back.message[0].read_time == utc
    assert back.message[1].read_time is None
    assert back.message[2].message_id is None
    assert back.message[2].sent_time.tzinfo is None


def test_add_message_response_round_trips() -> None:
    response = pp.AddMessageResponseType(
        message_thread_id="t-1",
        message_id="m-1",
        notification_sent=(
            pp.NotificationMethodType.SMS, pp.NotificationMethodType.EMAIL,
            pp.NotificationMethodType.OTHER,
        ),
        result_code=pp.ResultCodeEnum.INFO,
        result_text="Meddelandet lades i inkorgen; invånaren har inget konto & får brev.",
    )
    element = encode(response)
    assert [c.text for c in element.iter(f"{{{R_ADD}}}notificationSent")] == [
        "SMS", "Email", "Other",
    ]
    assert _round_trip(response) == response


def test_decoding_a_hand_written_response() -> None:
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<AddMessageResponse xmlns="{R_ADD}">
  <messageThreadId>t-9</messageThreadId>
  <notificationSent>Email</notificationSent>
  <resultCode>OK</resultCode>
  <resultText>Klart <!-- a comment -->och <![CDATA[<färdigt>]]></resultText>
</AddMessageResponse>""".encode()
    root = etree.fromstring(data)
    validate(root)
    response = decode(root, pp.AddMessageResponseType)
    assert response == pp.AddMessageResponseType(
        message_thread_id="t-9",
        notification_sent=(pp.NotificationMethodType.EMAIL,),
        result_code=pp.ResultCodeEnum.OK,
        result_text="Klart och <färdigt>",
    )


# --------------------------------------------------------------------------- wildcards


def test_unknown_trailing_elements_in_another_namespace_are_kept_and_re_encoded() -> None:
    data = f"""<r:AddMessageResponse xmlns:r="{R_ADD}">
  <r:resultCode>OK</r:resultCode>
  <x:deliveryInfo xmlns:x="{EXT}" x:level="2"><x:channel>SMS</x:channel>Åtta</x:deliveryInfo>
  <y:trace xmlns:y="urn:example:other">abc</y:trace>
</r:AddMessageResponse>""".encode()
    original = etree.fromstring(data)
    validate(original)
    response = decode(original, pp.AddMessageResponseType)
    assert response.result_code is pp.ResultCodeEnum.OK
    assert [etree.QName(e).text for e in response.any_elements] == [
        f"{{{EXT}}}deliveryInfo", "{urn:example:other}trace",
    ]
    again = encode(response)
    validate(again)
    kept = list(again)[-2:]
    assert [_c14n(e) for e in kept] == [_c14n(original[1]), _c14n(original[2])]
    # Re-encoding what was decoded is stable, in canonical form.
    assert _c14n(encode(decode(_wire(again), pp.AddMessageResponseType))) == _c14n(again)


def test_unknown_elements_in_nested_types_are_kept_too() -> None:
    element = encode(
        pp.GetMessageThreadStatusResponseType(
            message_thread_id="t",
            message=(
                pp.MessageStatusType(
                    sent_time=datetime.datetime(2025, 1, 1, 12, 0, tzinfo=datetime.UTC),
                    read_status=pp.ReadStatusType.UNREAD,
                    any_elements=(etree.fromstring(f'<e:hint xmlns:e="{EXT}">x</e:hint>'),),
                ),
            ),
        )
    )
    validate(element)
    back = decode(_wire(element), pp.GetMessageThreadStatusResponseType)
    (kept,) = back.message[0].any_elements
    assert kept.tag == f"{{{EXT}}}hint"
    assert kept.text == "x"


def test_unknown_element_in_the_types_own_namespace_is_refused_with_its_path() -> None:
    data = f"""<r:AddMessageResponse xmlns:r="{R_ADD}">
  <r:resultCode>OK</r:resultCode><r:surprise>1</r:surprise>
</r:AddMessageResponse>""".encode()
    with pytest.raises(BindingError) as info:
        decode(etree.fromstring(data), pp.AddMessageResponseType)
    assert info.value.path == "/AddMessageResponse/surprise"
    assert "unexpected element" in str(info.value)


def test_unknown_element_deep_inside_is_refused_with_the_full_path() -> None:
    element = encode(_full_add_message())
    unit = element.find(f"{{{R_ADD}}}message/{{{CORE}}}organisationUnit")
    assert unit is not None
    etree.SubElement(unit, f"{{{CORE}}}unitEmail").text = "a@b.se"
    with pytest.raises(BindingError) as info:
        decode(_wire(element), pp.AddMessageType)
    assert info.value.path == "/AddMessage/message/organisationUnit/unitEmail"


def test_element_inside_a_simple_value_is_refused() -> None:
    root = _doc("IsActiveUser", R_ACTIVE, "<r:subjectOfCareId>1<r:b/></r:subjectOfCareId>")
    with pytest.raises(BindingError) as info:
        decode(root, pp.IsActiveUserType)
    assert info.value.path == "/IsActiveUser/subjectOfCareId/b"


# --------------------------------------------------------------------------- refusing bad XML


def test_missing_required_element_is_named() -> None:
    root = _doc("AddMessageResponse", R_ADD, "<r:resultText>x</r:resultText>")
    with pytest.raises(BindingError) as info:
        decode(root, pp.AddMessageResponseType)
    assert info.value.path == "/AddMessageResponse"
    assert "resultCode" in str(info.value)


def test_missing_required_element_in_a_nested_type_is_named() -> None:
    data = f"""<r:GetMessageThreadStatusResponse xmlns:r="{R_THREAD}" xmlns:c="{CORE}">
  <r:messageThreadId>t</r:messageThreadId>
  <r:message><c:sentTime>2025-01-01T10:00:00Z</c:sentTime><c:readStatus>Read</c:readStatus></r:message>
  <r:message><c:readStatus>Unread</c:readStatus></r:message>
</r:GetMessageThreadStatusResponse>"""
    with pytest.raises(BindingError) as info:
        decode(etree.fromstring(data), pp.GetMessageThreadStatusResponseType)
    assert info.value.path == "/GetMessageThreadStatusResponse/message"
    assert "sentTime" in str(info.value)


def test_an_element_twice_where_one_is_allowed_is_refused() -> None:
    root = _doc("IsActiveUserResponse", R_ACTIVE, "<r:status>true</r:status>" * 2)
    with pytest.raises(BindingError) as info:
        decode(root, pp.IsActiveUserResponseType)
    assert info.value.path == "/IsActiveUserResponse/status"


def _thread_response(sent_time: str, read_status: str = "Read") -> etree._Element:
    return etree.fromstring(
        f"""<r:GetMessageThreadStatusResponse xmlns:r="{R_THREAD}" xmlns:c="{CORE}">
  <r:messageThreadId>t</r:messageThreadId>
  <r:message><c:sentTime>{sent_time}</c:sentTime><c:readStatus>{read_status}</c:readStatus></r:message>
</r:GetMessageThreadStatusResponse>"""
    )


@pytest.mark.parametrize("text", ["yes", "TRUE", "True", "2", ""])
def test_bad_boolean_is_refused_with_its_path(text: str) -> None:
    root = _doc("IsActiveUserResponse", R_ACTIVE, f"<r:status>{text}</r:status>")
    with pytest.raises(BindingError) as info:
        decode(root, pp.IsActiveUserResponseType)
    assert info.value.path == "/IsActiveUserResponse/status"
    assert "boolean" in str(info.value)


@pytest.mark.parametrize(("text", "value"), [("true", True), ("1", True), (" false\n", False),
                                             ("0", False)])
def test_every_lexical_boolean_is_read(text: str, value: bool) -> None:
    root = _doc("IsActiveUserResponse", R_ACTIVE, f"<r:status>{text}</r:status>")
    assert decode(root, pp.IsActiveUserResponseType).status is value


@pytest.mark.parametrize(
    "text",
    [
        "2025-13-01T10:00:00",
        "2025-02-30T10:00:00",
        "2025-01-01",
        "2025-01-01 10:00:00",
        "20250101T100000",
        "2025-01-01T10:00",
        "2025-01-01T10:00:00+1:00",
        "igår",
        "",
    ],
)
def test_bad_datetime_is_refused_with_its_path(text: str) -> None:
    with pytest.raises(BindingError) as info:
        decode(_thread_response(text), pp.GetMessageThreadStatusResponseType)
    assert info.value.path == "/GetMessageThreadStatusResponse/message/sentTime"
    assert "dateTime" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-01T10:00:00Z", datetime.datetime(2025, 1, 1, 10, tzinfo=datetime.UTC)),
        ("2025-01-01T10:00:00.25-05:30",
         datetime.datetime(2025, 1, 1, 10, 0, 0, 250000,
                           tzinfo=datetime.timezone(-datetime.timedelta(hours=5, minutes=30)))),
        (" 2025-01-01T10:00:00 ", datetime.datetime(2025, 1, 1, 10)),
        ("2024-12-31T24:00:00+01:00", datetime.datetime(2025, 1, 1, tzinfo=CET)),
    ],
)
def test_lexical_datetimes_are_read(text: str, expected: datetime.datetime) -> None:
    response = decode(_thread_response(text), pp.GetMessageThreadStatusResponseType)
    got = response.message[0].sent_time
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


def test_unknown_enum_value_is_refused_with_its_path() -> None:
    with pytest.raises(BindingError) as info:
        decode(_thread_response("2025-01-01T10:00:00Z", "Opened"),
               pp.GetMessageThreadStatusResponseType)
    assert info.value.path == "/GetMessageThreadStatusResponse/message/readStatus"
    assert "'Opened' is not one of Read, Unread" in str(info.value)
    root = _doc("AddMessageResponse", R_ADD, "<r:resultCode>ok</r:resultCode>")
    with pytest.raises(BindingError) as info:
        decode(root, pp.AddMessageResponseType)
    assert info.value.path == "/AddMessageResponse/resultCode"


@pytest.mark.parametrize("content", ["***", "QUJD=A", "QUJ", "é", "QUJD\x2eRA=="])
def test_bad_base64_is_refused_with_its_path(content: str) -> None:
    element = encode(_full_add_message())
    target = element.find(f"{{{R_ADD}}}message/{{{CORE}}}attachment/{{{CORE}}}content")
    assert target is not None
    target.text = content
    with pytest.raises(BindingError) as info:
        decode(_wire(element), pp.AddMessageType)
    assert info.value.path == "/AddMessage/message/attachment/content"
    assert "base64Binary" in str(info.value)


def test_base64_split_over_lines_is_read() -> None:
    element = encode(_full_add_message())
    target = element.find(f"{{{R_ADD}}}message/{{{CORE}}}attachment/{{{CORE}}}content")
    assert target is not None
    text = target.text or ""
    target.text = "\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\n"
    back = decode(_wire(element), pp.AddMessageType)
    assert back.message.attachment[0].content == bytes(range(256))


# --------------------------------------------------------------------------- control characters


def _full_objects() -> list[XmlObject]:
    """One object of every root type with every string field set."""
    sent = datetime.datetime(2025, 1, 2, 8, 0, tzinfo=CET)
    return [
        _full_add_message(),
        pp.AddMessageResponseType(
            message_thread_id="t", message_id="m", result_code=pp.ResultCodeEnum.INFO,
            result_text="info",
        ),
        pp.IsActiveUserType(subject_of_care_id=PNR),
        pp.GetMessageThreadStatusType(
            subject_of_care_id=PNR, message_thread_id="t", organisation_unit_id="SE1"
        ),
        pp.GetMessageThreadStatusResponseType(
            message_thread_id="t",
            message=(
                pp.MessageStatusType(
                    message_id="m1", sent_time=sent, read_status=pp.ReadStatusType.READ
                ),
            ),
        ),
    ]


def test_every_string_field_is_covered() -> None:
    paths = [
        path for obj in _full_objects() for path, _ in rp.string_fields(obj, type(obj).__name__)
    ]
    assert len(paths) == 24 + 3 + 1 + 3 + 2
    assert "AddMessageType.message.sso_link[1].text" in paths
    assert "GetMessageThreadStatusResponseType.message[0].message_id" in paths


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff",
                                 "\ud800"])
def test_control_characters_in_any_string_field_are_refused_naming_the_field(bad: str) -> None:
    for obj in _full_objects():
        for path, steps in rp.string_fields(obj, type(obj).__name__):
            broken = rp.replace_at(obj, steps, f"före{bad}efter")
            with pytest.raises(BindingError) as info:
                encode(broken)
            assert info.value.path == path
            assert "characters XML 1.0 does not allow" in str(info.value)


@pytest.mark.parametrize(
    "path",
    [
        "AddMessageType.message.message_text",
        "AddMessageType.message.organisation_unit.unit_name",
        "AddMessageType.message.sso_link[0].query_string",
    ],
)
def test_allowed_whitespace_and_specials_pass(path: str) -> None:
    request = _full_add_message()
    steps = dict(rp.string_fields(request, "AddMessageType"))[path]
    fine = rp.replace_at(request, steps, "a\tb\nc\rd \x7f \x85 \U0001f600 ]]> &amp; <x/>")
    assert _round_trip(fine) == fine


# --------------------------------------------------------------------------- time zones


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2025, 6, 1, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 6, 1, 9, 30, 15, tzinfo=CEST),
        datetime.datetime(2025, 12, 1, 23, 59, 59, 999999, tzinfo=CET),
        datetime.datetime(2025, 1, 1, 0, 0, tzinfo=datetime.timezone(
            -datetime.timedelta(hours=9, minutes=30))),
        datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=14))),
        datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone(-datetime.timedelta(hours=14))),
        datetime.datetime(1999, 12, 31, 23, 0, 0, 1),
    ],
)
def test_datetimes_round_trip_with_their_offset(moment: datetime.datetime) -> None:
    status = pp.MessageStatusType(
        sent_time=moment, read_status=pp.ReadStatusType.READ, read_time=moment
    )
    response = pp.GetMessageThreadStatusResponseType(message_thread_id="t", message=(status,))
    back = _round_trip(response).message[0]
    assert back.sent_time == moment
    assert back.sent_time.utcoffset() == moment.utcoffset()
    assert (back.sent_time.tzinfo is None) == (moment.tzinfo is None)
    assert back.sent_time.microsecond == moment.microsecond


@pytest.mark.parametrize(
    "offset",
    [datetime.timedelta(hours=15), datetime.timedelta(hours=1, seconds=30),
     -datetime.timedelta(hours=14, minutes=1)],
)
def test_offsets_xml_schema_cannot_carry_are_refused(offset: datetime.timedelta) -> None:
    moment = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone(offset))
    response = pp.GetMessageThreadStatusResponseType(
        message_thread_id="t",
        message=(pp.MessageStatusType(sent_time=moment, read_status=pp.ReadStatusType.READ),),
    )
    with pytest.raises(BindingError) as info:
        encode(response)
    assert info.value.path == "GetMessageThreadStatusResponseType.message[0].sent_time"


# --------------------------------------------------------------------------- element names


def test_a_class_that_is_no_root_needs_an_element_name() -> None:
    unit = pp.OrganisationUnitType(unit_id="SE1", unit_name="VC")
    with pytest.raises(BindingError, match="element="):
        encode(unit)
    element = encode(unit, f"{{{CORE}}}organisationUnit")
    assert decode(element, pp.OrganisationUnitType) == unit
