"""The simulated 1177 Inkorg producer and its SQLite store (inkorg_riv.simulator.producer/store).

Requests are built from the generated bindings with the codec, as a client would; every
response is checked against the bundled schemas.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from pathlib import Path

import pytest
from lxml import etree

from inkorg_riv import codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._runtime import XmlObject
from inkorg_riv.contracts import Operation, bundled_package
from inkorg_riv.simulator.producer import (
    TEXT_DUPLICATE,
    TEXT_INVALID_ID,
    TEXT_NO_SOURCE_SYSTEM,
    TEXT_NO_TIME_TYPE,
    TEXT_QUEUED,
    InboxProducer,
    ProducerFault,
)
from inkorg_riv.simulator.store import (
    QUEUE_DAYS,
    DuplicateMessageError,
    InboxStore,
    StoredAttachment,
    StoredBooking,
    StoredLink,
)
from inkorg_riv.validation import Validator

TOLVAN = "191212121212"  # Skatteverket's test personnummer
NO_ACCOUNT = "199001012385"
UNKNOWN = "200002291235"
SAMORDNING = "197010632326"  # day 03 + 60
RESERVE = "19701003T232"
BAD_CHECK = "191212121213"
UNIT = "SE2321000016-1234"
OTHER_UNIT = "SE2321000016-9999"
T0 = datetime.datetime(2026, 12, 14, 13, 0, tzinfo=datetime.UTC)
BODY = "<article><para>Välkommen till vårdcentralen.</para></article>"


class Clock:
    """A settable clock for tests."""

    def __init__(self, now: datetime.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


@pytest.fixture(scope="module")
def ops() -> dict[str, Operation]:
    package = bundled_package()
    return {
        name: package.operation(name)
        for name in ("AddMessage", "IsActiveUser", "GetMessageThreadStatus")
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> InboxStore:
    inbox = InboxStore(clock=clock)
    inbox.add_citizen(TOLVAN, notification_methods=("SMS", "Email"), paper_opt_out=True)
    inbox.add_citizen(NO_ACCOUNT, has_account=False, notification_methods=())
    inbox.add_citizen(SAMORDNING, has_account=False)
    return inbox


@pytest.fixture
def producer(store: InboxStore) -> InboxProducer:
    return InboxProducer(store)


def message(**overrides: object) -> pp.MessageType:
    fields: dict[str, object] = {
        "organisation_unit": pp.OrganisationUnitType(
            unit_id=UNIT, unit_name="Vårdcentralen Tolvan", unit_telephone="0771-11 22 33"
        ),
        "message_thread_id": "thread-1",
        "message_id": "msg-1",
        "message_type": pp.MessageTypeType.TIMED_INVITATION,
        "message_description": "Kallelse till provtagning",
        "message_text": BODY,
    }
    fields.update(overrides)
    return pp.MessageType(**fields)  # type: ignore[arg-type]  # test helper: fields vary per test


class Call:
    """Send typed requests through the producer and return typed, schema-valid responses."""

    def __init__(self, producer: InboxProducer, ops: dict[str, Operation], v: Validator) -> None:
        self.producer, self.ops, self.validator = producer, ops, v

    def _send(self, name: str, request: XmlObject) -> etree._Element:
        element = codec.encode(request)
        response = self.producer.handle(self.ops[name], element)
        assert response.tag == self.ops[name].response_element
        self.validator.validate(response)
        return response

    def add(
        self,
        subject: str = TOLVAN,
        *,
        notify: bool | None = True,
        source: str | None = "SYS",
        **msg: object,
    ) -> pp.AddMessageResponseType:
        request = pp.AddMessageType(
            subject_of_care_id=subject, message=message(**msg), notify=notify, source_system=source
        )
        return codec.decode(self._send("AddMessage", request), pp.AddMessageResponseType)

    def active(self, subject: str) -> pp.IsActiveUserResponseType:
        request = pp.IsActiveUserType(subject_of_care_id=subject)
        return codec.decode(self._send("IsActiveUser", request), pp.IsActiveUserResponseType)

    def status(
        self, subject: str, thread: str, unit: str | None = None
    ) -> pp.GetMessageThreadStatusResponseType:
        request = pp.GetMessageThreadStatusType(
            subject_of_care_id=subject, message_thread_id=thread, organisation_unit_id=unit
        )
        return codec.decode(
            self._send("GetMessageThreadStatus", request), pp.GetMessageThreadStatusResponseType
        )


@pytest.fixture
def call(producer: InboxProducer, ops: dict[str, Operation], validator: Validator) -> Call:
    return Call(producer, ops, validator)


# ---------------------------------------------------------------------------- store


def test_store_citizens_upsert_and_refusals() -> None:
    store = InboxStore()
    assert store.citizen(TOLVAN) is None
    store.add_citizen(TOLVAN)
    first = store.citizen(TOLVAN)
    assert first is not None
    assert first.has_account
    assert first.notification_methods == ("SMS",)
    store.add_citizen(TOLVAN, has_account=False, notification_methods=(), paper_opt_out=True)
    second = store.citizen(TOLVAN)
    assert second is not None
    assert (second.has_account, second.notification_methods, second.paper_opt_out) == (
        False,
        (),
        True,
    )
    with pytest.raises(ValueError, match="samordningsnummer cannot have a 1177 account"):
        store.add_citizen(SAMORDNING)
    with pytest.raises(ValueError, match="reserve cannot have a 1177 account"):
        store.add_citizen(RESERVE, has_account=True)
    store.add_citizen(RESERVE, has_account=False)
    with pytest.raises(ValueError, match="check digit"):
        store.add_citizen(BAD_CHECK)
    with pytest.raises(ValueError, match="unknown notification methods"):
        store.add_citizen(TOLVAN, notification_methods=("Pigeon",))


def test_store_refuses_naive_clock() -> None:
    store = InboxStore(clock=lambda: datetime.datetime(2026, 1, 1))  # naive on purpose
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_message(TOLVAN, unit_id=UNIT, unit_name="U", body=BODY)


def test_store_file_persists_across_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "inbox.sqlite")
    clock = Clock()
    with InboxStore(path, clock=clock) as store:
        store.add_citizen(TOLVAN, notification_methods=("Email",))
        stored = store.add_message(
            TOLVAN,
            unit_id=UNIT,
            unit_name="Vårdcentralen",
            body=BODY,
            thread_id="t",
            message_id="m",
            description="Rubrik",
            unit_contact=("0771-11 22 33",),
            booking=StoredBooking(
                booking_id="b1",
                is_invitation=True,
                rebooking_allowed=True,
                start_time=T0 + datetime.timedelta(days=3),
            ),
            sso_links=(StoredLink(system_id="s", text="Till tjänsten", type="NewTarget"),),
            attachments=(StoredAttachment(file_name="a.pdf", mime_type="application/pdf", size=3),),
            notified=("Email",),
        )
        clock.advance(minutes=5)
        assert store.mark_read(TOLVAN, stored.key)
    with InboxStore(path, clock=clock) as again:
        citizen = again.citizen(TOLVAN)
        assert citizen is not None
        assert citizen.notification_methods == ("Email",)
        [loaded] = again.messages(TOLVAN)
    assert loaded == dataclasses.replace(stored, read_at=T0 + datetime.timedelta(minutes=5))
    assert loaded.booking is not None
    assert loaded.booking.start_time == T0 + datetime.timedelta(days=3)
    assert loaded.expires_at is None


def test_store_mark_read_keeps_first_time_and_unknown_key(clock: Clock) -> None:
    store = InboxStore(clock=clock)
    stored = store.add_message(TOLVAN, unit_id=UNIT, unit_name="U", body=BODY)
    assert not store.mark_read(TOLVAN, "no-such-key")
    assert not store.mark_read(NO_ACCOUNT, stored.key)  # another citizen's key
    assert store.mark_read(TOLVAN, stored.key)
    clock.advance(hours=1)
    assert store.mark_read(TOLVAN, stored.key)
    assert store.messages(TOLVAN)[0].read_at == T0


def test_store_is_thread_safe() -> None:
    store = InboxStore()
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for index in range(20):
                store.add_message(
                    TOLVAN,
                    unit_id=UNIT,
                    unit_name="U",
                    body=BODY,
                    thread_id=f"t{worker}",
                    message_id=str(index),
                )
                store.thread(TOLVAN, f"t{worker}")
        except BaseException as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.messages(TOLVAN)) == 160


def test_store_duplicate_raises(store: InboxStore) -> None:
    first = store.add_message(
        TOLVAN, unit_id=UNIT, unit_name="U", body=BODY, thread_id="t", message_id="m"
    )
    with pytest.raises(DuplicateMessageError) as caught:
        store.add_message(
            TOLVAN, unit_id=UNIT, unit_name="U", body="x", thread_id="t", message_id="m"
        )
    assert caught.value.existing == first


# ---------------------------------------------------------------------------- AddMessage


def test_add_message_ok_notifies_with_the_citizens_methods(call: Call, store: InboxStore) -> None:
    response = call.add()
    assert response.result_code is pp.ResultCodeEnum.OK
    assert response.result_text is None
    assert response.message_thread_id == "thread-1"
    assert response.message_id == "msg-1"
    assert response.notification_sent == (
        pp.NotificationMethodType.SMS,
        pp.NotificationMethodType.EMAIL,
    )
    [stored] = store.messages(TOLVAN)
    assert stored.sent_at == T0
    assert stored.expires_at is None
    assert stored.unit_contact == ("0771-11 22 33",)
    assert stored.message_type == "TimedInvitation"
    assert stored.notified == ("SMS", "Email")


def test_add_message_generates_thread_and_message_ids(call: Call) -> None:
    first = call.add(message_thread_id=None, message_id=None)
    second = call.add(message_thread_id=None, message_id=None)
    assert first.result_code is pp.ResultCodeEnum.OK
    assert first.message_thread_id
    assert first.message_id
    assert first.message_thread_id != second.message_thread_id
    assert first.message_id != second.message_id


def test_add_message_without_notify_sends_no_notification(call: Call) -> None:
    response = call.add(notify=None)
    assert response.result_code is pp.ResultCodeEnum.OK
    assert response.notification_sent == ()


def test_notify_without_source_system_is_info(call: Call) -> None:
    response = call.add(source=None)
    assert response.result_code is pp.ResultCodeEnum.INFO
    assert response.result_text == TEXT_NO_SOURCE_SYSTEM
    assert response.notification_sent == ()


@pytest.mark.parametrize("subject", [NO_ACCOUNT, UNKNOWN, SAMORDNING, RESERVE])
def test_citizen_without_account_gets_info_and_the_90_day_queue(
    call: Call, store: InboxStore, subject: str
) -> None:
    response = call.add(subject)
    assert response.result_code is pp.ResultCodeEnum.INFO
    assert response.result_text is not None
    assert response.result_text.startswith(TEXT_QUEUED)
    assert "90 dagar (till 2027-03-14)" in response.result_text
    assert response.notification_sent == ()
    [stored] = store.messages(subject)
    assert stored.expires_at == T0 + datetime.timedelta(days=QUEUE_DAYS)


def test_invalid_identity_number_is_error_and_not_stored(call: Call, store: InboxStore) -> None:
    response = call.add(BAD_CHECK)
    assert response.result_code is pp.ResultCodeEnum.ERROR
    assert response.result_text is not None
    assert response.result_text.startswith(TEXT_INVALID_ID)
    assert BAD_CHECK not in response.result_text
    assert store.messages(BAD_CHECK) == []


def test_duplicate_message_id_is_error_naming_the_existing_message(
    call: Call, store: InboxStore, clock: Clock
) -> None:
    assert call.add().result_code is pp.ResultCodeEnum.OK
    clock.advance(seconds=30)
    again = call.add(message_text="<article><para>Igen</para></article>")
    assert again.result_code is pp.ResultCodeEnum.ERROR
    assert again.result_text is not None
    assert again.result_text.startswith(f"{TEXT_DUPLICATE} 'msg-1'")
    assert (again.message_thread_id, again.message_id) == ("thread-1", "msg-1")
    assert again.notification_sent == ()
    assert [m.body for m in store.messages(TOLVAN)] == [BODY]
    # The same messageId is fine in another thread, or from another unit.
    assert call.add(message_thread_id="thread-2").result_code is pp.ResultCodeEnum.OK
    other = pp.OrganisationUnitType(unit_id=OTHER_UNIT, unit_name="Annan")
    assert call.add(organisation_unit=other).result_code is pp.ResultCodeEnum.OK
    assert len(store.messages(TOLVAN)) == 3


def test_booking_buttons_need_a_time_type(call: Call, store: InboxStore) -> None:
    booking = pp.BookingType(booking_id="b-1", is_invitation=True, rebooking_allowed=True)
    refused = call.add(booking=booking)
    assert refused.result_code is pp.ResultCodeEnum.ERROR
    assert refused.result_text is not None
    assert refused.result_text.startswith(TEXT_NO_TIME_TYPE)
    assert store.messages(TOLVAN) == []
    plain = pp.BookingType(booking_id="b-1", is_invitation=False)  # no buttons: fine
    assert call.add(booking=plain, message_id="m2").result_code is pp.ResultCodeEnum.OK
    start = datetime.datetime(2027, 1, 5, 9, 30)  # no offset: Swedish time
    full = dataclasses.replace(booking, time_type_id="TT1", start_time=start)
    assert call.add(booking=full, message_id="m3").result_code is pp.ResultCodeEnum.OK
    stored = store.messages(TOLVAN)[-1].booking
    assert stored is not None
    assert stored.start_time == datetime.datetime(2027, 1, 5, 8, 30, tzinfo=datetime.UTC)


def test_body_outside_the_docbook_subset_is_accepted(call: Call) -> None:
    # 1177 accepts it and shows its "Mismatched Element" text; the view renders that.
    response = call.add(message_text="<article><table/></article>")
    assert response.result_code is pp.ResultCodeEnum.OK


def test_attachments_and_links_keep_names_and_sizes(call: Call, store: InboxStore) -> None:
    response = call.add(
        attachment=(
            pp.AttachmentType(
                file_name="kallelse.pdf", mime_type="application/pdf", content=b"%PDF-1.7 ..."
            ),
        ),
        sso_link=(
            pp.SSOLinkType(
                system_id="SYS",
                text="Fyll i formulär",
                type=pp.SSOLinkTargetType.NEW_TARGET,
                query_string="a=1",
            ),
        ),
    )
    assert response.result_code is pp.ResultCodeEnum.OK
    [stored] = store.messages(TOLVAN)
    assert stored.attachments == (
        StoredAttachment(file_name="kallelse.pdf", mime_type="application/pdf", size=12),
    )
    assert stored.sso_links == (
        StoredLink(system_id="SYS", text="Fyll i formulär", type="NewTarget", query_string="a=1"),
    )


# ---------------------------------------------------------------------------- 90-day queue


def test_queue_drops_messages_after_90_days(call: Call, clock: Clock, store: InboxStore) -> None:
    call.add(NO_ACCOUNT)
    clock.advance(days=QUEUE_DAYS - 1)
    assert len(call.status(NO_ACCOUNT, "thread-1").message) == 1
    clock.advance(days=1)
    assert call.status(NO_ACCOUNT, "thread-1").message == ()
    assert store.messages(NO_ACCOUNT) == []


def test_purge_expired_counts_and_keeps_account_messages(clock: Clock) -> None:
    store = InboxStore(clock=clock)
    store.add_citizen(TOLVAN)
    store.add_message(TOLVAN, unit_id=UNIT, unit_name="U", body=BODY)
    store.add_message(UNKNOWN, unit_id=UNIT, unit_name="U", body=BODY)
    store.add_message(UNKNOWN, unit_id=UNIT, unit_name="U", body=BODY)
    assert store.purge_expired(T0 + datetime.timedelta(days=89)) == 0
    assert store.purge_expired(T0 + datetime.timedelta(days=90)) == 2
    assert len(store.messages(TOLVAN)) == 1


def test_getting_an_account_keeps_queued_messages(
    call: Call, clock: Clock, store: InboxStore
) -> None:
    call.add(NO_ACCOUNT)
    clock.advance(days=10)
    store.add_citizen(NO_ACCOUNT, has_account=True)
    clock.advance(days=200)
    [kept] = store.messages(NO_ACCOUNT)
    assert kept.expires_at is None
    assert len(call.status(NO_ACCOUNT, "thread-1").message) == 1


# ---------------------------------------------------------------------------- IsActiveUser


def test_is_active_user(call: Call) -> None:
    active = call.active(TOLVAN)
    assert active.status is True
    assert active.active_notification_methods == (
        pp.NotificationMethodType.SMS,
        pp.NotificationMethodType.EMAIL,
    )
    assert active.paper_mail_opt_out is True
    inactive = call.active(NO_ACCOUNT)
    assert (inactive.status, inactive.active_notification_methods) == (False, ())
    assert inactive.paper_mail_opt_out is False


@pytest.mark.parametrize("subject", [UNKNOWN, SAMORDNING, RESERVE, BAD_CHECK])
def test_is_active_user_false_for_unknown_and_non_personnummer(call: Call, subject: str) -> None:
    response = call.active(subject)
    assert response.status is False
    assert response.active_notification_methods == ()


# ---------------------------------------------------------------------------- thread status


def test_thread_status_and_read_flow(call: Call, clock: Clock, store: InboxStore) -> None:
    call.add(message_id="m1")
    clock.advance(minutes=10)
    call.add(message_id="m2")
    other = pp.OrganisationUnitType(unit_id=OTHER_UNIT, unit_name="Annan")
    call.add(message_id="m3", organisation_unit=other)
    status = call.status(TOLVAN, "thread-1")
    assert status.message_thread_id == "thread-1"
    assert [(m.message_id, m.read_status) for m in status.message] == [
        ("m1", pp.ReadStatusType.UNREAD),
        ("m2", pp.ReadStatusType.UNREAD),
        ("m3", pp.ReadStatusType.UNREAD),
    ]
    assert status.message[0].sent_time == T0
    assert status.message[0].read_time is None
    narrowed = call.status(TOLVAN, "thread-1", UNIT.lower())
    assert [m.message_id for m in narrowed.message] == ["m1", "m2"]
    key = next(m.key for m in store.messages(TOLVAN) if m.message_id == "m2")
    clock.advance(hours=2)
    assert store.mark_read(TOLVAN, key)
    after = call.status(TOLVAN, "thread-1", UNIT)
    assert [m.read_status for m in after.message] == [
        pp.ReadStatusType.UNREAD,
        pp.ReadStatusType.READ,
    ]
    assert after.message[1].read_time == clock.now


def test_thread_status_for_unknown_thread_is_empty(call: Call) -> None:
    response = call.status(TOLVAN, "no-such-thread")
    assert (response.message_thread_id, response.message) == ("no-such-thread", ())


# ---------------------------------------------------------------------------- faults


def test_unknown_operation_is_a_client_fault(
    producer: InboxProducer, ops: dict[str, Operation]
) -> None:
    other = dataclasses.replace(ops["IsActiveUser"], name="DeleteEverything")
    with pytest.raises(ProducerFault) as caught:
        producer.handle(other, codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN)))
    assert caught.value.faultcode == "Client"
    assert "DeleteEverything" in caught.value.faultstring


def test_wrong_root_is_a_client_fault(producer: InboxProducer, ops: dict[str, Operation]) -> None:
    request = codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN))
    with pytest.raises(ProducerFault) as caught:
        producer.handle(ops["AddMessage"], request)
    assert caught.value.faultcode == "Client"
    assert "IsActiveUser" in caught.value.faultstring


def test_unreadable_request_is_a_client_fault_without_the_number(
    producer: InboxProducer, ops: dict[str, Operation]
) -> None:
    request = codec.encode(pp.AddMessageType(subject_of_care_id=TOLVAN, message=message()))
    namespace = etree.QName(request).namespace
    etree.SubElement(request, f"{{{namespace}}}notify").text = TOLVAN  # not a boolean
    with pytest.raises(ProducerFault) as caught:
        producer.handle(ops["AddMessage"], request)
    assert caught.value.faultcode == "Client"
    assert "notify" in caught.value.faultstring
    assert TOLVAN not in caught.value.faultstring
    assert TOLVAN[:8] in caught.value.faultstring


def test_database_failure_is_a_server_fault(
    store: InboxStore, producer: InboxProducer, ops: dict[str, Operation]
) -> None:
    store.close()
    with pytest.raises(ProducerFault) as caught:
        producer.handle(
            ops["IsActiveUser"], codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN))
        )
    assert caught.value.faultcode == "Server"
