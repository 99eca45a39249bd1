"""Domain helpers for digital kallelser in the 1177 inbox (layer L6).

This package owns what a care system needs beyond the bare contract. So far:

* :mod:`.body` -- the safe builder for the DocBook subset of ``messageText``
  (:class:`Body`, :class:`Para`, :class:`Section`, :class:`VariableList`,
  :class:`Bibliography`, :class:`Link`);
* :mod:`.check` -- the subset itself and the checker (:func:`check_body`,
  :func:`assert_body_ok`, :data:`BODY_RULE` for the validator);
* :mod:`.render` -- the message as the citizen sees it, as HTML (:func:`render_docbook`,
  :func:`preview_html`);
* :mod:`.dates` -- Swedish dates and times in Europe/Stockholm (:func:`swedish_datetime`).
* :mod:`.kinds` and :mod:`.bookings` -- one typed builder per message kind
  (:class:`TimedKallelse`, :class:`OpenKallelse`, :class:`BookingUpdate`,
  :class:`BookingConfirmation`, :class:`CancellationNotice`, :class:`VisitInformation`,
  :class:`FormLink`, :class:`Reminder`) and the sending unit (:class:`CareUnit`);
* :mod:`.threads` -- :class:`Thread` per care episode, :class:`ThreadSender`, and the client
  protocols the helpers are written against (:class:`InboxClient`);
* :mod:`.status` -- read status (:func:`thread_status`) and :class:`ReminderPolicy`;
* :mod:`.channel` -- :func:`decide_channel`: digital, digital and paper, or paper only.

Each module keeps its own ``__all__``; this package re-exports the public names of each, so
adding a module means one import line and one ``__all__`` extension below.
"""

from __future__ import annotations

from ..validation.docbook import (
    BODY_RULE,
    MISMATCH,
    BodyError,
    BodyIssue,
    assert_body_ok,
    check_body,
)
from .body import (
    Bibliography,
    Block,
    Body,
    Link,
    LinkTarget,
    Para,
    Section,
    SectionBlock,
    VariableList,
)
from .bookings import (
    BookingConfirmation,
    BookingUpdate,
    CancellationNotice,
    OpenKallelse,
    Reminder,
    TimedKallelse,
)
from .channel import (
    Channel,
    ChannelDecision,
    IsActiveUserPaperPreference,
    PaperPreferenceSource,
    RegionPolicy,
    decide_channel,
)
from .dates import STOCKHOLM, swedish_date, swedish_datetime, swedish_time
from .kinds import (
    CareUnit,
    FormLink,
    FormTiming,
    InboxMessage,
    MessageKind,
    VisitInformation,
    kallelse_validator,
)
from .render import preview_html, render_docbook
from .status import (
    Action,
    Decision,
    MessageReadStatus,
    ReadState,
    ReminderPolicy,
    ThreadStatus,
    thread_status,
)
from .threads import (
    ActiveUserLookup,
    CallResultLike,
    InboxClient,
    MessageSender,
    SentMessage,
    Thread,
    ThreadSender,
    ThreadStatusReader,
)

__all__ = [
    "BODY_RULE",
    "MISMATCH",
    "STOCKHOLM",
    "Action",
    "ActiveUserLookup",
    "Bibliography",
    "Block",
    "Body",
    "BodyError",
    "BodyIssue",
    "BookingConfirmation",
    "BookingUpdate",
    "CallResultLike",
    "CancellationNotice",
    "CareUnit",
    "Channel",
    "ChannelDecision",
    "Decision",
    "FormLink",
    "FormTiming",
    "InboxClient",
    "InboxMessage",
    "IsActiveUserPaperPreference",
    "Link",
    "LinkTarget",
    "MessageKind",
    "MessageReadStatus",
    "MessageSender",
    "OpenKallelse",
    "PaperPreferenceSource",
    "Para",
    "ReadState",
    "RegionPolicy",
    "Reminder",
    "ReminderPolicy",
    "Section",
    "SectionBlock",
    "SentMessage",
    "Thread",
    "ThreadSender",
    "ThreadStatus",
    "ThreadStatusReader",
    "TimedKallelse",
    "VariableList",
    "VisitInformation",
    "assert_body_ok",
    "check_body",
    "decide_channel",
    "kallelse_validator",
    "preview_html",
    "render_docbook",
    "swedish_date",
    "swedish_datetime",
    "swedish_time",
    "thread_status",
]
