"""The simulator's listener: connections, the TLS handshake, and HTTP/1.1 around the platform.

Owns :class:`Listener` (a threading HTTP server that does each TLS handshake in the
connection's own thread, under the socket timeout, and *requires* a client certificate from the
configured CA; a plain-HTTP request on the TLS port gets VP011) and :class:`Handler` (reads the
HSA-id from the certificate's subject serialNumber, reads bodies within the size limit and a
deadline, echoes or makes the correlation id, writes answers, and logs one redacted line per
request). Paths: ``POST /vp/...`` is the platform (it routes on the payload, not the path),
``/inbox/...`` the citizen's inbox web view, ``GET /`` a short text. Every failure is answered
or logged; nothing a client sends stops the listener.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .._log import get_logger, redact
from ..envelope import CORRELATION_HEADER, ORIGINAL_CONSUMER_HEADER, build_vp_fault_response
from ..envelope.build import new_correlation_id
from . import inbox_view
from ._http import BodyError, hard_reset, linger_close, looks_like_plain_http, read_body, too_large
from ._pipeline import XML_CONTENT_TYPE, Answer, Call, Platform, vp_answer
from .config import SimulatorConfig
from .store import InboxStore

PRT_HEADER = "x-skltp-prt"
_log = get_logger("simulator")
_MAX_FORM_BYTES = 64 * 1024


class Listener(ThreadingHTTPServer):
    """One listener: TLS (the platform and the inbox) or plain HTTP (the inbox only)."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        *,
        platform: Platform,
        store: InboxStore,
        context: ssl.SSLContext | None,
    ) -> None:
        self.platform = platform
        self.config = platform.config
        self.store = store
        self.context = context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (socket.getfqdn): a reverse DNS query
        # for nothing. Bind like a plain TCP server instead.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def finish_request(self, request: Any, client_address: Any) -> None:
        raw: socket.socket = request
        peer = f"{client_address[0]}:{client_address[1]}"
        raw.settimeout(self.config.socket_timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn: socket.socket = raw
        self._track(raw, add=True)
        try:
            if self.context is not None:
                if looks_like_plain_http(raw):
                    _answer_plain_http(self.config, raw, peer)
                    return
                try:
                    tls = self.context.wrap_socket(
                        raw, server_side=True, do_handshake_on_connect=False
                    )
                    self._track(raw, add=False)
                    conn = tls
                    self._track(conn, add=True)
                    tls.do_handshake()
                except (ssl.SSLError, OSError) as exc:
                    _log.warning("simulator: TLS handshake with %s failed: %s", peer, exc)
                    return
            Handler(conn, client_address, self)
        finally:
            self._track(conn, add=False)
            with contextlib.suppress(OSError):
                conn.close()

    # The base class's signature: the request is not needed to log the error.
    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002
        _log.warning(
            "simulator: connection from %s ended with an error", client_address, exc_info=True
        )

    def _track(self, sock: socket.socket, *, add: bool) -> None:
        with self._open_lock:
            if add:
                self._open.add(sock)
            else:
                self._open.discard(sock)

    def close_connections(self) -> None:
        """Shut down every open connection (their threads then end on EOF)."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _answer_plain_http(config: SimulatorConfig, sock: socket.socket, peer: str) -> None:
    body = build_vp_fault_response(
        "VP011",
        platform_name=config.platform_name,
        detail="the call did not come over TLS: use https with a client certificate",
    )
    head = (
        "HTTP/1.1 500 Internal Server Error\r\n"
        f"Content-Type: {XML_CONTENT_TYPE}\r\nContent-Length: {len(body)}\r\n"
        f"{CORRELATION_HEADER}: {new_correlation_id()}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.sendall(head.encode("ascii") + body)
        linger_close(sock, budget=0.5)
    _log.info("simulator: plain HTTP from %s on the TLS port -> VP011", peer)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Errors about unreadable request lines get a status line too (nobody speaks HTTP/0.9).
    default_request_version = "HTTP/1.0"
    server_version = "inkorg-riv-simulator"
    disable_nagle_algorithm = True
    server: Listener

    def version_string(self) -> str:
        return self.server_version

    # http.server's own messages (bad request lines, timeouts) go to our logger, redacted.
    def log_message(self, format: str, *args: Any) -> None:
        _log.info("simulator: %s %s", self.address_string(), redact(format % args))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing: each request gets one line from :meth:`_log_line`."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def handle_expect_100(self) -> bool:
        declared = self.headers.get("Content-Length", "")
        limit = self.server.config.max_body_bytes
        if declared.strip().isdigit() and int(declared) > limit:
            self.close_connection = True
            self._dispatch("POST")  # refuses before the client sends the body
            return False
        return super().handle_expect_100()

    # -- dispatch

    def _dispatch(self, method: str) -> None:
        started = time.monotonic()
        cid = _correlation_id(self.headers.get(CORRELATION_HEADER))
        path = urlsplit(self.path).path
        try:
            if path.startswith("/inbox/") or path == "/inbox":
                self._inbox(method, cid, started)
            elif self.server.context is None:
                answer = vp_answer(self.server.config, "VP011", "the platform needs TLS")
                self._send(answer, cid, started, close=True)
            elif method == "POST" and path.startswith("/vp/"):
                self._platform(cid, started)
            elif method == "GET" and path == "/":
                text = b"inkorg-riv simulator: POST SOAP to /vp/..., inbox at /inbox/<id>\n"
                self._send_plain(200, "OK", text, cid, started)
            else:  # a body we do not read would spoil the connection: close it
                close = method == "POST"
                self._send_plain(
                    404, "not found", b"not found\n", cid, started, method, close=close
                )
        except Exception as exc:  # noqa: BLE001  (never crash: log and answer VP009)
            _log.exception("simulator: internal error on %s %s", method, redact(path))
            answer = vp_answer(
                self.server.config, "VP009", f"internal simulator error ({type(exc).__name__})"
            )
            with contextlib.suppress(OSError):
                self._send(answer, cid, started, close=True)

    def _platform(self, cid: str, started: float) -> None:
        config = self.server.config
        try:
            body = read_body(
                self.rfile,
                content_length=self.headers.get("Content-Length"),
                transfer_encoding=self.headers.get("Transfer-Encoding"),
                limit=config.max_body_bytes,
                deadline=time.monotonic() + 3 * config.socket_timeout,
            )
        except BodyError as exc:
            self.close_connection = True
            if not exc.answer:
                self._log_line("POST", 0, f"no answer: {exc.detail}", None, cid, started)
                return
            self._send(vp_answer(config, "VP015", exc.detail), cid, started, close=True)
            linger_close(self.connection)
            return
        call = Call(
            consumer=_hsa_id(self.connection),
            content_type=self.headers.get("Content-Type"),
            body=body,
            original_consumer=self.headers.get(ORIGINAL_CONSUMER_HEADER),
        )
        if _log.isEnabledFor(logging.DEBUG):  # the body only at DEBUG, redacted and cut
            text = body[:4000].decode("utf-8", "replace")
            _log.debug("simulator: request %s: %s", cid, redact(text))
        answer = self.server.platform.handle(call)
        if answer.reset:
            self.close_connection = True
            self._log_line("POST", 0, answer.outcome, answer, cid, started)
            hard_reset(self.connection)
            return
        self._send(answer, cid, started)

    def _inbox(self, method: str, cid: str, started: float) -> None:
        split = urlsplit(self.path)
        form = dict(parse_qsl(split.query, keep_blank_values=True))
        if method == "POST":
            length = self.headers.get("Content-Length", "0").strip()
            size = int(length) if length.isdigit() else -1
            if not 0 <= size <= _MAX_FORM_BYTES:
                self._send_plain(413, "form too large", too_large(size, _MAX_FORM_BYTES).encode(),
                                 cid, started, method, close=True)  # fmt: skip
                return
            raw = self.rfile.read(size).decode("utf-8", "replace")
            form.update(parse_qsl(raw, keep_blank_values=True))
        result = inbox_view.handle_inbox_request(self.server.store, method, split.path, form)
        if result is None:
            self._send_plain(404, "not found", b"not found\n", cid, started, method)
            return
        status, headers, body = result
        extra = dict(headers)
        if "content-length" not in {k.lower() for k in extra}:
            extra["Content-Length"] = str(len(body))
        self._write(status, extra, body, method, "inbox", None, cid, started)

    # -- writing

    def _send(self, answer: Answer, cid: str, started: float, *, close: bool = False) -> None:
        headers = {"Content-Type": answer.content_type}
        if answer.producer_ms is not None:
            headers[PRT_HEADER] = str(answer.producer_ms)
        self._write(
            answer.status, headers, answer.body, "POST", answer.outcome, answer, cid, started, close
        )

    def _send_plain(
        self,
        status: int,
        outcome: str,
        text: bytes,
        cid: str,
        started: float,
        method: str = "GET",
        *,
        close: bool = False,
    ) -> None:
        headers = {"Content-Type": "text/plain; charset=UTF-8"}
        self._write(status, headers, text, method, outcome, None, cid, started, close)

    def _write(
        self,
        status: int,
        headers: dict[str, str],
        body: bytes,
        method: str,
        outcome: str,
        answer: Answer | None,
        cid: str,
        started: float,
        close: bool = False,
    ) -> None:
        """Log the request's line, then write the answer (so a client that has the answer
        can rely on the log line being there)."""
        self._log_line(method, status, outcome, answer, cid, started)
        self.send_response(status)
        headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header(CORRELATION_HEADER, cid)
        if close or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def _log_line(
        self,
        method: str,
        status: int,
        outcome: str,
        answer: Answer | None,
        cid: str,
        started: float,
    ) -> None:
        elapsed = int((time.monotonic() - started) * 1000)
        parts = [f"simulator: {method} {urlsplit(self.path).path} -> {status or 'no answer'}",
                 outcome]  # fmt: skip
        if answer is not None:
            where = answer.where
            parts += [
                f"operation={where.operation or '-'}",
                f"address={where.logical_address or '-'}",
                f"consumer={where.consumer or '-'}",
            ]
        parts += [f"{elapsed} ms", f"correlation-id={cid}"]
        _log.info(redact(" ".join(parts)))


def _hsa_id(conn: socket.socket) -> str | None:
    """The subject serialNumber of the peer certificate, None when absent or empty."""
    getpeercert = getattr(conn, "getpeercert", None)
    cert = getpeercert() if getpeercert is not None else None
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "serialNumber" and isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _correlation_id(sent: str | None) -> str:
    """The caller's correlation id when it is sane (printable ASCII, at most 128), else new."""
    if sent is not None:
        value = sent.strip()
        if 0 < len(value) <= 128 and value.isascii() and value.isprintable():
            return value
    return new_correlation_id()


__all__ = ["CORRELATION_HEADER", "PRT_HEADER", "Handler", "Listener"]
