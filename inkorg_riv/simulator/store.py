"""The simulated 1177 Inkorg's state: citizens and their inbox messages, in SQLite (layer L6).

:class:`InboxStore` keeps everything the producer (:mod:`.producer`) and the inbox web view
(:mod:`.inbox_view`) need: citizens (account or not, notification methods, paper opt-out) and
messages with their threads, booking data, links, attachment names and read status. It is an
embedded SQLite database, in memory (``path=None``) or in a file that survives a restart.

Rules it owns:

* **Unknown citizens have no account.** A message to a citizen the store does not know is kept
  like one to a known citizen without a 1177 account: in the 90-day queue.
* **The 90-day queue.** A message to a citizen without an account gets ``expires_at`` = sent
  time + 90 days; :meth:`InboxStore.purge_expired` drops expired messages (the producer and the
  inbox view purge before they read). When a citizen gets an account, their queued messages
  that have not expired yet stay for good.
* Samordningsnummer and reserve numbers can never have an account (:meth:`add_citizen` refuses
  ``has_account=True`` for them), and every stored citizen has a valid identity number.
* Duplicates: a ``messageId`` may be used once per (citizen, unit, thread);
  :meth:`add_message` raises :class:`DuplicateMessageError` for a second use.

Thread safety: one connection (``check_same_thread=False``) guarded by a lock; every method is
one transaction. Times are timezone-aware UTC; inject ``clock`` in tests. The records it hands
out (:class:`Citizen`, :class:`StoredMessage` and its parts) live in :mod:`._records` and are
re-exported here.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..validation.identity import IdentityKind, parse_identity_number
from ._records import Citizen, StoredAttachment, StoredBooking, StoredLink, StoredMessage

__all__ = [
    "QUEUE_DAYS",
    "Citizen",
    "DuplicateMessageError",
    "InboxStore",
    "StoredAttachment",
    "StoredBooking",
    "StoredLink",
    "StoredMessage",
    "utc_now",
]

QUEUE_DAYS = 90
"""How long a message to a citizen without a 1177 account is kept (contracts.md section 3)."""

NOTIFICATION_METHODS = ("SMS", "Email", "Other")
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS citizen (
    subject TEXT PRIMARY KEY, has_account INTEGER NOT NULL,
    notification_methods TEXT NOT NULL, paper_opt_out INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS message (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, subject TEXT NOT NULL,
    unit_id TEXT NOT NULL, unit_name TEXT NOT NULL, unit_contact TEXT NOT NULL,
    thread_id TEXT NOT NULL, message_id TEXT NOT NULL, message_type TEXT, description TEXT,
    body TEXT NOT NULL, booking TEXT, sso_links TEXT NOT NULL, attachments TEXT NOT NULL,
    notified TEXT NOT NULL, sent_at TEXT NOT NULL, read_at TEXT, expires_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS message_identity
    ON message (subject, unit_id, thread_id, message_id);
CREATE INDEX IF NOT EXISTS message_thread ON message (subject, thread_id);
CREATE INDEX IF NOT EXISTS message_expiry ON message (expires_at);
"""


def utc_now() -> datetime.datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return datetime.datetime.now(datetime.UTC)


class DuplicateMessageError(Exception):
    """The ``messageId`` was already used in this thread by this unit for this citizen."""

    def __init__(self, existing: StoredMessage) -> None:
        super().__init__(f"messageId {existing.message_id!r} already used in this thread")
        self.existing = existing


def _utc(value: datetime.datetime, what: str) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return value.astimezone(datetime.UTC)


def _stamp(value: datetime.datetime | None) -> str | None:
    # Fixed width (always microseconds, always +00:00), so text order is time order in SQL.
    return None if value is None else _utc(value, "time").isoformat(timespec="microseconds")


def _unstamp(value: str | None) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


def _booking_json(booking: StoredBooking | None) -> str | None:
    if booking is None:
        return None
    data: dict[str, Any] = {
        name: getattr(booking, name) for name in StoredBooking.__dataclass_fields__
    }
    data["start_time"] = _stamp(booking.start_time)
    return json.dumps(data)


def _booking_from(text: str | None) -> StoredBooking | None:
    if text is None:
        return None
    data = json.loads(text)
    data["start_time"] = _unstamp(data["start_time"])
    return StoredBooking(**data)


def _check_identity(subject: str) -> IdentityKind:
    return parse_identity_number(subject).kind  # raises IdentityNumberError (a ValueError)


class InboxStore:
    """Citizens and inbox messages in SQLite; ``path=None`` keeps them in memory."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], datetime.datetime] = utc_now,
    ) -> None:
        self.clock = clock
        self.path = None if path is None else os.fspath(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        with self._lock:
            if self.path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> InboxStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _now(self, now: datetime.datetime | None) -> datetime.datetime:
        return _utc(now if now is not None else self.clock(), "the clock's time")

    # ------------------------------------------------------------------ citizens

    def add_citizen(
        self,
        subject_of_care_id: str,
        *,
        has_account: bool = True,
        notification_methods: tuple[str, ...] = ("SMS",),
        paper_opt_out: bool = False,
    ) -> None:
        """Add or replace a citizen.

        Raises :class:`ValueError` for an invalid identity number, an unknown notification
        method (``SMS``, ``Email``, ``Other``) or ``has_account=True`` with a samordningsnummer
        or reserve number. Getting an account keeps the citizen's queued messages for good.
        """
        kind = _check_identity(subject_of_care_id)
        if has_account and kind is not IdentityKind.PERSONNUMMER:
            raise ValueError(
                f"a citizen with a {kind.value} cannot have a 1177 account (only personnummer)"
            )
        unknown = [m for m in notification_methods if m not in NOTIFICATION_METHODS]
        if unknown:
            raise ValueError(
                f"unknown notification methods {unknown}; use {', '.join(NOTIFICATION_METHODS)}"
            )
        with self._transaction() as db:
            db.execute(
                "INSERT INTO citizen VALUES (?, ?, ?, ?) ON CONFLICT(subject) DO UPDATE SET "
                "has_account=excluded.has_account, "
                "notification_methods=excluded.notification_methods, "
                "paper_opt_out=excluded.paper_opt_out",
                (subject_of_care_id, has_account, ",".join(notification_methods), paper_opt_out),
            )
            if has_account:
                db.execute(
                    "UPDATE message SET expires_at = NULL WHERE subject = ? AND expires_at > ?",
                    (subject_of_care_id, _stamp(self._now(None))),
                )

    def citizen(self, subject_of_care_id: str) -> Citizen | None:
        """The citizen, or None when the store does not know them."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM citizen WHERE subject = ?", (subject_of_care_id,)
            ).fetchone()
        if row is None:
            return None
        methods = row["notification_methods"]
        return Citizen(
            subject_of_care_id=row["subject"],
            has_account=bool(row["has_account"]),
            notification_methods=tuple(methods.split(",")) if methods else (),
            paper_opt_out=bool(row["paper_opt_out"]),
        )

    # ------------------------------------------------------------------ messages

    def add_message(
        self,
        subject_of_care_id: str,
        *,
        unit_id: str,
        unit_name: str,
        body: str,
        thread_id: str | None = None,
        message_id: str | None = None,
        message_type: str | None = None,
        description: str | None = None,
        unit_contact: Iterable[str] = (),
        booking: StoredBooking | None = None,
        sso_links: Iterable[StoredLink] = (),
        attachments: Iterable[StoredAttachment] = (),
        notified: Iterable[str] = (),
        sent_at: datetime.datetime | None = None,
    ) -> StoredMessage:
        """Store a message and return it as stored.

        A missing ``thread_id`` starts a new thread and a missing ``message_id`` gets a
        generated one. ``expires_at`` is set (sent + 90 days) unless the citizen has an
        account. Raises :class:`DuplicateMessageError` when ``message_id`` was already used by
        this unit in this thread for this citizen.
        """
        sent = self._now(sent_at)
        key = uuid.uuid4().hex
        message = StoredMessage(
            key=key,
            subject_of_care_id=subject_of_care_id,
            unit_id=unit_id,
            unit_name=unit_name,
            thread_id=thread_id if thread_id is not None else str(uuid.uuid4()),
            message_id=message_id if message_id is not None else key,
            body=body,
            sent_at=sent,
            unit_contact=tuple(unit_contact),
            message_type=message_type,
            description=description,
            booking=booking,
            sso_links=tuple(sso_links),
            attachments=tuple(attachments),
            notified=tuple(notified),
        )
        with self._transaction() as db:
            existing = db.execute(
                "SELECT * FROM message WHERE subject = ? AND unit_id = ? AND thread_id = ? "
                "AND message_id = ?",
                (subject_of_care_id, unit_id, message.thread_id, message.message_id),
            ).fetchone()
            if existing is not None:
                raise DuplicateMessageError(_message_from(existing))
            row = db.execute(
                "SELECT has_account FROM citizen WHERE subject = ?", (subject_of_care_id,)
            ).fetchone()
            if row is None or not row["has_account"]:
                message = dataclasses.replace(
                    message, expires_at=sent + datetime.timedelta(days=QUEUE_DAYS)
                )
            db.execute(
                "INSERT INTO message (key, subject, unit_id, unit_name, unit_contact, thread_id,"
                " message_id, message_type, description, body, booking, sso_links, attachments,"
                " notified, sent_at, read_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _message_row(message),
            )
        return message

    def messages(self, subject_of_care_id: str) -> list[StoredMessage]:
        """All stored messages of a citizen, oldest first."""
        return self._select("subject = ?", (subject_of_care_id,))

    def thread(
        self, subject_of_care_id: str, thread_id: str, unit_id: str | None = None
    ) -> list[StoredMessage]:
        """The messages of one thread, oldest first; ``unit_id`` (case-insensitive) narrows it."""
        if unit_id is None:
            return self._select("subject = ? AND thread_id = ?", (subject_of_care_id, thread_id))
        return self._select(
            "subject = ? AND thread_id = ? AND upper(unit_id) = upper(?)",
            (subject_of_care_id, thread_id, unit_id),
        )

    def mark_read(
        self, subject_of_care_id: str, message_key: str, *, now: datetime.datetime | None = None
    ) -> bool:
        """Mark a message read (the first read time is kept); False when there is no such one."""
        stamp = _stamp(self._now(now))
        with self._transaction() as db:
            found = db.execute(
                "SELECT 1 FROM message WHERE subject = ? AND key = ?",
                (subject_of_care_id, message_key),
            ).fetchone()
            db.execute(
                "UPDATE message SET read_at = ? WHERE subject = ? AND key = ? AND read_at IS NULL",
                (stamp, subject_of_care_id, message_key),
            )
        return found is not None

    def purge_expired(self, now: datetime.datetime | None = None) -> int:
        """Drop queued messages whose 90 days have passed; returns how many were dropped."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM message WHERE expires_at IS NOT NULL AND expires_at <= ?",
                (_stamp(self._now(now)),),
            )
            return cursor.rowcount

    def _select(self, where: str, params: tuple[str, ...]) -> list[StoredMessage]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM message WHERE {where} ORDER BY sent_at, seq",  # noqa: S608  (where is one of our constant clauses; values are bound)
                params,
            ).fetchall()
        return [_message_from(row) for row in rows]


def _message_row(m: StoredMessage) -> tuple[Any, ...]:
    return (
        m.key, m.subject_of_care_id, m.unit_id, m.unit_name, json.dumps(m.unit_contact),
        m.thread_id, m.message_id, m.message_type, m.description, m.body,
        _booking_json(m.booking),
        json.dumps([[s.system_id, s.text, s.type, s.query_string] for s in m.sso_links]),
        json.dumps([[a.file_name, a.mime_type, a.size] for a in m.attachments]),
        ",".join(m.notified), _stamp(m.sent_at), _stamp(m.read_at), _stamp(m.expires_at),
    )  # fmt: skip


_PLAIN_COLUMNS = (
    "key", "unit_id", "unit_name", "thread_id", "message_id", "message_type", "description", "body",
)  # fmt: skip


def _message_from(row: sqlite3.Row) -> StoredMessage:
    sent = _unstamp(row["sent_at"])
    assert sent is not None  # noqa: S101  (the column is NOT NULL)
    links = json.loads(row["sso_links"])
    files = json.loads(row["attachments"])
    return StoredMessage(
        subject_of_care_id=row["subject"],
        unit_contact=tuple(json.loads(row["unit_contact"])),
        booking=_booking_from(row["booking"]),
        sso_links=tuple(
            StoredLink(system_id=s, text=t, type=k, query_string=q) for s, t, k, q in links
        ),
        attachments=tuple(StoredAttachment(file_name=n, mime_type=m, size=z) for n, m, z in files),
        notified=tuple(row["notified"].split(",")) if row["notified"] else (),
        sent_at=sent,
        read_at=_unstamp(row["read_at"]),
        expires_at=_unstamp(row["expires_at"]),
        **{name: row[name] for name in _PLAIN_COLUMNS},
    )
