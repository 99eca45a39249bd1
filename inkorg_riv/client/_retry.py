"""When a failed attempt may be repeated, and how fast calls may go (layer L5, pure).

Owns :func:`may_retry` -- the one place that decides whether resending is safe -- the outcome
of a call that was resent (:func:`call_outcome`), and :class:`RateLimiter`, a thread-safe
token bucket. The rules (``docs/errors.md``, platform.md "Timeouts and retries"):

* **Not sent** (connect refused, no route to host): retry, when the transport marks it
  retryable -- TLS and certificate problems are not, repeating them cannot help.
* **VP008, VP012** (the platform's own transient faults, refused before routing): retry.
* **Outcome unknown** -- a read timeout or reset after the request was written, VP009, an
  answer that is not SOAP (a proxy's HTML page, an empty body, broken XML, a non-200 status):
  retry only when the operation changes nothing (read-only), or when the caller opted in with
  an idempotency key. A well-formed answer that does not fit the contract is not retried: the
  same request would get the same answer.
* Everything else -- local errors, producer faults, other VP codes, resultCode ERROR: never.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from ..errors import (
    InkorgError,
    LocalError,
    Outcome,
    PlatformFaultError,
    ResponseTooLargeError,
    ResultCodeError,
    SoapFaultError,
    TransportError,
    UnexpectedResponseError,
)

_TRANSIENT_ANSWERS = frozenset({"empty", "html", "not-xml", "http-status"})
"""Kinds of unusable answers that a middlebox produces now and not next time."""


def may_retry(error: InkorgError, *, resend_unknown: bool) -> bool:
    """Whether the attempt that raised ``error`` may be repeated unchanged.

    ``resend_unknown``: the operation is read-only, or the caller gave an idempotency key,
    so that an unknown outcome may be resent.
    """
    if isinstance(error, PlatformFaultError):
        # VP008 and VP012 are retryable; VP009 is an unknown outcome.
        return error.retryable or (error.outcome is Outcome.UNKNOWN and resend_unknown)
    if isinstance(error, LocalError | ResultCodeError | SoapFaultError | ResponseTooLargeError):
        # Nothing was sent; or the producer answered and would answer the same again; or the
        # same request would get the same oversized answer.
        return False
    if isinstance(error, UnexpectedResponseError):
        return resend_unknown and error.kind in _TRANSIENT_ANSWERS
    if isinstance(error, TransportError) and error.outcome is Outcome.NOT_SENT:
        return error.retryable  # connect failures yes; TLS and certificate problems no
    return (
        isinstance(error, TransportError) and error.outcome is Outcome.UNKNOWN and resend_unknown
    )


def call_outcome(final: InkorgError, earlier: Sequence[InkorgError]) -> Outcome:
    """The outcome of a whole call that ended in ``final`` after the ``earlier`` failures.

    Once an attempt had an unknown outcome the call's outcome stays unknown, even if a later
    attempt was not sent or was refused by the platform -- the earlier one may have arrived.
    Only an answer from the producer itself (a producer fault, resultCode ERROR) speaks for
    the request as a whole.
    """
    if final.outcome is Outcome.UNKNOWN:
        return Outcome.UNKNOWN
    producer_answered = isinstance(final, ResultCodeError) or (
        isinstance(final, SoapFaultError) and not isinstance(final, PlatformFaultError)
    )
    if not producer_answered and any(e.outcome is Outcome.UNKNOWN for e in earlier):
        return Outcome.UNKNOWN
    return final.outcome


def describe(error: InkorgError) -> str:
    """A short, identity-free label for logs: ``sent and refused: VP007``."""
    if isinstance(error, PlatformFaultError):
        what = error.code
    elif isinstance(error, SoapFaultError):
        what = f"SOAP fault {error.faultcode or 'without faultcode'}"
    elif isinstance(error, UnexpectedResponseError):
        what = f"{type(error).__name__} ({error.kind})"
    else:
        what = type(error).__name__
    return f"{error.outcome.value}: {what}"


class RateLimiter:
    """At most ``rate`` calls per second, with bursts of ``max(1, rate)`` (thread-safe).

    A token bucket that reserves: each :meth:`acquire` takes a token, going into debt when
    none is left, and sleeps (outside the lock) until its token would have been there.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.capacity
        self._stamp = clock()

    def acquire(self) -> float:
        """Take one token; returns the seconds slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


__all__ = ["RateLimiter", "call_outcome", "describe", "may_retry"]
