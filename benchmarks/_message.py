"""The benchmark message, shared by run.py and client.py: AddMessage with every field set and a
2,000-character Swedish body, as typed objects (ours) and as keyword arguments (zeep)."""

from __future__ import annotations

import datetime
from typing import Any

from inkorg_riv.bindings import patientportal as pp

LOGICAL_ADDRESS = "SE2321000016-INKORG"
CITIZEN = "191212121212"
BODY = ("<article><para>" + ("Välkommen till Vårdcentralen Åby, ta med legitimation. " * 40))[
    :1982
] + "</para></article>"
START = datetime.datetime(2026, 12, 14, 14, 0)


def message(message_id: str = "kallelse-1") -> pp.AddMessageType:
    """The AddMessage of ``benchmarks/run.py``: every field set, a 2,000-character body."""
    return pp.AddMessageType(
        subject_of_care_id=CITIZEN,
        message=pp.MessageType(
            organisation_unit=pp.OrganisationUnitType(
                unit_id="SE2321000016-A1B2",
                unit_name="Vårdcentralen Åby",
                unit_address="Storgatan 1",
                unit_postal_code="11122",
                unit_postal_city="Åby",
                unit_telephone="010-123 45 67",
            ),
            message_thread_id="episode-4711",
            message_id=message_id,
            message_type=pp.MessageTypeType.TIMED_INVITATION,
            message_description="Kallelse till hälsokontroll",
            message_text=BODY,
            sso_link=(
                pp.SSOLinkType(
                    system_id="SYS",
                    text="Fyll i formulär",
                    query_string="form=1",
                    type=pp.SSOLinkTargetType.NEW_TARGET,
                ),
            ),
            attachment=(
                pp.AttachmentType(
                    file_name="info.pdf", mime_type="application/pdf", content=b"%PDF-1.4 demo"
                ),
            ),
            booking=pp.BookingType(
                booking_id="BK-4711",
                is_invitation=True,
                is_open_invitation=False,
                new_booking_allowed=False,
                rebooking_allowed=True,
                cancel_booking_allowed=True,
                time_type_id="HK30",
                start_time=START,
                care_unit_id="SE2321000016-A1B2",
            ),
        ),
        notify=True,
        source_system="EXEMPEL",
    )


ZEEP_ARGS: dict[str, Any] = {
    "subjectOfCareId": CITIZEN,
    "message": {
        "organisationUnit": {
            "unitId": "SE2321000016-A1B2",
            "unitName": "Vårdcentralen Åby",
            "unitAddress": "Storgatan 1",
            "unitPostalCode": "11122",
            "unitPostalCity": "Åby",
            "unitTelephone": "010-123 45 67",
        },
        "messageThreadId": "episode-4711",
        "messageId": "kallelse-1",
        "messageType": "TimedInvitation",
        "messageDescription": "Kallelse till hälsokontroll",
        "messageText": BODY,
        "ssoLink": [
            {
                "systemId": "SYS",
                "text": "Fyll i formulär",
                "queryString": "form=1",
                "type": "NewTarget",
            }
        ],
        "attachment": [
            {"fileName": "info.pdf", "mimeType": "application/pdf", "content": b"%PDF-1.4 demo"}
        ],
        "booking": {
            "bookingId": "BK-4711",
            "isInvitation": True,
            "isOpenInvitation": False,
            "newBookingAllowed": False,
            "rebookingAllowed": True,
            "cancelBookingAllowed": True,
            "timeTypeId": "HK30",
            "startTime": START,
            "careUnitId": "SE2321000016-A1B2",
        },
    },
    "notify": True,
    "sourceSystem": "EXEMPEL",
    "_soapheaders": {"LogicalAddress": LOGICAL_ADDRESS},
}
