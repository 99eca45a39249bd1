"""A reminder of an unread kallelse, in its thread, when the reminder policy says so.

python examples/kallelse_reminder.py [--serve]
"""

from __future__ import annotations

import datetime

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import (
    Action,
    Reminder,
    ReminderPolicy,
    Thread,
    ThreadSender,
    TimedKallelse,
    thread_status,
)


def main() -> int:
    kallelse = TimedKallelse(
        unit=UNIT,
        purpose="hälsokontroll",
        start=VISIT,
        booking_id="BK-4711",
        time_type_id="HK30",
        cancel_allowed=True,
    )
    policy = ReminderPolicy(remind_after=datetime.timedelta(days=3))
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "remiss-4711")
        sender.start(kallelse, TOLVAN, thread=thread)
        status = thread_status(session.client, TOLVAN, thread)
        # Your scheduler runs this later; here we ask "what if it were four days from now?"
        later = status.messages[0].sent_time + datetime.timedelta(days=4)
        decision = policy.decide(status, later)
        print(f"in four days: {decision}")
        if decision.action is Action.SEND_REMINDER:
            sent = sender.send(Reminder.of(kallelse), TOLVAN, thread=thread)
            print(f"sent {sent.message_id} in the same thread")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
