"""One HTTP exchange on a pooled connection (layer L4): the request in one write, the answer read.

Owns :class:`Line` (what is worked out once per URL: the adapter's urllib3 pool, the request
line and fixed headers as bytes), :class:`Heads` (the head of one request, with the
header checks that keep CR and LF out) and :func:`exchange`: check a connection out of the pool,
connect it if it is new, write head and body at once, read the answer (:mod:`._answer`), and
return the connection to the pool only when the answer was read to its end and the server did
not ask to close. It follows the call's :class:`~._pool.Phase`, so that a failure says "not
sent" only when that is proven (see :func:`~._failures.classify`).

Private urllib3 API relied on (urllib3 2.x; ``tests/test_transport_fast.py`` fails loudly if it
changes): ``HTTPConnectionPool._get_conn(timeout=...)`` -- a pooled connection, already checked
with ``is_connection_dropped`` (closed if so), or a new unconnected one, or ``EmptyPoolError``
/ ``ClosedPoolError`` -- ``HTTPConnectionPool._put_conn(conn)`` and ``pool.pool`` (``None`` once
the pool is closed); a connection's ``sock`` (``None`` until ``connect()``), ``timeout`` (used
by ``connect()``) and ``connect()``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from urllib3.connectionpool import HTTPConnectionPool

from ..errors import ConfigurationError, TransportError
from ._answer import Answer, Replay, read_body, whole_answer
from ._failures import Target, classify
from ._pool import Phase, Route, Tracker
from ._types import Headers, HttpRequest, HttpResponse, Timeouts

for _name in ("_get_conn", "_put_conn"):  # fail at import, not as an odd error in every call
    if not callable(getattr(HTTPConnectionPool, _name, None)):  # pragma: no cover
        raise ImportError(f"urllib3's HTTPConnectionPool lost {_name}; see inkorg_riv.transport")

_FIRST_READ = 16 * 1024  # one TLS record at most: a whole SOAP answer, usually
_ONE_WRITE = 64 * 1024  # above this the body goes in a second write instead of being copied
_CACHE = 256
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+").fullmatch  # a header name or method
_BAD_VALUE = re.compile(r"^\s|[\r\n]").search
r"""requests' rule for a header value: no CR or LF, no leading white space. Heads tests it with
``in`` and ``str.isspace`` (the same white space as ``\s``), three times faster than a search."""
_FIXED = {"host": 1, "user-agent": 2, "accept-encoding": 4}  # ours unless the request sets them
_SKIP = -1  # Content-Length: always ours


@dataclass(slots=True)
class Line:
    """What one URL needs on every call, worked out once: the route requests' mount table
    picked, the pool the adapter keeps for it, and the request line plus our fixed headers
    (``Host``, ``User-Agent``, ``Accept-Encoding: identity``) as bytes, per method."""

    route: Route
    pool: HTTPConnectionPool
    host: str
    loopback: bool
    heads: dict[str, bytes] = field(default_factory=dict)

    def head(self, method: str, user_agent: str, overridden: int = 0) -> str:
        """The request line and the fixed headers the request does not set itself."""
        fixed = (("Host", self.host), ("User-Agent", user_agent), ("Accept-Encoding", "identity"))
        lines = [f"{method} {self.route.path} HTTP/1.1\r\n"]
        lines += [
            f"{k}: {v}\r\n"
            for bit, (k, v) in zip((1, 2, 4), fixed, strict=True)
            if not overridden & bit
        ]
        return "".join(lines)


def host_header(pool: HTTPConnectionPool) -> str:
    """``Host`` as ``http.client`` words it for the pool's connections."""
    host = str(pool.host).rstrip(".")
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    return host if pool.port in (None, 443) else f"{host}:{pool.port}"


class Heads:
    """Builds request heads; remembers which header names and methods passed the checks."""

    def __init__(self, user_agent: str) -> None:
        self._user_agent = user_agent
        self._names: dict[str, int] = {}

    def request_bytes(self, line: Line, request: HttpRequest, body: bytes) -> tuple[bytes, bytes]:
        """What to write: request line, headers and ``body`` as one ``bytes`` (and ``b""``); a
        large body apart, not copied (the head, then the body).

        Raises :class:`ConfigurationError` for a header that could break the head.
        """
        method = request.method
        fixed = line.heads.get(method)
        if fixed is None:
            fixed = self._method(line, request)
        parts: list[str] = []
        overridden = 0
        names = self._names
        try:
            for name, value in request.headers.items():
                kind = names.get(name)
                if kind is None:
                    kind = self._name(name, request)
                if kind:
                    if kind == _SKIP:
                        continue
                    overridden |= kind
                if not isinstance(value, str):
                    raise _bad_header(request, name, "must be a str of Latin-1 characters")
                if "\r" in value or "\n" in value or value[:1].isspace():  # see _BAD_VALUE
                    raise _bad_header(request, name, "must not start with a space or hold CR/LF")
                parts.append(f"{name}: {value}\r\n")
        except TypeError:  # a name that cannot be looked up
            raise _bad_header(request, name, "must be a str of Latin-1 characters") from None
        parts.append(f"Content-Length: {len(body)}\r\n\r\n")
        try:
            text = "".join(parts).encode("latin-1")
        except UnicodeEncodeError:
            bad = next(k for k, v in request.headers.items() if not _latin1(v))
            raise _bad_header(request, bad, "must be a str of Latin-1 characters") from None
        if overridden:
            fixed = line.head(method.upper(), self._user_agent, overridden).encode("latin-1")
        if len(body) > _ONE_WRITE:
            return fixed + text, body
        return b"".join((fixed, text, body)), b""

    def _method(self, line: Line, request: HttpRequest) -> bytes:
        method = request.method
        if not isinstance(method, str) or not _TOKEN(method):
            raise ConfigurationError(f"{Target.of(request).what}: not an HTTP method: {method!r}")
        head = line.head(method.upper(), self._user_agent).encode("latin-1")
        if len(line.heads) < 8:
            line.heads[method] = head
        return head

    def _name(self, name: object, request: HttpRequest) -> int:
        if not isinstance(name, str) or not _TOKEN(name):
            raise _bad_header(request, name, "is not a valid header name")
        lower = name.lower()
        if lower == "transfer-encoding":
            raise _bad_header(request, name, "is not allowed: the transport sets Content-Length")
        kind = _SKIP if lower == "content-length" else _FIXED.get(lower, 0)
        if len(self._names) >= _CACHE:
            self._names.clear()
        self._names[name] = kind
        return kind


def _latin1(value: object) -> bool:
    try:
        str(value).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _bad_header(request: HttpRequest, name: object, why: str) -> ConfigurationError:
    return ConfigurationError(f"{Target.of(request).what}: header {name!r} {why}")


def exchange(  # noqa: PLR0915  (a call's steps in order, each setting the phase that failures go by)
    line: Line,
    data: bytes,
    rest: bytes,
    request: HttpRequest,
    timeouts: Timeouts,
    *,
    tracker: Tracker,
    max_body: int,
    context: Any,
) -> HttpResponse:
    """Write ``data``, then ``rest`` (see :meth:`Heads.request_bytes`), over a connection of
    ``line``'s pool; return the answer. Raises the transport error :func:`classify` makes."""
    phase = Phase.IDLE
    fresh = False
    pool = line.pool
    conn: Any = None
    response: Answer | None = None
    keep = False
    started = time.perf_counter()
    try:
        conn = pool._get_conn(timeout=timeouts.pool)  # private urllib3 API, pinned (see above)
        sock = conn.sock
        if sock is None:
            fresh = True
            phase = Phase.CONNECTING  # the connection's hooks tell TCP from TLS (below)
            conn.timeout = timeouts.connect
            conn.connect()  # TCP, then TLS; the pool's hooks count the handshake
            sock = conn.sock
            phase = Phase.CONNECTED
        elif sock.gettimeout() != timeouts.connect:
            sock.settimeout(timeouts.connect)  # writing, as urllib3 does
        phase = Phase.WRITING
        sock.sendall(data)
        if rest:
            sock.sendall(rest)
        phase = Phase.SENT
        sock.settimeout(timeouts.read)
        first = sock.recv(_FIRST_READ)
        whole = whole_answer(first, request.method.upper(), max_body)
        if whole is None:  # not the usual SOAP answer in one read: http.client reads it
            response = Answer(Replay(first, sock), method=request.method.upper())  # type: ignore[arg-type]  # a socket as Answer reads it
            response.begin()
            phase = Phase.ANSWERED
            whole = _read_rest(response, request, max_body)
        phase = Phase.ANSWERED
        status, fields, content, keep = whole
    except TransportError:
        raise
    except Exception as exc:
        if phase is Phase.CONNECTING:
            phase = tracker.phase  # CONNECTING (TCP) or HANDSHAKE (TLS)
        target = Target.of(request)
        raise classify(exc, phase, target, timeouts, fresh=fresh, context=context) from exc
    finally:
        if conn is not None:
            if not keep:  # half read, asked to close, or failed: never reused
                if response is not None:
                    response.close()
                conn.close()
            pool._put_conn(conn)  # pinned (see above); a closed one reconnects when next used
    tracker.answered()
    # Headers over our own dict (keys in lower case already), HttpResponse without __init__.
    return HttpResponse(
        status=status,
        headers=Headers._lowered(fields),
        body=content,
        elapsed=time.perf_counter() - started,
    )


def _read_rest(
    response: Answer, request: HttpRequest, max_body: int
) -> tuple[int, dict[str, str], bytes, bool]:
    """The body of an answer whose head ``response`` has read, and whether the connection may
    be reused (the answer read to its end, and the server did not ask to close)."""
    content = read_body(response, request, max_body)
    keep = response.isclosed() and not response.will_close
    return response.status, response.fields, content, keep


__all__ = ["Heads", "Line", "exchange", "host_header"]
