"""The records of the simulated 1177 Inkorg (layer L6): frozen values the store hands out.

Owns :class:`Citizen` and :class:`StoredMessage` with its parts (:class:`StoredBooking`,
:class:`StoredLink`, :class:`StoredAttachment`). They carry no behaviour beyond
:attr:`StoredMessage.is_read`; :mod:`.store` keeps them in SQLite and re-exports them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["Citizen", "StoredAttachment", "StoredBooking", "StoredLink", "StoredMessage"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Citizen:
    """A citizen as the simulated 1177 knows them."""

    subject_of_care_id: str
    has_account: bool
    notification_methods: tuple[str, ...]
    paper_opt_out: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBooking:
    """The booking a message refers to (the booking itself is not simulated)."""

    booking_id: str
    is_invitation: bool
    is_open_invitation: bool | None = None
    new_booking_allowed: bool | None = None
    rebooking_allowed: bool | None = None
    cancel_booking_allowed: bool | None = None
    time_type_id: str | None = None
    start_time: datetime.datetime | None = None
    care_unit_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredLink:
    """A single sign-on link shown with a message."""

    system_id: str
    text: str
    type: str
    query_string: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAttachment:
    """An attachment's name, media type and size; the content is not kept."""

    file_name: str
    mime_type: str
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMessage:
    """One message in a citizen's inbox. ``key`` is the store's own id (used in inbox URLs)."""

    key: str
    subject_of_care_id: str
    unit_id: str
    unit_name: str
    thread_id: str
    message_id: str
    body: str
    sent_at: datetime.datetime
    unit_contact: tuple[str, ...] = ()
    message_type: str | None = None
    description: str | None = None
    booking: StoredBooking | None = None
    sso_links: tuple[StoredLink, ...] = ()
    attachments: tuple[StoredAttachment, ...] = ()
    notified: tuple[str, ...] = ()
    read_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None

    @property
    def is_read(self) -> bool:
        """Whether the citizen has opened the message."""
        return self.read_at is not None
