"""A cancellation notice in the kallelse's thread, offering "Boka ny tid".

python examples/kallelse_cancellation.py [--serve]
"""

from __future__ import annotations

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import CancellationNotice, Thread, ThreadSender, TimedKallelse

BOOKING = {"booking_id": "BK-4711", "time_type_id": "HK30"}


def main() -> int:
    kallelse = TimedKallelse(unit=UNIT, purpose="hälsokontroll", start=VISIT, **BOOKING)
    cancellation = CancellationNotice(
        unit=UNIT,
        purpose="hälsokontroll",
        start=VISIT,
        reason="Mottagningen är stängd den dagen.",
        new_booking_allowed=True,  # needs the time type id: 1177 books through it
        **BOOKING,
    )
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "remiss-4711")
        sender.start(kallelse, TOLVAN, thread=thread)
        sent = sender.send(cancellation, TOLVAN, thread=thread)
        print(f"sent {sent.message_id}: {cancellation.title}")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
