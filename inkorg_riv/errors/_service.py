"""The service family: the platform or the producer answered and refused (faults, VP codes,
resultCode ERROR)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._log import redact
from ._base import InkorgError, Outcome
from ._base import context_phrase as _context

if TYPE_CHECKING:
    from ..faults import FaultClass, VpCode


class ServiceError(InkorgError):
    """The platform or the producer answered and refused the request."""

    outcome = Outcome.REFUSED

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, operation=operation)
        self.logical_address = logical_address
        self.correlation_id = correlation_id
        self.retryable = retryable


# (Answers that carry a refusal: SOAP faults, VP codes, resultCode ERROR. The unusable-answer
# error, UnexpectedResponseError, belongs to the transport family and follows below.)


def _quoted(text: str | None, limit: int = 300) -> str:
    """``text`` redacted, on one line and shortened, in quotes."""
    flat = " ".join(redact(text or "").split())
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return repr(flat)


class SoapFaultError(ServiceError):
    """A SOAP fault answered the request.

    Without a VP code the fault comes from the producer and is passed through unchanged:
    :attr:`faultcode` is the local part (``Client``, ``Server``, ``Server.Timeout``...),
    :attr:`faultcode_raw` the text as sent (``soapenv:Server``), :attr:`faultcode_qname` the
    resolved Clark name when the prefix was declared, :attr:`faultstring` and :attr:`detail`
    the raw texts (``detail`` is None for a fault without detail). ``str(error)`` is redacted;
    the attributes are not.
    """

    def __init__(
        self,
        *,
        faultcode: str,
        faultstring: str,
        detail: str | None = None,
        faultcode_raw: str | None = None,
        faultcode_qname: str | None = None,
        http_status: int | None = None,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
        retryable: bool = False,
        message: str | None = None,
    ) -> None:
        self.faultcode = faultcode
        self.faultcode_raw = faultcode if faultcode_raw is None else faultcode_raw
        self.faultcode_qname = faultcode_qname
        self.faultstring = faultstring
        self.detail = detail
        self.http_status = http_status
        self.reached_producer: bool | None = True
        if message is None:
            what, cid = _context(operation, logical_address, correlation_id)
            extra = f"; detail {_quoted(detail)}" if detail else ""
            message = (
                f"{what}: the producer answered with a SOAP fault ({faultcode or 'no faultcode'}) "
                f"{_quoted(faultstring)}{extra}. The request reached the producer and was not "
                f"carried out; fix the request if the fault names it, otherwise contact the "
                f"producer's support with the {cid}"
            )
        super().__init__(
            message,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
            retryable=retryable,
        )


class PlatformFaultError(SoapFaultError):
    """The national service platform refused the request with a VP code (:attr:`vp`).

    :attr:`reached_producer` and :attr:`outcome` follow the code: a refusal before routing is
    ``False`` / :attr:`Outcome.REFUSED`; VP009 is ``None`` / :attr:`Outcome.UNKNOWN`.
    :attr:`retryable` is the catalogue's (VP008, VP012). :attr:`advice` says what to do.
    """

    def __init__(
        self,
        vp: VpCode,
        *,
        faultcode: str,
        faultstring: str,
        detail: str | None = None,
        faultcode_raw: str | None = None,
        faultcode_qname: str | None = None,
        http_status: int | None = None,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
        contract: str | None = None,
        consumer: str | None = None,
    ) -> None:
        self.vp = vp
        self.advice = vp.advice_for(
            consumer=consumer, contract=contract or operation, logical_address=logical_address
        )
        what, cid = _context(operation, logical_address, correlation_id)
        if vp.reached_producer is None:
            fate = "The outcome is unknown: the request may have reached the producer"
        else:
            fate = "The platform refused it before it reached the producer"
        english = f"; detail {_quoted(detail)}" if detail else ""
        message = (
            f"{what}: platform fault {vp.code}, {vp.meaning} ({vp.fault_class.value} problem"
            f"{', retryable' if vp.retryable else ''}). {fate}. What to do: {self.advice}. "
            f"Platform text {_quoted(faultstring)}{english}; {cid}"
        )
        super().__init__(
            faultcode=faultcode,
            faultstring=faultstring,
            detail=detail,
            faultcode_raw=faultcode_raw,
            faultcode_qname=faultcode_qname,
            http_status=http_status,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
            retryable=vp.retryable,
            message=message,
        )
        self.reached_producer = vp.reached_producer
        self.outcome = Outcome.UNKNOWN if vp.reached_producer is None else Outcome.REFUSED

    @property
    def code(self) -> str:
        """The VP code (``"VP007"``)."""
        return self.vp.code

    @property
    def fault_class(self) -> FaultClass:
        """Who has to act: client data, configuration, platform or producer."""
        return self.vp.fault_class


class ResultCodeError(ServiceError):
    """The producer answered ``resultCode`` ERROR: a logical error, the request was not done.

    :attr:`result_text` is the producer's ``resultText`` as sent (``str(error)`` is redacted).
    """

    result_code = "ERROR"

    def __init__(
        self,
        result_text: str | None,
        *,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        self.result_text = result_text
        self.reached_producer: bool | None = True
        what, cid = _context(operation, logical_address, correlation_id)
        super().__init__(
            self._describe(what, cid),
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
        )

    def _describe(self, what: str, cid: str) -> str:
        """The message, from the attributes already set and the context phrases."""
        text = _quoted(self.result_text) if self.result_text else "(no resultText)"
        return (
            f"{what}: the producer answered resultCode ERROR {text}. The request was not carried "
            f"out; correct the data it names and send again ({cid})"
        )


class DuplicateMessageError(ResultCodeError):
    """AddMessage was refused because its ``messageId`` is already in the inbox.

    The message is there: an earlier send delivered it. :attr:`message_id` is the id refused;
    :attr:`first_outcome` is what the first attempt of this call reported
    (:attr:`Outcome.UNKNOWN` after a timeout or reset that was resent with an idempotency key;
    None when this call made a single attempt, i.e. an earlier call delivered it). Do not send
    the message again. The producer's wording of a duplicate is matched by
    ``ClientSettings.duplicate_markers``.
    """

    def __init__(
        self,
        result_text: str | None,
        *,
        message_id: str | None,
        first_outcome: Outcome | None = None,
        attempts: int = 1,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        self.message_id = message_id
        self.first_outcome = first_outcome
        self.attempts = attempts
        super().__init__(
            result_text,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
        )

    def _describe(self, what: str, cid: str) -> str:
        if self.first_outcome is Outcome.UNKNOWN:
            how = (
                f"an earlier attempt of this call ({self.attempts} attempts; the first one's "
                "outcome was unknown) delivered it"
            )
        else:
            how = "an earlier call delivered it"
        return (
            f"{what}: messageId {self.message_id!r} is already in the inbox, so the producer "
            f"refused it as a duplicate ({_quoted(self.result_text)}): {how}. The message is "
            f"delivered; do not send it again ({cid})"
        )
