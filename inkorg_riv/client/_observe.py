"""What the client writes to the log, and how bodies are masked first (layer L5).

Owns the log lines of a call on the ``inkorg_riv.client`` logger:

* exactly **one INFO line per call** -- operation, logical address, outcome, elapsed ms,
  attempts, correlation id -- also as ``extra`` fields (``inkorg_operation``, ...);
* a WARNING line for each retry, and one for a ``resultCode`` INFO text or an ambiguous resend;
* request and response bodies at DEBUG only, masked: the contents of ``messageText``,
  ``messageDescription`` and attachment ``content`` are replaced by their length, identity
  numbers are redacted (``19121212****``) and the text is cut at :data:`BODY_LIMIT` characters.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from .._log import get_logger, redact

log = get_logger("client")

BODY_LIMIT = 4000
"""At most this many characters of a body reach a DEBUG line."""

_MASKED = re.compile(
    r"(<(?:[\w.-]+:)?(messageText|messageDescription|content)\b[^>]*>)(.*?)(</(?:[\w.-]+:)?\2\s*>)",
    re.DOTALL,
)


def mask_body(body: bytes | str, limit: int = BODY_LIMIT) -> str:
    """``body`` for a DEBUG line: free text and attachments masked, identity numbers
    redacted, at most ``limit`` characters (redaction runs before the cut)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body

    def hide(match: re.Match[str]) -> str:
        return f"{match.group(1)}[{len(match.group(3))} characters masked]{match.group(4)}"

    masked = redact(_MASKED.sub(hide, text))
    return masked if len(masked) <= limit else masked[:limit] + f"... [{len(masked)} characters]"


def debug_body(what: str, operation: str, correlation_id: str, body: bytes) -> None:
    """Log a masked body at DEBUG (nothing is computed when DEBUG is off)."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s (correlation id %s): %s", operation, what, correlation_id, mask_body(body)
        )


def call_line(
    *,
    operation: str,
    logical_address: str,
    outcome: str,
    elapsed: float,
    attempts: int,
    correlation_id: str | None,
) -> None:
    """The one INFO line of a call (nothing is built when INFO is off)."""
    if not log.isEnabledFor(logging.INFO):
        return
    fields: dict[str, Any] = {
        "inkorg_operation": operation,
        "inkorg_logical_address": logical_address,
        "inkorg_outcome": outcome,
        "inkorg_elapsed_ms": round(elapsed * 1000.0, 1),
        "inkorg_attempts": attempts,
        "inkorg_correlation_id": correlation_id,
    }
    log.info(
        "%s to %s: %s in %.0f ms (%d attempt%s, correlation id %s)",
        operation,
        logical_address,
        outcome,
        elapsed * 1000.0,
        attempts,
        "" if attempts == 1 else "s",
        correlation_id or "none",
        extra=fields,
    )


def retry_line(
    *, operation: str, attempt: int, max_attempts: int, reason: str, delay: float, cid: str
) -> None:
    """A WARNING line before a retry."""
    log.warning(
        "%s attempt %d of %d failed (%s); retrying in %.2f s (correlation id %s)",
        operation,
        attempt,
        max_attempts,
        reason,
        delay,
        cid,
    )


def info_line(*, operation: str, logical_address: str, text: str, cid: str) -> None:
    """A WARNING line for a ``resultCode`` INFO: done, with a text to show or log."""
    log.warning(
        "%s to %s answered resultCode INFO (done, with a text to show or log): %r "
        "(correlation id %s)",
        operation,
        logical_address,
        redact(text) if text else "(no resultText)",
        cid,
    )


def ambiguous_line(*, operation: str, attempts: int, cid: str) -> None:
    """A WARNING line for a call that succeeded after a resend following an unknown outcome."""
    log.warning(
        "%s succeeded on attempt %d after an attempt whose outcome was unknown: it may have "
        "been carried out twice unless the producer refuses a known messageId "
        "(correlation id %s)",
        operation,
        attempts,
        cid,
    )


__all__ = ["BODY_LIMIT", "ambiguous_line", "call_line", "debug_body", "info_line", "log",
           "mask_body", "retry_line"]  # fmt: skip
