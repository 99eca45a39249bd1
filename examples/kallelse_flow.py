"""The whole job: decide the channel, send a kallelse, follow up in its thread, remind.

1. For each citizen, :func:`decide_channel` answers digital, digital and paper, or paper only
   (IsActiveUser, the paper opt-out, the kind of identity number, the region's rules).
2. The kallelse goes to those reached digitally, in a thread per care episode.
3. A follow-up (a form link before the visit) goes into the same thread.
4. The reminder policy is asked what to do next for the kallelse -- before and after the
   citizen reads; the reminder goes into the same thread.

Runs against a local simulator it starts itself (never a real endpoint):

    python examples/kallelse_flow.py [--serve]
"""

from __future__ import annotations

import datetime

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import (
    Action,
    FormLink,
    RegionPolicy,
    Reminder,
    ReminderPolicy,
    Thread,
    ThreadSender,
    TimedKallelse,
    decide_channel,
    thread_status,
)

OPTED_OUT = "194910302126"  # fictitious; active user, no paper letters
NO_ACCOUNT = "198001012122"  # fictitious; not a 1177 user
CITIZENS = {
    TOLVAN: {"notification_methods": ("SMS", "Email")},
    OPTED_OUT: {"notification_methods": ("SMS",), "paper_opt_out": True},
    NO_ACCOUNT: {"has_account": False},
}


def main() -> int:
    kallelse = TimedKallelse(
        unit=UNIT,
        purpose="hälsokontroll",
        start=VISIT,
        duration=datetime.timedelta(minutes=30),
        bring=("legitimation",),
        booking_id="BK-4711",
        time_type_id="HK30",
        rebooking_allowed=True,
        cancel_allowed=True,
    )
    form = FormLink(
        unit=UNIT,
        purpose="hälsokontroll",
        form_name="hälsodeklarationen",
        system_id="SE2321000016-FORMS",
    )
    region = RegionPolicy(minor_age_limit=16, interpreter_gets_paper=True)
    policy = ReminderPolicy(
        remind_after=datetime.timedelta(days=3),
        max_reminders=1,
        paper_fallback_after=datetime.timedelta(days=4),
    )
    with simulator_session(CITIZENS) as session:
        client = session.client
        sender = ThreadSender(client, source_system=SOURCE_SYSTEM)

        print("1. decide the channel, 2. send the kallelse (one thread per care episode)")
        threads: dict[str, Thread] = {}
        for number, subject in enumerate(CITIZENS, start=4711):
            decision = decide_channel(subject, activity=client, policy=region)
            print(f"   {subject[:8]}****: {decision}")
            if decision.channel.digital:
                thread = Thread.for_episode(SOURCE_SYSTEM, f"remiss-{number}")
                sender.start(kallelse, subject, thread=thread, message_id=f"kallelse-{number}-1")
                threads[subject] = thread
                print(f"      sent kallelse-{number}-1 in thread {thread.id}")
            if decision.channel.paper:
                print("      and a paper letter (your print service)")

        print("3. follow up in Tolvan's thread: a form to fill in before the visit")
        thread = threads[TOLVAN]
        sender.send(form, TOLVAN, thread=thread, message_id="kallelse-4711-2")

        print("4. what next for the kallelse? (letter_id: the form link is not what we follow)")
        letter = "kallelse-4711-1"
        status = thread_status(client, TOLVAN, thread)
        t0 = status.messages[0].sent_time
        for days in (1, 3):
            decision = policy.decide(status, t0 + datetime.timedelta(days=days), letter_id=letter)
            print(f"   after {days} day(s), unread: {decision}")
        reminder = sender.send(Reminder.of(kallelse), TOLVAN, thread=thread)
        reminders = {reminder.message_id}
        status = thread_status(client, TOLVAN, thread)
        later = status.messages[-1].sent_time + datetime.timedelta(days=5)
        decision = policy.decide(status, later, reminder_ids=reminders, letter_id=letter)
        print(f"   reminder sent ({status.state.value}); 5 days on: {decision}")

        session.read(TOLVAN, reminder.message_id)  # Tolvan opens the reminder in the inbox
        status = thread_status(client, TOLVAN, thread)
        decision = policy.decide(status, later, reminder_ids=reminders, letter_id=letter)
        print(f"   after Tolvan read it ({status.state.value}): {decision}")
        if decision.action is not Action.NOTHING:
            raise SystemExit("expected nothing more to do after the citizen read the reminder")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
