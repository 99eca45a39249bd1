"""The transport's failures: every requests/urllib3/ssl/socket exception as a library error.

Owns :func:`classify`, which reads the wrapped exceptions and the :class:`~._pool.Phase` the
call had reached and returns the precise transport error (connect refused or timed out, TLS
problem by name, read timeout, connection lost, answer too large), saying whether the request
may have left. Messages name the method, the URL without query or user info, and what to do;
never a body.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.util.ssl_match_hostname import CertificateError as _HostnameError

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
    TlsProblem,
    TransportError,
)
from ._pool import Phase
from ._types import HttpRequest, Timeouts

_E = TypeVar("_E", bound=BaseException)
_CORRELATION_HEADER = "x-skltp-correlation-id"
NOT_SENT = "the request was not sent and may be retried"
_UNKNOWN = (
    "The outcome is unknown: the platform may have carried the request out, so do not resend "
    "a non-idempotent request (AddMessage) without checking"
)
_NOT_TLS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST",
     "UNKNOWN_PROTOCOL", "HTTPS_PROXY_REQUEST"}
)  # fmt: skip
_CLIENT_CERT_ALERTS = frozenset(
    {"SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_EXPIRED",
     "SSLV3_ALERT_CERTIFICATE_REVOKED", "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
     "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE", "TLSV1_ALERT_UNKNOWN_CA", "TLSV1_ALERT_ACCESS_DENIED",
     "TLSV1_ALERT_DECRYPT_ERROR", "TLSV13_ALERT_CERTIFICATE_REQUIRED"}
)  # fmt: skip
_VERSION_PROBLEMS = frozenset(
    {"TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE",
     "TLSV1_ALERT_INSUFFICIENT_SECURITY"}
)  # fmt: skip
_HANDSHAKE_ALERTS = _CLIENT_CERT_ALERTS | _VERSION_PROBLEMS | {"SSLV3_ALERT_HANDSHAKE_FAILURE"}
_UNTRUSTED = frozenset({2, 18, 19, 20, 21})  # X509_V_ERR_*: issuer unknown, self-signed
_NAME_MISMATCH = frozenset({62, 64})  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH
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


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (causes, contexts, reasons, arguments)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 50:
        item = todo.pop(0)
        if any(item is known for known in seen):
            continue
        seen.append(item)
        wrapped = [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]
        todo.extend(x for x in wrapped if isinstance(x, BaseException))
    return seen


def _first(chain: list[BaseException], kind: type[_E]) -> _E | None:
    return next((e for e in chain if isinstance(e, kind)), None)


def _timed_out(chain: list[BaseException]) -> bool:
    return any(
        isinstance(e, TimeoutError | requests.exceptions.Timeout | urllib3.exceptions.TimeoutError)
        and not isinstance(e, urllib3.exceptions.NewConnectionError)  # a subclass, oddly
        for e in chain
    )


def _detail(chain: list[BaseException]) -> str:
    """The innermost exception as short text (OpenSSL's or the OS's words)."""
    inner = chain[-1]
    text = str(inner) or type(inner).__name__
    return text if len(text) <= 200 else text[:197] + "..."


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


def _closed_by_peer(chain: list[BaseException]) -> bool:
    closed = (
        ConnectionError,
        ssl.SSLEOFError,
        ssl.SSLZeroReturnError,
        EOFError,
        http.client.IncompleteRead,
    )  # fmt: skip  (ConnectionError: reset, aborted, ...)
    return not _timed_out(chain) and any(isinstance(e, closed) for e in chain)


def _refusal(
    chain: list[BaseException], target: Target, timeouts: Timeouts, context: ssl.SSLContext | None
) -> str | None:
    """The TLS alert with which the server refused a fresh connection, if it did.

    With TLS 1.3 the client finishes its side of the handshake and writes the request before
    the server has checked the client certificate; a refusal then arrives as an alert on the
    first read, or is lost when the server closes first (a write fails, or a read sees EOF).
    In that last case a second handshake with the same context, which sends no request and
    waits a few handshake times (at least 0.25 s) for an alert, names the refusal.
    """
    error = _first(chain, ssl.SSLError)
    reason = str(getattr(error, "reason", None) or "")
    if reason in _HANDSHAKE_ALERTS:
        return reason
    if context is None or not _closed_by_peer(chain):
        return None
    started = time.perf_counter()
    try:
        with (
            socket.create_connection((target.host, target.port), timeout=timeouts.connect) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            # A refusal follows the handshake within about one round trip.
            handshake = time.perf_counter() - started
            tls.settimeout(min(timeouts.connect, max(0.25, 4 * handshake)))
            tls.recv(1)
    except ssl.SSLError as exc:
        probed = str(exc.reason or "")
        return probed if probed in _HANDSHAKE_ALERTS else None
    except (OSError, ValueError):
        return None
    return None


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
    if _first(chain, OSError) or _first(chain, urllib3.exceptions.ProtocolError):
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


def _tls_reason(  # noqa: PLR0911  (a decision table: one answer per OpenSSL reason)
    chain: list[BaseException],
    verify: ssl.SSLCertVerificationError | None,
    error: ssl.SSLError | None,
    code: str,
    detail: str,
) -> tuple[TlsProblem, str, str]:
    """(reason, what happened, what to do) for a failed handshake."""
    if (verify is not None and verify.verify_code in _NAME_MISMATCH) or _first(
        chain,
        _HostnameError,  # urllib3 matches names itself for a context without check_hostname
    ):
        return "hostname-mismatch", "", "Use a host name the certificate names, or fix the URL"
    if verify is not None and verify.verify_code in _UNTRUSTED:
        return (
            "untrusted-server",
            f"the server's certificate is not trusted by the configured CA ({detail})",
            "Check the CA configured for the platform's server certificate (NTjP test and "
            "production use different chains)",
        )
    if verify is not None:
        reason: TlsProblem = "server-certificate-invalid"
        if verify.verify_code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
            reason = "server-certificate-expired"
        return reason, f"the server's certificate could not be verified ({detail})", ""
    if code in _NOT_TLS:
        return (
            "not-tls",
            "the server did not speak TLS (plain HTTP on this port?)",
            "Check that the URL names the platform's HTTPS port",
        )
    if code in _CLIENT_CERT_ALERTS:
        alert = code.rsplit("_ALERT_", maxsplit=1)[-1].lower().replace("_", " ")
        return (
            "client-certificate-refused",
            f"the server refused our client certificate (alert: {alert})",
            "Check that the function certificate is valid, issued by a CA the platform trusts "
            "(test and production certificates are separate) and loaded with its key",
        )
    if code in _VERSION_PROBLEMS:
        return "protocol-version", f"no TLS version 1.2 or newer in common ({detail})", ""
    if code == "SSLV3_ALERT_HANDSHAKE_FAILURE":
        return (
            "handshake-refused",
            "the server refused the handshake (no common cipher, or it wants a client "
            "certificate that was not sent)",
            "Check that the TLS context carries the function certificate",
        )
    if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError) or (
        error is None and (_first(chain, ConnectionError) or _first(chain, EOFError))
    ):
        return (
            "handshake-closed",
            "the server closed the connection during the handshake (it may refuse our client "
            "certificate or TLS version, or not speak TLS)",
            "",
        )
    return "handshake-failed", detail, ""


def _certificate_names(target: Target, timeout: float) -> list[str]:
    """The names in the server's certificate, read over a second handshake that verifies
    nothing and sends nothing: only to say which names the certificate is for."""
    from cryptography import x509  # noqa: PLC0415  (needed on this error path only)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # reads a name for a message; the call stays failed
    try:
        with (
            socket.create_connection((target.host, target.port), timeout=min(timeout, 5)) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
        if not der:
            return []
        cert = x509.load_der_x509_certificate(der)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            common = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
            return [str(attribute.value) for attribute in common]
        ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        return [*san.get_values_for_type(x509.DNSName), *ips]
    except (OSError, ValueError):
        return []


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
