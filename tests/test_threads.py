"""Threads: deterministic ids per care episode, generated ids, and what a ThreadSender refuses.

Sending through the simulator is covered in ``test_kallelse_e2e.py``.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inkorg_riv.errors import KallelseError
from inkorg_riv.kallelse import (
    BookingUpdate,
    CancellationNotice,
    CareUnit,
    Reminder,
    Thread,
    ThreadSender,
    TimedKallelse,
)

UNIT = CareUnit(hsa_id="SE2321000016-A1B2", name="VC Exempelby", phone="010-123 45 67")
KALLELSE = TimedKallelse(
    unit=UNIT,
    purpose="hälsokontroll",
    start=datetime.datetime(2026, 12, 14, 14),
    booking_id="BK-1",
    time_type_id="HK30",
)


def test_same_episode_same_thread() -> None:
    first = Thread.for_episode("EXEMPEL-BOKNING", "remiss-4711")
    again = Thread.for_episode("EXEMPEL-BOKNING", "remiss-4711")
    assert first == again
    assert first.id == again.id
    assert first.id == "64628133-e4f8-5c37-ba08-fa30ce204072"  # stable across releases


def test_different_episodes_or_systems_differ() -> None:
    ids = {
        Thread.for_episode("A", "1").id,
        Thread.for_episode("A", "2").id,
        Thread.for_episode("B", "1").id,
        Thread.for_episode("A1", "x").id,
    }
    assert len(ids) == 4
    # The separator keeps a shifted boundary apart.
    assert Thread.for_episode("a", "b:c") != Thread.for_episode("a:b", "c")


@given(system=st.text(min_size=1).filter(str.strip), key=st.text(min_size=1).filter(str.strip))
def test_episode_ids_are_uuid5_and_never_carry_the_key(system: str, key: str) -> None:
    thread = Thread.for_episode(system, key)
    parsed = uuid.UUID(thread.id)
    assert parsed.version == 5
    assert len(thread.id) == 36
    assert thread == Thread.for_episode(system, key)


def test_an_identity_number_in_the_episode_key_does_not_reach_the_id() -> None:
    thread = Thread.for_episode("SCREENING", "191212121212-mammografi-2026")
    assert "191212121212" not in thread.id
    assert "12121212" not in thread.id.replace("-", "")


def test_new_threads_are_random() -> None:
    ids = {Thread.new().id for _ in range(50)}
    assert len(ids) == 50
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert str(Thread("vc:4711")) == "vc:4711"


@pytest.mark.parametrize("bad", ["", " ", "has space", "tab\t", "å", "x" * 129])
def test_unusable_thread_ids_are_refused(bad: str) -> None:
    with pytest.raises(KallelseError, match=r"^thread id: "):
        Thread(bad)


@pytest.mark.parametrize(("system", "key"), [("", "k"), ("s", ""), ("s", "  ")])
def test_episode_needs_both_parts(system: str, key: str) -> None:
    with pytest.raises(KallelseError):
        Thread.for_episode(system, key)


class _NeverCalled:
    """A sender that must not be reached: the refusals below happen before sending."""

    def add_message(self, request: object, *, idempotency_key: str | None = None) -> object:
        raise AssertionError(f"nothing may be sent ({type(request).__name__}, {idempotency_key})")


@pytest.mark.parametrize(
    "follow_up",
    [
        Reminder.of(KALLELSE),
        BookingUpdate(
            unit=UNIT,
            purpose="hälsokontroll",
            start=datetime.datetime(2026, 12, 15, 9),
            booking_id="BK-1",
            time_type_id="HK30",
        ),
        CancellationNotice(unit=UNIT, purpose="hälsokontroll", booking_id="BK-1"),
    ],
    ids=lambda m: type(m).__name__,
)
def test_a_follow_up_cannot_start_a_thread(follow_up: object) -> None:
    sender = ThreadSender(_NeverCalled(), source_system="EXEMPEL")  # type: ignore[arg-type]
    with pytest.raises(KallelseError, match="follows up an earlier message"):
        sender.start(follow_up, "191212121212")  # type: ignore[arg-type]


def test_invalid_data_is_refused_before_sending() -> None:
    sender = ThreadSender(_NeverCalled(), source_system=None)  # type: ignore[arg-type]
    with pytest.raises(KallelseError, match=r"^source_system: "):
        sender.start(KALLELSE, "191212121212")
    quiet = ThreadSender(_NeverCalled(), source_system="EXEMPEL")  # type: ignore[arg-type]
    with pytest.raises(KallelseError, match=r"^message_id: "):
        quiet.send(KALLELSE, "191212121212", thread=Thread.new(), message_id="a b")
