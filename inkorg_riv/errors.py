"""The one exception tree of inkorg-riv.

Everything the library raises on purpose derives from :class:`InkorgError`. Three families
tell a caller how to react:

* :class:`LocalError` -- nothing left this process: contract loading, invalid XML, validation,
  configuration and certificate problems. Fix the input or the setup and try again.
* :class:`TransportError` -- TLS, connect, timeout and HTTP problems between us and the platform.
* :class:`ServiceError` -- the platform or the producer answered and refused: SOAP faults,
  VP codes, ``resultCode`` ERROR.

Every error carries :attr:`InkorgError.outcome`, one of :class:`Outcome`, so that "not sent",
"sent and refused" and "outcome unknown" can always be told apart. This module is stdlib only
(layer L0).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from ._log import redact

if TYPE_CHECKING:
    from .faults import FaultClass, VpCode


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


# --------------------------------------------------------------------------- local family


class LocalError(InkorgError):
    """Nothing was sent: the problem is in the input, the contracts or the configuration."""

    outcome = Outcome.NOT_SENT


@dataclass(frozen=True, slots=True)
class ContractProblem:
    """One problem found while loading a contract package, naming the file and the cause."""

    file: str
    cause: str

    def __str__(self) -> str:
        return f"{self.file}: {self.cause}"


class ContractError(LocalError):
    """A contract package or contract file could not be used."""


class ContractLoadError(ContractError):
    """A contract package could not be loaded at all (or a required part of it is broken).

    :attr:`problems` lists every problem found, each naming a file and its cause.
    """

    def __init__(self, message: str, *, problems: Sequence[ContractProblem] = ()) -> None:
        self.problems = tuple(problems)
        if self.problems:
            details = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{message}\n{details}"
        super().__init__(message)


class UnknownOperationError(ContractError):
    """The operation name is not in the loaded contract package."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.known = tuple(sorted(known))
        hint = ", ".join(self.known) if self.known else "none"
        super().__init__(f"unknown operation {name!r}; the package has: {hint}", operation=name)


class XmlInputError(LocalError):
    """A document is not usable XML: unparsable, not UTF-8, or unsafe (DTD, entities)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = source or "document"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")

    @property
    def cause(self) -> str:
        """The reason with the line, without the source name (for per-file problem reports)."""
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One reason a document is invalid.

    ``path`` is the element path (``/AddMessage/message/messageText``), ``line`` the line in
    the document when known, ``reason`` a readable sentence, ``rule`` names where the rule
    comes from (``xsd`` or the name of a rule beyond the schema).
    """

    path: str
    reason: str
    line: int | None = None
    rule: str = "xsd"

    def __str__(self) -> str:
        where = self.path or "/"
        if self.line is not None:
            where = f"{where} (line {self.line})"
        return f"{where}: {self.reason}"


class ValidationError(LocalError):
    """A document failed validation. :attr:`issues` holds every issue found, not only the first."""

    def __init__(self, issues: Sequence[ValidationIssue], *, operation: str | None = None) -> None:
        self.issues = tuple(issues)
        what = f"{operation} " if operation else ""
        count = len(self.issues)
        head = f"{what}document is invalid ({count} issue{'s' if count != 1 else ''})"
        body = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{head}:\n{body}" if body else head, operation=operation)


class BindingError(LocalError):
    """A typed object cannot be turned into XML (or XML into a typed object).

    ``path`` names the field or element, for example ``AddMessage.message.booking.startTime``.
    """

    def __init__(self, message: str, *, path: str = "", operation: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message, operation=operation)


class ConfigurationError(LocalError):
    """Settings are missing or contradictory."""


class CertificateError(ConfigurationError):
    """A certificate, key or trust store cannot be used (wrong password, expired, no HSA-id...)."""


class KallelseError(LocalError):
    """A kallelse or other inbox message lacks data its kind requires, or has contradictory data.

    Raised by the builders in :mod:`inkorg_riv.kallelse` before anything is sent: a timed kallelse
    without a start time, booking buttons without a booking id or time type id, a form link
    without a system id, a unit without contact details. :attr:`field` names the field.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


# --------------------------------------------------------------------------- transport family


class TransportError(InkorgError):
    """The request could not be carried to the platform, or no usable answer came back."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        outcome: Outcome = Outcome.UNKNOWN,
        correlation_id: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, operation=operation)
        self.outcome = outcome
        self.correlation_id = correlation_id
        self.retryable = retryable


ConnectProblem = Literal["refused", "unresolved", "unreachable", "timeout", "failed"]
TlsProblem = Literal[
    "untrusted-server",
    "hostname-mismatch",
    "server-certificate-expired",
    "server-certificate-invalid",
    "client-certificate-refused",
    "not-tls",
    "protocol-version",
    "handshake-refused",
    "handshake-closed",
    "handshake-failed",
]


class ConnectError(TransportError):
    """No connection to the platform could be made: refused, no such host, unreachable, or no
    answer within the connect timeout. Nothing was sent (:attr:`Outcome.NOT_SENT`); retrying
    is safe. :attr:`reason` is one of :data:`ConnectProblem`, :attr:`url` the endpoint."""

    def __init__(
        self,
        message: str,
        *,
        reason: ConnectProblem = "failed",
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            outcome=Outcome.NOT_SENT,
            correlation_id=correlation_id,
            retryable=retryable,
        )
        self.reason: ConnectProblem = reason
        self.url = url


class ConnectTimeoutError(ConnectError):
    """The TCP connect or the TLS handshake did not finish within the connect timeout.
    Nothing was sent; retrying is safe."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            reason="timeout",
            url=url,
            operation=operation,
            correlation_id=correlation_id,
            retryable=True,
        )


class PoolTimeoutError(TransportError):
    """Every pooled connection stayed busy for the whole pool timeout: the request waited in
    this process and was not sent. Retrying is safe; a bigger pool or fewer concurrent calls
    avoid it."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            outcome=Outcome.NOT_SENT,
            correlation_id=correlation_id,
            retryable=True,
        )
        self.url = url


class TlsError(TransportError):
    """The TLS handshake failed, so nothing was sent. :attr:`reason` (one of
    :data:`TlsProblem`) says why: the server's certificate is not trusted by the configured CA,
    is for another host name, has expired; the server refused our client certificate; the
    server did not speak TLS; no common TLS version. :attr:`detail` is OpenSSL's own text.
    Retrying is safe but, except for ``handshake-closed`` (the server dropped the connection
    mid-handshake), futile: the certificates or the endpoint need fixing."""

    def __init__(
        self,
        message: str,
        *,
        reason: TlsProblem = "handshake-failed",
        detail: str | None = None,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            outcome=Outcome.NOT_SENT,
            correlation_id=correlation_id,
            retryable=reason == "handshake-closed",
        )
        self.reason: TlsProblem = reason
        self.detail = detail
        self.url = url


class ReadTimeoutError(TransportError):
    """The request was written but no (complete) answer came within the read timeout
    (:attr:`timeout` seconds). The outcome is unknown: the platform may have carried it out."""

    def __init__(
        self,
        message: str,
        *,
        timeout: float | None = None,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            outcome=Outcome.UNKNOWN,
            correlation_id=correlation_id,
            retryable=False,
        )
        self.timeout = timeout
        self.url = url


class ConnectionLostError(TransportError):
    """The connection was reset, aborted or closed by the other side.

    After the whole request was written the outcome is unknown (the default): the platform
    may have acted. While the request was still being written, the server cannot have read
    all of it: :attr:`Outcome.NOT_SENT`, retryable (a keep-alive connection the server had
    just closed, for example)."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
        outcome: Outcome = Outcome.UNKNOWN,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            outcome=outcome,
            correlation_id=correlation_id,
            retryable=outcome is Outcome.NOT_SENT,
        )
        self.url = url


class ResponseTooLargeError(TransportError):
    """The answer's body exceeded :attr:`limit` bytes and was not read to the end. The request
    was sent and answered, so the outcome is unknown."""

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        http_status: int | None = None,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            outcome=Outcome.UNKNOWN,
            correlation_id=correlation_id,
            retryable=False,
        )
        self.limit = limit
        self.http_status = http_status
        self.url = url


# --------------------------------------------------------------------------- service family


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


# --------------------------------------------------------------------------- service family: faults
# (Answers that carry a refusal: SOAP faults, VP codes, resultCode ERROR. The unusable-answer
# error, UnexpectedResponseError, belongs to the transport family and follows below.)


def _context(
    operation: str | None, logical_address: str | None, correlation_id: str | None
) -> tuple[str, str]:
    """``("AddMessage at logical address X", "correlation id Y")`` for error messages."""
    what = operation or "the request"
    if logical_address:
        what = f"{what} at logical address {logical_address!r}"
    cid = f"correlation id {correlation_id}" if correlation_id else "no correlation id"
    return what, cid


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
        text = _quoted(result_text) if result_text else "(no resultText)"
        super().__init__(
            f"{what}: the producer answered resultCode ERROR {text}. The request was not carried "
            f"out; correct the data it names and send again ({cid})",
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
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
        super().__init__(
            result_text,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
        )
        self.message_id = message_id
        self.first_outcome = first_outcome
        self.attempts = attempts
        what, cid = _context(operation, logical_address, correlation_id)
        if first_outcome is Outcome.UNKNOWN:
            how = (
                f"an earlier attempt of this call ({attempts} attempts; the first one's outcome "
                "was unknown) delivered it"
            )
        else:
            how = "an earlier call delivered it"
        self.message = (
            f"{what}: messageId {message_id!r} is already in the inbox, so the producer refused "
            f"it as a duplicate ({_quoted(result_text)}): {how}. The message is delivered; do "
            f"not send it again ({cid})"
        )
        self.args = (self.message,)


# --------------------------------------------------------------------------- transport: bad answers

ResponseKind = Literal["empty", "not-xml", "html", "not-soap", "wrong-body", "http-status"]

_KIND_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "empty": "has an empty body; check the endpoint URL and any proxy on the way",
        "html": "is an HTML page, not SOAP: a proxy, load balancer, login page or a wrong URL "
        "answered instead of the platform; check the endpoint URL and the network path",
        "not-xml": "is not XML; check the endpoint URL and any proxy on the way",
        "not-soap": "is XML but not a SOAP 1.1 envelope with a Body; check that the URL is the "
        "platform's service endpoint for this contract",
        "wrong-body": "is a SOAP envelope without the expected response; check that the endpoint "
        "serves this contract and version",
        "http-status": "has an unexpected HTTP status and no SOAP fault; check the endpoint URL "
        "and the platform's status",
    }
)

SNIPPET_CHARS = 200
"""At most this many characters of a response body are kept in an error (redacted)."""


def response_snippet(body: bytes | str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``body`` as text, identity numbers redacted, at most ``limit`` characters.

    Redaction runs before the cut so that a number crossing the cut cannot escape it.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    head = redact(text[: limit + 32])
    return head[:limit]


class UnexpectedResponseError(TransportError):
    """The request was sent and an answer arrived, but it is not a usable SOAP response.

    The outcome is unknown: the producer may have acted. :attr:`kind` is one of ``empty``,
    ``html``, ``not-xml``, ``not-soap``, ``wrong-body`` (the Body holds something other than
    the operation's response) or ``http-status`` (a status other than 200 without a fault).
    :attr:`snippet` holds at most 200 redacted characters of the body.
    """

    def __init__(
        self,
        kind: ResponseKind,
        *,
        http_status: int | None,
        body: bytes | str = b"",
        content_type: str | None = None,
        reason: str | None = None,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        self.kind: ResponseKind = kind
        self.http_status = http_status
        self.content_type = content_type
        self.snippet = response_snippet(body)
        self.logical_address = logical_address
        self.reached_producer: bool | None = None
        what, cid = _context(operation, logical_address, correlation_id)
        status = f"HTTP {http_status}" if http_status is not None else "no HTTP status"
        ctype = f", Content-Type {content_type!r}" if content_type else ""
        why = f" ({redact(reason)})" if reason else ""
        starts = f" The body starts {self.snippet!r}." if self.snippet.strip() else ""
        super().__init__(
            f"{what}: the answer ({status}{ctype}) {_KIND_TEXT[kind]}{why}. The outcome is "
            f"unknown: the producer may have acted, so do not resend a non-idempotent request "
            f"without checking; {cid}.{starts}",
            operation=operation,
            outcome=Outcome.UNKNOWN,
            correlation_id=correlation_id,
            retryable=False,
        )


__all__ = [
    "BindingError",
    "CertificateError",
    "ConfigurationError",
    "ConnectError",
    "ConnectProblem",
    "ConnectTimeoutError",
    "ConnectionLostError",
    "ContractError",
    "ContractLoadError",
    "ContractProblem",
    "DuplicateMessageError",
    "InkorgError",
    "KallelseError",
    "LocalError",
    "Outcome",
    "PlatformFaultError",
    "PoolTimeoutError",
    "ReadTimeoutError",
    "ResponseKind",
    "ResponseTooLargeError",
    "ResultCodeError",
    "ServiceError",
    "SoapFaultError",
    "TlsError",
    "TlsProblem",
    "TransportError",
    "UnexpectedResponseError",
    "UnknownOperationError",
    "ValidationError",
    "ValidationIssue",
    "XmlInputError",
    "response_snippet",
]
