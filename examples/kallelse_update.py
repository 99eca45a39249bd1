"""A changed time, sent in the same thread as the kallelse it changes.

python examples/kallelse_update.py [--serve]
"""

from __future__ import annotations

import datetime

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import BookingUpdate, Thread, ThreadSender, TimedKallelse

BOOKING = {"booking_id": "BK-4711", "time_type_id": "HK30"}


def main() -> int:
    kallelse = TimedKallelse(
        unit=UNIT, purpose="hälsokontroll", start=VISIT, cancel_allowed=True, **BOOKING
    )
    update = BookingUpdate(
        unit=UNIT,
        purpose="hälsokontroll",
        start=VISIT + datetime.timedelta(days=2, hours=-4),
        previous_start=VISIT,
        reason="Läkaren du skulle träffa är bortrest.",
        cancel_allowed=True,
        **BOOKING,
    )
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "remiss-4711")
        sender.start(kallelse, TOLVAN, thread=thread, message_id="kallelse-4711-1")
        sent = sender.send(update, TOLVAN, thread=thread, message_id="kallelse-4711-2")
        print(f"sent {sent.message_id} ({update.title}) in thread {thread.id}")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
