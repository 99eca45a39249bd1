"""The simulated 1177 Inkorg producer: the logic behind the three patientportal 2.0 operations.

:class:`InboxProducer` takes a request payload element (the first child of the SOAP Body, already
routed and schema-checked by the platform side), decodes it into the generated bindings, applies
the inbox's rules on an :class:`~.store.InboxStore`, and returns the response payload element.
It knows nothing of HTTP, TLS or envelopes; technical problems become :class:`ProducerFault`,
which the server turns into a SOAP fault.

**AddMessage** result codes (resultText in Swedish, as 1177 writes it; the constants below are
the stable beginnings a client can match):

* ``OK``: stored for a citizen with an account. ``notificationSent`` lists the citizen's methods
  when ``notify`` is true and ``sourceSystem`` is set.
* ``INFO`` (stored): the citizen has no 1177 account -- unknown to the inbox, without an account,
  or with a samordningsnummer/reserve number -- so the message is queued for 90 days
  (:data:`TEXT_QUEUED`); or ``notify`` was true without ``sourceSystem``, so nobody was notified
  (:data:`TEXT_NO_SOURCE_SYSTEM`).
* ``ERROR`` (not stored): ``subjectOfCareId`` is not a valid identity number
  (:data:`TEXT_INVALID_ID`); the ``messageId`` was already used in the thread by the same unit
  for the same citizen (:data:`TEXT_DUPLICATE`, the response names the existing message's thread
  and id, so a client that retried after a timeout can tell it was delivered); a booking that
  offers booking buttons without ``timeTypeId``, which 1177's booking flow needs
  (:data:`TEXT_NO_TIME_TYPE`).

**IsActiveUser**: ``status`` is true only for a known citizen with an account and a personnummer;
unknown citizens and invalid numbers get ``status`` false and ``paperMailOptOut`` false.
**GetMessageThreadStatus**: one status per message in the thread, oldest first, optionally for one
unit; an unknown thread gives an empty list (no fault: it is a read-only service).
A body outside the DocBook subset is accepted: 1177 shows it with its "Mismatched Element" text.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable

from lxml import etree

from .. import codec
from .._log import get_logger, redact
from ..bindings import patientportal as pp
from ..bindings._runtime import XmlObject
from ..contracts.model import Operation
from ..errors import BindingError
from ..kallelse.dates import STOCKHOLM
from ..validation.identity import IdentityKind, IdentityNumberError, parse_identity_number
from .store import (
    QUEUE_DAYS,
    DuplicateMessageError,
    InboxStore,
    StoredAttachment,
    StoredBooking,
    StoredLink,
    StoredMessage,
)

__all__ = [
    "TEXT_DUPLICATE",
    "TEXT_INVALID_ID",
    "TEXT_NO_SOURCE_SYSTEM",
    "TEXT_NO_TIME_TYPE",
    "TEXT_QUEUED",
    "InboxProducer",
    "ProducerFault",
]

TEXT_QUEUED = "Invånaren har inget konto på 1177"
TEXT_NO_SOURCE_SYSTEM = "Ingen avisering skickad: sourceSystem saknas"
TEXT_INVALID_ID = "Ogiltigt subjectOfCareId"
TEXT_DUPLICATE = "Dubblett: messageId"
TEXT_NO_TIME_TYPE = "Bokningen saknar timeTypeId"

_log = get_logger("simulator.producer")


class ProducerFault(Exception):  # noqa: N818  (the name is the interface agreed with the server)
    """A technical error of the producer, answered as a SOAP 1.1 fault.

    ``faultcode`` is ``Client`` (the request cannot be used) or ``Server`` (the producer
    failed); ``faultstring`` never holds a full identity number.
    """

    def __init__(self, faultcode: str, faultstring: str) -> None:
        super().__init__(f"{faultcode}: {faultstring}")
        self.faultcode = faultcode
        self.faultstring = faultstring


def _known_number(subject: str) -> IdentityKind | None:
    try:
        return parse_identity_number(subject).kind
    except IdentityNumberError:
        return None


class InboxProducer:
    """The 1177 Inkorg producer over an :class:`InboxStore` (thread-safe as the store is)."""

    def __init__(
        self,
        store: InboxStore,
        *,
        clock: Callable[[], datetime.datetime] | None = None,
    ) -> None:
        self.store = store
        self._clock = clock if clock is not None else store.clock

    def handle(self, operation: Operation, request: etree._Element) -> etree._Element:
        """Answer one request payload with the response payload element.

        Raises :class:`ProducerFault` (``Client``) for an operation this producer does not
        implement, a root element that is not the operation's request, or a payload the
        bindings cannot read; (``Server``) when the database fails.
        """
        handlers: dict[str, Callable[[etree._Element], XmlObject]] = {
            "AddMessage": self._add_message,
            "IsActiveUser": self._is_active_user,
            "GetMessageThreadStatus": self._thread_status,
        }
        handler = handlers.get(operation.name)
        if handler is None:
            raise ProducerFault("Client", f"operation {operation.name} is not implemented")
        if request.tag != operation.request_element:
            got = etree.QName(request).text
            raise ProducerFault(
                "Client", f"expected {operation.request_element} as the request, got {got}"
            )
        try:
            self.store.purge_expired(self._now())
            response = handler(request)
        except BindingError as exc:
            raise ProducerFault("Client", redact(f"cannot read the request: {exc}")) from exc
        except sqlite3.Error as exc:
            _log.exception("simulator producer: database error in %s", operation.name)
            raise ProducerFault("Server", f"the inbox database failed: {exc}") from exc
        return codec.encode(response, element=operation.response_element)

    def _now(self) -> datetime.datetime:
        return self._clock().astimezone(datetime.UTC)

    # ------------------------------------------------------------------ AddMessage

    def _add_message(self, request: etree._Element) -> pp.AddMessageResponseType:
        req = codec.decode(request, pp.AddMessageType)
        subject, msg = req.subject_of_care_id, req.message
        kind = _known_number(subject)
        if kind is None:
            return _error(f"{TEXT_INVALID_ID}: inte ett giltigt person- eller samordningsnummer")
        booking = msg.booking
        if booking is not None and booking.time_type_id is None and _offers_buttons(booking):
            return _error(
                f"{TEXT_NO_TIME_TYPE}, som 1177 behöver för att boka, omboka eller avboka"
            )
        citizen = self.store.citizen(subject)
        active = citizen is not None and citizen.has_account and kind is IdentityKind.PERSONNUMMER
        notified: tuple[str, ...] = ()
        notes: list[str] = []
        if active and citizen is not None and req.notify:
            if req.source_system:
                notified = citizen.notification_methods
            else:
                notes.append(TEXT_NO_SOURCE_SYSTEM)
        try:
            stored = self.store.add_message(
                subject,
                unit_id=msg.organisation_unit.unit_id,
                unit_name=msg.organisation_unit.unit_name,
                unit_contact=_contact(msg.organisation_unit),
                body=msg.message_text,
                thread_id=msg.message_thread_id,
                message_id=msg.message_id,
                message_type=msg.message_type.value if msg.message_type else None,
                description=msg.message_description,
                booking=_booking(booking),
                sso_links=[_link(link) for link in msg.sso_link],
                attachments=[_attachment(a) for a in msg.attachment],
                notified=notified,
                sent_at=self._now(),
            )
        except DuplicateMessageError as exc:
            old = exc.existing
            return pp.AddMessageResponseType(
                message_thread_id=old.thread_id,
                message_id=old.message_id,
                result_code=pp.ResultCodeEnum.ERROR,
                result_text=(
                    f"{TEXT_DUPLICATE} {old.message_id!r} finns redan i tråden "
                    f"{old.thread_id!r} från enheten {old.unit_id}"
                ),
            )
        if not active:
            notes.insert(0, _queued_text(stored))
        _log.debug(
            "simulator AddMessage for %s: thread %s, %s",
            redact(subject),
            stored.thread_id,
            "queued" if not active else "delivered",
        )
        return pp.AddMessageResponseType(
            message_thread_id=stored.thread_id,
            message_id=stored.message_id,
            notification_sent=tuple(pp.NotificationMethodType(m) for m in notified),
            result_code=pp.ResultCodeEnum.INFO if notes else pp.ResultCodeEnum.OK,
            result_text="; ".join(notes) or None,
        )

    # ------------------------------------------------------------------ IsActiveUser

    def _is_active_user(self, request: etree._Element) -> pp.IsActiveUserResponseType:
        req = codec.decode(request, pp.IsActiveUserType)
        kind = _known_number(req.subject_of_care_id)
        citizen = self.store.citizen(req.subject_of_care_id) if kind is not None else None
        if citizen is None:
            return pp.IsActiveUserResponseType(status=False, paper_mail_opt_out=False)
        active = citizen.has_account and kind is IdentityKind.PERSONNUMMER
        return pp.IsActiveUserResponseType(
            status=active,
            active_notification_methods=tuple(
                pp.NotificationMethodType(m) for m in citizen.notification_methods
            )
            if active
            else (),
            paper_mail_opt_out=citizen.paper_opt_out,
        )

    # ------------------------------------------------------------------ GetMessageThreadStatus

    def _thread_status(self, request: etree._Element) -> pp.GetMessageThreadStatusResponseType:
        req = codec.decode(request, pp.GetMessageThreadStatusType)
        found = self.store.thread(
            req.subject_of_care_id, req.message_thread_id, req.organisation_unit_id
        )
        return pp.GetMessageThreadStatusResponseType(
            message_thread_id=req.message_thread_id,
            message=tuple(_status(m) for m in found),
        )


# ---------------------------------------------------------------------- conversions


def _error(text: str) -> pp.AddMessageResponseType:
    return pp.AddMessageResponseType(result_code=pp.ResultCodeEnum.ERROR, result_text=text)


def _queued_text(stored: StoredMessage) -> str:
    until = stored.expires_at.date().isoformat() if stored.expires_at else "?"
    return (
        f"{TEXT_QUEUED}: meddelandet sparas i {QUEUE_DAYS} dagar (till {until}) "
        "och tas sedan bort om invånaren inte skaffar konto"
    )


def _offers_buttons(booking: pp.BookingType) -> bool:
    return bool(
        booking.new_booking_allowed
        or booking.rebooking_allowed
        or booking.cancel_booking_allowed
        or booking.is_open_invitation
    )


def _contact(unit: pp.OrganisationUnitType) -> list[str]:
    city = " ".join(p for p in (unit.unit_postal_code, unit.unit_postal_city) if p)
    return [p for p in (unit.unit_address, city, unit.unit_telephone) if p]


def _booking(booking: pp.BookingType | None) -> StoredBooking | None:
    if booking is None:
        return None
    start = booking.start_time
    if start is not None and start.tzinfo is None:
        # xs:dateTime without an offset: read as Swedish local time, as 1177 would show it.
        start = start.replace(tzinfo=STOCKHOLM)
    return StoredBooking(
        booking_id=booking.booking_id,
        is_invitation=booking.is_invitation,
        is_open_invitation=booking.is_open_invitation,
        new_booking_allowed=booking.new_booking_allowed,
        rebooking_allowed=booking.rebooking_allowed,
        cancel_booking_allowed=booking.cancel_booking_allowed,
        time_type_id=booking.time_type_id,
        start_time=start,
        care_unit_id=booking.care_unit_id,
    )


def _link(link: pp.SSOLinkType) -> StoredLink:
    return StoredLink(
        system_id=link.system_id,
        text=link.text,
        type=link.type.value,
        query_string=link.query_string,
    )


def _attachment(attachment: pp.AttachmentType) -> StoredAttachment:
    return StoredAttachment(
        file_name=attachment.file_name,
        mime_type=attachment.mime_type,
        size=len(attachment.content),
    )


def _status(message: StoredMessage) -> pp.MessageStatusType:
    return pp.MessageStatusType(
        message_id=message.message_id,
        sent_time=message.sent_at,
        read_status=pp.ReadStatusType.READ if message.is_read else pp.ReadStatusType.UNREAD,
        read_time=message.read_at,
    )
