"""Sample messages for the examples, the demo and the tests (fictitious data; test personnummer).

Two sets: :func:`kallelse` and :func:`visit_information` are made with the kallelse builders
(:mod:`inkorg_riv.kallelse`), as a care system would, and are what ``make demo`` sends;
:func:`timed_kallelse` is a hand-written ``AddMessageType`` that the client tests and the
benchmarks use.
"""

from __future__ import annotations

import datetime

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.kallelse import CareUnit, TimedKallelse, VisitInformation

TOLVAN = "191212121212"
"""Tolvan Tolvansson, the Swedish Tax Agency's well-known test personnummer."""
SOURCE_SYSTEM = "EXEMPEL-BOKNING"
"""The sending system's name (needed for notifications)."""
EPISODE = "remiss-4711"
"""The care system's own key of the care episode (its thread: ``Thread.for_episode``)."""
VISIT = datetime.datetime(2026, 12, 14, 14, 0)
"""A fictitious visit, Swedish time."""

CARE_UNIT = CareUnit(
    hsa_id="SE2321000016-A1B2",
    name="Vårdcentralen Exempelby",
    phone="010-123 45 67",
    phone_hours="vardagar 8-16",
    street_address="Storgatan 1",
    postal_code="111 22",
    city="Exempelby",
)
"""A fictitious care unit, for the builders."""


def kallelse() -> TimedKallelse:
    """A timed kallelse to a health check, with "Boka om" and "Avboka" buttons."""
    return TimedKallelse(
        unit=CARE_UNIT,
        purpose="hälsokontroll",
        start=VISIT,
        duration=datetime.timedelta(minutes=30),
        bring=("legitimation",),
        booking_id="BK-4711",
        time_type_id="HK30",
        rebooking_allowed=True,
        cancel_allowed=True,
    )


def visit_information() -> VisitInformation:
    """Information before the visit of :func:`kallelse`: a follow-up in its thread."""
    return VisitInformation(
        unit=CARE_UNIT,
        purpose="din hälsokontroll",
        paragraphs=(
            "Vid besöket tar vi blodprov och mäter ditt blodtryck. Fyll gärna i "
            "hälsodeklarationen hemma och ta med den till besöket.",
        ),
    )


UNIT = pp.OrganisationUnitType(
    unit_id="SE2321000016-A1B2",
    unit_name="Vårdcentralen Exempelby",
    unit_address="Storgatan 1",
    unit_postal_code="11122",
    unit_postal_city="Exempelby",
    unit_telephone="010-123 45 67",
)

BODY = (
    "<article><info><title>Kallelse till hälsokontroll</title></info>"
    "<para>Välkommen till Vårdcentralen Exempelby. Ta med legitimation.</para>"
    "<para>Frågor? Ring 010-123 45 67, vardagar 8-16.</para></article>"
)


def timed_kallelse(
    *, body: str = BODY, start: datetime.datetime | None = None
) -> pp.AddMessageType:
    """A kallelse with a booked time, rebook and cancel buttons, and a notification."""
    when = start or datetime.datetime(2026, 12, 14, 14, 0)
    return pp.AddMessageType(
        subject_of_care_id=TOLVAN,
        message=pp.MessageType(
            organisation_unit=UNIT,
            message_thread_id="vc-exempelby:episode-4711",
            message_id="kallelse-4711-1",
            message_type=pp.MessageTypeType.TIMED_INVITATION,
            message_description="Kallelse till hälsokontroll",
            message_text=body,
            booking=pp.BookingType(
                booking_id="BK-4711",
                is_invitation=True,
                rebooking_allowed=True,
                cancel_booking_allowed=True,
                time_type_id="HK30",
                start_time=when,
                care_unit_id="SE2321000016-A1B2",
            ),
        ),
        notify=True,
        source_system="EXEMPEL-BOKNING",
    )
