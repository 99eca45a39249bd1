"""What a failed transport call's exceptions say (layer L4), for :mod:`._failures` to word.

Owns reading the chain of wrapped requests/urllib3/ssl/socket exceptions (the first of a kind,
whether it timed out or the peer closed, the innermost detail) and naming a TLS failure:
OpenSSL's reasons and alerts as a decision table, and the two follow-up handshakes that send
nothing -- one to catch the alert with which the server refused a fresh connection, one to read
which names the server's certificate is for.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from typing import TYPE_CHECKING, TypeVar

import requests
import urllib3
from urllib3.util.ssl_match_hostname import CertificateError as _HostnameError

from ..errors import TlsProblem
from ._types import Timeouts

if TYPE_CHECKING:
    from ._failures import Target

_E = TypeVar("_E", bound=BaseException)
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
