"""Read status of a thread and the reminder policy (layer L6).

Owns

* :func:`thread_status`: GetMessageThreadStatus turned into a :class:`ThreadStatus` -- per
  message its id, sent time, read or unread and when; for the thread all read, none read or
  partly read, and the last read time;
* :class:`ReminderPolicy` and its pure :meth:`~ReminderPolicy.decide`: given a thread's status
  and the time now, what the care system should do next -- :attr:`Action.WAIT` until a time,
  :attr:`Action.SEND_REMINDER`, :attr:`Action.FALL_BACK_TO_PAPER`, or :attr:`Action.NOTHING`
  -- with the reason. It does no IO, so the caller can schedule it however it likes.

Times in a status are timezone-aware; a time the service sent without an offset is taken as
UTC. The inbox does not report a message's kind, so :meth:`ReminderPolicy.decide` is told which
message ids were reminders (``reminder_ids``): the care system knows, it sent them (see
:class:`~.threads.SentMessage`).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Collection
from dataclasses import dataclass

from ..bindings import patientportal as pp
from ..errors import KallelseError
from .threads import Thread, ThreadStatusReader

__all__ = [
    "Action",
    "Decision",
    "MessageReadStatus",
    "ReadState",
    "ReminderPolicy",
    "ThreadStatus",
    "thread_status",
]


def _aware(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=datetime.UTC)
    return value


class ReadState(enum.Enum):
    """How much of a thread the citizen has read."""

    EMPTY = "empty"
    """No message in the thread (unknown thread, another unit's thread, or expired)."""
    NONE_READ = "none read"
    PARTLY_READ = "partly read"
    ALL_READ = "all read"


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReadStatus:
    """One message of a thread as the inbox reports it."""

    message_id: str | None
    sent_time: datetime.datetime
    read: bool
    read_time: datetime.datetime | None = None

    @classmethod
    def from_binding(cls, status: pp.MessageStatusType) -> MessageReadStatus:
        """From the contract's ``MessageStatusType``."""
        read = status.read_status is pp.ReadStatusType.READ
        read_time = _aware(status.read_time) if status.read_time is not None else None
        return cls(
            message_id=status.message_id,
            sent_time=_aware(status.sent_time),
            read=read,
            read_time=read_time,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadStatus:
    """Every message of one thread, oldest first, and what that means for the thread."""

    thread: Thread
    messages: tuple[MessageReadStatus, ...]

    @classmethod
    def from_response(cls, response: pp.GetMessageThreadStatusResponseType) -> ThreadStatus:
        """From a GetMessageThreadStatus response (messages sorted by sent time)."""
        messages = sorted(
            (MessageReadStatus.from_binding(m) for m in response.message),
            key=lambda m: m.sent_time,
        )
        return cls(thread=Thread(response.message_thread_id), messages=tuple(messages))

    @property
    def state(self) -> ReadState:
        """All read, none read, partly read, or empty."""
        if not self.messages:
            return ReadState.EMPTY
        read = sum(1 for m in self.messages if m.read)
        if read == 0:
            return ReadState.NONE_READ
        return ReadState.ALL_READ if read == len(self.messages) else ReadState.PARTLY_READ

    @property
    def last_read_time(self) -> datetime.datetime | None:
        """When the citizen last opened a message of the thread (None: never)."""
        times = [m.read_time for m in self.messages if m.read_time is not None]
        return max(times) if times else None

    @property
    def unread(self) -> tuple[MessageReadStatus, ...]:
        """The messages not read yet, oldest first."""
        return tuple(m for m in self.messages if not m.read)

    def message(self, message_id: str) -> MessageReadStatus | None:
        """The status of the message with this id, or None."""
        return next((m for m in self.messages if m.message_id == message_id), None)


def thread_status(
    client: ThreadStatusReader,
    subject_of_care_id: str,
    thread: Thread | str,
    *,
    organisation_unit_id: str | None = None,
) -> ThreadStatus:
    """Ask the inbox for the read status of every message in ``thread``.

    ``organisation_unit_id`` narrows it to one sending unit's messages. An unknown thread is
    not an error: its status is :attr:`ReadState.EMPTY`.
    """
    thread_id = thread.id if isinstance(thread, Thread) else Thread(thread).id
    result = client.get_message_thread_status(subject_of_care_id, thread_id, organisation_unit_id)
    return ThreadStatus.from_response(result.response)


# ---------------------------------------------------------------------- reminder policy


class Action(enum.Enum):
    """What the care system should do next for a thread."""

    WAIT = "wait"
    """Nothing yet: ask again at :attr:`Decision.at`."""
    SEND_REMINDER = "send reminder"
    """Send a :class:`~.kinds.Reminder` into the thread now."""
    FALL_BACK_TO_PAPER = "fall back to paper"
    """The citizen has not read it digitally: send the letter on paper now."""
    NOTHING = "nothing"
    """Nothing to do: the citizen has read it (or there is nothing left to try)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The answer of :meth:`ReminderPolicy.decide`: the action, why, and when."""

    action: Action
    reason: str
    at: datetime.datetime | None = None
    """For :attr:`Action.WAIT`: when to ask again. For the others: when it became due."""
    letter_id: str | None = None
    """The message being followed up (the newest message that is not a reminder)."""
    reminders_sent: int = 0

    def __str__(self) -> str:
        return f"{self.action.value}: {self.reason}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderPolicy:
    """Remind if unread after ``remind_after``, at most ``max_reminders`` times, then paper.

    The letter followed up is the one named by ``letter_id``, by default the thread's newest
    message that is not a reminder (so a booking update after a kallelse restarts the
    follow-up). It counts as read when the citizen has opened it or any reminder sent after
    it. The clock for the first reminder starts when the letter was sent, for each further one
    when the previous reminder was sent, and for the paper fallback when the last digital
    message (the last reminder) was sent.
    ``paper_fallback_after=None`` means no paper fallback: once the reminders are used up there
    is nothing more to do.
    """

    remind_after: datetime.timedelta = datetime.timedelta(days=3)
    max_reminders: int = 1
    paper_fallback_after: datetime.timedelta | None = datetime.timedelta(days=4)

    def __post_init__(self) -> None:
        if self.remind_after <= datetime.timedelta(0):
            raise KallelseError("must be longer than zero", field="remind_after")
        if self.max_reminders < 0:
            raise KallelseError("must be zero or more", field="max_reminders")
        if (
            self.paper_fallback_after is not None
            and self.paper_fallback_after <= datetime.timedelta(0)
        ):
            raise KallelseError("must be longer than zero (or None)", field="paper_fallback_after")

    def decide(
        self,
        status: ThreadStatus,
        now: datetime.datetime,
        *,
        reminder_ids: Collection[str] = (),
        letter_id: str | None = None,
    ) -> Decision:
        """What to do next for the thread in ``status`` at ``now`` (timezone-aware).

        ``reminder_ids`` are the message ids of the reminders the care system sent into the
        thread. ``letter_id`` names the message to follow up (default: the newest message that
        is not a reminder); a ``letter_id`` that is not in the thread raises
        :class:`~inkorg_riv.errors.KallelseError`. Pure: no IO, the same input always gives the
        same decision.
        """
        if now.tzinfo is None or now.utcoffset() is None:
            raise KallelseError("must be timezone-aware", field="now")
        if letter_id is not None:
            named = status.message(letter_id)
            if named is None:
                raise KallelseError(
                    f"{letter_id!r} is not in thread {status.thread.id} (another unit's, "
                    "expired, or never sent)",
                    field="letter_id",
                )
            letter = named
        else:
            letters = [m for m in status.messages if m.message_id not in reminder_ids]
            if not letters:
                return Decision(
                    action=Action.NOTHING, reason="the thread has no message to follow up"
                )
            letter = letters[-1]
        reminders = [
            m
            for m in status.messages
            if m.message_id in reminder_ids and m.sent_time >= letter.sent_time
        ]
        count = len(reminders)

        def decision(action: Action, reason: str, at: datetime.datetime | None) -> Decision:
            return Decision(
                action=action,
                reason=reason,
                at=at,
                letter_id=letter.message_id,
                reminders_sent=count,
            )

        opened = [m for m in (letter, *reminders) if m.read]
        if opened:
            times = [m.read_time for m in opened if m.read_time is not None]
            first = min(times) if times else None
            what = "the letter" if letter.read else "a reminder"
            when = f" at {first.isoformat()}" if first else ""
            return decision(Action.NOTHING, f"the citizen has read {what}{when}", first)
        last_sent = reminders[-1].sent_time if reminders else letter.sent_time
        action, reason, at = self._unread(count, last_sent, now)
        return decision(action, reason, at)

    def _unread(
        self, count: int, last_sent: datetime.datetime, now: datetime.datetime
    ) -> tuple[Action, str, datetime.datetime | None]:
        """The next step for an unread letter after ``count`` reminders."""
        since = "the last reminder" if count else "the letter"
        if count < self.max_reminders:
            due = last_sent + self.remind_after
            which = f"reminder {count + 1} of {self.max_reminders}"
            if now < due:
                return (
                    Action.WAIT,
                    f"unread; {which} is due {_span(self.remind_after)} after {since}",
                    due,
                )
            return (
                Action.SEND_REMINDER,
                f"unread {_span(now - last_sent)} after {since}; send {which}",
                due,
            )
        used = f"{count} reminder{'s' if count != 1 else ''} sent"
        if self.paper_fallback_after is None:
            return Action.NOTHING, f"unread, {used}, and the policy has no paper fallback", None
        due = last_sent + self.paper_fallback_after
        if now < due:
            return (
                Action.WAIT,
                f"unread, {used}; paper is due {_span(self.paper_fallback_after)} after {since}",
                due,
            )
        return (
            Action.FALL_BACK_TO_PAPER,
            f"unread {_span(now - last_sent)} after {since}, {used}; send the letter on paper",
            due,
        )


def _span(delta: datetime.timedelta) -> str:
    """``3 days``, ``2 days 4 hours``, ``45 minutes``: a readable length of time."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts[:2]) or "less than a minute"
