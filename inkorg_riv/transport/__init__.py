"""HTTP over mutual TLS (layer L4): the only package that imports requests. Knows HTTP, never SOAP.

Owns :class:`RequestsTransport` and :class:`MockTransport`, and re-exports the value types and
the :class:`Transport` protocol (:mod:`._types`); the pool lives in :mod:`._pool`, one call's
HTTP exchange on a pooled connection in :mod:`._wire`, the mapping of failures onto the
transport errors of :mod:`inkorg_riv.errors` in :mod:`._failures`.

:class:`RequestsTransport` is one ``requests.Session`` whose TLS is decided by the
``SSLContext`` it is given and nothing else: the session ignores the environment
(``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, ``HTTPS_PROXY``, ``.netrc``) and its adapter never
lets requests point the pool at a CA bundle or certificate files (urllib3 would load those *into*
the context). Connections are kept alive in the adapter's pool of ``pool_size`` with
``TCP_NODELAY``; each call checks one out, writes the request in one write and reads the answer
with ``http.client`` (requests' and urllib3's per-call layers cost twice the raw exchange).
Nothing is retried here (that is the client's decision). Each connection reports how far the current
call got (TCP connect, TLS handshake, request written, answer started), so a failure says
"not sent" only when that is known, and "outcome unknown" otherwise.
"""

from __future__ import annotations

import _ssl
import http.cookiejar
import ipaddress
import queue
import ssl
import threading
from collections.abc import Callable

import requests
import urllib3

from ..errors import ConfigurationError, Outcome, PoolTimeoutError, TransportError
from ._failures import NOT_SENT, Target
from ._pool import ContextAdapter, Tracker
from ._types import (
    DEFAULT_TIMEOUTS,
    ClosesOnExit,
    Headers,
    HttpRequest,
    HttpResponse,
    Timeouts,
    Transport,
    TransportStats,
)
from ._wire import Heads, Line, exchange, host_header

DEFAULT_MAX_BODY = 16 * 1024 * 1024
"""Largest response body read (16 MiB; the platform's own message limit is 15 MiB)."""
_URL_CACHE = 256
_verify_mode: Callable[[ssl.SSLContext], int] = vars(_ssl._SSLContext)["verify_mode"].__get__
"""The context's verify mode as the int OpenSSL holds (``SSLContext.verify_mode`` wraps it in
an enum, a Python-level call on every send)."""
_CERT_NONE = int(ssl.CERT_NONE)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _unverified(target: Target) -> ConfigurationError:
    return ConfigurationError(
        f"{target.what}: the TLS context does not verify the server's certificate; "
        "that is only allowed for a loopback host"
    )


def _bytes(request: HttpRequest) -> bytes:
    if not isinstance(request.body, bytes | bytearray | memoryview):
        raise ConfigurationError(
            f"{Target.of(request).what}: the body must be bytes, not {type(request.body).__name__}"
        )
    return bytes(request.body)


# --------------------------------------------------------------------------- transports


class RequestsTransport(ClosesOnExit):
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
        # One token per connection: a C-level queue is a semaphore with a timeout whose take and
        # give cost a tenth of threading.BoundedSemaphore's (Python, over a Condition).
        self._slots: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(pool_size):
            self._slots.put(None)
        self._closed = False
        session = requests.Session()
        session.trust_env = False  # no REQUESTS_CA_BUNDLE, no proxies, no .netrc
        session.proxies = {}
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.adapters.clear()
        self._adapter = ContextAdapter(ssl_context, self._tracker, pool_size)
        session.mount("https://", self._adapter)
        self._session = session
        self._lines: dict[str, Line] = {}
        self._heads = Heads(user_agent)

    @property
    def stats(self) -> TransportStats:
        """Connections opened (TLS handshakes) and answers received so far."""
        return TransportStats(self._tracker.connections_opened, self._tracker.responses)

    def send(self, request: HttpRequest, *, timeouts: Timeouts = DEFAULT_TIMEOUTS) -> HttpResponse:
        """Send ``request``; return the answer whatever its HTTP status.

        Raises a :class:`~inkorg_riv.errors.TransportError` subclass, with the original
        exception as ``__cause__``, or :class:`~inkorg_riv.errors.ConfigurationError`.
        """
        line = self._lines.get(request.url)
        if line is None or self._closed:
            line = self._line(request)
        elif line.pool.pool is None:  # the manager dropped it (another route took its place)
            line.pool = self._adapter.pool_for(line.route)
        if _verify_mode(self._context) == _CERT_NONE and not line.loopback:
            raise _unverified(Target.of(request))
        body = request.body
        if type(body) is not bytes:
            body = _bytes(request)
        data, rest = self._heads.request_bytes(line, request, body)
        if not self._take_slot(timeouts.pool):
            raise self._pool_timeout(request, timeouts)
        try:
            # A connection of the adapter's own pool, written to and read here: requests'
            # HTTPAdapter.send and urllib3's urlopen would add cookies, hooks, redirects, retry
            # and response objects and write head and body apart, none of which a SOAP call needs.
            return exchange(
                line,
                data,
                rest,
                request,
                timeouts,
                tracker=self._tracker,
                max_body=self.max_body,
                context=self._context,
            )
        finally:
            self._slots.put(None)

    def _take_slot(self, timeout: float) -> bool:
        """Take a connection slot within ``timeout`` seconds (False: none came free)."""
        try:
            self._slots.get(timeout=min(timeout, threading.TIMEOUT_MAX))
        except queue.Empty:
            return False
        return True

    def _pool_timeout(self, request: HttpRequest, timeouts: Timeouts) -> PoolTimeoutError:
        target = Target.of(request)
        return PoolTimeoutError(
            f"{target.what}: all {self.pool_size} connections stayed busy for the pool "
            f"timeout of {timeouts.pool:g} s; {NOT_SENT}. Raise pool_size or make fewer "
            "concurrent calls",
            url=target.url,
            correlation_id=target.correlation_id,
        )

    def _line(self, request: HttpRequest) -> Line:
        """What ``request.url`` needs on every call, after the checks that depend on it alone:
        worked out once per URL (``PreparedRequest.prepare_url`` -- IDNA, quoting -- and the
        pool key cost more than the rest of a call)."""
        target = Target.of(request)
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
        loopback = _is_loopback(target.host)
        if self._context.verify_mode == ssl.CERT_NONE and not loopback:
            raise _unverified(target)
        try:
            probe = requests.PreparedRequest()
            probe.prepare_url(request.url, None)
            # The session's mount table picks the adapter (only ours is mounted), so the
            # session -- trust_env off, no proxies, no cookies -- owns every route.
            adapter = self._session.get_adapter(probe.url or request.url)
            if not isinstance(adapter, ContextAdapter):  # pragma: no cover - only ours mounted
                raise ConfigurationError(f"no TLS adapter is mounted for {target.url}")
            route = adapter.route(probe)
            pool = adapter.pool_for(route)
        except (requests.RequestException, urllib3.exceptions.HTTPError, ValueError) as exc:
            raise ConfigurationError(f"{target.what}: the request cannot be sent: {exc}") from exc
        line = Line(route, pool, host_header(pool), loopback)
        if len(self._lines) >= _URL_CACHE:
            self._lines.clear()
        self._lines[request.url] = line
        return line

    def close(self) -> None:
        """Close every pooled connection; later calls raise :class:`TransportError`."""
        self._closed = True
        self._session.close()
        for line in list(self._lines.values()):
            line.pool.close()  # the connections kept between calls (urllib3 2 leaves its pools)


class MockTransport(ClosesOnExit):
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


__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_TIMEOUTS",
    "ClosesOnExit",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "MockTransport",
    "RequestsTransport",
    "Timeouts",
    "Transport",
    "TransportStats",
]
