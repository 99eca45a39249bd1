"""The transport's failures: every requests/urllib3/ssl/socket exception as a library error.

Owns :func:`classify`, which reads the wrapped exceptions and the :class:`~._pool.Phase` the
call had reached and returns the precise transport error (connect refused or timed out, TLS
problem by name, read timeout, connection lost, answer too large), saying whether the request
may have left. Messages name the method, the URL without query or user info, and what to do;
never a body. Also owns :class:`Target` (where a request goes, as messages show it) and
:func:`too_large`; reading the wrapped exceptions and naming TLS failures is :mod:`._diagnosis`.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3

from ..errors import (
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    ConnectTimeoutError,
    InkorgError,
    Outcome,
    PoolTimeoutError,
    ReadTimeoutError,
    ResponseTooLargeError,
    TlsError,
    TransportError,
)
from ._diagnosis import (
    _certificate_names,
    _chain,
    _detail,
    _first,
    _refusal,
    _timed_out,
    _tls_reason,
)
from ._pool import Phase
from ._types import HttpRequest, Timeouts

_CORRELATION_HEADER = "x-skltp-correlation-id"
NOT_SENT = "the request was not sent and may be retried"
_UNKNOWN = (
    "The outcome is unknown: the platform may have carried the request out, so do not resend "
    "a non-idempotent request (AddMessage) without checking"
)
_BAD_INPUT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    urllib3.exceptions.LocationValueError,
)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request goes, for messages: no user info, no query, never the body."""

    method: str
    url: str
    scheme: str
    host: str
    port: int
    correlation_id: str | None

    @classmethod
    def of(cls, request: HttpRequest) -> Target:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        try:
            port = parts.port or 443
        except ValueError:
            port = 443
        cid = next(
            (v for k, v in request.headers.items() if k.lower() == _CORRELATION_HEADER), None
        )
        url = f"{parts.scheme}://{_where(host, port)}{parts.path}" if host else request.url
        return cls(request.method, url, parts.scheme.lower(), host, port, cid)

    @property
    def where(self) -> str:
        return _where(self.host, self.port)

    @property
    def what(self) -> str:
        return f"{self.method} {self.url}"


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def classify(  # noqa: PLR0911  (one answer per phase and cause)
    exc: BaseException,
    phase: Phase,
    target: Target,
    timeouts: Timeouts,
    *,
    fresh: bool,
    context: ssl.SSLContext | None = None,
) -> InkorgError:
    """The library error for ``exc``, raised while the call was in ``phase``.

    ``fresh``: the call opened its connection itself. ``context``: the transport's TLS
    context, to ask the server why it dropped a fresh connection (see :func:`_refusal`).
    """
    chain = _chain(exc)
    if phase is Phase.CONNECTING:
        return _connect_error(chain, target, timeouts)
    if phase is Phase.HANDSHAKE:
        return _tls_error(chain, target, timeouts)
    if phase in (Phase.WRITING, Phase.SENT, Phase.ANSWERED):
        alert = (
            _refusal(chain, target, timeouts, context)
            if fresh and phase is not (Phase.ANSWERED)
            else None
        )
        if alert is not None:
            return _tls_error(chain, target, timeouts, alert=alert)
        return _lost_error(chain, phase, target, timeouts)
    cid = target.correlation_id
    if _first(chain, urllib3.exceptions.EmptyPoolError) is not None:
        return PoolTimeoutError(
            f"{target.what}: no free connection in the pool; {NOT_SENT}",
            url=target.url,
            correlation_id=cid,
        )
    if phase is Phase.IDLE and any(isinstance(e, _BAD_INPUT) for e in chain):
        return ConfigurationError(f"{target.what}: the request cannot be sent: {_detail(chain)}")
    if phase is Phase.CONNECTED or _first(chain, urllib3.exceptions.ClosedPoolError):
        return TransportError(
            f"{target.what}: the request was not sent ({_detail(chain)})",
            outcome=Outcome.NOT_SENT,
            correlation_id=cid,
        )
    # Nothing proves that the request stayed here: say so.
    return TransportError(
        f"{target.what}: the call failed ({type(exc).__name__}: {_detail(chain)}). {_UNKNOWN}",
        outcome=Outcome.UNKNOWN,
        correlation_id=cid,
    )


def _lost_error(
    chain: list[BaseException], phase: Phase, target: Target, timeouts: Timeouts
) -> TransportError:
    """A failure while or after the request was written."""
    cid = target.correlation_id
    if phase is Phase.WRITING:
        # The write failed, so the server cannot have read the whole request.
        stalled = (
            "writing the request timed out" if _timed_out(chain) else "the connection was lost"
        )
        return ConnectionLostError(
            f"{target.what}: {stalled} while the request was being written to {target.where} "
            f"({_detail(chain)}); the server cannot have received all of it, so {NOT_SENT}",
            url=target.url,
            correlation_id=cid,
            outcome=Outcome.NOT_SENT,
        )
    if _timed_out(chain):
        waiting = "for the answer" if phase is Phase.SENT else "while reading the answer"
        return ReadTimeoutError(
            f"{target.what}: no data from {target.where} {waiting} within the read timeout of "
            f"{timeouts.read:g} s, after the request was sent. {_UNKNOWN}",
            timeout=timeouts.read,
            url=target.url,
            correlation_id=cid,
        )
    if (
        _first(chain, OSError)  # reset, broken pipe, TLS error, RemoteDisconnected
        or _first(chain, http.client.IncompleteRead)  # closed before the body's end
        or _first(chain, urllib3.exceptions.ProtocolError)
    ):
        return ConnectionLostError(
            f"{target.what}: the connection to {target.where} was lost after the request was "
            f"sent ({_detail(chain)}). {_UNKNOWN}",
            url=target.url,
            correlation_id=cid,
        )
    return TransportError(
        f"{target.what}: the answer from {target.where} could not be read ({_detail(chain)}). "
        f"{_UNKNOWN}",
        outcome=Outcome.UNKNOWN,
        correlation_id=cid,
    )


def _connect_error(chain: list[BaseException], target: Target, timeouts: Timeouts) -> ConnectError:
    """A failure of the TCP connect: nothing was sent."""
    what, cid = target.what, target.correlation_id
    if _first(chain, socket.gaierror):  # urllib3's NameResolutionError wraps it
        return ConnectError(
            f"{what}: cannot resolve the host name {target.host!r} ({_detail(chain)}); "
            f"{NOT_SENT}. Check the endpoint's host name",
            reason="unresolved",
            url=target.url,
            correlation_id=cid,
        )
    if _timed_out(chain):
        return ConnectTimeoutError(
            f"{what}: no TCP connection to {target.where} within the connect timeout of "
            f"{timeouts.connect:g} s; {NOT_SENT}. Check the host, the port and firewalls",
            url=target.url,
            correlation_id=cid,
        )
    if _first(chain, ConnectionRefusedError):
        return ConnectError(
            f"{what}: connection to {target.where} refused: nothing listens on that port, or a "
            f"firewall rejects it; {NOT_SENT}. Check the endpoint's host and port",
            reason="refused",
            url=target.url,
            correlation_id=cid,
        )
    error = _first(chain, OSError)
    unreachable = error is not None and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)
    return ConnectError(
        f"{what}: cannot connect to {target.where} ({_detail(chain)}); {NOT_SENT}",
        reason="unreachable" if unreachable else "failed",
        url=target.url,
        correlation_id=cid,
    )


def _tls_error(
    chain: list[BaseException], target: Target, timeouts: Timeouts, *, alert: str | None = None
) -> TransportError:
    """A failed TLS handshake, named as precisely as OpenSSL allows: nothing was sent.
    ``alert``: the server's refusal when it arrived apart from ``chain``."""
    verify = _first(chain, ssl.SSLCertVerificationError)
    error = verify or _first(chain, ssl.SSLError)
    code = alert or str(getattr(error, "reason", None) or "")
    detail = str(verify.verify_message) if verify is not None else _detail(chain)
    if error is None and _timed_out(chain):
        return ConnectTimeoutError(
            f"{target.what}: the TLS handshake with {target.where} did not finish within the "
            f"connect timeout of {timeouts.connect:g} s (does the server speak TLS on this "
            f"port?); {NOT_SENT}",
            url=target.url,
            correlation_id=target.correlation_id,
        )
    reason, text, advice = _tls_reason(chain, verify, error, code, detail)
    if reason == "hostname-mismatch":
        names = _certificate_names(target, timeouts.connect)
        text = (
            f"the server's certificate is for {', '.join(names)}, not {target.host}"
            if names
            else f"the server's certificate is not valid for {target.host}"
        )
    return TlsError(
        f"{target.what}: TLS handshake with {target.where} failed: {text}. The request was not "
        f"sent.{f' {advice}.' if advice else ''}",
        reason=reason,
        detail=detail,
        url=target.url,
        correlation_id=target.correlation_id,
    )


def too_large(
    target: Target, limit: int, status: int, *, declared: int | None = None
) -> ResponseTooLargeError:
    size = f" (Content-Length {declared})" if declared is not None else ""
    return ResponseTooLargeError(
        f"{target.what}: the answer (HTTP {status}) is larger than the limit of {limit} "
        f"bytes{size} and was not read. {_UNKNOWN}",
        limit=limit,
        http_status=status,
        url=target.url,
        correlation_id=target.correlation_id,
    )
