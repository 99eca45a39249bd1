"""Socket-level helpers of the simulator's HTTP server: bounded body reads and hard closes.

Owns reading a request body within a size limit and a deadline (``Content-Length`` or chunked),
telling a plain-HTTP client apart from a TLS ClientHello, the "lingering" close that lets a
client read a refusal before the connection goes, and the abrupt close (TCP RST) used by the
``reset`` fault injection.
"""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import time

_CHUNK = 64 * 1024
_MAX_CHUNK_LINE = 4096


class BodyError(Exception):
    """The body could not be read. ``answer`` False: the client is gone, do not answer."""

    def __init__(self, detail: str, *, answer: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.answer = answer


def read_body(
    stream: io.BufferedIOBase,
    *,
    content_length: str | None,
    transfer_encoding: str | None,
    limit: int,
    deadline: float,
) -> bytes:
    """Read a request body of at most ``limit`` bytes before ``deadline`` (monotonic time).

    Raises :class:`BodyError` for a body that is too large (checked before reading when the
    length is declared), a bad length, an unsupported transfer coding, a timeout, or a client
    that closed early. ``TimeoutError`` from a single read becomes a BodyError too.
    """
    try:
        if transfer_encoding is not None:
            if transfer_encoding.strip().lower() != "chunked":
                raise BodyError(f"unsupported Transfer-Encoding {transfer_encoding!r}")
            return _read_chunked(stream, limit, deadline)
        if content_length is None:
            return b""
        try:
            length = int(content_length.strip())
        except ValueError:
            raise BodyError(f"Content-Length is not a number: {content_length!r}") from None
        if length < 0:
            raise BodyError(f"Content-Length is negative: {length}")
        if length > limit:
            raise BodyError(too_large(length, limit))
        return _read_exactly(stream, length, deadline)
    except TimeoutError:
        raise BodyError("the request body did not arrive in time (timeout)") from None
    except (ConnectionError, OSError) as exc:
        raise BodyError(f"the client went away while sending ({exc})", answer=False) from None


def too_large(size: int, limit: int) -> str:
    """The detail for a refused oversized request."""
    return f"the request ({size} bytes) is larger than the platform's limit of {limit} bytes"


def _read_exactly(stream: io.BufferedIOBase, length: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    remaining = length
    while remaining > 0:
        if time.monotonic() > deadline:
            raise TimeoutError
        piece = stream.read1(min(_CHUNK, remaining))
        if not piece:
            raise BodyError(
                f"the client closed the connection after {length - remaining} of {length} bytes",
                answer=False,
            )
        parts.append(piece)
        remaining -= len(piece)
    return b"".join(parts)


def _read_chunked(stream: io.BufferedIOBase, limit: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = stream.readline(_MAX_CHUNK_LINE)
        if not line.endswith(b"\n"):
            raise BodyError("a chunk size line is missing or too long", answer=bool(line))
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BodyError("a chunk size is not a hexadecimal number") from None
        if size < 0:
            raise BodyError("a chunk size is negative")
        if size == 0:
            break
        total += size
        if total > limit:
            raise BodyError(too_large(total, limit) + " (chunked)")
        parts.append(_read_exactly(stream, size, deadline))
        if stream.readline(_MAX_CHUNK_LINE).strip():
            raise BodyError("a chunk is not followed by CRLF")
    while True:  # trailer section, up to the empty line
        if time.monotonic() > deadline:
            raise TimeoutError
        trailer = stream.readline(_MAX_CHUNK_LINE)
        if not trailer.strip():
            break
    return b"".join(parts)


def looks_like_plain_http(sock: socket.socket) -> bool:
    """Whether the first bytes waiting on ``sock`` are an HTTP request line, not TLS.

    A TLS record starts with the byte 0x16; an HTTP request with a method in capitals.
    """
    try:
        first = sock.recv(4, socket.MSG_PEEK)
    except (TimeoutError, OSError):
        return False
    return len(first) == 4 and first.isalpha() and first.isupper()


def linger_close(sock: socket.socket, *, budget: float = 1.0, max_bytes: int = 1 << 20) -> None:
    """Stop writing, read (and drop) what the client still sends for a moment, then close.

    Closing a socket with unread input makes the kernel send a RST, which can destroy an
    answer the client has not read yet; draining first gives the answer time to arrive.
    """
    with contextlib.suppress(OSError):
        sock.settimeout(0.2)
        end = time.monotonic() + budget
        drained = 0
        while time.monotonic() < end and drained < max_bytes:
            try:
                data = sock.recv(_CHUNK)
            except TimeoutError:
                continue
            if not data:
                break
            drained += len(data)


def hard_reset(sock: socket.socket) -> None:
    """Close ``sock`` so that the peer sees a connection reset (SO_LINGER 0: RST, no FIN)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        fd = sock.detach()
        if fd >= 0:
            socket.socket(fileno=fd).close()


__all__ = [
    "BodyError",
    "hard_reset",
    "linger_close",
    "looks_like_plain_http",
    "read_body",
    "too_large",
]
