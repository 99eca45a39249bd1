"""The message-kind builders: what each makes (schema-valid, Swedish texts), what each refuses."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inkorg_riv import codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.errors import KallelseError, LocalError, Outcome, ValidationError
from inkorg_riv.kallelse import (
    STOCKHOLM,
    BodyError,
    BookingConfirmation,
    BookingUpdate,
    CancellationNotice,
    CareUnit,
    FormLink,
    FormTiming,
    InboxMessage,
    OpenKallelse,
    Para,
    Reminder,
    Section,
    Thread,
    TimedKallelse,
    VisitInformation,
    check_body,
    kallelse_validator,
)

TOLVAN = "191212121212"
UNIT = CareUnit(
    hsa_id="SE2321000016-A1B2",
    name="Vårdcentralen Exempelby",
    phone="010-123 45 67",
    phone_hours="vardagar 8-16",
    street_address="Storgatan 1",
    postal_code="111 22",
    city="Exempelby",
)
START = datetime.datetime(2026, 12, 14, 14, 0)  # naive: Swedish time
THREAD = Thread.for_episode("EXEMPEL-BOKNING", "remiss-4711")
BOOKING: dict[str, Any] = {"booking_id": "BK-4711", "time_type_id": "HK30"}


def timed(**changes: Any) -> TimedKallelse:
    fields: dict[str, Any] = {
        "unit": UNIT,
        "purpose": "hälsokontroll",
        "start": START,
        "rebooking_allowed": True,
        "cancel_allowed": True,
        "duration": datetime.timedelta(minutes=30),
        "bring": ("legitimation",),
        "preparations": ("Fasta från midnatt.",),
        **BOOKING,
    }
    fields.update(changes)
    return TimedKallelse(**fields)


def every_kind() -> list[InboxMessage]:
    return [
        timed(),
        OpenKallelse(
            unit=UNIT, purpose="mammografi", book_before=datetime.date(2027, 1, 31), **BOOKING
        ),
        BookingUpdate(
            unit=UNIT,
            purpose="hälsokontroll",
            start=START + datetime.timedelta(days=1),
            previous_start=START,
            reason="Läkaren är sjuk.",
            rebooking_allowed=True,
            **BOOKING,
        ),
        BookingConfirmation(unit=UNIT, purpose="hälsokontroll", start=START, **BOOKING),
        CancellationNotice(
            unit=UNIT, purpose="hälsokontroll", start=START, new_booking_allowed=True, **BOOKING
        ),
        VisitInformation(
            unit=UNIT,
            purpose="hälsokontroll",
            paragraphs=("Parkera på baksidan.", "Hissen är till vänster."),
            visit_start=START,
        ),
        FormLink(
            unit=UNIT,
            purpose="hälsokontroll",
            form_name="hälsodeklarationen",
            system_id="SE2321000016-FORMS",
            query_string="form=hd1",
        ),
        Reminder.of(timed()),
    ]


def request_of(message: InboxMessage, **kwargs: Any) -> pp.AddMessageType:
    kwargs.setdefault("source_system", "EXEMPEL-BOKNING")
    return message.to_request(TOLVAN, thread=THREAD, **kwargs)


# ---------------------------------------------------------------------- what each kind produces


@pytest.mark.parametrize("message", every_kind(), ids=lambda m: type(m).__name__)
def test_every_kind_makes_a_schema_and_rule_valid_request(message: InboxMessage) -> None:
    request = request_of(message, message_id="msg-1")
    assert kallelse_validator().is_valid(codec.encode(request), "AddMessage")
    assert request.message.message_type is message.MESSAGE_TYPE
    assert request.message.message_thread_id == THREAD.id
    assert request.message.message_id == "msg-1"
    assert request.message.organisation_unit == UNIT.to_binding()
    assert request.notify is True
    assert request.source_system == "EXEMPEL-BOKNING"
    assert request.message.message_description == message.title
    assert check_body(request.message.message_text) == []
    body = request.message.message_text
    assert f"<title>{message.title}</title>" in body
    assert "Frågor och kontakt" in body  # whom to contact, in every message
    assert "010-123 45 67 (vardagar 8-16)" in body


def test_timed_kallelse_booking_buttons_and_swedish_text() -> None:
    request = request_of(timed())
    booking = request.message.booking
    assert booking is not None
    assert booking.booking_id == "BK-4711"
    assert booking.time_type_id == "HK30"
    assert booking.is_invitation is True
    assert booking.is_open_invitation is None
    assert booking.rebooking_allowed is True
    assert booking.cancel_booking_allowed is True
    assert booking.care_unit_id == UNIT.hsa_id
    assert booking.start_time == START.replace(tzinfo=STOCKHOLM)
    assert booking.start_time is not None
    assert booking.start_time.utcoffset() == datetime.timedelta(hours=1)  # CET in December
    assert request.message.message_description == "Kallelse till hälsokontroll"
    body = request.message.message_text
    assert "måndag 14 december 2026 kl. 14:00" in body
    assert "ungefär 30 minuter" in body
    assert "Storgatan 1, 111 22 Exempelby" in body
    assert "<term>Ta med</term><listitem>legitimation</listitem>" in body
    assert "<section><title>Förberedelser</title><para>Fasta från midnatt.</para>" in body
    assert "Du kan boka om eller avboka din tid via knapparna nedan." in body


@pytest.mark.parametrize(
    ("rebook", "cancel", "text"),
    [
        (True, False, "Du kan boka om din tid via knappen nedan."),
        (False, True, "Du kan avboka din tid via knappen nedan."),
        (False, False, "Om du inte kan komma, kontakta oss så snart som möjligt."),
    ],
)
def test_button_text_follows_what_the_clinic_allows(rebook: bool, cancel: bool, text: str) -> None:
    request = request_of(timed(rebooking_allowed=rebook, cancel_allowed=cancel))
    assert text in request.message.message_text
    booking = request.message.booking
    assert booking is not None
    assert (booking.rebooking_allowed, booking.cancel_booking_allowed) == (rebook, cancel)


def test_an_aware_start_is_kept_and_shown_in_swedish_time() -> None:
    utc = datetime.datetime(2026, 7, 1, 7, 30, tzinfo=datetime.UTC)
    request = request_of(timed(start=utc))
    assert request.message.booking is not None
    assert request.message.booking.start_time == utc
    assert "onsdag 1 juli 2026 kl. 09:30" in request.message.message_text  # CEST


def test_open_kallelse_offers_book_a_new_time() -> None:
    message = OpenKallelse(unit=UNIT, purpose="mammografi", **BOOKING)
    request = request_of(message)
    booking = request.message.booking
    assert booking is not None
    assert (booking.is_invitation, booking.is_open_invitation, booking.new_booking_allowed) == (
        True,
        True,
        True,
    )
    assert booking.start_time is None
    assert request.message.message_type is pp.MessageTypeType.OPEN_INVITATION
    assert "knappen ”Boka ny tid”" in request.message.message_text


def test_open_kallelse_without_the_button_asks_to_call() -> None:
    message = OpenKallelse(
        unit=UNIT, purpose="mammografi", booking_id="B-1", new_booking_allowed=False
    )
    request = request_of(message)
    assert request.message.booking is not None
    assert request.message.booking.new_booking_allowed is None
    assert "Ring oss för att boka" in request.message.message_text


def test_update_confirmation_cancellation_texts() -> None:
    update, confirmation, cancellation = every_kind()[2:5]
    text = request_of(update).message.message_text
    assert "<term>Ny tid</term><listitem>tisdag 15 december 2026 kl. 14:00" in text
    assert "Den tidigare tiden, måndag 14 december 2026 kl. 14:00, gäller inte längre." in text
    assert "Läkaren är sjuk." in text
    confirmed = request_of(confirmation)
    assert confirmed.message.booking is not None
    assert confirmed.message.booking.is_invitation is False
    cancelled = request_of(cancellation)
    assert "kl. 14:00, är avbokad" in cancelled.message.message_text
    assert cancelled.message.booking is not None
    assert cancelled.message.booking.new_booking_allowed is True
    assert cancelled.message.booking.rebooking_allowed is False


def test_form_link_is_a_single_sign_on_link() -> None:
    message = FormLink(
        unit=UNIT,
        purpose="knäoperation",
        form_name="PROM-enkäten",
        system_id="SE2321000016-PROM",
        timing=FormTiming.AFTER_VISIT,
        fill_in_by=datetime.date(2027, 2, 1),
        link_type=pp.SSOLinkTargetType.EMBEDDED,
    )
    request = request_of(message)
    assert request.message.sso_link == (
        pp.SSOLinkType(
            system_id="SE2321000016-PROM",
            text="Fyll i formuläret",
            type=pp.SSOLinkTargetType.EMBEDDED,
        ),
    )
    assert request.message.booking is None
    assert request.message.message_description == "Formulär efter knäoperation"
    assert "senast måndag 1 februari 2027" in request.message.message_text


def test_reminder_of_a_kallelse_carries_its_time_and_buttons() -> None:
    reminder = Reminder.of(timed(), heading="Glöm inte din tid")
    request = request_of(reminder)
    booking = request.message.booking
    assert booking is not None
    assert booking.booking_id == "BK-4711"
    assert booking.rebooking_allowed
    assert booking.cancel_booking_allowed
    assert request.message.message_type is pp.MessageTypeType.REMINDER
    assert request.message.message_description == "Glöm inte din tid"
    assert "Vi vill påminna dig om din tid för hälsokontroll" in request.message.message_text


def test_reminder_of_an_open_kallelse_and_of_information() -> None:
    open_one = OpenKallelse(unit=UNIT, purpose="mammografi", **BOOKING)
    booking = request_of(Reminder.of(open_one)).message.booking
    assert booking is not None
    assert booking.is_open_invitation is True
    assert booking.new_booking_allowed is True
    info = every_kind()[5]
    plain = request_of(Reminder.of(info))
    assert plain.message.booking is None
    assert "Vi vill påminna dig om meddelandet om hälsokontroll" in plain.message.message_text


def test_generated_and_given_message_ids() -> None:
    generated = request_of(timed()).message.message_id
    assert generated is not None
    assert generated.startswith("kallelse-")
    assert generated != request_of(timed()).message.message_id
    assert request_of(Reminder.of(timed())).message.message_id.startswith("paminnelse-")  # type: ignore[union-attr]
    assert request_of(timed(), message_id="VS-88-1").message.message_id == "VS-88-1"


def test_heading_and_extra_blocks() -> None:
    extra = (Section("Parkering", [Para("Parkera på baksidan.")]),)
    message = timed(heading="Välkommen till hälsokontrollen", extra=extra)
    body = request_of(message).message.message_text
    assert "<title>Välkommen till hälsokontrollen</title>" in body
    assert body.index("Parkering") < body.index("Frågor och kontakt")


def test_notify_false_needs_no_source_system() -> None:
    request = timed().to_request(TOLVAN, thread=THREAD, notify=False)
    assert request.notify is False
    assert request.source_system is None


def test_builders_are_immutable() -> None:
    message = timed()
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.purpose = "annat"  # type: ignore[misc]
    assert isinstance(message.bring, tuple)


# ---------------------------------------------------------------------- refusals


def refused(field: str) -> Any:
    return pytest.raises(KallelseError, match="^" + re.escape(field) + ": ")


def test_kallelse_error_is_local_and_not_sent() -> None:
    with pytest.raises(LocalError) as info:
        timed(start=None)
    assert isinstance(info.value, KallelseError)
    assert info.value.outcome is Outcome.NOT_SENT
    assert info.value.field == "start"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": None}, "start"),
        ({"start": "2026-12-14 14:00"}, "start"),
        ({"time_type_id": None}, "time_type_id"),
        ({"booking_id": None}, "booking_id"),
        ({"booking_id": "  "}, "booking_id"),
        ({"purpose": ""}, "purpose"),
        ({"bring": "legitimation"}, "bring"),
        ({"bring": ("",)}, "bring[0]"),
        ({"care_unit_id": "not-an-hsa-id"}, "care_unit_id"),
        ({"heading": " "}, "heading"),
        ({"preparations": ("ok", "")}, "preparations[1]"),
    ],
)
def test_timed_kallelse_refuses_missing_data(changes: dict[str, Any], field: str) -> None:
    with refused(field):
        timed(**changes)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: OpenKallelse(unit=UNIT, purpose="x", booking_id="B-1"), "time_type_id"),
        (
            lambda: BookingUpdate(unit=UNIT, purpose="x", start=None, **BOOKING),  # type: ignore[arg-type]
            "start",
        ),
        (
            lambda: BookingConfirmation(
                unit=UNIT, purpose="x", start=START, booking_id="B-1", cancel_allowed=True
            ),
            "time_type_id",
        ),
        (
            lambda: CancellationNotice(unit=UNIT, purpose="x", rebooking_allowed=True, **BOOKING),
            "rebooking_allowed",
        ),
        (
            lambda: CancellationNotice(
                unit=UNIT, purpose="x", booking_id="B-1", new_booking_allowed=True
            ),
            "time_type_id",
        ),
        (
            lambda: FormLink(unit=UNIT, purpose="x", form_name="enkäten", system_id=""),
            "system_id",
        ),
        (
            lambda: FormLink(unit=UNIT, purpose="x", form_name="enkäten", system_id=None),  # type: ignore[arg-type]
            "system_id",
        ),
        (lambda: VisitInformation(unit=UNIT, purpose="x", paragraphs=()), "paragraphs"),
        (lambda: VisitInformation(unit=UNIT, purpose="x", paragraphs="text"), "paragraphs"),
        (lambda: Reminder(unit=UNIT, purpose="x", cancel_allowed=True), "booking_id"),
        (
            lambda: Reminder(unit=UNIT, purpose="x", booking_id="B-1", cancel_allowed=True),
            "time_type_id",
        ),
        (lambda: Reminder(unit="VC", purpose="x"), "unit"),  # type: ignore[arg-type]
    ],
)
def test_each_kind_refuses_missing_data(make: Any, field: str) -> None:
    with refused(field):
        make()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hsa_id": "SE2321000016"}, "unit.hsa_id"),
        ({"hsa_id": "vårdcentralen"}, "unit.hsa_id"),
        ({"name": " "}, "unit.name"),
        ({"phone": None, "street_address": None}, "unit.phone"),
        ({"phone": ""}, "unit.phone"),
    ],
)
def test_care_unit_must_be_named_and_reachable(changes: dict[str, Any], field: str) -> None:
    fields: dict[str, Any] = {"hsa_id": "SE2321000016-A1B2", "name": "VC", "phone": "010-1"}
    fields.update(changes)
    with refused(field):
        CareUnit(**fields)


def test_care_unit_with_only_an_address_is_enough() -> None:
    unit = CareUnit(hsa_id="SE2321000016-A1B2", name="VC", street_address="Storgatan 1")
    assert unit.address == "Storgatan 1"
    body = request_of(VisitInformation(unit=unit, purpose="x", paragraphs=("y",))).message
    assert "Telefon" not in body.message_text


def test_to_request_refuses_before_anything_is_sent() -> None:
    with refused("source_system"):
        timed().to_request(TOLVAN, thread=THREAD)
    with refused("source_system"):
        timed().to_request(TOLVAN, thread=THREAD, source_system=" ")
    with refused("message_id"):
        request_of(timed(), message_id="has space")
    with refused("message_id"):
        request_of(timed(), message_id="x" * 129)
    with refused("thread"):
        timed().to_request(TOLVAN, thread="t-1", source_system="S")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        timed().to_request("191212121213", thread=THREAD, source_system="S")
    assert [i.rule for i in info.value.issues] == ["identity-number"]
    assert "191212121213" not in str(info.value)


def test_text_the_body_cannot_hold_is_refused_when_the_builder_is_made() -> None:
    with pytest.raises(BodyError):
        timed(purpose="hälso\x00kontroll")


# ---------------------------------------------------------------------- any text


_XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=40, deadline=None)
@given(purpose=_XML_TEXT, place=_XML_TEXT, bring=st.lists(_XML_TEXT, max_size=3))
def test_any_text_gives_a_valid_request_that_keeps_the_text(
    purpose: str, place: str, bring: list[str]
) -> None:
    message = timed(purpose=purpose, location=place, bring=tuple(bring))
    request = request_of(message)
    assert kallelse_validator().is_valid(codec.encode(request), "AddMessage")
    decoded = codec.decode(codec.encode(request), pp.AddMessageType)
    assert decoded.message.message_text == message.body().to_docbook()
    assert decoded.message.message_description == f"Kallelse till {purpose}"
