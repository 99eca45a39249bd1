"""The transport family: TLS, connect, timeout and HTTP problems, and answers we cannot use."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from .._log import redact
from ._base import InkorgError, Outcome
from ._base import context_phrase as _context


class TransportError(InkorgError):
    """The request could not be carried to the platform, or no usable answer came back.

    :attr:`outcome` and :attr:`retryable` default to the class's own values (unknown and not
    retryable here; each subclass states its own), :attr:`url` is the endpoint when known.
    """

    outcome = Outcome.UNKNOWN

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        outcome: Outcome | None = None,
        correlation_id: str | None = None,
        retryable: bool | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.outcome = type(self).outcome if outcome is None else outcome
        self.correlation_id = correlation_id
        self.retryable = type(self).retryable if retryable is None else retryable
        self.url = url


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

    outcome = Outcome.NOT_SENT
    retryable = True

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
            url=url,
            operation=operation,
            correlation_id=correlation_id,
            retryable=retryable,
        )
        self.reason: ConnectProblem = reason


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
            message, reason="timeout", url=url, operation=operation, correlation_id=correlation_id
        )


class PoolTimeoutError(TransportError):
    """Every pooled connection stayed busy for the whole pool timeout: the request waited in
    this process and was not sent. Retrying is safe; a bigger pool or fewer concurrent calls
    avoid it."""

    outcome = Outcome.NOT_SENT
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        operation: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, url=url, operation=operation, correlation_id=correlation_id)


class TlsError(TransportError):
    """The TLS handshake failed, so nothing was sent. :attr:`reason` (one of
    :data:`TlsProblem`) says why: the server's certificate is not trusted by the configured CA,
    is for another host name, has expired; the server refused our client certificate; the
    server did not speak TLS; no common TLS version. :attr:`detail` is OpenSSL's own text.
    Retrying is safe but, except for ``handshake-closed`` (the server dropped the connection
    mid-handshake), futile: the certificates or the endpoint need fixing."""

    outcome = Outcome.NOT_SENT

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
            url=url,
            operation=operation,
            correlation_id=correlation_id,
            retryable=reason == "handshake-closed",
        )
        self.reason: TlsProblem = reason
        self.detail = detail


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
        super().__init__(message, url=url, operation=operation, correlation_id=correlation_id)
        self.timeout = timeout


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
            url=url,
            operation=operation,
            outcome=outcome,
            correlation_id=correlation_id,
            retryable=outcome is Outcome.NOT_SENT,
        )


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
        super().__init__(message, url=url, operation=operation, correlation_id=correlation_id)
        self.limit = limit
        self.http_status = http_status


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
            correlation_id=correlation_id,
        )
