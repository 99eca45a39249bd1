"""An open kallelse: no time yet, the citizen books one with the "Boka ny tid" button.

python examples/kallelse_open.py [--serve]
"""

from __future__ import annotations

import datetime

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, simulator_session

from inkorg_riv.kallelse import OpenKallelse, Thread, ThreadSender


def main() -> int:
    kallelse = OpenKallelse(
        unit=UNIT,
        purpose="mammografi",
        booking_id="SCREENING-2026-118",  # the open invitation in your booking system
        time_type_id="MG15",  # required for the button: 1177 books through it
        book_before=datetime.date(2027, 1, 31),
    )
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "screening-2026-118")
        sent = sender.start(kallelse, TOLVAN, thread=thread)
        print(f"sent {sent.message_id}: {sent.result_code.value}")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
