"""The transport's connection pool: TLS from one SSLContext only, progress and handshake counts.

Owns :class:`Phase` (how far a call got: the basis of "not sent" versus "outcome unknown"),
the per-transport tracker that each connection reports to (and that counts TLS handshakes),
the pool class that keeps connections between calls (:class:`KeepingPool`), and the requests
adapter whose pools take their TLS from the given context and nothing else.
"""

from __future__ import annotations

import enum
import socket
import ssl
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.util.connection import is_connection_dropped

_SOCKET_OPTIONS = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


class Phase(enum.Enum):
    """How far the current call got; decides whether a failure may have sent the request."""

    IDLE = "idle"  # nothing on the wire yet (preparing, checking out a connection)
    CONNECTING = "connecting"  # TCP connect
    HANDSHAKE = "handshake"  # TLS handshake
    CONNECTED = "connected"  # connection ready, request not written yet
    WRITING = "writing"  # request being written: the server cannot have all of it yet
    SENT = "sent"  # request written, waiting for the answer
    ANSWERED = "answered"  # status and headers received, reading the body


class Tracker:
    """Counters of one transport, and how far the calling thread's connection got while it
    connects (TCP or TLS: the connection's hooks say; the rest of a call the exchange tracks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.connections_opened = 0
        self.responses = 0

    @property
    def phase(self) -> Phase:
        phase: Phase = getattr(self._local, "phase", Phase.IDLE)
        return phase

    @phase.setter
    def phase(self, value: Phase) -> None:
        self._local.phase = value

    def opened(self) -> None:
        with self._lock:
            self.connections_opened += 1

    def answered(self) -> None:
        with self._lock:
            self.responses += 1


class KeepingPool(HTTPSConnectionPool):
    """urllib3's HTTPS pool, whose connections between our calls wait in :attr:`idle` (a list:
    taking and giving back are one atomic list operation each, where urllib3's own queue goes
    through a Condition in Python). The transport's slots bound how many are out at once, so
    the list never holds more than ``pool_size``; urllib3's own queue (``_get_conn``) still
    serves anyone else. Closing the pool closes the idle connections too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idle: list[HTTPConnection] = []
        # As urllib3 closes its queue's connections when a pool it dropped is collected.
        weakref.finalize(self, _close_all, self.idle)

    def checkout(self) -> HTTPConnection:
        """The connection used last (closed first if the server dropped it meanwhile, so that
        it reconnects), or a new, unconnected one; ClosedPoolError once the pool is closed.
        As ``_get_conn`` decides."""
        if self.pool is None:
            raise urllib3.exceptions.ClosedPoolError(self, "Pool is closed.")
        try:
            conn = self.idle.pop()
        except IndexError:
            return self._new_conn()  # type: ignore[return-value]  # urllib3 types it as its base class
        if is_connection_dropped(conn):
            conn.close()
        return conn

    def checkin(self, conn: HTTPConnection) -> None:
        """Give ``conn`` back (closed, it reconnects when next used)."""
        self.idle.append(conn)
        if self.pool is None:  # closed meanwhile, perhaps after close() emptied the list
            self._close_idle()

    def close(self) -> None:
        super().close()
        self._close_idle()

    def _close_idle(self) -> None:
        _close_all(self.idle)


def _close_all(idle: list[HTTPConnection]) -> None:
    """Close the connections in ``idle``, emptying it."""
    while True:
        try:
            conn = idle.pop()
        except IndexError:
            return
        conn.close()


def _pool_class(tracker: Tracker) -> type[KeepingPool]:
    """An HTTPS pool whose connections say how far connecting got and count handshakes."""

    class _Connection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            tracker.phase = Phase.CONNECTING
            sock = super()._new_conn()
            tracker.phase = Phase.HANDSHAKE
            return sock

        def connect(self) -> None:
            tracker.phase = Phase.CONNECTING
            super().connect()
            tracker.opened()
            tracker.phase = Phase.CONNECTED

    class _Pool(KeepingPool):
        ConnectionCls = _Connection

    return _Pool


@dataclass(frozen=True, slots=True)
class Route:
    """Where one URL goes, worked out once: the URL as requests prepares it, the path and query
    the request line names, and the pool key (host, port, scheme; the TLS context)."""

    url: str
    path: str
    host_params: Any
    pool_kwargs: Any


class ContextAdapter(HTTPAdapter):
    """HTTPS whose TLS is the given context only: no CA bundle, no certificate files."""

    def __init__(self, context: ssl.SSLContext, tracker: Tracker, pool_size: int) -> None:
        self._context = context
        self._tracker = tracker
        super().__init__(pool_connections=1, pool_maxsize=pool_size, max_retries=0, pool_block=True)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = True, **pool_kwargs: Any
    ) -> None:
        pool_kwargs["ssl_context"] = self._context
        pool_kwargs["socket_options"] = list(_SOCKET_OPTIONS)
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        manager = self.poolmanager
        manager.pool_classes_by_scheme = {"https": _pool_class(self._tracker)}
        manager.key_fn_by_scheme = {"https": manager.key_fn_by_scheme["https"]}

    def route(self, request: requests.PreparedRequest) -> Route:
        """The :class:`Route` of ``request``'s URL, as :meth:`send` would work it out."""
        try:
            host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, True)
        except ValueError as exc:
            raise requests.exceptions.InvalidURL(exc, request=request) from exc
        url = str(request.url)
        return Route(url, self.request_url(request, {}), host_params, pool_kwargs)

    def pool_for(self, route: Route) -> KeepingPool:
        """The pool this adapter keeps for ``route``, set up as :meth:`send` sets it up."""
        try:
            pool = self.poolmanager.connection_from_host(
                **route.host_params, pool_kwargs=route.pool_kwargs
            )
        except urllib3.exceptions.LocationValueError as exc:
            raise requests.exceptions.InvalidURL(exc) from exc
        if not isinstance(pool, KeepingPool):  # pragma: no cover - only https is mounted
            raise requests.exceptions.InvalidURL(f"not an https pool: {route.url}")
        self.cert_verify(pool, route.url, True, None)
        return pool

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # Not reached (no proxies, environment ignored); a proxy would still use our context.
        proxy_kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def build_connection_pool_key_attributes(
        self,
        request: requests.PreparedRequest,
        verify: Any,  # noqa: ARG002  (trust is the context's, whatever requests passes)
        cert: Any = None,  # noqa: ARG002  (the client certificate is in the context)
    ) -> Any:  # Any: the stubs' TypedDict demands cert_reqs, which must stay unset here
        host_params, _ignored = super().build_connection_pool_key_attributes(request, True)
        return host_params, {"ssl_context": self._context}

    def build_response(
        self, req: requests.PreparedRequest, resp: urllib3.BaseHTTPResponse
    ) -> requests.Response:
        # requests' own, without the cookie jar (SOAP over the platform has no cookies).
        response = requests.Response()
        response.status_code = resp.status
        response.headers = CaseInsensitiveDict(resp.headers)
        response.raw = resp
        response.reason = resp.reason or ""
        response.url = str(req.url)
        response.request = req
        response.connection = self
        return response

    def cert_verify(
        self,
        conn: Any,
        url: str,  # noqa: ARG002  (see below)
        verify: Any,  # noqa: ARG002  (see below)
        cert: Any,  # noqa: ARG002  (see below)
    ) -> None:
        # requests would set ca_certs (certifi, or REQUESTS_CA_BUNDLE) and certificate files
        # on the pool, and urllib3 would load them into our context: the context alone decides.
        conn.cert_reqs = None
        conn.ca_certs = None
        conn.ca_cert_dir = None
        conn.cert_file = None
        conn.key_file = None
