"""The transport's per-call shortcuts give what the general code they replace gives.

* :meth:`Headers.get` (a dict lookup) answers as ``Mapping.get`` (``__getitem__`` and a caught
  KeyError) for every key, case and default;
* header values are refused (CR, LF, leading white space) as requests' regular expression
  refuses them;
* an answer keeps ``Headers`` as given and wraps any other mapping;
* the verify mode read from the C-level context is the mode ``SSLContext.verify_mode`` reports;
* the connection slots (a queue of tokens) admit ``pool_size`` calls at once, time out as the
  semaphore did, never lose a token when a call fails, and accept an infinite pool timeout;
* closing the transport closes the connections its pools kept.
"""

from __future__ import annotations

import dataclasses
import math
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_transport_fast import QUICK, Scripted, client_context, post

from inkorg_riv.errors import ConfigurationError, PoolTimeoutError, TransportError
from inkorg_riv.simulator import TestPki
from inkorg_riv.transport import (
    Headers,
    HttpRequest,
    HttpResponse,
    RequestsTransport,
    Timeouts,
    _verify_mode,
)
from inkorg_riv.transport._wire import _BAD_VALUE, Heads

NAMES = st.sampled_from(["Content-Type", "x-skltp-prt", "X-SKLTP-CORRELATION-ID", "Ä", "a b"])


@given(
    st.dictionaries(NAMES, st.text(max_size=5), max_size=4),
    NAMES,
    st.sampled_from([None, "", "fallback", 0]),
)
def test_headers_get_answers_as_mapping_get(
    items: dict[str, str], key: str, default: object
) -> None:
    headers = Headers(items)
    for probe in (key, key.lower(), key.upper(), key.swapcase()):
        assert headers.get(probe) == Mapping.get(headers, probe)
        assert headers.get(probe, default) == Mapping.get(headers, probe, default)


def test_headers_get_refuses_what_mapping_get_refuses() -> None:
    headers = Headers({"A": "1"})
    key: Any = 1  # not a str: both lookups fail on key.lower()
    with pytest.raises(AttributeError):
        headers.get(key)
    with pytest.raises(AttributeError):
        Mapping.get(headers, key)


@pytest.mark.parametrize("mode", [ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED])
def test_the_raw_verify_mode_is_the_one_the_context_reports(mode: ssl.VerifyMode) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = mode
    assert _verify_mode(context) == context.verify_mode == mode


def test_an_unverified_context_set_after_the_first_call_is_still_refused() -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    request = HttpRequest(url="https://vp.example.se/vp/x", body=b"", headers={})
    with RequestsTransport(context) as transport:
        with pytest.raises(TransportError):  # verified: tries to connect, nothing listens
            transport.send(request, timeouts=Timeouts(connect=0.2, read=0.2, pool=0.2))
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with pytest.raises(ConfigurationError, match="only allowed for a loopback host"):
            transport.send(request)


class _Blocking(RequestsTransport):
    """A transport whose exchange waits for a gate (or fails), to fill its slots."""

    def __init__(self, pool_size: int) -> None:
        super().__init__(ssl.create_default_context(), pool_size=pool_size)
        self.gate = threading.Event()
        self.inside = 0
        self.most = 0
        self.lock = threading.Lock()
        self.fail = False


def _gated(transport: _Blocking, monkeypatch: pytest.MonkeyPatch) -> None:
    def exchange(*_args: object, **_kwargs: object) -> HttpResponse:
        with transport.lock:
            transport.inside += 1
            transport.most = max(transport.most, transport.inside)
        try:
            if transport.fail:
                raise TransportError("scripted failure")
            transport.gate.wait(5)
            return HttpResponse(status=200, headers={}, body=b"")
        finally:
            with transport.lock:
                transport.inside -= 1

    monkeypatch.setattr("inkorg_riv.transport.exchange", exchange)


def test_the_slots_admit_pool_size_calls_and_time_the_rest_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = _Blocking(pool_size=3)
    _gated(transport, monkeypatch)
    request = HttpRequest(url="https://127.0.0.1:9/x", body=b"", headers={})
    threads = [
        threading.Thread(target=transport.send, args=(request,), kwargs={"timeouts": Timeouts()})
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    while transport.inside < 3:
        time.sleep(0.01)
    started = time.perf_counter()
    with pytest.raises(PoolTimeoutError) as caught:
        transport.send(request, timeouts=Timeouts(pool=0.1))
    assert 0.09 <= time.perf_counter() - started < 2
    assert caught.value.__context__ is None  # raised outside the wait, as before
    assert caught.value.__cause__ is None
    transport.gate.set()
    for thread in threads:
        thread.join(5)
    assert transport.most == 3
    # failures give their slot back: pool_size failed calls, then pool_size at once again
    transport.fail = True
    for _ in range(5):
        with pytest.raises(TransportError):
            transport.send(request, timeouts=Timeouts(pool=0.1))
    transport.fail = False
    assert transport.send(request, timeouts=Timeouts(pool=math.inf)).status == 200
    assert transport._slots.qsize() == 3
    transport.close()


_WHITE = "".join(chr(c) for c in range(0x3100) if chr(c).isspace())


@given(
    st.text(alphabet=st.sampled_from(["a", "ä", "\r", "\n", *_WHITE]), max_size=4),
    st.text(max_size=3),
)
def test_header_values_are_refused_as_the_regex_refuses_them(start: str, rest: str) -> None:
    value = start + rest
    line = RequestsTransport(ssl.create_default_context())._line(
        HttpRequest(url="https://127.0.0.1:9/x", body=b"", headers={})
    )
    request = HttpRequest(url="https://127.0.0.1:9/x", body=b"", headers={"X-A": value})
    try:
        Heads("ua").request_bytes(line, request, b"")
    except ConfigurationError as exc:
        refused = "CR/LF" in str(exc)
    else:
        refused = False
    assert refused is (_BAD_VALUE(value) is not None)


@pytest.mark.parametrize("value", [b"x", 5, ["x"], None])
def test_a_header_value_that_is_not_a_str_is_refused(value: object) -> None:
    line = RequestsTransport(ssl.create_default_context())._line(
        HttpRequest(url="https://127.0.0.1:9/x", body=b"", headers={})
    )
    request = HttpRequest(url="https://127.0.0.1:9/x", body=b"", headers={"X-A": value})  # type: ignore[dict-item]  # the point of the test
    with pytest.raises(ConfigurationError, match="must be a str of Latin-1 characters"):
        Heads("ua").request_bytes(line, request, b"")


def test_closing_the_transport_closes_the_connections_it_kept(inkorg_pki: TestPki) -> None:
    server = Scripted(inkorg_pki)
    try:
        transport = RequestsTransport(client_context(inkorg_pki))
        for _ in range(2):
            assert transport.send(post(server.url()), timeouts=QUICK).body == b"<ok/>"
        assert transport.stats.connections_opened == 1
        (line,) = transport._lines.values()
        (conn,) = [c for c in line.pool.pool.queue if c is not None]  # urllib3's kept ones
        assert conn.sock is not None
        transport.close()
        assert conn.sock is None
        assert line.pool.pool is None
    finally:
        server.stop()


def test_an_answer_keeps_headers_that_are_headers_and_wraps_any_other_mapping() -> None:
    headers = Headers({"Content-Type": "text/xml", "X-SKLTP-PRT": "12"})
    built = HttpResponse(status=500, headers=headers, body=b"<a/>", elapsed=0.25)
    assert built.headers is headers
    plain = HttpResponse(status=500, headers={"Content-Type": "text/xml", "X-SKLTP-PRT": "12"},
                         body=b"<a/>", elapsed=0.25)  # fmt: skip
    assert isinstance(plain.headers, Headers)
    assert plain == built
    assert repr(plain) == repr(built)
    assert [f.name for f in dataclasses.fields(HttpResponse)] == [
        "status", "headers", "body", "elapsed"
    ]  # fmt: skip
    assert HttpResponse(status=200, headers={}, body=b"").elapsed == 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.status = 200  # type: ignore[misc]  # frozen
