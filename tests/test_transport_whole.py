"""The one-read answer (:func:`whole_answer`) is what :class:`Answer` and :func:`read_body` make
of the same bytes: same status, headers, body and reuse of the connection -- or it declines.

Held side by side on the framing cases of ``test_transport_fast.py``, cut at every byte, and on
generated answers (every line ending, repeated and folded headers, odd lengths, chunking,
compression (declined), closing, statuses without a body, HEAD); the usual answers must take
the one-read path. Over the real transport: an answer whose body comes in a later TLS record is
read whole by the general path, starting with the bytes the first read gave.
"""

from __future__ import annotations

import gzip
import http.client
import socket
import time
import zlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from test_transport_fast import (
    FRAMINGS,
    QUICK,
    Peer,
    Scripted,
    answer,
    post,
    server,
    transport,
)

from inkorg_riv.errors import ResponseTooLargeError
from inkorg_riv.transport import HttpRequest, RequestsTransport
from inkorg_riv.transport._answer import Answer, Replay, read_body, whole_answer

__all__ = ["server", "transport"]  # fixtures, imported to be used here

REQUEST = HttpRequest(url="https://127.0.0.1/x", body=b"", headers={})
SOAP = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Length: 19\r\n\r\n"
    b"<soapenv:Envelope/>"
)


def general(raw: bytes, method: str, limit: int) -> object:
    """What the general path makes of ``raw`` (everything the server sent, then the end)."""
    ours, theirs = socket.socketpair()
    theirs.close()
    with ours:
        response = Answer(Replay(raw, ours), method=method)  # type: ignore[arg-type]  # as the transport passes it
        try:
            response.begin()
            content = read_body(response, REQUEST, limit)
        except (http.client.HTTPException, OSError, ResponseTooLargeError, zlib.error) as exc:
            return type(exc)
        finally:
            response.close()
        keep = response.isclosed() and not response.will_close
        return response.status, response.fields, content, keep


def _same_or_declined(raw: bytes, method: str, limit: int = 1 << 20) -> bool:
    whole = whole_answer(raw, method, limit)
    if whole is not None:
        assert whole == general(raw, method, limit)
    return whole is not None


@pytest.mark.parametrize("raw", FRAMINGS)
@pytest.mark.parametrize("method", ["POST", "HEAD"])
def test_framings_cut_anywhere_are_read_alike_or_declined(raw: bytes, method: str) -> None:
    for cut in range(len(raw) + 1):
        _same_or_declined(raw[:cut], method)
    for limit in (0, 2, 3, 100):
        _same_or_declined(raw, method, limit)


def test_usual_answers_take_the_one_read_path() -> None:
    packed = gzip.compress(b"<unpacked/>")
    usual = [
        SOAP,
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml\r\nContent-Length: 3\r\n"
        b"x-skltp-correlation-id: c-1\r\nx-skltp-prt: 12\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi",
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ]  # fmt: skip
    for raw in usual:
        assert _same_or_declined(raw, "POST"), raw
    assert whole_answer(usual[2], "POST", 100)[3] is False  # type: ignore[index]  # the server closes
    compressed = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
        + str(len(packed)).encode() + b"\r\n\r\n" + packed
    )  # fmt: skip
    assert whole_answer(compressed, "POST", 100) is None  # decompressed after the head
    assert general(compressed, "POST", 100)[2] == b"<unpacked/>"  # type: ignore[index]  # read


_NAMES = st.sampled_from(
    ["Content-Length", "content-length", "Transfer-Encoding", "Connection", "Keep-Alive",
     "Content-Encoding", "Content-Type", "X-A", "x-a", " X-A", "X-A "]
)  # fmt: skip
_VALUES = st.sampled_from(
    ["3", "0", "5", "+3", "3_0", " 3", "-1", "x", "", "chunked", "gzip", "close", "keep-alive",
     "Keep-Alive, close", "text/xml", "a\rb", "ä"]
)  # fmt: skip
_LINE = st.one_of(
    st.tuples(_NAMES, _VALUES).map(lambda nv: f"{nv[0]}: {nv[1]}"),
    st.sampled_from([" folded", "\tfolded", "no colon", ":", "X-A:1"]),
)
_END = st.sampled_from(["\r\n", "\r\n", "\r\n", "\n"])


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    status = draw(
        st.sampled_from(
            ["HTTP/1.1 200 OK", "HTTP/1.1 200", "HTTP/1.1 500 Oops", "HTTP/1.1 204 No Content",
             "HTTP/1.1 304 Not Modified", "HTTP/1.1 100 Continue", "HTTP/1.0 200 OK",
             "HTTP/1.1  200 OK", "HTTP/2 200", "HTTP/1.1 999 x", "HTTP/1.1 099 x", "garbage",
             "HTTP/1.1 200 \x85"]
        )
    )  # fmt: skip
    head = status + draw(_END)
    for line in draw(st.lists(_LINE, max_size=6)):
        head += line + draw(_END)
    head += draw(_END)
    body = draw(st.binary(max_size=8))
    if draw(st.booleans()):
        body = gzip.compress(body)
    return head.encode("latin-1") + body


@st.composite
def plain_answers(draw: st.DrawFn) -> bytes:
    """Answers framed by a true Content-Length, with other headers around it: the one-read
    path's own ground."""
    body = draw(st.binary(max_size=8))
    status = draw(st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.1 500 Oops", b"HTTP/1.1 200"]))
    lines = [b"Content-Length: " + str(len(body)).encode()]
    lines += [line.encode("latin-1") for line in draw(st.lists(_LINE, max_size=3))]
    lines = draw(st.permutations(lines))
    return status + b"\r\n" + b"".join(line + b"\r\n" for line in lines) + b"\r\n" + body


@given(
    st.one_of(answers(), plain_answers()),
    st.sampled_from(["POST", "HEAD"]),
    st.sampled_from([0, 3, 1 << 20]),
)
@example(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc", "POST", 99)
@example(b"HTTP/1.1 200 OK\r\nX: a\nContent-Length: 3\r\n\r\nabc", "POST", 99)
@example(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcd", "POST", 99)
def test_generated_answers_are_read_alike_or_declined(raw: bytes, method: str, limit: int) -> None:
    _same_or_declined(raw, method, limit)


def test_too_many_headers_are_declined_and_refused_by_the_general_path() -> None:
    raw = b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 100 + b"Content-Length: 0\r\n\r\n"
    assert whole_answer(raw, "POST", 100) is None
    assert general(raw, "POST", 100) is http.client.HTTPException


def _in_two_records(head: bytes, body: bytes) -> object:
    def act(peer: Peer, request_head: bytes) -> bool:
        peer.body(request_head)
        peer.sock.sendall(head)
        time.sleep(0.05)
        peer.sock.sendall(body)
        return True

    return act


def test_a_body_in_a_later_record_is_read_after_what_the_first_read_gave(
    server: Scripted, transport: RequestsTransport
) -> None:
    server.script += [
        _in_two_records(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nab", b"cde"),
        _in_two_records(b"HTTP/1.1 200 OK\r\nContent-", b"Length: 2\r\n\r\nhi"),
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
    ]  # type: ignore[list-item]  # Actions, typed loosely here
    first = transport.send(post(server.url()), timeouts=QUICK)
    assert (first.status, first.body, first.headers["x-a"]) == (200, b"abcde", "1")
    assert transport.send(post(server.url()), timeouts=QUICK).body == b"hi"
    assert transport.send(post(server.url()), timeouts=QUICK).body == b"abc"
    assert transport.stats.connections_opened == 1  # each read to its end: kept alive
