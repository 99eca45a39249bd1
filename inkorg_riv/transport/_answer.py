"""One HTTP answer as the transport reads it (layer L4): status, headers, the whole body.

Owns :class:`Answer`, ``http.client``'s response with a lean ``begin``: the header block goes
into a dict (names in lower case, a repeated header joined with ", " as urllib3 does) instead
of an ``email`` message, which cost ~20 µs of the ~130 µs a call takes; the framing decisions
(chunked, Content-Length, whether the server will close) are ``http.client``'s, line for line,
and reading the body stays ``http.client``'s. Also owns :func:`read_body`: the body whole, at most
``max_body`` bytes, decompressed as urllib3 would if a server compressed it uninvited.

The usual SOAP answer arrives whole in the first read (one TLS record): :func:`whole_answer`
reads it from those bytes with the same header and framing code, without the file objects and
calls ``http.client`` reads through (~8 µs a call); anything else is read by :class:`Answer`
over :class:`Replay`, which hands it the first read's bytes before reading more.

Relies on ``http.client.HTTPResponse._read_status`` (private, unchanged since Python 3.0; pinned
in ``tests/test_transport_fast.py``) to read the status line and name its failures.
"""

from __future__ import annotations

import http.client
import io
import socket
import zlib
from collections.abc import Callable
from typing import Any

from ._failures import Target, too_large
from ._types import HttpRequest

_MAXLINE = 65536  # http.client's limits
_MAXHEADERS = 100
_CHUNK = 64 * 1024
_END = (b"\r\n", b"\n", b"")
_NO_MESSAGE = http.client.HTTPMessage()  # ``headers``/``msg`` of an Answer: see ``fields``


class Answer(http.client.HTTPResponse):
    """An HTTP response whose headers are :attr:`fields`; read it as ``http.client``'s."""

    fields: dict[str, str]

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            _header_fields(self.fp.readline)  # a 100 Continue's headers: skipped
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.fields, firsts = _header_fields(self.fp.readline)
        self.headers = self.msg = _NO_MESSAGE
        self.chunked, self.length, self.will_close = _framing(
            self.version, status, self._method, self.fields, firsts
        )
        self.chunk_left = None


def _framing(
    version: int,
    status: int,
    method: str | None,
    fields: dict[str, str],
    firsts: dict[str, str] | None,
) -> tuple[bool, int | None, bool]:
    """Whether the body is chunked, its length (None: until the connection closes), and
    whether the server will close the connection after it: ``http.client``'s decisions.
    A repeated header frames by its first value, as ``http.client`` reads it (``firsts``)."""
    framing = {**fields, **firsts} if firsts else fields
    encoding = framing.get("transfer-encoding")
    chunked = encoding is not None and encoding.lower() == "chunked"
    will_close = _closing(version, framing)
    length = None
    declared = framing.get("content-length")
    if declared and not chunked:
        try:
            length = int(declared)
        except ValueError:
            length = None
        else:
            if length < 0:
                length = None
    if status in (204, 304) or 100 <= status < 200 or method == "HEAD":
        length = 0
    if not will_close and not chunked and length is None:
        will_close = True  # the body ends when the connection does
    return chunked, length, will_close


def _closing(version: int, fields: dict[str, str]) -> bool:
    """Whether the server will close the connection after this answer."""
    connection = fields.get("connection", "").lower()
    if version == 11:
        return "close" in connection
    keep_alive = (
        fields.get("keep-alive")
        or "keep-alive" in connection
        or "keep-alive" in fields.get("proxy-connection", "").lower()
    )
    return not keep_alive


def _header_fields(
    readline: Callable[[int], bytes],
) -> tuple[dict[str, str], dict[str, str] | None]:
    """The header block up to its blank line, within http.client's limits; and the first
    values of repeated headers (None when nothing repeats), by which http.client frames."""
    fields: dict[str, str] = {}
    firsts: dict[str, str] | None = None
    last = ""
    for _ in range(_MAXHEADERS):
        line = readline(_MAXLINE + 1)
        if len(line) > _MAXLINE:
            raise http.client.LineTooLong("header line")
        if line in _END:
            return fields, firsts
        text = line.decode("iso-8859-1")
        if text[0] in " \t":  # obs-fold: continues the previous header's value
            if last:
                fields[last] = f"{fields[last]} {text.strip()}"
            continue
        name, colon, value = text.partition(":")
        if not colon:
            continue  # not a header: ignored (urllib3 only warns about it)
        last = name.strip().lower()
        value = value.strip()
        if last in fields:
            if firsts is None:
                firsts = {}
            firsts.setdefault(last, fields[last])
            value = f"{fields[last]}, {value}"
        fields[last] = value
    raise http.client.HTTPException(f"got more than {_MAXHEADERS} headers")


def whole_answer(  # noqa: PLR0911  (each way out of the plain case declines on its own line)
    data: bytes, method: str, limit: int
) -> tuple[int, dict[str, str], bytes, bool] | None:
    """Status, headers, body and whether the connection may be reused, when ``data`` (what
    the first read gave) is one whole, plainly framed answer: an ``HTTP/1.1`` status line
    (status 200 or more), then ``name: value`` lines, each name once, every line ended by
    CR LF, and exactly the ``Content-Length`` bytes of body (within ``limit``), neither chunked
    nor compressed. Exactly what :class:`Answer` and :func:`read_body` make of the same bytes
    (the side-by-side tests hold them together); None for anything else, which the caller
    reads with them. Never raises.

    Plain string operations only: this runs first when the answer arrives, when every new
    piece of code costs several times what it costs a moment later (a regular expression,
    a file object and a function per step took ~15 µs there, these ~6).
    """
    end = data.find(b"\r\n\r\n")
    if end < 0 or len(data) > _MAXLINE or data[:9] != b"HTTP/1.1 ":
        return None
    lines = data[:end].decode("iso-8859-1").split("\r\n")
    status_line = lines[0]
    code = status_line[9:12]
    if (
        len(lines) >= _MAXHEADERS  # http.client reads at most 99 header lines and the blank one
        or not (code.isascii() and code.isdigit())
        or code[0] in "01"  # 1xx: interim answers come before the real one
        or status_line[12:13] not in ("", " ")  # the status is a token of its own
        or "\n" in status_line  # a line ended by LF alone: lines would be cut elsewhere
    ):
        return None
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or "\n" in line or line[0] in " \t":
            return None  # not a header, a bare LF, or a folded line: Answer reads those
        name = name.strip().lower()
        if name in fields:
            return None  # repeated: joined, and framed by the first value
        fields[name] = value.strip()
    if "transfer-encoding" in fields or "content-encoding" in fields:
        return None  # chunked or not; decompressing may fail, not before the head is read
    status = int(code)
    declared = fields.get("content-length")
    if status in (204, 304) or method == "HEAD":
        length = 0
    elif declared is not None and declared.isascii() and declared.isdigit():
        length = int(declared)
    else:
        return None
    head_end = end + 4
    if length > limit or len(data) - head_end != length:
        return None
    return status, fields, data[head_end:], "close" not in fields.get("connection", "").lower()


class Replay:
    """A socket as :class:`Answer` reads it (``makefile``), with ``first`` (already received
    from it) read before anything more; a first read that gave nothing is the end."""

    def __init__(self, first: bytes, sock: socket.socket) -> None:
        self._raw = _ReplayIO(first, sock)

    def makefile(self, mode: str) -> io.BufferedReader:  # noqa: ARG002  (always "rb")
        return io.BufferedReader(self._raw)


class _ReplayIO(io.RawIOBase):
    def __init__(self, first: bytes, sock: socket.socket) -> None:
        self._first = first
        self._ended = not first
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        first = self._first
        if first:
            count = min(len(buffer), len(first))
            buffer[:count] = first[:count]
            self._first = first[count:]
            return count
        if self._ended:
            return 0
        return self._sock.recv_into(buffer)


def read_body(answer: Answer, request: HttpRequest, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes (else :class:`ResponseTooLargeError`)."""
    length = answer.length
    if length is not None:
        if length > limit:
            raise too_large(Target.of(request), limit, answer.status, declared=length)
        content = answer.read()  # exactly Content-Length bytes, or IncompleteRead
    else:  # chunked, or until the server closes
        chunks: list[bytes] = []
        total = 0
        while chunk := answer.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise too_large(Target.of(request), limit, answer.status)
            chunks.append(chunk)
        content = b"".join(chunks)
    return _content(content, answer.fields, limit, request, answer.status)


def _content(
    content: bytes, fields: dict[str, str], limit: int, request: HttpRequest, status: int
) -> bytes:
    """The body as read, decompressed when the answer says it was compressed."""
    encoding = fields.get("content-encoding")
    if encoding is not None and content:
        content = _decoded(content, encoding.strip().lower(), limit, request, status)
    return content


def _decoded(content: bytes, encoding: str, limit: int, request: HttpRequest, status: int) -> bytes:
    """A gzip or deflate body decompressed, as urllib3 would (we ask for ``identity``; a server
    may compress anyway); other encodings are left as they came. At most ``limit`` bytes."""
    if encoding in ("gzip", "x-gzip"):
        wbits = [16 + zlib.MAX_WBITS]
    elif encoding == "deflate":
        wbits = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped, or raw as some servers send
    else:
        return content
    for bits in wbits:
        inflater = zlib.decompressobj(bits)
        try:
            plain = inflater.decompress(content, limit + 1)
        except zlib.error:
            if bits == wbits[-1]:
                raise
            continue
        if not inflater.unconsumed_tail:
            plain += inflater.flush()
        if len(plain) > limit or inflater.unconsumed_tail:
            raise too_large(Target.of(request), limit, status)
        return plain
    return content  # pragma: no cover - the loop returns or raises


__all__ = ["Answer", "Replay", "read_body", "whole_answer"]
