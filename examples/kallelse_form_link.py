"""A link to a form before a visit (a 1177 single sign-on link; the system id is required).

python examples/kallelse_form_link.py [--serve]
"""

from __future__ import annotations

import datetime

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, simulator_session

from inkorg_riv.kallelse import FormLink, FormTiming, Thread, ThreadSender


def main() -> int:
    form = FormLink(
        unit=UNIT,
        purpose="hälsokontroll",
        form_name="hälsodeklarationen",
        system_id="SE2321000016-FORMS",  # the e-service's id in 1177's link registry
        query_string="form=halsodeklaration",
        timing=FormTiming.BEFORE_VISIT,
        fill_in_by=datetime.date(2026, 12, 10),
    )
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "remiss-4711")
        sent = sender.start(form, TOLVAN, thread=thread)
        print(f"sent {sent.message_id}: {form.title}")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
