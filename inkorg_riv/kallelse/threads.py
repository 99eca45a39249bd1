"""Threads: one inbox thread per care episode, and sending messages into it (layer L6).

Owns

* the small client protocols the domain helpers are written against (:class:`InboxClient` and
  its three one-method parts), which :class:`~inkorg_riv.client.InkorgClient` satisfies, so the
  helpers run with the real client (against the simulator in tests) or with any object that has
  the same methods;
* :class:`Thread`, the ``messageThreadId`` of a care episode: deterministic from the care
  system's own key (:meth:`Thread.for_episode`, a UUID version 5, so the identity number or any
  other key never appears in it) or generated (:meth:`Thread.new`);
* :class:`ThreadSender`, which builds, validates and sends any message kind of
  :mod:`.kinds` into a thread and keeps the care system's own message ids
  (:class:`SentMessage`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..bindings import patientportal as pp
from ..errors import KallelseError

if TYPE_CHECKING:
    from ..client import InkorgClient
    from ..validation import Validator
    from .kinds import MessageKind

__all__ = [
    "ActiveUserLookup",
    "CallResultLike",
    "InboxClient",
    "MessageSender",
    "SentMessage",
    "Thread",
    "ThreadSender",
    "ThreadStatusReader",
]

T_co = TypeVar("T_co", covariant=True)

EPISODE_NAMESPACE = uuid.UUID("8b0f0c9e-3f1c-5a7e-9d0b-1177a0c0ffee")
"""The UUID namespace of :meth:`Thread.for_episode` (fixed: changing it changes every id)."""

MAX_ID_LENGTH = 128
"""Longest thread or message id accepted (the schema sets none; 1177 stores them as keys)."""

_ID = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces


class CallResultLike(Protocol[T_co]):
    """What the domain helpers read from a client call: the decoded response."""

    @property
    def response(self) -> T_co:
        """The typed response payload."""
        ...


class MessageSender(Protocol):
    """Anything that sends an AddMessage request (``InkorgClient`` does)."""

    def add_message(
        self, request: pp.AddMessageType, *, idempotency_key: str | None = None
    ) -> CallResultLike[pp.AddMessageResponseType]:
        """Send one message; raise on ``resultCode`` ERROR, faults and transport problems."""
        ...


class ThreadStatusReader(Protocol):
    """Anything that answers GetMessageThreadStatus (``InkorgClient`` does)."""

    def get_message_thread_status(
        self,
        subject_of_care_id: str,
        message_thread_id: str,
        organisation_unit_id: str | None = None,
    ) -> CallResultLike[pp.GetMessageThreadStatusResponseType]:
        """Read status of every message in a thread."""
        ...


class ActiveUserLookup(Protocol):
    """Anything that answers IsActiveUser (``InkorgClient`` does)."""

    def is_active_user(
        self, subject_of_care_id: str
    ) -> CallResultLike[pp.IsActiveUserResponseType]:
        """Whether the citizen uses 1177 e-tjänster, and how they are notified."""
        ...


class InboxClient(MessageSender, ThreadStatusReader, ActiveUserLookup, Protocol):
    """The three calls the kallelse helpers need; :class:`~inkorg_riv.client.InkorgClient`."""


if TYPE_CHECKING:

    def _inkorg_client_is_an_inbox_client(client: InkorgClient) -> InboxClient:
        return client  # mypy checks here that InkorgClient satisfies the protocol


def check_id(value: str, what: str) -> str:
    """``value`` if it is a usable thread or message id, else :class:`KallelseError`."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise KallelseError("must be non-empty printable ASCII without spaces", field=what)
    if len(value) > MAX_ID_LENGTH:
        raise KallelseError(f"must be at most {MAX_ID_LENGTH} characters", field=what)
    return value


@dataclass(frozen=True, slots=True)
class Thread:
    """The ``messageThreadId`` that groups the messages of one care episode.

    Every message about one episode -- kallelse, reminder, update, cancellation -- goes into the
    same thread, so that 1177 shows them together and GetMessageThreadStatus reports them all.
    Use :meth:`for_episode` when the care system has a key for the episode (a referral, a
    booking series, a screening round): the same key always gives the same id, so no mapping
    has to be stored. Use :meth:`new` otherwise and keep :attr:`id`. ``Thread("known-id")``
    wraps an id you already have.
    """

    id: str

    def __post_init__(self) -> None:
        check_id(self.id, "thread id")

    @classmethod
    def for_episode(cls, care_system: str, episode_key: str) -> Thread:
        """The thread of an episode, deterministic: same care system and key, same id.

        The id is a UUID version 5 of both (36 characters); neither value can be read back
        from it, so a key that holds an identity number never reaches the inbox in clear.
        """
        for name, value in (("care_system", care_system), ("episode_key", episode_key)):
            if not isinstance(value, str) or not value.strip():
                raise KallelseError("must be a non-empty string", field=name)
        # The unit separator keeps ("a", "b:c") and ("a:b", "c") apart.
        return cls(str(uuid.uuid5(EPISODE_NAMESPACE, f"{care_system}\x1f{episode_key}")))

    @classmethod
    def new(cls) -> Thread:
        """A new thread with a random id (UUID version 4); store :attr:`id` to continue it."""
        return cls(str(uuid.uuid4()))

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """One message that was accepted by the inbox.

    ``message_id`` is the id the request carried: the care system's own when it gave one,
    otherwise the generated one -- store it to follow the message (read status, reminders).
    ``info_text`` is the ``resultText`` of a ``resultCode`` INFO answer (the message was
    stored, but something must be shown or logged, e.g. "no 1177 account: kept 90 days").
    """

    thread: Thread
    message_id: str
    kind: pp.MessageTypeType | None
    result_code: pp.ResultCodeEnum
    info_text: str | None
    notification_sent: tuple[pp.NotificationMethodType, ...]
    correlation_id: str | None
    ambiguous: bool = False
    """The client resent the request after an unknown outcome (see ``CallResult.ambiguous``)."""

    @property
    def delivered_with_info(self) -> bool:
        """Whether the inbox answered INFO: stored, and :attr:`info_text` must be logged."""
        return self.result_code is pp.ResultCodeEnum.INFO


class ThreadSender:
    """Send messages of any kind into threads, keeping the care system's message ids.

    ``sender`` is an :class:`~inkorg_riv.client.InkorgClient` (or any :class:`MessageSender`).
    ``source_system`` names the sending system (required when ``notify`` is true, otherwise
    1177 notifies nobody). Each :meth:`send` builds the request with the kind's
    ``to_request`` (validated against the schema and the rules before anything is sent) and
    uses the message id as the idempotency key, so a retry after an unknown outcome is
    recognised as a duplicate, not delivered twice.
    """

    def __init__(
        self,
        sender: MessageSender,
        *,
        source_system: str | None,
        notify: bool = True,
        validator: Validator | None = None,
    ) -> None:
        self.sender = sender
        self.source_system = source_system
        self.notify = notify
        self.validator = validator

    def start(
        self,
        message: MessageKind,
        subject_of_care_id: str,
        *,
        thread: Thread | None = None,
        message_id: str | None = None,
    ) -> SentMessage:
        """Send the first message of a thread (a new random thread unless one is given).

        A follow-up kind (reminder, booking update, cancellation) is refused with
        :class:`~inkorg_riv.errors.KallelseError`: it belongs in the thread of the message it
        follows up.
        """
        if getattr(message, "FOLLOW_UP", False):
            raise KallelseError(
                f"a {type(message).__name__} follows up an earlier message: send it with "
                "send(..., thread=<that message's thread>)",
                field="message",
            )
        return self.send(
            message, subject_of_care_id, thread=thread or Thread.new(), message_id=message_id
        )

    def send(
        self,
        message: MessageKind,
        subject_of_care_id: str,
        *,
        thread: Thread,
        message_id: str | None = None,
        notify: bool | None = None,
    ) -> SentMessage:
        """Send ``message`` into ``thread``; return what was sent, with the message id used.

        Raises :class:`~inkorg_riv.errors.KallelseError` or
        :class:`~inkorg_riv.errors.ValidationError` before sending when data is missing or
        invalid, and whatever the client raises after (faults, ``resultCode`` ERROR, transport).
        """
        request = message.to_request(
            subject_of_care_id,
            thread=thread,
            message_id=message_id,
            notify=self.notify if notify is None else notify,
            source_system=self.source_system,
            validator=self.validator,
        )
        used_id = request.message.message_id
        if used_id is None:  # pragma: no cover - to_request always sets it
            raise KallelseError("the request has no message id", field="message_id")
        result = self.sender.add_message(request, idempotency_key=used_id)
        response = result.response
        return SentMessage(
            thread=thread,
            message_id=used_id,
            kind=request.message.message_type,
            result_code=response.result_code,
            info_text=response.result_text
            if response.result_code is pp.ResultCodeEnum.INFO
            else None,
            notification_sent=tuple(response.notification_sent),
            correlation_id=_correlation_id(result),
            ambiguous=getattr(result, "ambiguous", False) is True,
        )


def _correlation_id(result: object) -> str | None:
    value = getattr(result, "correlation_id", None)
    return value if isinstance(value, str) else None
