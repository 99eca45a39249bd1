"""Read status of a thread and every branch of the ReminderPolicy decision (pure, given ``now``).

Read status and the decision against the simulator are in ``test_kallelse_e2e.py``.
"""

from __future__ import annotations

import datetime

import pytest

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.errors import KallelseError
from inkorg_riv.kallelse import (
    Action,
    MessageReadStatus,
    ReadState,
    ReminderPolicy,
    Thread,
    ThreadStatus,
)

T0 = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
THREAD = Thread("vc:4711")
POLICY = ReminderPolicy(remind_after=3 * DAY, max_reminders=1, paper_fallback_after=4 * DAY)


def msg(
    message_id: str | None, sent: datetime.datetime, read: datetime.datetime | None = None
) -> MessageReadStatus:
    return MessageReadStatus(
        message_id=message_id, sent_time=sent, read=read is not None, read_time=read
    )


def status(*messages: MessageReadStatus) -> ThreadStatus:
    return ThreadStatus(thread=THREAD, messages=messages)


# ---------------------------------------------------------------------- thread status


def test_status_from_the_contract_response() -> None:
    response = pp.GetMessageThreadStatusResponseType(
        message_thread_id="vc:4711",
        message=(
            pp.MessageStatusType(
                message_id="r-1", sent_time=T0 + DAY, read_status=pp.ReadStatusType.UNREAD
            ),
            pp.MessageStatusType(
                message_id="k-1",
                sent_time=T0.replace(tzinfo=None),  # no offset: taken as UTC
                read_status=pp.ReadStatusType.READ,
                read_time=(T0 + 2 * DAY).replace(tzinfo=None),
            ),
        ),
    )
    found = ThreadStatus.from_response(response)
    assert found.thread == THREAD
    assert [m.message_id for m in found.messages] == ["k-1", "r-1"]  # oldest first
    assert found.messages[0].sent_time == T0
    assert found.messages[0].read_time == T0 + 2 * DAY
    assert found.state is ReadState.PARTLY_READ
    assert found.last_read_time == T0 + 2 * DAY
    assert [m.message_id for m in found.unread] == ["r-1"]
    assert found.message("k-1") is found.messages[0]
    assert found.message("nope") is None


def test_status_states() -> None:
    assert status().state is ReadState.EMPTY
    assert status().last_read_time is None
    assert status(msg("a", T0), msg("b", T0)).state is ReadState.NONE_READ
    both = status(msg("a", T0, T0 + DAY), msg("b", T0, T0 + 2 * DAY))
    assert both.state is ReadState.ALL_READ
    assert both.last_read_time == T0 + 2 * DAY


# ---------------------------------------------------------------------- the policy's branches


def test_empty_thread_nothing_to_follow_up() -> None:
    decision = POLICY.decide(status(), T0)
    assert decision.action is Action.NOTHING
    assert "no message" in decision.reason


def test_unread_and_too_early_wait_for_the_reminder() -> None:
    decision = POLICY.decide(status(msg("k-1", T0)), T0 + DAY)
    assert decision.action is Action.WAIT
    assert decision.at == T0 + 3 * DAY
    assert decision.letter_id == "k-1"
    assert decision.reminders_sent == 0
    assert decision.reason == "unread; reminder 1 of 1 is due 3 days after the letter"


def test_unread_when_due_send_a_reminder() -> None:
    decision = POLICY.decide(status(msg("k-1", T0)), T0 + 3 * DAY)
    assert decision.action is Action.SEND_REMINDER
    assert decision.at == T0 + 3 * DAY
    later = POLICY.decide(status(msg("k-1", T0)), T0 + 5 * DAY + datetime.timedelta(hours=2))
    assert later.action is Action.SEND_REMINDER
    assert later.reason == "unread 5 days 2 hours after the letter; send reminder 1 of 1"


def test_reminder_sent_and_unread_wait_for_paper() -> None:
    thread = status(msg("k-1", T0), msg("r-1", T0 + 3 * DAY))
    decision = POLICY.decide(thread, T0 + 5 * DAY, reminder_ids={"r-1"})
    assert decision.action is Action.WAIT
    assert decision.at == T0 + 7 * DAY  # 4 days after the reminder
    assert decision.reminders_sent == 1
    assert "paper is due 4 days after the last reminder" in decision.reason


def test_reminders_used_up_fall_back_to_paper() -> None:
    thread = status(msg("k-1", T0), msg("r-1", T0 + 3 * DAY))
    decision = POLICY.decide(thread, T0 + 7 * DAY, reminder_ids={"r-1"})
    assert decision.action is Action.FALL_BACK_TO_PAPER
    assert decision.at == T0 + 7 * DAY
    assert "send the letter on paper" in decision.reason
    assert str(decision).startswith("fall back to paper: unread 4 days after the last reminder")


def test_without_paper_fallback_nothing_left_to_try() -> None:
    policy = ReminderPolicy(remind_after=3 * DAY, paper_fallback_after=None)
    thread = status(msg("k-1", T0), msg("r-1", T0 + 3 * DAY))
    decision = policy.decide(thread, T0 + 30 * DAY, reminder_ids={"r-1"})
    assert decision.action is Action.NOTHING
    assert decision.reason == "unread, 1 reminder sent, and the policy has no paper fallback"


def test_read_letter_nothing_to_do() -> None:
    thread = status(msg("k-1", T0, T0 + DAY))
    decision = POLICY.decide(thread, T0 + 10 * DAY)
    assert decision.action is Action.NOTHING
    assert decision.at == T0 + DAY
    assert decision.reason == f"the citizen has read the letter at {(T0 + DAY).isoformat()}"


def test_read_reminder_counts_as_read() -> None:
    thread = status(msg("k-1", T0), msg("r-1", T0 + 3 * DAY, T0 + 4 * DAY))
    decision = POLICY.decide(thread, T0 + 10 * DAY, reminder_ids={"r-1"})
    assert decision.action is Action.NOTHING
    assert "read a reminder" in decision.reason


def test_without_reminder_ids_every_message_is_a_letter() -> None:
    # Not told that r-1 was a reminder, the policy follows r-1 itself up.
    thread = status(msg("k-1", T0), msg("r-1", T0 + 3 * DAY))
    decision = POLICY.decide(thread, T0 + 4 * DAY)
    assert decision.letter_id == "r-1"
    assert decision.action is Action.WAIT


def test_no_reminders_allowed_goes_straight_to_paper() -> None:
    policy = ReminderPolicy(max_reminders=0, paper_fallback_after=5 * DAY)
    assert policy.decide(status(msg("k-1", T0)), T0 + 4 * DAY).action is Action.WAIT
    decision = policy.decide(status(msg("k-1", T0)), T0 + 5 * DAY)
    assert decision.action is Action.FALL_BACK_TO_PAPER
    assert "after the letter, 0 reminders sent" in decision.reason


def test_second_reminder_counts_from_the_first() -> None:
    policy = ReminderPolicy(remind_after=2 * DAY, max_reminders=2, paper_fallback_after=DAY)
    thread = status(msg("k-1", T0), msg("r-1", T0 + 3 * DAY))
    waiting = policy.decide(thread, T0 + 4 * DAY, reminder_ids={"r-1"})
    assert waiting.action is Action.WAIT
    assert waiting.at == T0 + 5 * DAY
    assert "reminder 2 of 2" in waiting.reason
    due = policy.decide(thread, T0 + 5 * DAY, reminder_ids={"r-1"})
    assert due.action is Action.SEND_REMINDER


def test_an_update_after_a_read_kallelse_restarts_the_follow_up() -> None:
    thread = status(msg("k-1", T0, T0 + DAY), msg("u-1", T0 + 2 * DAY))
    decision = POLICY.decide(thread, T0 + 6 * DAY)
    assert decision.letter_id == "u-1"
    assert decision.action is Action.SEND_REMINDER
    # A reminder sent before the update does not count for the update.
    older = status(msg("k-1", T0), msg("r-1", T0 + DAY), msg("u-1", T0 + 2 * DAY))
    assert POLICY.decide(older, T0 + 6 * DAY, reminder_ids={"r-1"}).reminders_sent == 0


def test_a_message_without_id_is_followed_up() -> None:
    decision = POLICY.decide(status(msg(None, T0)), T0 + 3 * DAY)
    assert decision.action is Action.SEND_REMINDER
    assert decision.letter_id is None


def test_decide_is_pure() -> None:
    thread = status(msg("k-1", T0))
    assert POLICY.decide(thread, T0 + DAY) == POLICY.decide(thread, T0 + DAY)


def test_decide_needs_an_aware_now() -> None:
    with pytest.raises(KallelseError, match=r"^now: "):
        POLICY.decide(status(msg("k-1", T0)), datetime.datetime(2026, 11, 5))


def test_a_read_message_without_read_time() -> None:
    thread = status(MessageReadStatus(message_id="k-1", sent_time=T0, read=True))
    decision = POLICY.decide(thread, T0 + DAY)
    assert decision.action is Action.NOTHING
    assert decision.at is None
    assert decision.reason == "the citizen has read the letter"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"remind_after": datetime.timedelta(0)}, "remind_after"),
        ({"max_reminders": -1}, "max_reminders"),
        ({"paper_fallback_after": -DAY}, "paper_fallback_after"),
    ],
)
def test_policy_refuses_nonsense(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(KallelseError, match=f"^{field}: "):
        ReminderPolicy(**kwargs)  # type: ignore[arg-type]


def test_short_spans_are_readable() -> None:
    policy = ReminderPolicy(remind_after=datetime.timedelta(minutes=45))
    decision = policy.decide(status(msg("k-1", T0)), T0 + datetime.timedelta(seconds=20))
    assert "due 45 minutes after the letter" in decision.reason
    due = policy.decide(status(msg("k-1", T0)), T0 + datetime.timedelta(minutes=45, seconds=30))
    assert "unread 45 minutes after" in due.reason


def test_a_named_letter_is_followed_up_even_with_newer_messages() -> None:
    # kallelse, then a form link (not a reminder): follow the kallelse up, not the form.
    thread = status(msg("k-1", T0), msg("f-1", T0 + DAY), msg("r-1", T0 + 3 * DAY))
    decision = POLICY.decide(thread, T0 + 5 * DAY, reminder_ids={"r-1"}, letter_id="k-1")
    assert decision.letter_id == "k-1"
    assert decision.reminders_sent == 1
    assert decision.action is Action.WAIT
    by_default = POLICY.decide(thread, T0 + 5 * DAY, reminder_ids={"r-1"})
    assert by_default.letter_id == "f-1"


def test_a_named_letter_must_be_in_the_thread() -> None:
    with pytest.raises(KallelseError, match=r"^letter_id: 'k-9' is not in thread vc:4711"):
        POLICY.decide(status(msg("k-1", T0)), T0, letter_id="k-9")
