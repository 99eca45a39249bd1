"""What a successful call returns: :class:`CallResult` (layer L5).

Owns the result object and the rules for what in it needs the caller's attention: a
``resultCode`` INFO text (:attr:`CallResult.info_text`) and an ambiguous resend
(:attr:`CallResult.ambiguous`). Both make :attr:`CallResult.needs_attention` true; the client
also logs a WARNING line for each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from lxml import etree

from ..envelope import ResultCode, ResultInfo
from ..errors import InkorgError

R = TypeVar("R")


@dataclass(frozen=True, slots=True, kw_only=True)
class CallResult(Generic[R]):
    """The answer to one call, with what you need for logs and support tickets.

    ``response`` is the decoded response (a binding object, or the response element when no
    binding class is known). ``elapsed`` is the whole call in seconds, retries and waits
    included. ``result`` is the ``resultCode`` of update services (None for read-only ones).

    **Check** :attr:`needs_attention`: it is true when the producer answered ``INFO`` (show or
    log :attr:`info_text`) or when the call was resent after an unknown outcome
    (:attr:`ambiguous`).
    """

    response: R
    operation: str
    logical_address: str
    correlation_id: str
    """The ``x-skltp-correlation-id`` of the call: quote it in support tickets."""
    producer_response_time_ms: int | None
    """The platform's ``x-skltp-prt`` header: how long the producer took (None when absent)."""
    elapsed: float
    attempts: int = 1
    result: ResultInfo | None = None
    ambiguous: bool = False
    """True when an earlier attempt of this call had an unknown outcome (a timeout, a reset,
    VP009) and the call was resent because you gave an idempotency key: the request may have
    been carried out by that attempt too. A producer that refuses a known ``messageId`` makes
    that visible as :class:`~inkorg_riv.errors.DuplicateMessageError` instead."""
    earlier_errors: tuple[InkorgError, ...] = field(default=(), repr=False, compare=False)
    """The errors of the attempts before the one that succeeded (oldest first)."""
    payload: etree._Element | None = field(default=None, repr=False, compare=False)
    """The response element as received (inside its envelope)."""

    @property
    def info_text(self) -> str | None:
        """The ``resultText`` of a ``resultCode`` INFO answer ("" when the producer sent no
        text), else None. INFO means *done*, with a text that must be shown or logged."""
        if self.result is None or self.result.code is not ResultCode.INFO:
            return None
        return self.result.text or ""

    @property
    def needs_attention(self) -> bool:
        """Whether something in this result must be looked at: an INFO text or ambiguity."""
        return self.info_text is not None or self.ambiguous

    @property
    def elapsed_ms(self) -> float:
        """:attr:`elapsed` in milliseconds."""
        return self.elapsed * 1000.0


__all__ = ["CallResult"]
