"""A kallelse with a booked time: start, place, what to bring, "Boka om" and "Avboka" buttons.

Runs against a local simulator it starts itself (never a real endpoint):

    python examples/kallelse_timed.py [--serve]
"""

from __future__ import annotations

import datetime

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import Thread, ThreadSender, TimedKallelse


def main() -> int:
    kallelse = TimedKallelse(
        unit=UNIT,
        purpose="hälsokontroll",
        start=VISIT,  # naive: Swedish time
        duration=datetime.timedelta(minutes=30),
        location="Mottagning 3, plan 2",
        bring=("legitimation", "läkemedelslista"),
        preparations=("Ät inte på fyra timmar före besöket.",),
        booking_id="BK-4711",  # the booking in your booking system (1177 reads it from there)
        time_type_id="HK30",  # required: 1177 rebooks and cancels through it
        rebooking_allowed=True,
        cancel_allowed=True,
    )
    print(kallelse.title)
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "remiss-4711")  # same episode, same thread
        sent = sender.start(kallelse, TOLVAN, thread=thread, message_id="kallelse-4711-1")
        print(
            f"sent {sent.message_id} in thread {sent.thread.id}: {sent.result_code.value}, "
            f"notified by {', '.join(m.value for m in sent.notification_sent)}"
        )
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
