"""One HTTP answer as the transport reads it (layer L4): status, headers, the whole body.

Owns :class:`Answer`, ``http.client``'s response with a lean ``begin``: the header block goes
into a dict (names in lower case, a repeated header joined with ", " as urllib3 does) instead
of an ``email`` message, which cost ~20 µs of the ~130 µs a call takes; the framing decisions
(chunked, Content-Length, whether the server will close) are ``http.client``'s, line for line,
and reading the body stays ``http.client``'s. Also owns :func:`read_body`: the body whole, at most
``max_body`` bytes, decompressed as urllib3 would if a server compressed it uninvited.

Relies on ``http.client.HTTPResponse._read_status`` (private, unchanged since Python 3.0; pinned
in ``tests/test_transport_fast.py``) to read the status line and name its failures.
"""

from __future__ import annotations

import http.client
import zlib

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
    _firsts: dict[str, str] | None = None  # the first values of repeated headers

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            self._fields()  # a 100 Continue's headers: skipped
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.fields = fields = self._fields()
        self.headers = self.msg = _NO_MESSAGE
        framing = {**fields, **self._firsts} if self._firsts else fields  # first values frame
        encoding = framing.get("transfer-encoding")
        self.chunked = encoding is not None and encoding.lower() == "chunked"
        self.chunk_left = None
        self.will_close = self._closing(framing)
        self.length = None
        length = framing.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True  # the body ends when the connection does

    def _closing(self, fields: dict[str, str]) -> bool:
        """Whether the server will close the connection after this answer."""
        connection = fields.get("connection", "").lower()
        if self.version == 11:
            return "close" in connection
        keep_alive = (
            fields.get("keep-alive")
            or "keep-alive" in connection
            or "keep-alive" in fields.get("proxy-connection", "").lower()
        )
        return not keep_alive

    def _fields(self) -> dict[str, str]:
        """The header block up to its blank line, within http.client's limits."""
        fields: dict[str, str] = {}
        readline = self.fp.readline
        last = ""
        for _ in range(_MAXHEADERS):
            line = readline(_MAXLINE + 1)
            if len(line) > _MAXLINE:
                raise http.client.LineTooLong("header line")
            if line in _END:
                return fields
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
                self._repeated(last, fields[last])
                value = f"{fields[last]}, {value}"
            fields[last] = value
        raise http.client.HTTPException(f"got more than {_MAXHEADERS} headers")

    def _repeated(self, name: str, first: str) -> None:
        """Keep a repeated header's first value: http.client frames the body by it."""
        if self._firsts is None:
            self._firsts = {}
        self._firsts.setdefault(name, first)


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
    encoding = answer.fields.get("content-encoding")
    if encoding is not None and content:
        content = _decoded(content, encoding.strip().lower(), limit, request, answer.status)
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


__all__ = ["Answer", "read_body"]
