"""The transport's connection pool: TLS from one SSLContext only, progress and handshake counts.

Owns :class:`Phase` (how far a call got: the basis of "not sent" versus "outcome unknown"),
the per-transport tracker that each connection reports to (and that counts TLS handshakes),
and the requests adapter whose pools take their TLS from the given context and nothing else.
"""

from __future__ import annotations

import enum
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

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


def _pool_class(tracker: Tracker) -> type[HTTPSConnectionPool]:
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

    class _Pool(HTTPSConnectionPool):
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

    def pool_for(self, route: Route) -> HTTPConnectionPool:
        """The pool this adapter keeps for ``route``, set up as :meth:`send` sets it up."""
        try:
            pool: HTTPConnectionPool = self.poolmanager.connection_from_host(
                **route.host_params, pool_kwargs=route.pool_kwargs
            )
        except urllib3.exceptions.LocationValueError as exc:
            raise requests.exceptions.InvalidURL(exc) from exc
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
