"""Kallelser end to end: the real InkorgClient against the simulator over mutual TLS.

Covers every message kind, a full thread (kallelse -> reminder -> update -> cancellation), read
status before and after the citizen reads (a POST to the inbox view, as its form does), the
reminder decision before and after reading, and every branch of the channel decision with
citizens set up in the simulator's store.
"""

from __future__ import annotations

import datetime
import http.client
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import html

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.client import InkorgClient
from inkorg_riv.errors import DuplicateMessageError, KallelseError, ValidationError
from inkorg_riv.kallelse import (
    Action,
    BookingConfirmation,
    BookingUpdate,
    CancellationNotice,
    CareUnit,
    Channel,
    FormLink,
    InboxMessage,
    OpenKallelse,
    ReadState,
    Reminder,
    ReminderPolicy,
    Thread,
    ThreadSender,
    TimedKallelse,
    VisitInformation,
    check_body,
    decide_channel,
    thread_status,
)
from inkorg_riv.settings import ClientSettings
from inkorg_riv.testing import SimulatorFixture
from inkorg_riv.validation.identity import check_digit

TOLVAN = "191212121212"
SOURCE = "EXEMPEL-BOKNING"
UNIT = CareUnit(
    hsa_id="SE2321000016-A1B2",
    name="Vårdcentralen Exempelby",
    phone="010-123 45 67",
    street_address="Storgatan 1",
    postal_code="111 22",
    city="Exempelby",
)
START = datetime.datetime(2026, 12, 14, 14, 0)
BOOKING: dict[str, Any] = {"booking_id": "BK-4711", "time_type_id": "HK30"}
DAY = datetime.timedelta(days=1)


def number(date: str, serial: str = "123") -> str:
    return f"{date}{serial}{check_digit(date[2:] + serial)}"


@pytest.fixture
def client(inkorg_simulator: SimulatorFixture) -> Iterator[InkorgClient]:
    """The real client, presenting the simulator's consumer certificate (PKCS#12)."""
    password = inkorg_simulator.password
    settings = ClientSettings(
        base_url=inkorg_simulator.url,
        logical_address=inkorg_simulator.logical_address,
        p12=inkorg_simulator.p12,
        password=lambda: password,
        ca=inkorg_simulator.ca_file,
    )
    inkorg_simulator.store.add_citizen(TOLVAN, notification_methods=("SMS", "Email"))
    with InkorgClient(settings) as made:
        yield made


@pytest.fixture
def sender(client: InkorgClient) -> ThreadSender:
    return ThreadSender(client, source_system=SOURCE)


def kallelse(**changes: Any) -> TimedKallelse:
    fields: dict[str, Any] = {
        "unit": UNIT,
        "purpose": "hälsokontroll",
        "start": START,
        "rebooking_allowed": True,
        "cancel_allowed": True,
        **BOOKING,
    }
    fields.update(changes)
    return TimedKallelse(**fields)


def every_kind() -> list[InboxMessage]:
    return [
        kallelse(),
        OpenKallelse(unit=UNIT, purpose="mammografi", **BOOKING),
        BookingUpdate(unit=UNIT, purpose="hälsokontroll", start=START + DAY, **BOOKING),
        BookingConfirmation(unit=UNIT, purpose="hälsokontroll", start=START, **BOOKING),
        CancellationNotice(unit=UNIT, purpose="hälsokontroll", start=START, booking_id="BK-4711"),
        VisitInformation(unit=UNIT, purpose="hälsokontroll", paragraphs=("Parkera på baksidan.",)),
        FormLink(
            unit=UNIT,
            purpose="hälsokontroll",
            form_name="hälsodeklarationen",
            system_id="SE2321000016-FORMS",
            query_string="form=hd1",
        ),
        Reminder.of(kallelse()),
    ]


# ---------------------------------------------------------------------- the inbox view


def _inbox_request(
    sim: SimulatorFixture, method: str, path: str
) -> tuple[int, dict[str, str], bytes]:
    context: ssl.SSLContext = sim.ssl_context()
    url = urlsplit(sim.url)
    connection = http.client.HTTPSConnection(url.hostname or "", url.port, context=context)
    try:
        connection.request(
            method, path, headers={"Content-Length": "0"} if method == "POST" else {}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def read_in_inbox(sim: SimulatorFixture, subject: str, message_id: str) -> None:
    """Open the citizen's inbox page and submit the message's "Markera som läst" form."""
    status, _, page = _inbox_request(sim, "GET", f"/inbox/{subject}")
    assert status == 200
    tree = html.fromstring(page)
    forms = tree.xpath(
        f'//article[@data-message-id="{message_id}"]//form[@data-testid="mark-read-form"]'
    )
    assert len(forms) == 1, f"no read form for {message_id}"
    assert forms[0].get("method") == "post"
    status, headers, _ = _inbox_request(sim, "POST", forms[0].get("action"))
    assert status == 303
    assert headers["Location"].startswith(f"/inbox/{subject}#m-")


# ---------------------------------------------------------------------- every kind


@pytest.mark.parametrize("message", every_kind(), ids=lambda m: type(m).__name__)
def test_every_kind_reaches_the_inbox(
    message: InboxMessage, sender: ThreadSender, inkorg_simulator: SimulatorFixture
) -> None:
    thread = Thread.for_episode(SOURCE, f"episode-{type(message).__name__}")
    sent = sender.send(message, TOLVAN, thread=thread, message_id="vs-1")
    assert sent.result_code is pp.ResultCodeEnum.OK
    assert sent.message_id == "vs-1"
    assert sent.kind is message.MESSAGE_TYPE
    assert sent.notification_sent == (
        pp.NotificationMethodType.SMS,
        pp.NotificationMethodType.EMAIL,
    )
    assert sent.correlation_id
    [stored] = inkorg_simulator.store.thread(TOLVAN, thread.id)
    assert stored.message_id == "vs-1"
    assert stored.message_type == message.MESSAGE_TYPE.value
    assert stored.description == message.title
    assert stored.unit_id == UNIT.hsa_id
    assert check_body(stored.body) == []
    expected_booking = message.booking()
    if expected_booking is None:
        assert stored.booking is None
    else:
        assert stored.booking is not None
        assert stored.booking.booking_id == expected_booking.booking_id
        assert stored.booking.time_type_id == expected_booking.time_type_id
        assert stored.booking.start_time == expected_booking.start_time
    assert [link.system_id for link in stored.sso_links] == [
        link.system_id for link in message.links()
    ]
    status, _, page = _inbox_request(inkorg_simulator, "GET", f"/inbox/{TOLVAN}")
    assert status == 200
    assert message.title in page.decode("utf-8")


# ---------------------------------------------------------------------- a full thread


def test_full_thread_kallelse_reminder_update_cancellation(
    sender: ThreadSender, client: InkorgClient, inkorg_simulator: SimulatorFixture
) -> None:
    thread = Thread.for_episode(SOURCE, "remiss-4711")
    first = kallelse()
    ids = [
        sender.start(first, TOLVAN, thread=thread, message_id="k-4711").message_id,
        sender.send(Reminder.of(first), TOLVAN, thread=thread).message_id,
        sender.send(
            BookingUpdate(
                unit=UNIT,
                purpose="hälsokontroll",
                start=START + DAY,
                previous_start=START,
                cancel_allowed=True,
                **BOOKING,
            ),
            TOLVAN,
            thread=thread,
            message_id="u-4711",
        ).message_id,
        sender.send(
            CancellationNotice(unit=UNIT, purpose="hälsokontroll", start=START + DAY, **BOOKING),
            TOLVAN,
            thread=thread,
        ).message_id,
    ]
    assert ids[0] == "k-4711"
    assert ids[1].startswith("paminnelse-")
    assert ids[2] == "u-4711"
    assert ids[3].startswith("avbokning-")

    raw = client.get_message_thread_status(TOLVAN, thread.id).response
    assert len(raw.message) == 4
    status = thread_status(client, TOLVAN, thread)
    assert status.thread == thread
    assert [m.message_id for m in status.messages] == ids  # the care system's ids, in order
    assert status.state is ReadState.NONE_READ
    assert [m.message_type for m in inkorg_simulator.store.thread(TOLVAN, thread.id)] == [
        "TimedInvitation",
        "Reminder",
        "BookingUpdate",
        "Cancellation",
    ]
    # One thread in the inbox view, four messages in it.
    _, _, page = _inbox_request(inkorg_simulator, "GET", f"/inbox/{TOLVAN}")
    tree = html.fromstring(page)
    [section] = tree.xpath(f'//section[@data-thread-id="{thread.id}"]')
    assert len(section.xpath('.//article[@data-testid="message"]')) == 4
    # Narrowed to the sending unit, and for another unit: empty.
    assert (
        len(thread_status(client, TOLVAN, thread, organisation_unit_id=UNIT.hsa_id).messages) == 4
    )
    other = thread_status(client, TOLVAN, thread.id, organisation_unit_id="SE2321000016-ZZZZ")
    assert other.state is ReadState.EMPTY


# ---------------------------------------------------------------------- read status and reminders


def test_read_status_and_reminder_decision_before_and_after_reading(
    sender: ThreadSender, client: InkorgClient, inkorg_simulator: SimulatorFixture
) -> None:
    policy = ReminderPolicy(remind_after=3 * DAY, max_reminders=1, paper_fallback_after=4 * DAY)
    thread = Thread.for_episode(SOURCE, "remiss-5000")
    letter = kallelse()
    sent = sender.start(letter, TOLVAN, thread=thread)

    before = thread_status(client, TOLVAN, thread)
    assert before.state is ReadState.NONE_READ
    [only] = before.messages
    assert (only.message_id, only.read, only.read_time) == (sent.message_id, False, None)
    assert only.sent_time.tzinfo is not None
    t0 = only.sent_time
    assert policy.decide(before, t0 + DAY).action is Action.WAIT
    due = policy.decide(before, t0 + 3 * DAY)
    assert due.action is Action.SEND_REMINDER
    assert due.letter_id == sent.message_id

    reminder = sender.send(Reminder.of(letter), TOLVAN, thread=thread)
    reminders = {reminder.message_id}
    after_reminder = thread_status(client, TOLVAN, thread)
    assert len(after_reminder.messages) == 2
    t1 = after_reminder.messages[1].sent_time
    waiting = policy.decide(after_reminder, t1 + DAY, reminder_ids=reminders)
    assert waiting.action is Action.WAIT
    assert waiting.at == t1 + 4 * DAY
    paper = policy.decide(after_reminder, t1 + 4 * DAY, reminder_ids=reminders)
    assert paper.action is Action.FALL_BACK_TO_PAPER

    # The citizen opens the reminder in the inbox.
    read_in_inbox(inkorg_simulator, TOLVAN, reminder.message_id)
    partly = thread_status(client, TOLVAN, thread)
    assert partly.state is ReadState.PARTLY_READ
    read_reminder = partly.message(reminder.message_id)
    assert read_reminder is not None
    assert read_reminder.read
    assert read_reminder.read_time is not None
    assert read_reminder.read_time >= t1
    assert partly.last_read_time == read_reminder.read_time
    done = policy.decide(partly, t1 + 10 * DAY, reminder_ids=reminders)
    assert done.action is Action.NOTHING
    assert "read a reminder" in done.reason

    # And then the kallelse itself: the whole thread is read.
    read_in_inbox(inkorg_simulator, TOLVAN, sent.message_id)
    everything = thread_status(client, TOLVAN, thread)
    assert everything.state is ReadState.ALL_READ
    assert policy.decide(everything, t1 + 10 * DAY, reminder_ids=reminders).action is (
        Action.NOTHING
    )


# ---------------------------------------------------------------------- sending details


def test_sender_keeps_ids_and_refuses_a_duplicate(
    sender: ThreadSender, inkorg_simulator: SimulatorFixture
) -> None:
    thread = Thread.new()
    sender.start(kallelse(), TOLVAN, thread=thread, message_id="VS-1")
    with pytest.raises(DuplicateMessageError):
        sender.send(kallelse(), TOLVAN, thread=thread, message_id="VS-1")
    assert [m.message_id for m in inkorg_simulator.store.thread(TOLVAN, thread.id)] == ["VS-1"]


def test_a_citizen_without_account_is_told_in_the_info_text(sender: ThreadSender) -> None:
    nobody = number("19800101")
    sent = sender.start(kallelse(), nobody)
    assert sent.delivered_with_info
    assert sent.info_text is not None
    assert "90 dagar" in sent.info_text
    assert sent.notification_sent == ()


def test_nothing_reaches_the_inbox_when_data_is_refused(
    sender: ThreadSender, inkorg_simulator: SimulatorFixture
) -> None:
    with pytest.raises(ValidationError):
        sender.start(kallelse(), "191212121213")  # wrong check digit
    with pytest.raises(KallelseError):
        ThreadSender(sender.sender, source_system=None).start(kallelse(), TOLVAN)
    assert inkorg_simulator.store.messages(TOLVAN) == []


# ---------------------------------------------------------------------- the channel decision


CHILD = number("20150310")


@pytest.mark.parametrize(
    ("subject", "citizen", "kwargs", "channel"),
    [
        (
            TOLVAN,
            {"notification_methods": ("SMS",), "paper_opt_out": False},
            {},
            "DIGITAL_AND_PAPER",
        ),
        (TOLVAN, {"notification_methods": ("SMS", "Email"), "paper_opt_out": True}, {}, "DIGITAL"),
        (TOLVAN, {"notification_methods": (), "paper_opt_out": True}, {}, "DIGITAL_AND_PAPER"),
        (TOLVAN, {"has_account": False}, {}, "PAPER_ONLY"),
        (number("19800101"), None, {}, "PAPER_ONLY"),  # unknown to 1177
        (number("19121272"), {"has_account": False}, {}, "PAPER_ONLY"),  # samordningsnummer
        ("19121212T123", {"has_account": False}, {}, "PAPER_ONLY"),  # reserve number
        (
            CHILD,
            {"paper_opt_out": True},
            {"today": datetime.date(2026, 11, 25)},
            "DIGITAL_AND_PAPER",
        ),
        (TOLVAN, {"paper_opt_out": True}, {"needs_interpreter": True}, "DIGITAL_AND_PAPER"),
    ],
    ids=[
        "active-no-opt-out",
        "active-opted-out",
        "no-notification",
        "no-account",
        "unknown-citizen",
        "samordningsnummer",
        "reserve-number",
        "minor",
        "interpreter",
    ],
)
def test_channel_decision_with_citizens_in_the_simulator(
    subject: str,
    citizen: dict[str, Any] | None,
    kwargs: dict[str, Any],
    channel: str,
    client: InkorgClient,
    inkorg_simulator: SimulatorFixture,
) -> None:
    if citizen is not None:
        inkorg_simulator.store.add_citizen(subject, **citizen)
    decision = decide_channel(subject, activity=client, **kwargs)
    assert decision.channel is Channel[channel]
    assert decision.reasons
    if decision.channel is not Channel.PAPER_ONLY:
        assert decision.activity is not None
        assert decision.activity.status is True
    if "minor" in " ".join(decision.reasons):
        assert decision.paper_to_guardians
