"""Sample messages used by the examples and the demo (fictitious data; test personnummer)."""

from __future__ import annotations

import datetime

from inkorg_riv.bindings import patientportal as pp

TOLVAN = "191212121212"
"""Tolvan Tolvansson, the Swedish Tax Agency's well-known test personnummer."""

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


REMINDER_BODY = (
    "<article><info><title>Påminnelse: hälsokontroll</title></info>"
    "<para>Du har en tid för hälsokontroll hos oss. Ta med legitimation.</para>"
    "<para>Kan du inte komma? Av- eller omboka i 1177 eller ring 010-123 45 67.</para></article>"
)


def reminder(previous: pp.AddMessageType) -> pp.AddMessageType:
    """A follow-up in the same thread as ``previous``: a reminder of the same booking."""
    first = previous.message
    return pp.AddMessageType(
        subject_of_care_id=previous.subject_of_care_id,
        message=pp.MessageType(
            organisation_unit=first.organisation_unit,
            message_thread_id=first.message_thread_id,
            message_id="kallelse-4711-2",
            message_type=pp.MessageTypeType.REMINDER,
            message_description="Påminnelse: hälsokontroll",
            message_text=REMINDER_BODY,
            booking=first.booking,
        ),
        notify=True,
        source_system=previous.source_system,
    )
