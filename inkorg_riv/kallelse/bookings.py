"""The message kinds that refer to a booking (layer L6).

Owns :class:`TimedKallelse`, :class:`OpenKallelse`, :class:`BookingUpdate`,
:class:`BookingConfirmation`, :class:`CancellationNotice` and :class:`Reminder`, on the shared
base of :mod:`.kinds`. 1177 reads the booking with GetBookingDetails and rebooks or cancels it
with UpdateBooking/CancelBooking against the care system's booking service, so the rules here
(contracts.md section 3) are: a timed kallelse always has a start time, a booking id and a time
type id; any kind that shows booking buttons ("Boka om", "Avboka", "Boka ny tid") has a booking
id and a time type id; ``care_unit_id`` (the unit owning the booking) defaults to the sender.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..bindings import patientportal as pp
from ..errors import KallelseError
from .body import Block, Para, Section, VariableList
from .dates import swedish_date, swedish_datetime
from .kinds import HSA_ID, InboxMessage, aware_time, check_paragraphs, present, require_text

__all__ = [
    "BookingConfirmation",
    "BookingUpdate",
    "CancellationNotice",
    "OpenKallelse",
    "Reminder",
    "TimedKallelse",
]


def _duration(value: datetime.timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} timm{'e' if hours == 1 else 'ar'}"] if hours else []) + (
        [f"{minutes} minuter"] if minutes else []
    )
    return "ungefär " + " ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Booked(InboxMessage):
    """A kind that refers to a booking in the care system's booking service."""

    NEEDS_TIME_TYPE: ClassVar[bool] = False
    NEEDS_BOOKING: ClassVar[bool] = True
    IS_INVITATION: ClassVar[bool] = True
    OPEN_INVITATION: ClassVar[bool] = False

    booking_id: str | None = None
    """The booking's id in the care system's booking service (required, except in a reminder)."""
    time_type_id: str | None = None
    care_unit_id: str | None = None
    """HSA-id of the unit that owns the booking (default: the sending unit)."""
    rebooking_allowed: bool = False
    cancel_allowed: bool = False
    new_booking_allowed: bool = False
    location: str | None = None
    """Where to come (default: the unit's address)."""
    duration: datetime.timedelta | None = None
    """How long the visit takes (shown as "Längd")."""
    bring: Sequence[str] = ()
    """What to bring, e.g. ``("legitimation", "läkemedelslista")``."""

    def __post_init__(self) -> None:
        require_text(self.booking_id, "booking_id", required=self.NEEDS_BOOKING)
        if self.booking_id is None and self._buttons():
            raise KallelseError("is required for booking buttons", field="booking_id")
        require_text(self.time_type_id, "time_type_id", required=False)
        require_text(self.location, "location", required=False)
        if self.care_unit_id is not None and not HSA_ID.fullmatch(str(self.care_unit_id)):
            raise KallelseError(f"{self.care_unit_id!r} is not an HSA-id", field="care_unit_id")
        if isinstance(self.bring, str):
            raise KallelseError("must be a sequence of texts, not one text", field="bring")
        object.__setattr__(self, "bring", tuple(self.bring))
        for index, item in enumerate(self.bring):
            require_text(item, f"bring[{index}]")
        if self.time_type_id is None and (self.NEEDS_TIME_TYPE or self._buttons()):
            why = "a timed kallelse" if self.NEEDS_TIME_TYPE else "booking buttons"
            raise KallelseError(
                f"is required for {why}: 1177 books, rebooks and cancels through it",
                field="time_type_id",
            )
        InboxMessage.__post_init__(self)

    def _buttons(self) -> bool:
        return self.rebooking_allowed or self.cancel_allowed or self.new_booking_allowed

    def _start(self) -> datetime.datetime | None:
        return None

    def _open(self) -> bool:
        return self.OPEN_INVITATION

    def booking(self) -> pp.BookingType | None:
        """The booking element; buttons only as allowed."""
        if self.booking_id is None:
            return None
        return pp.BookingType(
            booking_id=self.booking_id,
            is_invitation=self.IS_INVITATION,
            is_open_invitation=self._open() or None,
            new_booking_allowed=self.new_booking_allowed or None,
            rebooking_allowed=self.rebooking_allowed,
            cancel_booking_allowed=self.cancel_allowed,
            time_type_id=self.time_type_id,
            start_time=self._start(),
            care_unit_id=self.care_unit_id or self.unit.hsa_id,
        )

    def visit_list(self, time_label: str = "Tid") -> VariableList | None:
        """Time, length, place and what to bring, as a list (None when there is nothing)."""
        entries: list[tuple[str, str]] = []
        start = self._start()
        if start is not None:
            entries.append((time_label, swedish_datetime(start)))
        if self.duration:
            entries.append(("Längd", _duration(self.duration)))
        place = self.location or self.unit.address
        if place:
            entries.append(("Plats", place))
        if self.bring:
            entries.append(("Ta med", ", ".join(self.bring)))
        return VariableList(entries) if entries else None

    def buttons_para(self) -> Para:
        """What the citizen can do with the buttons below (or whom to call)."""
        if self.new_booking_allowed:
            return Para("Du kan boka en ny tid via knappen ”Boka ny tid” nedan.")
        actions = [
            w
            for w, ok in (("boka om", self.rebooking_allowed), ("avboka", self.cancel_allowed))
            if ok
        ]
        if actions:
            plural = "knapparna" if len(actions) > 1 else "knappen"
            return Para(f"Du kan {' eller '.join(actions)} din tid via {plural} nedan.")
        return Para("Om du inte kan komma, kontakta oss så snart som möjligt.")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimedKallelse(_Booked):
    """A kallelse with a booked time: start, booking id and time type id are required.

    ``rebooking_allowed`` / ``cancel_allowed`` show the "Boka om" / "Avboka" buttons, as the
    clinic allows; ``duration`` adds the visit's length to the text.
    """

    MESSAGE_TYPE = pp.MessageTypeType.TIMED_INVITATION
    ID_PREFIX = "kallelse"
    NEEDS_TIME_TYPE = True

    start: datetime.datetime
    preparations: Sequence[str] = ()
    """Paragraphs under "Förberedelser" (fasting, forms to fill in...)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", aware_time(self.start, "start"))
        check_paragraphs(self, "preparations")
        _Booked.__post_init__(self)

    def _start(self) -> datetime.datetime:
        return self.start

    def default_heading(self) -> str:
        return f"Kallelse till {self.purpose}"

    def main_blocks(self) -> list[Block]:
        prep = [Para(p) for p in self.preparations]
        return present(
            Para(f"Du har fått en tid för {self.purpose} hos {self.unit.name}."),
            self.visit_list(),
            Section("Förberedelser", prep) if prep else None,
            self.buttons_para(),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenKallelse(_Booked):
    """A kallelse without a time: the citizen books one with the "Boka ny tid" button.

    ``new_booking_allowed`` is on by default (then ``time_type_id`` is required); turn it off
    to ask the citizen to call instead. ``book_before`` asks them to book by a date.
    """

    MESSAGE_TYPE = pp.MessageTypeType.OPEN_INVITATION
    ID_PREFIX = "kallelse"
    OPEN_INVITATION = True

    new_booking_allowed: bool = True
    book_before: datetime.date | None = None

    def default_heading(self) -> str:
        return f"Kallelse till {self.purpose}: boka din tid"

    def main_blocks(self) -> list[Block]:
        how = (
            self.buttons_para()
            if self.new_booking_allowed
            else Para("Ring oss för att boka en tid som passar dig.")
        )
        by = (
            Para(f"Boka gärna senast {swedish_date(self.book_before)}.")
            if self.book_before
            else None
        )
        return present(
            Para(f"Det är dags för {self.purpose} hos {self.unit.name}."),
            how,
            by,
            self.visit_list(),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingUpdate(_Booked):
    """A changed time, sent in the kallelse's thread: the new ``start`` is required."""

    MESSAGE_TYPE = pp.MessageTypeType.BOOKING_UPDATE
    ID_PREFIX = "andring"
    FOLLOW_UP = True

    start: datetime.datetime
    previous_start: datetime.datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", aware_time(self.start, "start"))
        if self.previous_start is not None:
            object.__setattr__(
                self, "previous_start", aware_time(self.previous_start, "previous_start")
            )
        require_text(self.reason, "reason", required=False)
        _Booked.__post_init__(self)

    def _start(self) -> datetime.datetime:
        return self.start

    def default_heading(self) -> str:
        return f"Ändrad tid för {self.purpose}"

    def main_blocks(self) -> list[Block]:
        was = (
            Para(
                f"Den tidigare tiden, {swedish_datetime(self.previous_start)}, gäller inte längre."
            )
            if self.previous_start
            else None
        )
        return present(
            Para(f"Din tid för {self.purpose} hos {self.unit.name} har ändrats."),
            Para(self.reason) if self.reason else None,
            self.visit_list("Ny tid"),
            was,
            self.buttons_para(),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingConfirmation(_Booked):
    """Confirms a time the citizen booked (``isInvitation`` false): ``start`` is required."""

    MESSAGE_TYPE = pp.MessageTypeType.BOOKING_CONFIRMATION
    ID_PREFIX = "bekraftelse"
    IS_INVITATION = False

    start: datetime.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", aware_time(self.start, "start"))
        _Booked.__post_init__(self)

    def _start(self) -> datetime.datetime:
        return self.start

    def default_heading(self) -> str:
        return f"Bekräftelse av din tid för {self.purpose}"

    def main_blocks(self) -> list[Block]:
        return present(
            Para(f"Du har bokat en tid för {self.purpose} hos {self.unit.name}."),
            self.visit_list(),
            self.buttons_para(),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CancellationNotice(_Booked):
    """A cancelled time. ``start`` (the cancelled time) is shown when given;
    ``new_booking_allowed`` offers "Boka ny tid" (then ``time_type_id`` is required)."""

    MESSAGE_TYPE = pp.MessageTypeType.CANCELLATION
    ID_PREFIX = "avbokning"
    FOLLOW_UP = True

    start: datetime.datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.rebooking_allowed or self.cancel_allowed:
            raise KallelseError(
                "a cancelled time cannot be rebooked or cancelled", field="rebooking_allowed"
            )
        if self.start is not None:
            object.__setattr__(self, "start", aware_time(self.start, "start"))
        require_text(self.reason, "reason", required=False)
        _Booked.__post_init__(self)

    def _start(self) -> datetime.datetime | None:
        return self.start

    def default_heading(self) -> str:
        return f"Avbokad tid för {self.purpose}"

    def main_blocks(self) -> list[Block]:
        when = f", {swedish_datetime(self.start)}," if self.start else ""
        again = (
            self.buttons_para()
            if self.new_booking_allowed
            else Para("Kontakta oss om du vill boka en ny tid.")
        )
        return present(
            Para(f"Din tid för {self.purpose} hos {self.unit.name}{when} är avbokad."),
            Para(self.reason) if self.reason else None,
            again,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder(_Booked):
    """A reminder of an unread message, sent in the same thread.

    Make it with :meth:`of` from the message it reminds of, so that the time and the booking
    buttons come along; or give ``start`` and the booking fields yourself (a reminder without
    a booking has no buttons).
    """

    MESSAGE_TYPE = pp.MessageTypeType.REMINDER
    ID_PREFIX = "paminnelse"
    FOLLOW_UP = True
    NEEDS_BOOKING = False

    start: datetime.datetime | None = None
    open_invitation: bool = False

    def __post_init__(self) -> None:
        if self.start is not None:
            object.__setattr__(self, "start", aware_time(self.start, "start"))
        _Booked.__post_init__(self)

    def _open(self) -> bool:
        return self.open_invitation

    @classmethod
    def of(cls, message: InboxMessage, **changes: Any) -> Reminder:
        """A reminder of ``message`` (any kind): same unit, purpose, time, place and buttons,
        headed "Påminnelse: <its heading>"; ``changes`` override any field."""
        fields: dict[str, Any] = {
            "unit": message.unit,
            "purpose": message.purpose,
            "heading": f"Påminnelse: {message.title}",
        }
        if isinstance(message, _Booked):
            fields.update(
                start=message._start(),
                booking_id=message.booking_id,
                time_type_id=message.time_type_id,
                care_unit_id=message.care_unit_id,
                rebooking_allowed=message.rebooking_allowed,
                cancel_allowed=message.cancel_allowed,
                new_booking_allowed=message.new_booking_allowed,
                open_invitation=message._open(),
                location=message.location,
                bring=message.bring,
            )
        fields.update(changes)
        return cls(**fields)

    def _start(self) -> datetime.datetime | None:
        return self.start

    def default_heading(self) -> str:
        return f"Påminnelse om {self.purpose}"

    def main_blocks(self) -> list[Block]:
        return present(
            Para(
                f"Vi vill påminna dig om din tid för {self.purpose} hos {self.unit.name}."
                if self.start
                else f"Vi vill påminna dig om meddelandet om {self.purpose} från {self.unit.name}."
            ),
            self.visit_list() if self.start else None,
            self.buttons_para() if self.booking_id else None,
        )
