"""HTTP over mutual TLS (layer L4): the only package that imports requests. Knows HTTP, never SOAP.

Owns :class:`RequestsTransport` and :class:`MockTransport`, and re-exports the value types and
the :class:`Transport` protocol (:mod:`._types`); the pool lives in :mod:`._pool`, the mapping
of failures onto the transport errors of :mod:`inkorg_riv.errors` in :mod:`._failures`.

:class:`RequestsTransport` is one ``requests.Session`` whose TLS is decided by the
``SSLContext`` it is given and nothing else: the session ignores the environment
(``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, ``HTTPS_PROXY``, ``.netrc``) and its adapter never
lets requests point the pool at a CA bundle or certificate files (urllib3 would load those *into*
the context). Connections are kept alive in a pool of ``pool_size`` with ``TCP_NODELAY``; nothing
is retried here (that is the client's decision). Each connection reports how far the current
call got (TCP connect, TLS handshake, request written, answer started), so a failure says
"not sent" only when that is known, and "outcome unknown" otherwise.
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import ssl
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from requests.utils import check_header_validity

from ..errors import ConfigurationError, Outcome, PoolTimeoutError, TransportError
from ._failures import NOT_SENT, Target, classify, too_large
from ._pool import ContextAdapter, Phase, Route, Tracker
from ._types import (
    DEFAULT_TIMEOUTS,
    Headers,
    HttpRequest,
    HttpResponse,
    Timeouts,
    Transport,
    TransportStats,
)

DEFAULT_MAX_BODY = 16 * 1024 * 1024
"""Largest response body read (16 MiB; the platform's own message limit is 15 MiB)."""
_CHUNK = 64 * 1024
_URL_CACHE = 256


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- transports


class RequestsTransport:
    """HTTPS with a client certificate over one ``requests.Session``; thread-safe.

    ``ssl_context`` alone decides trust and the client certificate (build it with
    :mod:`inkorg_riv.tls`); a context that does not verify the server is refused for any host
    but loopback. ``pool_size`` connections are kept alive (size it to the client's
    concurrency); a call beyond that waits up to :attr:`Timeouts.pool`. Bodies above
    ``max_body`` bytes are not read. :attr:`stats` counts connections opened and answers.
    """

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        *,
        pool_size: int = 10,
        max_body: int = DEFAULT_MAX_BODY,
        user_agent: str = "inkorg-riv",
    ) -> None:
        if not isinstance(ssl_context, ssl.SSLContext):
            raise ConfigurationError("RequestsTransport needs an ssl.SSLContext")
        for name, value in (("pool_size", pool_size), ("max_body", max_body)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name} must be 1 or more, got {value!r}")
        self._context = ssl_context
        self.pool_size = pool_size
        self.max_body = max_body
        self._user_agent = user_agent
        self._tracker = Tracker()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False
        session = requests.Session()
        session.trust_env = False  # no REQUESTS_CA_BUNDLE, no proxies, no .netrc
        session.proxies = {}
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.adapters.clear()
        self._adapter = ContextAdapter(ssl_context, self._tracker, pool_size)
        session.mount("https://", self._adapter)
        self._session = session
        self._urls: dict[str, Route] = {}
        self._timeouts: dict[Timeouts, urllib3.Timeout] = {}

    @property
    def stats(self) -> TransportStats:
        """Connections opened (TLS handshakes) and answers received so far."""
        return TransportStats(self._tracker.connections_opened, self._tracker.responses)

    def send(self, request: HttpRequest, *, timeouts: Timeouts = DEFAULT_TIMEOUTS) -> HttpResponse:
        """Send ``request``; return the answer whatever its HTTP status.

        Raises a :class:`~inkorg_riv.errors.TransportError` subclass, with the original
        exception as ``__cause__``, or :class:`~inkorg_riv.errors.ConfigurationError`.
        """
        target = Target.of(request)
        self._check(request, target)
        if not self._slots.acquire(timeout=timeouts.pool):
            raise PoolTimeoutError(
                f"{target.what}: all {self.pool_size} connections stayed busy for the pool "
                f"timeout of {timeouts.pool:g} s; {NOT_SENT}. Raise pool_size or make fewer "
                "concurrent calls",
                url=target.url,
                correlation_id=target.correlation_id,
            )
        tracker = self._tracker
        try:
            tracker.start_call()
            started = time.perf_counter()
            try:
                # The adapter's own pool directly: requests' session and HTTPAdapter.send would
                # only add cookies, hooks, redirects and exception wrapping (classify reads the
                # urllib3 exceptions either way), none of which a SOAP call needs.
                response = self._urlopen(request, timeouts)
            except Exception as exc:
                error = classify(
                    exc, tracker.phase, target, timeouts, fresh=tracker.fresh, context=self._context
                )
                raise error from exc
            tracker.phase = Phase.ANSWERED
            try:
                body = self._read_body(response, target, timeouts)
            finally:
                # As requests' Response.close: after a complete read the connection is back in
                # the pool already; else it is closed here, then returned to be replaced.
                response.close()
                response.release_conn()
            tracker.answered()
            return HttpResponse(
                status=response.status,
                headers=Headers(response.headers),
                body=body,
                elapsed=time.perf_counter() - started,
            )
        finally:
            tracker.phase = Phase.IDLE
            self._slots.release()

    def _check(self, request: HttpRequest, target: Target) -> None:
        if self._closed:
            raise TransportError(
                f"{target.what}: the transport is closed; the request was not sent",
                outcome=Outcome.NOT_SENT,
                correlation_id=target.correlation_id,
            )
        if target.scheme != "https" or not target.host:
            raise ConfigurationError(
                f"{target.what}: only https:// URLs with a host are allowed (the platform "
                "requires mutual TLS)"
            )
        if self._context.verify_mode == ssl.CERT_NONE and not _is_loopback(target.host):
            raise ConfigurationError(
                f"{target.what}: the TLS context does not verify the server's certificate; "
                "that is only allowed for a loopback host"
            )
        if not isinstance(request.body, bytes | bytearray | memoryview):
            raise ConfigurationError(
                f"{target.what}: the body must be bytes, not {type(request.body).__name__}"
            )
        for name, value in request.headers.items():
            try:
                value.encode("latin-1")
            except (UnicodeEncodeError, AttributeError):
                raise ConfigurationError(
                    f"{target.what}: header {name!r} must be a str of Latin-1 characters"
                ) from None

    def _urlopen(self, request: HttpRequest, timeouts: Timeouts) -> urllib3.BaseHTTPResponse:
        """``request`` through the pool the adapter manages, as ``HTTPAdapter.send`` would send
        it (same pool, TLS context, retries and options) without its per-call overhead."""
        route = self._route(request.url)
        pool = self._adapter.pool_for(route)
        headers, body = self._headers_and_body(request)
        timeout = self._timeouts.get(timeouts)
        if timeout is None:
            if len(self._timeouts) >= _URL_CACHE:
                self._timeouts.clear()
            timeout = urllib3.Timeout(connect=timeouts.connect, read=timeouts.read)
            self._timeouts[timeouts] = timeout
        return pool.urlopen(
            request.method.upper(),
            route.path,
            body=body,
            headers=headers,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            retries=self._adapter.max_retries,
            timeout=timeout,
            chunked=False,
        )

    def _headers_and_body(self, request: HttpRequest) -> tuple[CaseInsensitiveDict[str], bytes]:
        """The headers sent with ``request`` (ours, then its own, then Content-Length) and its
        body as bytes."""
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict({"User-Agent": self._user_agent})
        for header in request.headers.items():
            check_header_validity(header)  # no CR, LF or leading space: no header injection
            headers[header[0]] = header[1]
        body = bytes(request.body)
        headers["Content-Length"] = str(len(body))
        return headers, body

    def _route(self, url: str) -> Route:
        """Where ``url`` goes, worked out once per URL: ``PreparedRequest.prepare_url`` (IDNA,
        quoting) and the pool key cost more than the rest of the call."""
        route = self._urls.get(url)
        if route is None:
            probe = requests.PreparedRequest()
            probe.prepare_url(url, None)
            # The session's mount table picks the adapter (only ours is mounted), so the
            # session -- trust_env off, no proxies, no cookies -- owns every route.
            adapter = self._session.get_adapter(probe.url or url)
            if not isinstance(adapter, ContextAdapter):  # pragma: no cover - only ours mounted
                raise ConfigurationError(f"no TLS adapter is mounted for {url}")
            route = adapter.route(probe)
            if len(self._urls) >= _URL_CACHE:
                self._urls.clear()
            self._urls[url] = route
        return route

    def _read_body(
        self, response: urllib3.BaseHTTPResponse, target: Target, timeouts: Timeouts
    ) -> bytes:
        status = response.status
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise too_large(target, self.max_body, status, declared=int(declared))
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.stream(_CHUNK, decode_content=True):
                total += len(chunk)
                if total > self.max_body:
                    raise too_large(target, self.max_body, status)
                chunks.append(chunk)
        except TransportError:
            raise
        except Exception as exc:
            raise classify(exc, Phase.ANSWERED, target, timeouts, fresh=False) from exc
        return b"".join(chunks)

    def close(self) -> None:
        """Close every pooled connection; later calls raise :class:`TransportError`."""
        self._closed = True
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class MockTransport:
    """A :class:`Transport` for unit tests: ``handler`` answers each request.

    The handler returns an :class:`HttpResponse`, or an exception (returned or raised) that
    :meth:`send` raises. Requests are recorded in :attr:`requests` and their timeouts in
    :attr:`timeouts`, in order; thread-safe.
    """

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse | BaseException]) -> None:
        self._handler = handler
        self._lock = threading.Lock()
        self.requests: list[HttpRequest] = []
        self.timeouts: list[Timeouts] = []
        self.closed = False

    def send(self, request: HttpRequest, *, timeouts: Timeouts = DEFAULT_TIMEOUTS) -> HttpResponse:
        """Record ``request``; return (or raise) what the handler makes of it."""
        if self.closed:
            raise TransportError(
                f"{request.method} {request.url}: the transport is closed; the request was not "
                "sent",
                outcome=Outcome.NOT_SENT,
            )
        with self._lock:
            self.requests.append(request)
            self.timeouts.append(timeouts)
        result = self._handler(request)
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        """Mark the transport closed; later calls raise :class:`TransportError`."""
        self.closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_TIMEOUTS",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "MockTransport",
    "RequestsTransport",
    "Timeouts",
    "Transport",
    "TransportStats",
]
