"""The simulator's platform half over real TLS on 127.0.0.1: VP codes, injections, bad input.

Every test talks to a running :class:`Simulator` through ``http.client`` (or a raw TLS socket)
with a client certificate from a throwaway PKI, and reads the answers with the library's own
envelope parser, so that what the simulator sends is what a client of NTjP gets. The last test
runs the curl demo of ``docs/simulator.md`` against ``inkorg-riv simulator serve``.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import logging
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lxml import etree

from inkorg_riv import codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.contracts import Operation, bundled_package
from inkorg_riv.envelope import ParsedResponse, build_request, parse_response
from inkorg_riv.envelope.fault import read_fault
from inkorg_riv.errors import (
    ConfigurationError,
    PlatformFaultError,
    ResultCodeError,
    SoapFaultError,
    UnexpectedResponseError,
)
from inkorg_riv.faults import CATALOGUE, find_vp_code
from inkorg_riv.simulator import InjectionRule, Simulator, SimulatorConfig, TestPki, make_test_pki

if TYPE_CHECKING:
    from inkorg_riv.testing import SimulatorFixture

PASSWORD = b"test-password-not-secret"
CONSUMER = "SE2321000016-TESTKONS"
INTERMEDIARY = "SE2321000016-REGIONALVP"
STRANGER = "SE2321000016-OBEHORIG"
ADDRESS = "SE2321000016-INKORG"
TOLVAN = "191212121212"
PLATFORM = "INKORG-TEST"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = b"http://www.w3.org/2003/05/soap-envelope"
RIV = "urn:riv:itintegration:registry:1"
IS_ACTIVE_NS = (
    "urn:riv-application:infrastructure:eservicesupply:patientportal:IsActiveUserResponder:2"
)
PACKAGE = bundled_package()
ADD = PACKAGE.operation("AddMessage")
IS_ACTIVE = PACKAGE.operation("IsActiveUser")
XML = {"Content-Type": "text/xml; charset=UTF-8"}
ORIGINAL = "x-rivta-original-serviceconsumer-hsaid"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @classmethod
    def of(cls, response: http.client.HTTPResponse) -> Reply:
        headers = {k.lower(): v for k, v in response.getheaders()}
        return cls(response.status, headers, response.read())

    def fault(self) -> tuple[str, str, str | None]:
        root = etree.fromstring(self.body)
        info = read_fault(root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault"))
        return info.faultcode_raw, info.faultstring, info.detail


# --------------------------------------------------------------------------- fixtures, helpers


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    consumers = {"consumer": CONSUMER, "intermediary": INTERMEDIARY, "stranger": STRANGER}
    return make_test_pki(tmp_path_factory.mktemp("pki"), consumers=consumers, password=PASSWORD)


def config(**settings: object) -> SimulatorConfig:
    values: dict[str, object] = {
        "platform_name": PLATFORM,
        "producer_timeout": 0.6,
        "socket_timeout": 0.8,
        "max_body_bytes": 64 * 1024,
        "intermediaries": (INTERMEDIARY,),
    }
    values.update(settings)
    return SimulatorConfig.default(consumer_hsa_id=CONSUMER, **values)


@pytest.fixture(scope="module")
def sim(pki: TestPki) -> Iterator[Simulator]:
    with Simulator(config(), pki.server_tls()) as simulator:
        simulator.store.add_citizen(TOLVAN, notification_methods=("SMS",))
        yield simulator


@pytest.fixture(autouse=True)
def _no_leftover_injections(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sim" in request.fixturenames:
        request.getfixturevalue("sim").clear_injections()


def context(pki: TestPki, name: str | None = "consumer") -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki.ca))
    if name is not None:
        cert = {"no-serial": pki.no_serial, "expired": pki.expired}.get(name) or pki.consumer(name)
        ctx.load_cert_chain(str(cert.cert), str(cert.key), password=PASSWORD)
    return ctx


def connect(
    sim: Simulator, pki: TestPki, cert: str | None = "consumer"
) -> http.client.HTTPSConnection:
    return http.client.HTTPSConnection("127.0.0.1", sim.port, context=context(pki, cert), timeout=5)


def send(conn: http.client.HTTPConnection, body: bytes, headers: Mapping[str, str] = XML) -> Reply:
    conn.request(
        "POST", "/vp/infrastructure/eservicesupply/patientportal/x/2/rivtabp21", body, dict(headers)
    )
    return Reply.of(conn.getresponse())


def post(
    sim: Simulator,
    pki: TestPki,
    body: bytes,
    *,
    cert: str | None = "consumer",
    headers: Mapping[str, str] = XML,
) -> Reply:
    conn = connect(sim, pki, cert)
    try:
        return send(conn, body, headers)
    finally:
        conn.close()


def envelope(
    payload: str, header: str | None = f"<riv:LogicalAddress>{ADDRESS}</riv:LogicalAddress>"
) -> bytes:
    head = "" if header is None else f"<soapenv:Header>{header}</soapenv:Header>"
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:riv="{RIV}">{head}'
        f"<soapenv:Body>{payload}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def is_active(subject: str = TOLVAN) -> bytes:
    return envelope(PAYLOAD.replace(TOLVAN, subject))


def add_message(
    message_id: str | None = None,
    cid: str | None = None,
    body: str = "<article><para>Välkommen.</para></article>",
) -> tuple[bytes, dict[str, str]]:
    unit = pp.OrganisationUnitType(unit_id="SE2321000016-A1B2", unit_name="VC Test")
    payload = pp.AddMessageType(
        subject_of_care_id=TOLVAN,
        message=pp.MessageType(
            organisation_unit=unit,
            message_thread_id="thread-1",
            message_id=message_id or f"m-{uuid.uuid4()}",
            message_text=body,
        ),
        notify=True,
        source_system="TEST",
    )
    request = build_request(ADD, codec.encode(payload), logical_address=ADDRESS, correlation_id=cid)
    return request.body, dict(request.http_headers)


def post_add(sim: Simulator, pki: TestPki, message_id: str | None = None) -> Reply:
    body, headers = add_message(message_id)
    return post(sim, pki, body, headers=headers)


def parsed(reply: Reply, operation: Operation = ADD) -> ParsedResponse:
    content_type = reply.headers.get("content-type")
    return parse_response(
        operation, status=reply.status, content_type=content_type, body=reply.body
    )


def stored(sim: Simulator) -> set[str | None]:
    return {m.message_id for m in sim.store.messages(TOLVAN)}


def assert_vp(reply: Reply, code: str) -> None:
    assert reply.status == 500, reply.body
    assert reply.headers["content-type"].startswith("text/xml")
    faultcode, faultstring, detail = reply.fault()
    assert faultcode == f"soapenv:{CATALOGUE[code].soap_faultcode}"
    assert faultstring.startswith(f"{code} [{PLATFORM}] ")
    assert detail, "an English detail"
    assert find_vp_code(faultstring) is CATALOGUE[code]
    assert reply.headers.get("x-skltp-correlation-id")
    with pytest.raises(PlatformFaultError) as caught:
        parsed(reply)
    assert caught.value.code == code


# --------------------------------------------------------------------------- the happy path


def test_add_message_is_stored_and_answered(sim: Simulator, pki: TestPki) -> None:
    cid = str(uuid.uuid4())
    body, headers = add_message("m-happy", cid)
    reply = post(sim, pki, body, headers=headers)
    assert reply.status == 200, reply.body
    assert reply.headers["x-skltp-correlation-id"] == cid
    assert int(reply.headers["x-skltp-prt"]) >= 0
    result = parsed(reply).result
    assert result is not None
    assert result.code.value == "OK"
    assert "m-happy" in stored(sim)


def test_correlation_id_is_made_when_missing(sim: Simulator, pki: TestPki) -> None:
    reply = post(sim, pki, is_active())
    assert reply.status == 200
    assert uuid.UUID(reply.headers["x-skltp-correlation-id"])


def test_logical_addresses_match_in_any_case(sim: Simulator, pki: TestPki) -> None:
    lower = is_active().replace(ADDRESS.encode(), ADDRESS.lower().encode())
    assert post(sim, pki, lower).status == 200


def test_keep_alive_serves_several_requests_on_one_connection(sim: Simulator, pki: TestPki) -> None:
    conn = connect(sim, pki)
    try:
        replies = [send(conn, is_active())]
        first_socket = conn.sock
        replies += [send(conn, is_active()) for _ in range(5)]
        assert conn.sock is first_socket
    finally:
        conn.close()
    assert [r.status for r in replies] == [200] * 6
    assert all("connection" not in r.headers for r in replies)


def test_concurrent_requests_from_eight_threads(sim: Simulator, pki: TestPki) -> None:
    def worker(n: int) -> list[int]:
        conn = connect(sim, pki)
        try:
            return [send(conn, *add_message(f"m-thread-{n}-{i}")).status for i in range(4)]
        finally:
            conn.close()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert results == [[200] * 4] * 8
    assert {f"m-thread-{n}-{i}" for n in range(8) for i in range(4)} <= stored(sim)


# --------------------------------------------------------------------------- VP codes

LOGICAL = "<riv:LogicalAddress>{}</riv:LogicalAddress>"
WSA_TO = f'<wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">{ADDRESS}</wsa:To>'
PAYLOAD = (
    f'<IsActiveUser xmlns="{IS_ACTIVE_NS}"><subjectOfCareId>{TOLVAN}</subjectOfCareId>'
    "</IsActiveUser>"
)
LOLS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 8))
BILLION_LAUGHS = f'<!DOCTYPE e [<!ENTITY l0 "lol">{LOLS}]>'.encode() + envelope("<x>&l7;</x>")
XXE = b'<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + envelope("<x>&x;</x>")


def case(
    code: str, body: bytes, name: str, cert: str = "consumer", headers: Mapping[str, str] = XML
) -> object:
    return pytest.param(code, body, cert, headers, id=f"{code}-{name}")


@pytest.mark.parametrize(
    ("code", "body", "cert", "headers"),
    [
        case("VP001", envelope(PAYLOAD, None), "no-header"),
        case("VP001", envelope(PAYLOAD, "<other xmlns='urn:x'>1</other>"), "other-header"),
        case("VP002", is_active(), "no-serialNumber", cert="no-serial"),
        case("VP003", envelope(PAYLOAD, LOGICAL.format(" ")), "empty-address"),
        case("VP004", envelope(PAYLOAD, LOGICAL.format("SE0-NOWHERE")), "unknown-address"),
        case("VP004", envelope("<Other xmlns='urn:other:1'/>"), "unknown-contract"),
        case("VP005", envelope(PAYLOAD, WSA_TO), "wsa-To-to-rivtabp21"),
        case("VP007", is_active(), "stranger", cert="stranger"),
        case("VP007", is_active(), "intermediary-itself", cert="intermediary"),
        case("VP013", is_active(), "original-consumer", headers={**XML, ORIGINAL: CONSUMER}),
        case("VP015", b"<soapenv:Envelope", "invalid-xml"),
        case("VP015", b"", "empty"),
        case("VP015", b"\xff\xfe<x/>", "undecodable"),
        case("VP015", BILLION_LAUGHS, "billion-laughs"),
        case("VP015", XXE, "external-entity"),
        case("VP015", b"<x/>", "not-soap"),
        case("VP015", envelope(""), "empty-body"),
        case("VP015", is_active().replace(SOAP.encode(), SOAP12), "soap12"),
        case("VP015", is_active(), "json", headers={"Content-Type": "application/json"}),
        case("VP015", is_active(), "soap12-type", headers={"Content-Type": "application/soap+xml"}),
        case("VP015", is_active(), "no-content-type", headers={}),
    ],
)
def test_platform_refusals(
    sim: Simulator, pki: TestPki, code: str, body: bytes, cert: str, headers: Mapping[str, str]
) -> None:
    assert_vp(post(sim, pki, body, cert=cert, headers=headers), code)


def test_an_intermediary_may_name_the_original_consumer(sim: Simulator, pki: TestPki) -> None:
    headers = {**XML, ORIGINAL: CONSUMER}
    assert post(sim, pki, is_active(), cert="intermediary", headers=headers).status == 200


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_any_vp_code_can_be_injected(sim: Simulator, pki: TestPki, code: str) -> None:
    sim.inject(InjectionRule.vp(code, times=1))
    assert_vp(post(sim, pki, is_active()), code)
    assert post(sim, pki, is_active()).status == 200


def test_invalid_request_is_a_producer_client_fault(sim: Simulator, pki: TestPki) -> None:
    bad = is_active("19121212121X").replace(b"</IsActiveUser>", b"<bogus/></IsActiveUser>")
    reply = post(sim, pki, bad)
    assert reply.status == 500
    faultcode, faultstring, detail = reply.fault()
    assert faultcode == "soapenv:Client"
    assert find_vp_code(faultstring) is None
    assert faultstring.startswith("Invalid request: IsActiveUser")
    assert detail is not None
    assert "subjectOfCareId" in detail
    assert b"19121212121X" not in reply.body  # identity numbers are masked
    with pytest.raises(SoapFaultError) as caught:
        parsed(reply, IS_ACTIVE)
    assert not isinstance(caught.value, PlatformFaultError)


def test_a_response_root_sent_as_request_is_a_client_fault(sim: Simulator, pki: TestPki) -> None:
    payload = (
        f'<IsActiveUserResponse xmlns="{IS_ACTIVE_NS}"><status>true</status></IsActiveUserResponse>'
    )
    faultcode, faultstring, _ = post(sim, pki, envelope(payload)).fault()
    assert faultcode == "soapenv:Client"
    assert "Unknown operation" in faultstring


# --------------------------------------------------------------------------- injections


def test_latency_delays_the_answer_and_shows_in_prt(sim: Simulator, pki: TestPki) -> None:
    sim.inject(InjectionRule.latency(300, times=1))
    started = time.monotonic()
    reply = post(sim, pki, is_active())
    assert reply.status == 200
    assert time.monotonic() - started >= 0.3
    assert int(reply.headers["x-skltp-prt"]) >= 300


def test_latency_past_the_producer_timeout_is_vp009(sim: Simulator, pki: TestPki) -> None:
    sim.inject(InjectionRule.latency(5000, times=1))
    started = time.monotonic()
    assert_vp(post(sim, pki, is_active()), "VP009")
    assert 0.5 <= time.monotonic() - started < 3


@pytest.mark.parametrize("reaches", [False, True])
def test_timeout_is_vp009_after_the_producer_timeout(
    sim: Simulator, pki: TestPki, reaches: bool
) -> None:
    sim.inject(InjectionRule.timeout(times=1, reaches_producer=reaches))
    started = time.monotonic()
    reply = post_add(sim, pki, f"m-timeout-{reaches}")
    assert time.monotonic() - started >= 0.6
    assert_vp(reply, "VP009")
    assert (f"m-timeout-{reaches}" in stored(sim)) is reaches  # delivered, yet no answer


def test_reset_drops_the_connection_then_the_next_call_works(sim: Simulator, pki: TestPki) -> None:
    sim.inject(InjectionRule.reset(times=1, reaches_producer=True))
    with pytest.raises((ConnectionError, http.client.HTTPException, ssl.SSLError)):
        post_add(sim, pki, "m-reset")
    assert "m-reset" in stored(sim)
    assert post(sim, pki, is_active()).status == 200


def test_http500_is_an_html_page(sim: Simulator, pki: TestPki) -> None:
    sim.inject(InjectionRule.http500(times=1))
    reply = post(sim, pki, is_active())
    assert reply.status == 500
    assert reply.headers["content-type"].startswith("text/html")
    with pytest.raises(UnexpectedResponseError) as caught:
        parsed(reply, IS_ACTIVE)
    assert caught.value.kind == "html"


def test_malformed_is_http200_with_broken_xml(sim: Simulator, pki: TestPki) -> None:
    sim.inject(InjectionRule.malformed(times=1))
    reply = post(sim, pki, is_active())
    assert reply.status == 200
    with pytest.raises(UnexpectedResponseError) as caught:
        parsed(reply, IS_ACTIVE)
    assert caught.value.kind == "not-xml"


def test_result_code_error_is_not_stored_and_info_is(sim: Simulator, pki: TestPki) -> None:
    sim.inject(InjectionRule.result("ERROR", "Mottagaren saknas", times=1))
    assert post(sim, pki, is_active()).status == 200  # no resultCode there: the rule waits
    with pytest.raises(ResultCodeError) as caught:
        parsed(post_add(sim, pki, "m-result-error"))
    assert caught.value.result_text == "Mottagaren saknas"
    sim.inject(InjectionRule.result("INFO", "Sparat, ej aviserat", times=1))
    result = parsed(post_add(sim, pki, "m-result-info")).result
    assert result is not None
    assert (result.code.value, result.text) == ("INFO", "Sparat, ej aviserat")
    assert "m-result-info" in stored(sim)
    assert "m-result-error" not in stored(sim)


def test_rules_count_down_and_match_their_route(sim: Simulator, pki: TestPki) -> None:
    where = {"contract": "AddMessage", "logical_address": ADDRESS.lower()}
    sim.inject(InjectionRule.vp("VP008", times=2, **where))
    assert post(sim, pki, is_active()).status == 200
    assert [post_add(sim, pki).status for _ in range(3)] == [500, 500, 200]


def test_injection_rules_refuse_nonsense() -> None:
    for make in (
        lambda: InjectionRule.vp("VP099"),
        lambda: InjectionRule.latency(0),
        lambda: InjectionRule(kind="explode"),  # type: ignore[arg-type]
        lambda: InjectionRule.timeout(times=0),
        lambda: InjectionRule.from_mapping({"kind": "reset", "surprise": 1}),
    ):
        with pytest.raises(ConfigurationError):
            make()


# --------------------------------------------------------------------------- bad input


def tls_socket(sim: Simulator, pki: TestPki) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
    return context(pki).wrap_socket(raw, server_hostname="127.0.0.1")


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionError, ssl.SSLError, TimeoutError):
        pass
    return b"".join(chunks)


def status_of(raw: bytes) -> int:
    return int(raw.split(b"\r\n", 1)[0].split()[1])


HEAD = b"POST /vp/x HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"


@pytest.mark.parametrize("cert", [None, "expired"])
def test_tls_without_a_valid_client_certificate_fails_and_serving_goes_on(
    sim: Simulator, pki: TestPki, cert: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "inkorg_riv.simulator")
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
        post(sim, pki, is_active(), cert=cert)
    assert post(sim, pki, is_active()).status == 200
    assert any("TLS handshake" in r.getMessage() for r in caplog.records)


def test_plain_http_on_the_tls_port_is_vp011(sim: Simulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        reply = send(conn, is_active())
    finally:
        conn.close()
    assert_vp(reply, "VP011")


def test_oversized_body_is_refused_before_it_is_read(sim: Simulator, pki: TestPki) -> None:
    with tls_socket(sim, pki) as sock:  # declares 10 MiB, sends none of it
        sock.sendall(HEAD + b"Content-Length: 10485760\r\n\r\n")
        started = time.monotonic()
        first = sock.recv(65536)
        answered = time.monotonic() - started
        raw = first + read_all(sock)
    assert answered < 0.5  # at once: neither reading nor waiting for the body
    assert status_of(raw) == 500
    assert b"VP015 [" in raw
    assert b"Connection: close" in raw
    assert_vp(
        post(sim, pki, is_active().replace(b"</soapenv:Body>", b" " * 70_000 + b"</soapenv:Body>")),
        "VP015",
    )


def test_expect_100_continue_with_a_huge_body_gets_the_refusal(
    sim: Simulator, pki: TestPki
) -> None:
    with tls_socket(sim, pki) as sock:
        sock.sendall(HEAD + b"Expect: 100-continue\r\nContent-Length: 99999999\r\n\r\n")
        raw = read_all(sock)
    assert status_of(raw) == 500
    assert b"VP015 [" in raw
    assert b"100 Continue" not in raw


def test_half_sent_request_times_out_while_others_are_served(sim: Simulator, pki: TestPki) -> None:
    with tls_socket(sim, pki) as stalled:
        stalled.sendall(HEAD + b"Content-Length: 1000\r\n\r\n<soapenv:E")
        started = time.monotonic()
        assert post(sim, pki, is_active()).status == 200  # not held up by the stalled one
        assert time.monotonic() - started < 0.5
        raw = read_all(stalled)
        waited = time.monotonic() - started
    assert 0.6 <= waited < 4
    assert status_of(raw) == 500
    assert b"VP015 [" in raw
    assert b"timeout" in raw


def test_slow_headers_and_idle_connections_are_closed(sim: Simulator, pki: TestPki) -> None:
    with tls_socket(sim, pki) as slow, tls_socket(sim, pki) as idle:
        slow.sendall(b"POST /vp/x HTTP/1.1\r\nHost: x\r\nContent-Ty")
        started = time.monotonic()
        assert read_all(slow) == b""
        assert read_all(idle) == b""
        assert time.monotonic() - started < 4
    assert post(sim, pki, is_active()).status == 200


def test_garbage_http_and_odd_paths(sim: Simulator, pki: TestPki) -> None:
    with tls_socket(sim, pki) as sock:
        sock.sendall(b"\x00\x01 garbage NOT-HTTP/9\r\n\r\n")
        assert status_of(read_all(sock)) == 400
    conn = connect(sim, pki)
    try:
        conn.request("GET", "/")
        assert conn.getresponse().read().startswith(b"inkorg-riv simulator")
        for method, path in (("GET", "/vp/x"), ("POST", "/elsewhere"), ("GET", "/nothing")):
            conn.request(method, path, b"" if method == "POST" else None)
            reply = Reply.of(conn.getresponse())
            assert reply.status == 404
            assert reply.headers["x-skltp-correlation-id"]
    finally:
        conn.close()


def test_chunked_request_bodies_are_read(sim: Simulator, pki: TestPki) -> None:
    body = is_active()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:50], body[50:]))
    with tls_socket(sim, pki) as sock:
        sock.sendall(
            HEAD
            + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + chunks
            + b"0\r\n\r\n"
        )
        raw = read_all(sock)
    assert status_of(raw) == 200
    assert b"IsActiveUserResponse" in raw


def test_too_many_requests_at_once_is_vp012(pki: TestPki) -> None:
    with Simulator(config(max_concurrent_requests=1), pki.server_tls()) as small:
        small.inject(InjectionRule.latency(400))
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            first = pool.submit(post, small, pki, is_active())
            time.sleep(0.15)
            second = pool.submit(post, small, pki, is_active())
            replies = [first.result(), second.result()]
    assert replies[0].status == 200
    assert_vp(replies[1], "VP012")


def test_a_busy_port_is_a_configuration_error(sim: Simulator, pki: TestPki) -> None:
    second = Simulator(config(), pki.server_tls(), port=sim.port)
    try:
        with pytest.raises(ConfigurationError, match="cannot listen"):
            second.start()
    finally:
        second.stop()


class Exploding:
    # The Producer protocol's signature; this producer only fails.
    def handle(self, operation: Operation, request: etree._Element) -> etree._Element:  # noqa: ARG002
        raise RuntimeError("boom")


def test_a_crashing_producer_is_a_server_fault(
    pki: TestPki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "inkorg_riv.simulator")
    with Simulator(config(), pki.server_tls(), producer=Exploding()) as broken:
        replies = [post(broken, pki, is_active()) for _ in range(2)]
    for reply in replies:
        faultcode, faultstring, _ = reply.fault()
        assert (reply.status, faultcode) == (500, "soapenv:Server")
        assert find_vp_code(faultstring) is None
    assert any("producer failed" in r.getMessage() for r in caplog.records)


def test_an_internal_error_is_vp009(pki: TestPki, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object, **__: object) -> None:
        raise KeyError("bug")

    with Simulator(config(), pki.server_tls()) as broken:
        monkeypatch.setattr(broken.platform.injections, "pick", fail)
        assert_vp(post(broken, pki, is_active()), "VP009")


# --------------------------------------------------------------------------- log, inbox, config


def test_one_masked_log_line_per_request(
    sim: Simulator, pki: TestPki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "inkorg_riv.simulator")
    cid = "log-test-correlation"
    post(sim, pki, is_active("19121212121X"), headers={**XML, "x-skltp-correlation-id": cid})
    conn = connect(sim, pki)
    try:
        conn.request("GET", f"/inbox/{TOLVAN}")
        conn.getresponse().read()
    finally:
        conn.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "inkorg_riv.simulator"]
    mine = [line for line in lines if cid in line]
    assert len(mine) == 1
    assert "IsActiveUser" in mine[0]
    assert CONSUMER in mine[0]
    assert not [line for line in lines if TOLVAN in line or "19121212121X" in line]
    assert any("/inbox/19121212****" in line for line in lines)


def test_a_body_outside_the_docbook_subset_is_taken_and_shown_as_1177_would(
    sim: Simulator, pki: TestPki
) -> None:
    sim.store.add_citizen(TOLVAN)
    body, headers = add_message(body="<article><para><emphasis>Viktigt</emphasis></para></article>")
    reply = post(sim, pki, body, headers=headers)
    assert reply.status == 200, reply.body
    conn = connect(sim, pki)
    try:
        conn.request("GET", f"/inbox/{TOLVAN}")
        page = Reply.of(conn.getresponse())
    finally:
        conn.close()
    assert b"##### Mismatched Element in Source #####" in page.body
    assert b"Viktigt" not in page.body


def test_inbox_view_over_https_and_over_plain_http(pki: TestPki) -> None:
    with Simulator(config(inbox_http_port=0), pki.server_tls()) as web:
        web.store.add_citizen(TOLVAN)
        assert web.inbox_url.startswith("http://127.0.0.1:")
        plain = http.client.HTTPConnection(web.inbox_url.split("/")[2], timeout=5)
        try:
            plain.request("GET", f"/inbox/{TOLVAN}")
            page = Reply.of(plain.getresponse())
            over_http = send(plain, is_active())
        finally:
            plain.close()
        secure = connect(web, pki)
        try:
            secure.request("GET", f"/inbox/{TOLVAN}")
            secure_status = Reply.of(secure.getresponse()).status
        finally:
            secure.close()
    assert page.status == 200
    assert b"<html" in page.body
    assert_vp(over_http, "VP011")
    assert secure_status == 200


TOML = """
platform_name = "NTjP TEST"
producer_timeout = 2.5
intermediaries = ["SE1-REG"]

[[route]]
logical_address = "SE1-INKORG"
contracts = ["AddMessage", "urn:riv-application:infrastructure:eservicesupply:patientportal:IsActiveUserResponder:2"]

[[authorisation]]
consumer = "SE1-KONS"
logical_address = "SE1-INKORG"
contracts = ["*"]

[[injection]]
kind = "vp_code"
code = "VP008"
contract = "AddMessage"
times = 1
"""  # noqa: E501  (a TOML sample: the namespace does not break)


def test_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "tak.toml"
    path.write_text(TOML, encoding="utf-8")
    loaded = SimulatorConfig.from_toml(path, socket_timeout=3.0)
    assert (loaded.platform_name, loaded.socket_timeout) == ("NTjP TEST", 3.0)
    assert {r.contract for r in loaded.routes} == {ADD.responder_namespace, IS_ACTIVE_NS}
    assert len(loaded.authorisations) == 3
    assert (loaded.injections[0].vp_code, loaded.injections[0].times) == ("VP008", 1)


@pytest.mark.parametrize(
    "text",
    [
        "surprise = 1",
        '[[route]]\nlogical_address = "A"\ncontract = "AddMessage"\nproducer = "elsewhere"',
        '[[route]]\nlogical_address = "A"\ncontract = "NoSuchOperation"',
        '[[route]]\nlogical_address = "A"',
        '[[injection]]\nkind = "latency"',
        "producer_timeout = -1",
        "max_body_bytes = 0",
        "not toml at all [",
    ],
)
def test_bad_config_is_a_configuration_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError):
        SimulatorConfig.from_toml(path)


def test_the_pytest_plugin_fixture(inkorg_simulator: SimulatorFixture) -> None:
    sim = inkorg_simulator
    sim.store.add_citizen(TOLVAN)
    assert sim.endpoint().startswith(f"{sim.url}/vp/infrastructure/eservicesupply/patientportal/")
    payload = codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN))
    request = build_request(IS_ACTIVE, payload, logical_address=sim.logical_address)
    sim.inject(InjectionRule.vp("VP007", times=1))
    replies = []
    conn = http.client.HTTPSConnection(
        "127.0.0.1", sim.simulator.port, context=sim.ssl_context(), timeout=5
    )
    try:
        replies = [send(conn, request.body, request.http_headers) for _ in range(2)]
    finally:
        conn.close()
    with pytest.raises(PlatformFaultError):
        parsed(replies[0], IS_ACTIVE)
    status = parsed(replies[1], IS_ACTIVE).payload.findtext(f"{{{IS_ACTIVE_NS}}}status")
    assert status == "true"
    assert sim.p12.is_file()
    assert sim.consumer_hsa_id == sim.pki.consumer().hsa_id


# --------------------------------------------------------------------------- the documented demo

DOCS = Path(__file__).resolve().parent.parent / "docs" / "simulator.md"
BOOT = """\
import sys
from inkorg_riv import cli
from inkorg_riv.cli import _simulator
registrars = (*cli.REGISTRARS, _simulator.register)
original = cli.build_parser
cli.build_parser = lambda registrars=registrars: original(registrars)
sys.exit(cli.main())
"""


def doc_block(marker: str) -> str:
    after = DOCS.read_text(encoding="utf-8").split(f"<!-- curl-demo: {marker} -->", 1)[1]
    return after.split("```", 2)[1].split("\n", 1)[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command_path(tmp_path: Path) -> str:
    """PATH with our venv's ``inkorg-riv`` -- or, until the CLI lists the simulator commands,
    a stand-in that runs the same CLI with them registered."""
    from inkorg_riv.cli import REGISTRARS, _simulator  # noqa: PLC0415  (only this test needs it)

    venv_bin = str(Path(sys.executable).parent)
    if _simulator.register in REGISTRARS:
        return f"{venv_bin}:/usr/bin:/bin"
    stand_in = tmp_path / "bin" / "inkorg-riv"
    stand_in.parent.mkdir()
    (tmp_path / "boot.py").write_text(BOOT, encoding="utf-8")
    stand_in.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{tmp_path / "boot.py"}" "$@"\n')
    stand_in.chmod(0o755)
    return f"{stand_in.parent}:{venv_bin}:/usr/bin:/bin"


def shell(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_serve_answers_the_documented_curl_commands(tmp_path: Path) -> None:
    port = str(free_port())
    export, certs, serve = doc_block("start").replace("8443", port).strip().splitlines()
    password = export.split("=", 1)[1].strip("'")
    env = {"PATH": command_path(tmp_path), "INKORG_SIM_PASSWORD": password, "HOME": str(tmp_path)}
    made = shell(certs, tmp_path, env)
    assert made.returncode == 0, made.stderr
    written = b"".join(p.read_bytes() for p in (tmp_path / "sim-certs").iterdir())
    assert password.encode() not in written
    (tmp_path / "addmessage.xml").write_text(doc_block("envelope"), encoding="utf-8")
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        ["bash", "-c", f"exec {serve}"],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as server:
        stdout = server.stdout
        assert stdout is not None
        threading.Thread(target=lambda: [lines.put(x) for x in stdout], daemon=True).start()
        try:
            assert f"listening on https://127.0.0.1:{port}" in lines.get(timeout=30)
            sent = shell(doc_block("send").replace("8443", port), tmp_path, env)
            again = shell(doc_block("send-p12").replace("8443", port), tmp_path, env)
        finally:
            server.terminate()
            _, stderr = server.communicate(timeout=15)
    assert server.returncode == 0, stderr
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.startswith("HTTP/1.1 200 OK")
    assert "x-skltp-correlation-id: 6a1f3c52-demo-0001" in sent.stdout
    assert "resultCode>OK<" in sent.stdout
    assert "notificationSent>SMS<" in sent.stdout
    assert again.returncode == 0, again.stderr
    assert "resultCode>ERROR<" in again.stdout  # the same messageId again, as documented
    assert "correlation-id=6a1f3c52-demo-0001" in stderr
