"""The root of the error tree and the three outcomes a caller must tell apart (layer L0)."""

from __future__ import annotations

import enum


class Outcome(enum.Enum):
    """What is known about whether a request reached the producer."""

    NOT_SENT = "not sent"
    """The request never left this process (or the connection was refused): safe to retry."""

    REFUSED = "sent and refused"
    """The platform or producer answered with an error: the request was not carried out."""

    UNKNOWN = "outcome unknown"
    """The request was written but no answer came: it may have been carried out."""


class InkorgError(Exception):
    """Root of every error raised by inkorg-riv on purpose."""

    outcome: Outcome = Outcome.NOT_SENT
    retryable: bool = False

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation

    def __str__(self) -> str:
        return self.message


def context_phrase(
    operation: str | None, logical_address: str | None, correlation_id: str | None
) -> tuple[str, str]:
    """``("AddMessage at logical address X", "correlation id Y")`` for error messages."""
    what = operation or "the request"
    if logical_address:
        what = f"{what} at logical address {logical_address!r}"
    cid = f"correlation id {correlation_id}" if correlation_id else "no correlation id"
    return what, cid
