"""The transport's own HTTP exchange, against a scripted mutual-TLS server on 127.0.0.1.

:class:`RequestsTransport` writes each request itself on a connection checked out of the
adapter's urllib3 pool and reads the answer with ``http.client``. These tests pin the private
urllib3 API that relies on, what goes on the wire (one write, the head), how answers framed in
every way are read, when a connection goes back to the pool, and what each failure after a
connection was made means ("not sent" only when proven). The server is real (threads, TLS with a
client certificate); each test scripts its answers, raw bytes, one per request.
"""

from __future__ import annotations

import gzip
import http.client
import inspect
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import urllib3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from inkorg_riv.errors import (
    ConfigurationError,
    ConnectionLostError,
    Outcome,
    ReadTimeoutError,
    ResponseTooLargeError,
    TransportError,
)
from inkorg_riv.simulator import TestPki
from inkorg_riv.simulator.server import server_context
from inkorg_riv.transport import HttpRequest, RequestsTransport, Timeouts
from inkorg_riv.transport._answer import Answer

QUICK = Timeouts(connect=2, read=2, pool=2)
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\n<ok/>"
HEADERS = {"Content-Type": "text/xml", "SOAPAction": '"urn:x"', "X-Skltp-Correlation-Id": "c-1"}


class Peer:
    """One accepted TLS connection, as the server reads it: heads and bodies of requests."""

    def __init__(self, sock: ssl.SSLSocket, server: Scripted) -> None:
        self.sock = sock
        self.server = server
        self.pending = b""

    def head(self) -> bytes | None:
        """The next request's head (to the blank line); what the first recv gave is recorded."""
        first = b""
        while b"\r\n\r\n" not in self.pending:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                return None
            first = first or chunk
            self.pending += chunk
        head, _, self.pending = self.pending.partition(b"\r\n\r\n")
        self.server.firsts.append(first)
        return head + b"\r\n\r\n"

    def body(self, head: bytes) -> bytes:
        found = re.search(rb"(?im)^content-length: *(\d+)\r$", head)
        length = int(found[1]) if found else 0
        while len(self.pending) < length and (chunk := self.sock.recv(1 << 20)):
            self.pending += chunk
        body, self.pending = self.pending[:length], self.pending[length:]
        self.server.requests.append((head, body))
        return body


Action = Callable[[Peer, bytes], bool]  # answer one request; False: close the connection


def answer(raw: bytes, *, close: bool = False, then_sleep: float = 0) -> Action:
    def act(peer: Peer, head: bytes) -> bool:
        peer.body(head)
        peer.sock.sendall(raw)
        time.sleep(then_sleep)
        return not close

    return act


def hang_up(peer: Peer, head: bytes) -> bool:  # noqa: ARG001  (an Action: reads nothing more)
    return False


class Scripted:
    """TLS with a required client certificate; answers each request with the next scripted
    action (:data:`OK` once the script is used up); each connection in its own thread."""

    def __init__(self, pki: TestPki) -> None:
        self.context = server_context(pki.server_tls())
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = int(self.listener.getsockname()[1])
        self.script: list[Action] = []
        self.firsts: list[bytes] = []
        self.requests: list[tuple[bytes, bytes]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, path: str = "/vp/x", host: str = "127.0.0.1") -> str:
        return f"https://{host}:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                raw, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(None)
        try:
            with self.context.wrap_socket(raw, server_side=True) as tls:
                peer = Peer(tls, self)
                while (head := peer.head()) is not None:
                    action = self.script.pop(0) if self.script else answer(OK)
                    if not action(peer, head):
                        return
        except OSError:  # ssl.SSLError among them: refused or probing handshakes
            raw.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def server(inkorg_pki: TestPki) -> Iterator[Scripted]:
    made = Scripted(inkorg_pki)
    yield made
    made.stop()


def client_context(pki: TestPki) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki.ca))
    consumer = pki.consumer()
    context.load_cert_chain(str(consumer.cert), str(consumer.key), pki.password)
    return context


@pytest.fixture
def transport(inkorg_pki: TestPki) -> Iterator[RequestsTransport]:
    with RequestsTransport(client_context(inkorg_pki)) as made:
        yield made


def post(url: str, body: bytes | bytearray | memoryview = b"<a/>", **headers: str) -> HttpRequest:
    return HttpRequest(url=url, body=body, headers={**HEADERS, **headers})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- private urllib3 API


def test_the_private_urllib3_api_the_transport_relies_on_is_unchanged() -> None:
    """If this fails, urllib3 changed what ``inkorg_riv.transport._wire`` relies on: adapt it."""
    assert int(urllib3.__version__.split(".")[0]) == 2
    assert "timeout" in inspect.signature(HTTPConnectionPool._get_conn).parameters
    assert list(inspect.signature(HTTPConnectionPool._put_conn).parameters) == ["self", "conn"]
    assert "is_connection_dropped" in inspect.getsource(HTTPConnectionPool._get_conn)
    assert issubclass(urllib3.connection.HTTPSConnection, http.client.HTTPConnection)
    assert "self.timeout" in inspect.getsource(urllib3.connection.HTTPConnection._new_conn)
    pool = HTTPSConnectionPool("127.0.0.1", 1, maxsize=1, block=True)
    conn = pool._get_conn(timeout=0.01)
    assert conn.sock is None  # not connected until connect()
    with pytest.raises(urllib3.exceptions.EmptyPoolError):
        pool._get_conn(timeout=0.01)
    pool._put_conn(conn)
    assert pool._get_conn(timeout=0.01) is conn  # a returned connection, closed or not, is reused
    pool._put_conn(conn)
    pool.close()
    assert pool.pool is None  # how the transport sees that the manager dropped a route's pool
    with pytest.raises(urllib3.exceptions.ClosedPoolError):
        pool._get_conn(timeout=0.01)


def test_http_clients_private_status_reader_is_unchanged() -> None:
    """If this fails, http.client changed what ``inkorg_riv.transport._answer`` relies on."""
    assert list(inspect.signature(http.client.HTTPResponse._read_status).parameters) == ["self"]
    for name in ("chunked", "chunk_left", "length", "will_close"):  # what read() goes by
        assert f"self.{name}" in inspect.getsource(http.client.HTTPResponse.begin)


# --------------------------------------------------------------------------- reading answers

FRAMINGS = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\nContent-Length: 9\r\n\r\n"
    b"1\r\na\r\n0\r\n\r\n",
    b"HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nX-B:\tc \r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\nContent-Length: 3\n\nabc",
    b"HTTP/2 200 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 100 + b"\r\n",
    b"HTTP/1.1 200 OK\r\nX: " + b"y" * 65536 + b"\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab",
]


def _read_with(kind: type[http.client.HTTPResponse], raw: bytes, method: str) -> object:
    """What ``kind`` makes of ``raw``, sent over a real socket pair, or the exception it raises."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        writer = threading.Thread(target=lambda: (theirs.sendall(raw), theirs.close()))
        writer.start()
        response = kind(ours, method=method)  # type: ignore[arg-type]
        try:
            response.begin()
            frame = (response.status, response.reason, response.version, response.chunked)
            frame += (response.length, response.will_close, response.read())
        except (http.client.HTTPException, OSError) as exc:
            frame = (type(exc),)
        finally:
            response.close()
            writer.join(5)
        return frame


@pytest.mark.parametrize("raw", FRAMINGS)
@pytest.mark.parametrize("method", ["POST", "HEAD"])
def test_answers_are_framed_as_http_client_frames_them(raw: bytes, method: str) -> None:
    assert _read_with(Answer, raw, method) == _read_with(http.client.HTTPResponse, raw, method)


def test_answer_headers_are_lower_case_joined_and_unfolded() -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\nX-Folded: a\r\n  b\r\nx-a:  2 \r\nnot a header\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(raw)
        answer = Answer(ours, method="POST")
        answer.begin()
        assert answer.fields == {"x-a": "1, 2", "x-folded": "a b", "content-length": "0"}
        assert (answer.length, answer.will_close) == (0, False)
        answer.close()


# --------------------------------------------------------------------------- on the wire


def test_the_request_goes_out_in_one_write(server: Scripted, transport: RequestsTransport) -> None:
    body = b"<soap>" + b"x" * 3000 + b"</soap>"
    for _ in range(3):
        response = transport.send(post(server.url("/vp/x?q=1"), body), timeouts=QUICK)
        assert (response.status, response.body) == (200, b"<ok/>")
    assert transport.stats.connections_opened == 1
    head, received = server.requests[0]
    assert received == body
    assert server.firsts[0] == head + body  # one TLS record: head and body in one write
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "POST /vp/x?q=1 HTTP/1.1"
    assert sorted(lines[1:-2]) == sorted(
        [f"Host: 127.0.0.1:{server.port}", "User-Agent: inkorg-riv", "Accept-Encoding: identity",
         f"Content-Length: {len(body)}", "Content-Type: text/xml", 'SOAPAction: "urn:x"',
         "X-Skltp-Correlation-Id: c-1"]
    )  # fmt: skip


def test_headers_the_request_sets_itself_replace_ours(
    server: Scripted, transport: RequestsTransport
) -> None:
    mine = {"User-Agent": "mine", "Host": "vp", "Content-Length": "9"}
    assert transport.send(post(server.url(), b"12345", **mine), timeouts=QUICK).status == 200
    lines = server.requests[0][0].decode().split("\r\n")
    named = [x.split(":")[0].lower() for x in lines[1:] if x]
    assert sorted(named) == sorted(set(named))  # none twice
    assert {
        "Host: vp",
        "User-Agent: mine",
        "Content-Length: 5",
        "Accept-Encoding: identity",
    } <= set(lines)
    assert "Content-Length: 9" not in lines


@pytest.mark.parametrize(
    ("headers", "method", "match"),
    [
        ({"Transfer-Encoding": "chunked"}, "POST", "Content-Length"),
        ({"Bad Name": "x"}, "POST", "not a valid header name"),
        ({"X-A": "a\rb"}, "POST", "CR/LF"),
        ({"X-A": " leading"}, "POST", "CR/LF"),
        ({"X-A": 5}, "POST", "Latin-1"),
        ({"X-A": "€"}, "POST", "Latin-1"),
        ({}, "PO ST", "not an HTTP method"),
    ],
)
def test_what_could_break_the_head_is_refused_unsent(
    server: Scripted, transport: RequestsTransport, headers: dict[str, str], method: str, match: str
) -> None:
    request = HttpRequest(url=server.url(), body=b"", headers=headers, method=method)
    with pytest.raises(ConfigurationError, match=match):
        transport.send(request, timeouts=QUICK)
    assert transport.stats.connections_opened == 0


def test_a_large_body_and_other_byte_types_arrive_whole(
    server: Scripted, transport: RequestsTransport
) -> None:
    large = bytes(range(256)) * 1000  # above the one-write limit: sent after the head
    for body in (bytearray(large), memoryview(b"<a/>" * 10), large):
        assert transport.send(post(server.url(), body), timeouts=QUICK).status == 200
    assert [received for _, received in server.requests] == [large, b"<a/>" * 10, large]
    assert transport.stats.connections_opened == 1


# --------------------------------------------------------------------------- answers


def test_answers_framed_every_way_are_read_whole(
    server: Scripted, transport: RequestsTransport
) -> None:
    packed = gzip.compress(b"<unpacked/>")
    server.script += [
        answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n"
               b"3\r\n<ok\r\n2\r\n/>\r\n0\r\n\r\n"),
        answer(b"HTTP/1.1 500 Oops\r\nContent-Encoding: gzip\r\nContent-Length: "
               + str(len(packed)).encode() + b"\r\n\r\n" + packed),
        answer(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"),
        answer(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", close=True),
    ]  # fmt: skip
    chunked = transport.send(post(server.url()), timeouts=QUICK)
    assert (chunked.body, chunked.headers["x-a"]) == (b"<ok/>", "1, 2")
    packed_answer = transport.send(post(server.url()), timeouts=QUICK)
    assert (packed_answer.status, packed_answer.body) == (500, b"<unpacked/>")
    assert transport.stats.connections_opened == 1  # both read to the end: kept alive
    assert transport.send(post(server.url()), timeouts=QUICK).body == b"hi"
    assert transport.send(post(server.url()), timeouts=QUICK).body == b"until the end"
    assert transport.send(post(server.url()), timeouts=QUICK).body == b"<ok/>"
    assert transport.stats.connections_opened == 3  # "close" and read-to-close: not reused
    assert transport.stats.responses == 5


def test_a_head_request_reads_no_body_whatever_its_case(
    server: Scripted, transport: RequestsTransport
) -> None:
    server.script += [answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")] * 2
    for method in ("HEAD", "head"):
        request = HttpRequest(url=server.url(), body=b"", headers={}, method=method)
        response = transport.send(request, timeouts=QUICK)
        assert (response.status, response.body, response.headers["content-length"]) == (
            200,
            b"",
            "10",
        )
    assert [head.split(b" ")[0] for head, _ in server.requests] == [b"HEAD", b"HEAD"]
    assert transport.send(post(server.url()), timeouts=QUICK).body == b"<ok/>"
    assert transport.stats.connections_opened == 1


def test_answers_above_max_body_are_not_read(inkorg_pki: TestPki, server: Scripted) -> None:
    bomb = gzip.compress(b"x" * 5000)
    server.script += [
        answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"100\r\n" + b"y" * 256 + b"\r\n" + b"0\r\n\r\n"),
        answer(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
               + str(len(bomb)).encode() + b"\r\n\r\n" + bomb),
    ]  # fmt: skip
    with RequestsTransport(client_context(inkorg_pki), max_body=100) as transport:
        for _ in range(2):
            with pytest.raises(ResponseTooLargeError) as caught:
                transport.send(post(server.url()), timeouts=QUICK)
            assert caught.value.outcome is Outcome.UNKNOWN
            assert caught.value.limit == 100
        assert transport.send(post(server.url()), timeouts=QUICK).body == b"<ok/>"
        assert transport.stats.connections_opened == 3  # a half-read connection is not reused


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("action", "kind", "words"),
    [
        (answer(b"", close=True), ConnectionLostError, "lost after the request was sent"),
        (
            answer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", close=True),
            ConnectionLostError,  # IncompleteRead
            "lost after the request was sent",
        ),
        (answer(b"garbage\r\n\r\n"), TransportError, "could not be read"),  # BadStatusLine
        (
            answer(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n"),
            TransportError,  # LineTooLong
            "could not be read",
        ),
        (
            answer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", then_sleep=1),
            ReadTimeoutError,
            "while reading the answer",
        ),
    ],
)
def test_a_failure_after_the_request_was_written_leaves_the_outcome_unknown(
    server: Scripted,
    transport: RequestsTransport,
    action: Action,
    kind: type[TransportError],
    words: str,
) -> None:
    assert transport.send(post(server.url()), timeouts=QUICK).status == 200  # kept alive
    server.script.append(action)
    with pytest.raises(TransportError) as caught:
        transport.send(post(server.url()), timeouts=Timeouts(connect=2, read=0.4))
    assert type(caught.value) is kind
    assert caught.value.outcome is Outcome.UNKNOWN
    assert not caught.value.retryable
    assert words in str(caught.value)
    assert "outcome is unknown" in str(caught.value)
    assert caught.value.__cause__ is not None
    assert transport.send(post(server.url()), timeouts=QUICK).status == 200
    assert transport.stats.connections_opened == 2  # the broken connection was not reused


def test_a_write_that_fails_leaves_the_request_unsent(
    server: Scripted, transport: RequestsTransport
) -> None:
    assert transport.send(post(server.url()), timeouts=QUICK).status == 200  # kept alive
    server.script.append(hang_up)  # reads the head only, then closes: the body cannot arrive
    with pytest.raises(ConnectionLostError) as caught:
        transport.send(post(server.url(), b"x" * (32 << 20)), timeouts=QUICK)
    assert caught.value.outcome is Outcome.NOT_SENT
    assert caught.value.retryable
    assert "while the request was being written" in str(caught.value)
    assert transport.send(post(server.url()), timeouts=QUICK).status == 200


# --------------------------------------------------------------------------- pools


def test_two_hosts_take_turns_in_the_one_pool_the_adapter_keeps(
    server: Scripted, transport: RequestsTransport
) -> None:
    for host in ("127.0.0.1", "localhost") * 3:
        assert transport.send(post(server.url(host=host)), timeouts=QUICK).body == b"<ok/>"
    assert any(b"Host: localhost:" in head for head, _ in server.requests)


def test_sixteen_threads_share_a_pool_of_four(inkorg_pki: TestPki, server: Scripted) -> None:
    errors: list[BaseException] = []
    with RequestsTransport(client_context(inkorg_pki), pool_size=4) as transport:

        def worker() -> None:
            try:
                for _ in range(20):
                    assert transport.send(post(server.url()), timeouts=QUICK).body == b"<ok/>"
            except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert transport.stats.responses == 320
        assert 1 <= transport.stats.connections_opened <= 4
