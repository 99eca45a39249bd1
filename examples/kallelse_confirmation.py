"""A booking confirmation: the citizen booked a time (here after an open kallelse).

python examples/kallelse_confirmation.py [--serve]
"""

from __future__ import annotations

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import BookingConfirmation, OpenKallelse, Thread, ThreadSender

BOOKING = {"booking_id": "SCREENING-2026-118", "time_type_id": "MG15"}


def main() -> int:
    invitation = OpenKallelse(unit=UNIT, purpose="mammografi", **BOOKING)
    confirmation = BookingConfirmation(
        unit=UNIT,
        purpose="mammografi",
        start=VISIT,
        bring=("legitimation",),
        rebooking_allowed=True,
        cancel_allowed=True,
        **BOOKING,
    )
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "screening-2026-118")
        sender.start(invitation, TOLVAN, thread=thread)
        sent = sender.send(confirmation, TOLVAN, thread=thread)
        print(f"sent {sent.message_id}: {confirmation.title}")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
