"""The transport over real mutual TLS on 127.0.0.1: answers, keep-alive, the pool, every failure.

Most tests talk to the simulator (``inkorg_simulator``) through :class:`RequestsTransport` with a
client context built here with :mod:`ssl`; the bad-input tests bring their own small servers (a
plain HTTP one, a silent one, the simulator on 127.0.0.2) or a second test PKI. The environment
traps of requests (``REQUESTS_CA_BUNDLE``, proxies) are set to garbage and must change nothing.
The last tests cover the failure mapping's phases directly and :class:`MockTransport`.
"""

from __future__ import annotations

import http.client
import re
import secrets
import socket
import socketserver
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import urllib3

from inkorg_riv import codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import build_request
from inkorg_riv.errors import (
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    ConnectTimeoutError,
    Outcome,
    PoolTimeoutError,
    ReadTimeoutError,
    ResponseTooLargeError,
    TlsError,
    TransportError,
)
from inkorg_riv.simulator import InjectionRule, Simulator, SimulatorConfig, TestPki, make_test_pki
from inkorg_riv.transport import (
    Headers,
    HttpRequest,
    HttpResponse,
    MockTransport,
    RequestsTransport,
    Timeouts,
    Transport,
)
from inkorg_riv.transport._failures import Target, classify
from inkorg_riv.transport._pool import Phase

if TYPE_CHECKING:
    from inkorg_riv.testing import SimulatorFixture

PACKAGE = bundled_package()
TOLVAN = "191212121212"
QUICK = Timeouts(connect=2, read=2, pool=2)


# --------------------------------------------------------------------------- helpers


def client_context(
    pki: TestPki, *, ca: Path | None = None, cert: str | None = "consumer"
) -> ssl.SSLContext:
    """A client context trusting ``ca`` (default: the PKI's) with the named client cert."""
    context = ssl.create_default_context(cafile=str(ca or pki.ca))
    if cert is not None:
        chosen = {"expired": pki.expired, "no-serial": pki.no_serial}.get(cert) or pki.consumer()
        context.load_cert_chain(str(chosen.cert), str(chosen.key), pki.password)
    return context


def is_active_user(url: str, address: str, cid: str | None = None) -> HttpRequest:
    payload = codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN))
    soap = build_request(
        PACKAGE.operation("IsActiveUser"), payload, logical_address=address, correlation_id=cid
    )
    return HttpRequest(url=url, body=soap.body, headers=dict(soap.http_headers))


def call(sim: SimulatorFixture, cid: str | None = None) -> HttpRequest:
    return is_active_user(sim.endpoint("IsActiveUser"), sim.logical_address, cid)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def transport(inkorg_simulator: SimulatorFixture) -> Iterator[RequestsTransport]:
    with RequestsTransport(inkorg_simulator.ssl_context()) as made:
        yield made


class _PlainHttp(socketserver.BaseRequestHandler):
    """Answers anything with 400, as a plain HTTP server does to a TLS ClientHello."""

    def handle(self) -> None:
        self.request.recv(4096)
        self.request.sendall(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _PlainHttp)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --------------------------------------------------------------------------- answers


def test_post_returns_the_answer(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    cid = str(uuid.uuid4())
    unit = pp.OrganisationUnitType(unit_id="SE2321000016-A1B2", unit_name="VC Test")
    payload = pp.AddMessageType(
        subject_of_care_id=TOLVAN,
        message=pp.MessageType(
            organisation_unit=unit,
            message_thread_id="thread-1",
            message_id=f"m-{uuid.uuid4()}",
            message_text="<article><para>Välkommen.</para></article>",
        ),
        notify=True,
        source_system="TEST",
    )
    soap = build_request(
        PACKAGE.operation("AddMessage"),
        codec.encode(payload),
        logical_address=inkorg_simulator.logical_address,
        correlation_id=cid,
    )
    request = HttpRequest(
        url=inkorg_simulator.endpoint("AddMessage"), body=soap.body, headers=soap.http_headers
    )
    response = transport.send(request, timeouts=QUICK)
    assert response.status == 200
    assert b"AddMessageResponse" in response.body
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.headers["content-type"] == response.headers["CONTENT-TYPE"]
    assert response.headers["x-skltp-correlation-id"] == cid
    assert all(key == key.lower() for key in response.headers)
    assert 0 < response.elapsed < 2
    assert transport.stats.responses == 1


def test_an_http_error_status_is_an_answer_not_an_exception(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    inkorg_simulator.inject(InjectionRule.http500(times=1))
    response = transport.send(call(inkorg_simulator), timeouts=QUICK)
    assert response.status == 500
    assert response.headers["content-type"].startswith("text/html")
    assert transport.send(call(inkorg_simulator), timeouts=QUICK).status == 200


# --------------------------------------------------------------------------- keep-alive, pool


def test_twenty_sequential_calls_open_one_connection(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    for _ in range(20):
        assert transport.send(call(inkorg_simulator), timeouts=QUICK).status == 200
    assert transport.stats.connections_opened == 1
    assert transport.stats.responses == 20


def test_pooled_connections_disable_nagle(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    transport.send(call(inkorg_simulator), timeouts=QUICK)
    manager = transport._session.adapters["https://"].poolmanager  # type: ignore[attr-defined]
    (pool,) = manager.pools._container.values()
    connections = [conn for conn in pool.pool.queue if conn is not None and conn.sock]
    assert len(connections) == 1
    assert connections[0].sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_eight_threads_share_a_pool_of_eight(inkorg_simulator: SimulatorFixture) -> None:
    inkorg_simulator.inject(InjectionRule.latency(300))
    with RequestsTransport(inkorg_simulator.ssl_context(), pool_size=8) as transport:
        barrier = threading.Barrier(8)
        statuses: list[int] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                for _ in range(2):
                    barrier.wait(timeout=5)
                    statuses.append(transport.send(call(inkorg_simulator), timeouts=QUICK).status)
            except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
                errors.append(exc)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        took = time.perf_counter() - started
        assert errors == []
        assert statuses == [200] * 16
        assert took < 2.4  # two rounds of 0.3 s; one after another would take 4.8 s
        assert 1 <= transport.stats.connections_opened <= 8
        opened = transport.stats.connections_opened
        inkorg_simulator.clear_injections()
        for _ in range(10):
            transport.send(call(inkorg_simulator), timeouts=QUICK)
        assert transport.stats.connections_opened == opened  # steady state: no new handshakes


def test_a_call_beyond_the_pool_waits_then_gives_up_unsent(
    inkorg_simulator: SimulatorFixture,
) -> None:
    inkorg_simulator.inject(InjectionRule.latency(800, times=1))
    with RequestsTransport(inkorg_simulator.ssl_context(), pool_size=1) as transport:
        slow = threading.Thread(target=transport.send, args=(call(inkorg_simulator),))
        slow.start()
        time.sleep(0.2)
        with pytest.raises(PoolTimeoutError) as caught:
            transport.send(call(inkorg_simulator), timeouts=Timeouts(pool=0.1))
        slow.join(5)
        assert caught.value.outcome is Outcome.NOT_SENT
        assert caught.value.retryable
        assert "pool_size" in str(caught.value)
        assert transport.send(call(inkorg_simulator), timeouts=QUICK).status == 200


def test_a_connection_the_server_closed_while_idle_is_replaced(inkorg_pki: TestPki) -> None:
    config = SimulatorConfig.default(
        consumer_hsa_id=inkorg_pki.consumer().hsa_id or "", socket_timeout=0.3
    )
    address = config.routes[0].logical_address
    with (
        Simulator(config, inkorg_pki.server_tls()) as sim,
        RequestsTransport(client_context(inkorg_pki)) as transport,
    ):
        request = is_active_user(sim.endpoint("IsActiveUser"), address)
        assert transport.send(request, timeouts=QUICK).status == 200
        time.sleep(0.6)  # the simulator drops idle connections after 0.3 s
        assert transport.send(request, timeouts=QUICK).status == 200
        assert transport.stats.connections_opened == 2


# --------------------------------------------------------------------------- after sending


def test_read_timeout_leaves_the_outcome_unknown(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    cid = str(uuid.uuid4())
    inkorg_simulator.inject(InjectionRule.latency(1500, times=1))
    with pytest.raises(ReadTimeoutError) as caught:
        transport.send(call(inkorg_simulator, cid), timeouts=Timeouts(connect=2, read=0.3))
    error = caught.value
    assert error.outcome is Outcome.UNKNOWN
    assert not error.retryable
    assert error.timeout == 0.3
    assert error.correlation_id == cid
    assert "0.3 s" in str(error)
    assert "outcome is unknown" in str(error)
    assert isinstance(error.__cause__, Exception)
    assert TOLVAN not in str(error)
    assert transport.send(call(inkorg_simulator), timeouts=QUICK).status == 200


def test_a_reset_after_the_request_leaves_the_outcome_unknown(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    transport.send(call(inkorg_simulator), timeouts=QUICK)  # a kept-alive connection
    inkorg_simulator.inject(InjectionRule.reset(times=1))
    with pytest.raises(ConnectionLostError) as caught:
        transport.send(call(inkorg_simulator), timeouts=QUICK)
    assert caught.value.outcome is Outcome.UNKNOWN
    assert not caught.value.retryable
    assert "lost after the request was sent" in str(caught.value)
    assert caught.value.__cause__ is not None
    assert transport.send(call(inkorg_simulator), timeouts=QUICK).status == 200


def test_a_reset_on_a_fresh_connection_is_still_unknown(
    inkorg_simulator: SimulatorFixture, transport: RequestsTransport
) -> None:
    inkorg_simulator.inject(InjectionRule.reset(times=1))
    started = time.perf_counter()
    with pytest.raises(ConnectionLostError) as caught:
        transport.send(call(inkorg_simulator), timeouts=QUICK)
    assert caught.value.outcome is Outcome.UNKNOWN
    assert time.perf_counter() - started < 1.5  # the refusal probe waits briefly only


def test_an_answer_above_max_body_is_not_read(inkorg_simulator: SimulatorFixture) -> None:
    with RequestsTransport(inkorg_simulator.ssl_context(), max_body=100) as transport:
        with pytest.raises(ResponseTooLargeError) as caught:
            transport.send(call(inkorg_simulator), timeouts=QUICK)
        assert caught.value.outcome is Outcome.UNKNOWN
        assert caught.value.limit == 100
        assert caught.value.http_status == 200
        with pytest.raises(ResponseTooLargeError):
            transport.send(call(inkorg_simulator), timeouts=QUICK)
        assert transport.stats.connections_opened == 2  # a half-read connection is not reused


# --------------------------------------------------------------------------- bad input: not sent


def test_a_port_nothing_listens_on(inkorg_simulator: SimulatorFixture) -> None:
    port = free_port()
    cid = str(uuid.uuid4())
    request = is_active_user(f"https://127.0.0.1:{port}/vp/x", "SE-ADDR", cid)
    with RequestsTransport(inkorg_simulator.ssl_context()) as transport:
        with pytest.raises(ConnectError) as caught:
            transport.send(request, timeouts=QUICK)
        assert transport.stats.connections_opened == 0
    error = caught.value
    assert error.outcome is Outcome.NOT_SENT
    assert error.retryable
    assert error.reason == "refused"
    assert error.correlation_id == cid
    assert f"127.0.0.1:{port}" in str(error)
    assert "nothing listens" in str(error)
    assert isinstance(error.__cause__, Exception)


def test_a_server_without_tls(inkorg_pki: TestPki, plain_http_port: int) -> None:
    url = f"https://127.0.0.1:{plain_http_port}/vp/x"
    with (
        RequestsTransport(client_context(inkorg_pki)) as transport,
        pytest.raises(TlsError) as caught,
    ):
        transport.send(is_active_user(url, "A"), timeouts=QUICK)
    error = caught.value
    assert error.outcome is Outcome.NOT_SENT
    assert error.reason == "not-tls"
    assert "handshake" in str(error)
    assert "did not speak TLS (plain HTTP on this port?)" in str(error)


def test_a_server_that_never_answers_the_handshake(inkorg_pki: TestPki) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts TCP, never speaks
        port = silent.getsockname()[1]
        with (
            RequestsTransport(client_context(inkorg_pki)) as transport,
            pytest.raises(ConnectTimeoutError) as caught,
        ):
            transport.send(
                is_active_user(f"https://127.0.0.1:{port}/vp/x", "A"),
                timeouts=Timeouts(connect=0.3, read=5),
            )
    assert caught.value.outcome is Outcome.NOT_SENT
    assert caught.value.retryable
    assert "TLS handshake" in str(caught.value)


def test_a_ca_that_does_not_verify_the_server(
    inkorg_simulator: SimulatorFixture, inkorg_pki: TestPki, tmp_path: Path
) -> None:
    other = make_test_pki(tmp_path / "other", password=secrets.token_bytes(12).hex().encode())
    with (
        RequestsTransport(client_context(inkorg_pki, ca=other.ca)) as transport,
        pytest.raises(TlsError) as caught,
    ):
        transport.send(call(inkorg_simulator), timeouts=QUICK)
    error = caught.value
    assert error.outcome is Outcome.NOT_SENT
    assert not error.retryable
    assert error.reason == "untrusted-server"
    assert "handshake" in str(error)
    assert "the server's certificate is not trusted by the configured CA" in str(error)


def test_a_host_name_the_certificate_lacks(
    inkorg_pki: TestPki, inkorg_simulator_config: SimulatorConfig
) -> None:
    with Simulator(inkorg_simulator_config, inkorg_pki.server_tls(), host="127.0.0.2") as sim:
        url = sim.endpoint("IsActiveUser")
        assert url.startswith("https://127.0.0.2:")
        with (
            RequestsTransport(client_context(inkorg_pki)) as transport,
            pytest.raises(TlsError) as caught,
        ):
            transport.send(is_active_user(url, "A"), timeouts=QUICK)
        error = caught.value
        assert error.outcome is Outcome.NOT_SENT
        assert error.reason == "hostname-mismatch"
        assert "certificate is for localhost, 127.0.0.1, not 127.0.0.2" in str(error)

        # A context that leaves the name to urllib3 (check_hostname off) is refused as well.
        lax = client_context(inkorg_pki)
        lax.check_hostname = False
        with (
            RequestsTransport(lax) as transport,
            pytest.raises(
                TlsError, match=re.escape("is for localhost, 127.0.0.1, not 127.0.0.2")
            ) as lax_caught,
        ):
            transport.send(is_active_user(url, "A"), timeouts=QUICK)
        assert lax_caught.value.reason == "hostname-mismatch"


@pytest.mark.parametrize(("cert", "alert"), [("expired", "certificate expired"), (None, "")])
def test_the_server_refuses_our_client_certificate(
    inkorg_simulator: SimulatorFixture, inkorg_pki: TestPki, cert: str | None, alert: str
) -> None:
    with RequestsTransport(client_context(inkorg_pki, cert=cert)) as transport:
        for _ in range(3):  # the refusal may arrive on our write or on our read: both named
            with pytest.raises(TlsError) as caught:
                transport.send(call(inkorg_simulator), timeouts=QUICK)
            error = caught.value
            assert error.outcome is Outcome.NOT_SENT
            assert error.reason == "client-certificate-refused"
            assert "the server refused our client certificate" in str(error)
            assert alert in str(error)


# --------------------------------------------------------------------------- the environment


def test_environment_variables_change_nothing(
    inkorg_simulator: SimulatorFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = make_test_pki(tmp_path / "other", password=b"another-password")
    garbage_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(other.ca))
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, garbage_proxy)
    monkeypatch.setenv("NO_PROXY", "")
    context = inkorg_simulator.ssl_context()
    trusted_before = context.get_ca_certs()
    with RequestsTransport(context) as transport:
        for _ in range(3):
            assert transport.send(call(inkorg_simulator), timeouts=QUICK).status == 200
    assert context.get_ca_certs() == trusted_before  # nothing (no certifi) loaded into it
    assert len(trusted_before) == 1

    # ... nor can the environment add trust the context lacks.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(inkorg_simulator.ca_file))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(inkorg_simulator.ca_file))
    with (
        RequestsTransport(client_context(inkorg_simulator.pki, ca=other.ca)) as transport,
        pytest.raises(TlsError, match="not trusted by the configured CA"),
    ):
        transport.send(call(inkorg_simulator), timeouts=QUICK)


# --------------------------------------------------------------------------- refused locally


def test_requests_that_are_refused_before_any_connection(
    inkorg_simulator: SimulatorFixture,
) -> None:
    insecure = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    with (
        RequestsTransport(insecure) as transport,
        pytest.raises(ConfigurationError, match="only allowed for a loopback host"),
    ):
        transport.send(HttpRequest(url="https://vp.example.se/vp/x", body=b"", headers={}))
    with RequestsTransport(inkorg_simulator.ssl_context()) as transport:
        plain = inkorg_simulator.endpoint().replace("https://", "http://")
        with pytest.raises(ConfigurationError, match="only https://"):
            transport.send(HttpRequest(url=plain, body=b"", headers={}))
        with pytest.raises(ConfigurationError, match="Latin-1"):
            transport.send(HttpRequest(url=inkorg_simulator.url, body=b"", headers={"X": "ä€"}))
        with pytest.raises(ConfigurationError):
            transport.send(HttpRequest(url=inkorg_simulator.url, body=b"", headers={"X": "a\nb"}))
        assert transport.stats.connections_opened == 0
    with pytest.raises(TransportError, match="closed") as caught:
        transport.send(call(inkorg_simulator))
    assert caught.value.outcome is Outcome.NOT_SENT


def test_settings_are_checked() -> None:
    context = ssl.create_default_context()
    with pytest.raises(ConfigurationError, match="pool_size"):
        RequestsTransport(context, pool_size=0)
    with pytest.raises(ConfigurationError, match="max_body"):
        RequestsTransport(context, max_body=0)
    with pytest.raises(ConfigurationError, match="read"):
        Timeouts(read=0)
    with pytest.raises(ConfigurationError, match="connect"):
        Timeouts(connect=True)
    assert Timeouts().read > 30  # above the platform's own 30 s


# --------------------------------------------------------------------------- phases


def _target() -> Target:
    return Target.of(
        HttpRequest(
            url="https://user:secret@vp.example.se:8443/vp/x?q=1",
            body=b"<secret-body/>",
            headers={"X-Skltp-Correlation-Id": "cid-1"},
        )
    )


def test_messages_name_the_endpoint_without_secrets_or_body() -> None:
    lost = http.client.RemoteDisconnected("Remote end closed connection without response")
    error = classify(lost, Phase.SENT, _target(), QUICK, fresh=False)
    assert "POST https://vp.example.se:8443/vp/x" in str(error)
    assert "secret" not in str(error)
    assert error.__class__ is ConnectionLostError
    assert isinstance(error, ConnectionLostError)
    assert error.correlation_id == "cid-1"


@pytest.mark.parametrize(
    ("phase", "outcome", "kind", "retryable"),
    [
        (Phase.IDLE, Outcome.UNKNOWN, TransportError, False),  # unproven: never "not sent"
        (Phase.CONNECTING, Outcome.NOT_SENT, ConnectError, True),
        (Phase.HANDSHAKE, Outcome.NOT_SENT, TlsError, True),  # handshake-closed
        (Phase.CONNECTED, Outcome.NOT_SENT, TransportError, False),
        (Phase.WRITING, Outcome.NOT_SENT, ConnectionLostError, True),  # cannot have all of it
        (Phase.SENT, Outcome.UNKNOWN, ConnectionLostError, False),
        (Phase.ANSWERED, Outcome.UNKNOWN, ConnectionLostError, False),
    ],
)
def test_a_reset_means_what_the_phase_says(
    phase: Phase, outcome: Outcome, kind: type[TransportError], retryable: bool
) -> None:
    reset = urllib3.exceptions.ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
    )
    error = classify(reset, phase, _target(), QUICK, fresh=False)
    assert type(error) is kind
    assert error.outcome is outcome
    assert error.retryable is retryable


def test_timeouts_mean_what_the_phase_says() -> None:
    timeout = TimeoutError("timed out")
    connecting = classify(timeout, Phase.CONNECTING, _target(), QUICK, fresh=False)
    assert isinstance(connecting, ConnectTimeoutError)
    assert connecting.outcome is Outcome.NOT_SENT
    waiting = classify(timeout, Phase.SENT, _target(), QUICK, fresh=False)
    assert isinstance(waiting, ReadTimeoutError)
    assert waiting.outcome is Outcome.UNKNOWN
    name = classify(socket.gaierror(-2, "Name or service not known"), Phase.CONNECTING,
                    _target(), QUICK, fresh=False)  # fmt: skip
    assert isinstance(name, ConnectError)
    assert name.reason == "unresolved"


# --------------------------------------------------------------------------- MockTransport


def test_mock_transport_records_answers_and_raises() -> None:
    answers: list[HttpResponse | BaseException] = [
        HttpResponse(status=200, headers={"Content-Type": "text/xml"}, body=b"<ok/>"),
        ConnectError("refused", reason="refused"),
    ]

    def handler(request: HttpRequest) -> HttpResponse | BaseException:
        if request.url.endswith("/boom"):
            raise ReadTimeoutError("slow", timeout=1.0)
        return answers.pop(0)

    mock = MockTransport(handler)
    transport: Transport = mock
    first = HttpRequest(url="https://vp.example.se/vp/a", body=b"<a/>", headers={})
    response = transport.send(first, timeouts=QUICK)
    assert response.status == 200
    assert response.headers["content-type"] == "text/xml"
    with pytest.raises(ConnectError):
        transport.send(first, timeouts=QUICK)
    boom = HttpRequest(url="https://vp.example.se/vp/boom", body=b"", headers={})
    with pytest.raises(ReadTimeoutError):
        transport.send(boom, timeouts=QUICK)
    assert mock.requests == [first, first, boom]
    assert mock.timeouts == [QUICK, QUICK, QUICK]
    with mock:
        pass
    assert mock.closed
    with pytest.raises(TransportError, match="closed"):
        mock.send(first, timeouts=QUICK)


def test_headers_look_up_without_regard_to_case() -> None:
    headers = Headers({"Content-Type": "text/xml", "X-SKLTP-PRT": "12"})
    assert list(headers) == ["content-type", "x-skltp-prt"]
    assert headers["x-skltp-prt"] == headers["X-Skltp-Prt"] == "12"
    assert "CONTENT-TYPE" in headers
    assert headers.get("missing") is None
    assert headers == {"content-type": "text/xml", "x-skltp-prt": "12"}
