"""Information before a visit, with an extra section made with the body builder.

python examples/kallelse_information.py [--serve]
"""

from __future__ import annotations

from _simulator_session import SOURCE_SYSTEM, TOLVAN, UNIT, VISIT, simulator_session

from inkorg_riv.kallelse import Link, Para, Section, Thread, ThreadSender, VisitInformation


def main() -> int:
    information = VisitInformation(
        unit=UNIT,
        purpose="din gastroskopi",
        paragraphs=(
            "Du får inte äta eller dricka något de sista sex timmarna före undersökningen.",
            "Ta med en lista över de läkemedel du använder.",
        ),
        visit_start=VISIT,
        extra=(
            Section(
                "Läs mer",
                [Para("Om gastroskopi på ", Link("1177.se", "https://www.1177.se/"), ".")],
            ),
        ),
    )
    with simulator_session() as session:
        sender = ThreadSender(session.client, source_system=SOURCE_SYSTEM)
        thread = Thread.for_episode(SOURCE_SYSTEM, "remiss-5120")
        sent = sender.start(information, TOLVAN, thread=thread)
        print(f"sent {sent.message_id}: {information.title}")
        session.show_inbox(TOLVAN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
