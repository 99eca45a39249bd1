"""The message kinds a care system sends to 1177 Inkorg: the shared base (layer L6).

Owns :class:`CareUnit`, the base :class:`InboxMessage` with its one
:meth:`~InboxMessage.to_request`, the :class:`MessageKind` protocol, the validator the kinds use
(:func:`kallelse_validator`: the bundled contracts, the default rules and the DocBook body rule),
and the two kinds without a booking: :class:`VisitInformation` and :class:`FormLink`. The kinds
with a booking (kallelser, update, confirmation, cancellation, reminder) are in :mod:`.bookings`.

Each kind is an immutable builder that checks its required data when it is made
(:class:`~inkorg_riv.errors.KallelseError` naming the field) and produces a schema- and
rule-valid AddMessage request. Headings and bodies are Swedish by default, written with the
DocBook builder (:mod:`.body`) and :mod:`.dates`; ``heading`` replaces the heading and ``extra``
adds blocks before the contact details.

Rules enforced (contracts.md section 3): every message names the sending unit by HSA-id, its
purpose and whom to contact (a phone number or an address); ``sourceSystem`` when notifying;
a form link has a system id. A naive time is Swedish wall-clock time (Europe/Stockholm).
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from .. import codec
from ..bindings import patientportal as pp
from ..errors import KallelseError
from ..validation import DEFAULT_RULES, Validator
from .body import Block, Body, Para, VariableList
from .dates import STOCKHOLM, swedish_date, swedish_datetime
from .threads import Thread, check_id

if TYPE_CHECKING:
    pass

__all__ = [
    "CareUnit",
    "FormLink",
    "FormTiming",
    "InboxMessage",
    "MessageKind",
    "VisitInformation",
    "kallelse_validator",
]

HSA_ID = re.compile(r"[A-Z]{2}[0-9]{10,12}-[0-9A-Za-z][0-9A-Za-z-]{0,48}")
"""An HSA-id: country code, organisation number (10 or 12 digits), ``-``, the unit's part."""


@functools.lru_cache(maxsize=1)
def kallelse_validator() -> Validator:
    """The bundled contracts with the default rules, the DocBook body rule among them (shared)."""
    return Validator(rules=DEFAULT_RULES)


def require_text(value: object, field: str, *, required: bool = True) -> None:
    """Refuse a value that is not a non-blank text (None passes when not ``required``)."""
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise KallelseError("must be a non-empty text", field=field)


def aware_time(value: object, field: str) -> datetime.datetime:
    """``value`` as an aware datetime (naive: Europe/Stockholm); refuse anything else."""
    if not isinstance(value, datetime.datetime):
        raise KallelseError("is required: a datetime (naive means Swedish time)", field=field)
    return value.replace(tzinfo=STOCKHOLM) if value.utcoffset() is None else value


def present(*blocks: Block | None) -> list[Block]:
    """The blocks that are there, in order."""
    return [b for b in blocks if b is not None]


def check_paragraphs(message: InboxMessage, name: str, *, required: bool = False) -> None:
    """Check a field of texts (not one text, none blank) and freeze it as a tuple."""
    value = getattr(message, name)
    if isinstance(value, str):
        raise KallelseError("must be a sequence of texts, not one text", field=name)
    value = tuple(value)
    if required and not value:
        raise KallelseError("needs at least one paragraph", field=name)
    for index, item in enumerate(value):
        require_text(item, f"{name}[{index}]")
    object.__setattr__(message, name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class CareUnit:
    """The sending care unit: HSA-id, name, and whom to contact (a phone or an address)."""

    hsa_id: str
    name: str
    phone: str | None = None
    phone_hours: str | None = None
    """When the phone is answered, e.g. ``vardagar 8-16``."""
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.hsa_id, str) or not HSA_ID.fullmatch(self.hsa_id):
            raise KallelseError(
                f"{self.hsa_id!r} is not an HSA-id (e.g. SE2321000016-A1B2)", field="unit.hsa_id"
            )
        require_text(self.name, "unit.name")
        for name in ("phone", "phone_hours", "street_address", "postal_code", "city"):
            require_text(getattr(self, name), f"unit.{name}", required=False)
        if self.phone is None and self.street_address is None:
            raise KallelseError(
                "every message must say whom to contact: give a phone number or an address",
                field="unit.phone",
            )

    @property
    def address(self) -> str | None:
        """``Storgatan 1, 111 22 Exempelby`` (None without a street address)."""
        if self.street_address is None:
            return None
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street_address, place) if p)

    def to_binding(self) -> pp.OrganisationUnitType:
        """The contract's ``organisationUnit``."""
        return pp.OrganisationUnitType(
            unit_id=self.hsa_id,
            unit_name=self.name,
            unit_address=self.street_address,
            unit_postal_code=self.postal_code,
            unit_postal_city=self.city,
            unit_telephone=self.phone,
        )

    def contact_block(self) -> VariableList:
        """The "Frågor och kontakt" list every body ends with."""
        entries = [("Mottagning", self.name)]
        if self.phone is not None:
            hours = f" ({self.phone_hours})" if self.phone_hours else ""
            entries.append(("Telefon", f"{self.phone}{hours}"))
        if self.address is not None:
            entries.append(("Adress", self.address))
        return VariableList(entries, title="Frågor och kontakt")


class MessageKind(Protocol):
    """Anything :class:`~.threads.ThreadSender` can send: it makes an AddMessage request."""

    def to_request(
        self,
        subject_of_care_id: str,
        *,
        thread: Thread,
        message_id: str | None = None,
        notify: bool = True,
        source_system: str | None = None,
        validator: Validator | None = None,
    ) -> pp.AddMessageType:
        """The validated request."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxMessage:
    """What every kind has: the unit, the purpose, an optional heading and extra blocks.

    ``purpose`` names the visit or matter in words the citizen understands (``hälsokontroll``):
    it goes into the heading and the text.
    """

    MESSAGE_TYPE: ClassVar[pp.MessageTypeType] = pp.MessageTypeType.INFORMATION
    ID_PREFIX: ClassVar[str] = "meddelande"
    FOLLOW_UP: ClassVar[bool] = False
    """Whether the kind only makes sense in a thread that already has a message."""

    unit: CareUnit
    purpose: str
    heading: str | None = None
    extra: Sequence[Block] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.unit, CareUnit):
            raise KallelseError("must be a CareUnit", field="unit")
        require_text(self.purpose, "purpose")
        require_text(self.heading, "heading", required=False)
        object.__setattr__(self, "extra", tuple(self.extra))
        self.body()  # refuse text the body cannot hold now, not when sending

    # -- what a kind provides

    def default_heading(self) -> str:
        """The Swedish heading used when ``heading`` is not given."""
        return f"Information om {self.purpose}"

    def main_blocks(self) -> list[Block]:
        """The kind's own text (before ``extra`` and the contact details)."""
        return []

    def booking(self) -> pp.BookingType | None:
        """The booking the inbox shows buttons for, if any."""
        return None

    def links(self) -> tuple[pp.SSOLinkType, ...]:
        """Single sign-on links shown with the message."""
        return ()

    # -- shared

    @property
    def title(self) -> str:
        """The heading (``messageDescription``) and the body's title."""
        return self.heading or self.default_heading()

    def body(self) -> Body:
        """The message body: the kind's text, ``extra``, then whom to contact."""
        blocks = [*self.main_blocks(), *self.extra, self.unit.contact_block()]
        return Body(title=self.title, blocks=blocks)

    def to_request(
        self,
        subject_of_care_id: str,
        *,
        thread: Thread,
        message_id: str | None = None,
        notify: bool = True,
        source_system: str | None = None,
        validator: Validator | None = None,
    ) -> pp.AddMessageType:
        """The AddMessage request for one citizen in ``thread``, validated before it is returned.

        ``message_id`` is the care system's own id of this message (generated when None).
        ``source_system`` is required when ``notify`` is true. Raises
        :class:`~inkorg_riv.errors.KallelseError` for missing data and
        :class:`~inkorg_riv.errors.ValidationError` for anything the schema or the rules
        (identity number, notify/sourceSystem, DocBook body) refuse.
        """
        if not isinstance(thread, Thread):
            raise KallelseError(
                "must be a Thread (Thread.for_episode or Thread.new)", field="thread"
            )
        if message_id is None:
            message_id = f"{self.ID_PREFIX}-{uuid.uuid4()}"
        check_id(message_id, "message_id")
        if notify and not (source_system and source_system.strip()):
            raise KallelseError(
                "is required when notify is true (without it 1177 notifies nobody)",
                field="source_system",
            )
        request = pp.AddMessageType(
            subject_of_care_id=subject_of_care_id,
            message=pp.MessageType(
                organisation_unit=self.unit.to_binding(),
                message_thread_id=thread.id,
                message_id=message_id,
                message_type=self.MESSAGE_TYPE,
                message_description=self.title,
                message_text=self.body().to_docbook(),
                sso_link=self.links(),
                booking=self.booking(),
            ),
            notify=notify,
            source_system=source_system,
        )
        (validator or kallelse_validator()).validate(codec.encode(request), "AddMessage")
        return request


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitInformation(InboxMessage):
    """Information before a visit: ``paragraphs`` (at least one) and the visit's time if known."""

    ID_PREFIX = "information"

    paragraphs: Sequence[str]
    visit_start: datetime.datetime | None = None

    def __post_init__(self) -> None:
        check_paragraphs(self, "paragraphs", required=True)
        if self.visit_start is not None:
            object.__setattr__(self, "visit_start", aware_time(self.visit_start, "visit_start"))
        InboxMessage.__post_init__(self)

    def default_heading(self) -> str:
        return f"Information inför {self.purpose}"

    def main_blocks(self) -> list[Block]:
        when = (
            VariableList([("Din tid", swedish_datetime(self.visit_start))])
            if self.visit_start
            else None
        )
        return present(*(Para(p) for p in self.paragraphs), when)


class FormTiming(enum.Enum):
    """Whether a form is filled in before or after the visit."""

    BEFORE_VISIT = "inför"
    AFTER_VISIT = "efter"


@dataclass(frozen=True, slots=True, kw_only=True)
class FormLink(InboxMessage):
    """A link to a form before or after a visit, as a 1177 single sign-on link.

    ``system_id`` (the e-service's id in 1177's link registry) is required; ``query_string``
    points at the form; ``fill_in_by`` asks for it by a date.
    """

    ID_PREFIX = "formular"

    form_name: str
    system_id: str
    timing: FormTiming = FormTiming.BEFORE_VISIT
    query_string: str | None = None
    link_text: str = "Fyll i formuläret"
    link_type: pp.SSOLinkTargetType = pp.SSOLinkTargetType.NEW_TARGET
    fill_in_by: datetime.date | None = None

    def __post_init__(self) -> None:
        require_text(self.system_id, "system_id")
        require_text(self.form_name, "form_name")
        require_text(self.link_text, "link_text")
        require_text(self.query_string, "query_string", required=False)
        if not isinstance(self.timing, FormTiming):
            raise KallelseError("must be a FormTiming", field="timing")
        InboxMessage.__post_init__(self)

    def default_heading(self) -> str:
        return f"Formulär {self.timing.value} {self.purpose}"

    def main_blocks(self) -> list[Block]:
        by = (
            Para(f"Fyll i formuläret senast {swedish_date(self.fill_in_by)}.")
            if self.fill_in_by
            else None
        )
        return present(
            Para(
                f"Vi ber dig fylla i {self.form_name} {self.timing.value} ditt besök "
                f"för {self.purpose}."
            ),
            by,
            Para(f"Du öppnar formuläret med länken ”{self.link_text}” nedan."),
        )

    def links(self) -> tuple[pp.SSOLinkType, ...]:
        return (
            pp.SSOLinkType(
                system_id=self.system_id,
                text=self.link_text,
                query_string=self.query_string,
                type=self.link_type,
            ),
        )
