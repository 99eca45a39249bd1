"""InkorgClient: retry decisions (MockTransport), INFO, idempotency, validation, the generic call,
and the real thing -- mutual TLS against the simulator, and concurrency."""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from inkorg_riv import (
    CallResult,
    CertificateError,
    ClientSettings,
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    DuplicateMessageError,
    Environment,
    InkorgClient,
    InkorgError,
    Outcome,
    PlatformFaultError,
    ReadTimeoutError,
    ResultCodeError,
    RetryPolicy,
    SoapFaultError,
    TlsError,
    UnexpectedResponseError,
    ValidationError,
    codec,
)
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._runtime import XmlObject
from inkorg_riv.client._retry import RateLimiter
from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import build_fault_response, build_response, build_vp_fault_response
from inkorg_riv.simulator import InjectionRule, SimulatorConfig, TestPki
from inkorg_riv.testing import SimulatorFixture
from inkorg_riv.transport import HttpRequest, HttpResponse, MockTransport

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from sample_messages import TOLVAN, UNIT, timed_kallelse  # noqa: E402  (examples/ on sys.path first)

BASE = "https://vp.test.invalid"
THREAD = "vc-exempelby:episode-4711"
NO_ACCOUNT = "191010101010"  # a valid personnummer the simulator's inbox does not know


# ---------------------------------------------------------------------- helpers


def _settings(sleeps: list[float] | None = None, **changes: Any) -> ClientSettings:
    retry = RetryPolicy(
        sleep=(sleeps.append if sleeps is not None else lambda _s: None), random=lambda: 0.5
    )
    return ClientSettings(base_url=BASE, retry=retry, **changes)


def _ok(obj: XmlObject, element: str, **headers: str) -> HttpResponse:
    body = build_response(codec.encode(obj, element=element))
    return HttpResponse(status=200, headers={"content-type": "text/xml", **headers}, body=body)


def _op_element(name: str, response: bool = True) -> str:
    op = bundled_package().operation(name)
    return op.response_element if response else op.request_element


def ok_add(**fields: Any) -> HttpResponse:
    values: dict[str, Any] = {"result_code": pp.ResultCodeEnum.OK, **fields}
    return _ok(pp.AddMessageResponseType(**values), _op_element("AddMessage"))


def ok_active() -> HttpResponse:
    return _ok(pp.IsActiveUserResponseType(status=True), _op_element("IsActiveUser"))


def ok_status() -> HttpResponse:
    response = pp.GetMessageThreadStatusResponseType(message_thread_id=THREAD)
    return _ok(response, _op_element("GetMessageThreadStatus"))


def vp(code: str) -> HttpResponse:
    return HttpResponse(status=500, headers={"content-type": "text/xml"},
                        body=build_vp_fault_response(code))  # fmt: skip


def scripted(*answers: HttpResponse | BaseException) -> MockTransport:
    """A transport answering with ``answers`` in turn (the last one repeats)."""
    queue = list(answers)
    lock = threading.Lock()

    def handler(_request: HttpRequest) -> HttpResponse | BaseException:
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return MockTransport(handler)


def _message(message_id: str | None = "kallelse-4711-1") -> pp.AddMessageType:
    request = timed_kallelse()
    return dataclasses.replace(
        request, message=dataclasses.replace(request.message, message_id=message_id)
    )


# ---------------------------------------------------------------------- retry decisions


def _connect() -> BaseException:
    return ConnectError("connection refused", reason="refused", url=BASE)


def _tls() -> BaseException:
    return TlsError("untrusted server", reason="untrusted-server", url=BASE)


def _read_timeout() -> BaseException:
    return ReadTimeoutError("no answer within 35 s", timeout=35.0, url=BASE)


def _reset() -> BaseException:
    return ConnectionLostError("connection reset by peer", url=BASE)


def _html() -> HttpResponse:
    return HttpResponse(status=502, headers={"content-type": "text/html"},
                        body=b"<!DOCTYPE html><html><body>Bad gateway</body></html>")  # fmt: skip


def _producer_fault() -> HttpResponse:
    return HttpResponse(status=500, headers={}, body=build_fault_response("Server", "db down"))


def _wrong_body() -> HttpResponse:
    # Another operation's response (for GetMessageThreadStatus too: its payload must be
    # GetMessageThreadStatusResponse): deterministic, never retried.
    return _ok(pp.IsActiveUserResponseType(status=True), _op_element("AddMessage", False))


FAILURES: dict[str, Callable[[], HttpResponse | BaseException]] = {
    "connect refused": _connect,
    "tls": _tls,
    "read timeout": _read_timeout,
    "reset": _reset,
    "VP004": lambda: vp("VP004"),
    "VP007": lambda: vp("VP007"),
    "VP008": lambda: vp("VP008"),
    "VP009": lambda: vp("VP009"),
    "VP012": lambda: vp("VP012"),
    "producer fault": _producer_fault,
    "html page": _html,
    "wrong body": _wrong_body,
}
ALWAYS = {"connect refused", "VP008", "VP012"}
WHEN_SAFE = {"read timeout", "reset", "VP009", "html page"}
KINDS = ["AddMessage", "AddMessage+key", "IsActiveUser", "GetMessageThreadStatus"]


def _call(client: InkorgClient, kind: str) -> CallResult[Any]:
    if kind == "AddMessage":
        return client.add_message(_message())
    if kind == "AddMessage+key":
        return client.add_message(_message(None), idempotency_key="key-4711-1")
    if kind == "IsActiveUser":
        return client.is_active_user(TOLVAN)
    return client.get_message_thread_status(TOLVAN, THREAD)


def _success(kind: str) -> HttpResponse:
    if kind.startswith("AddMessage"):
        return ok_add()
    return ok_active() if kind == "IsActiveUser" else ok_status()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_retry_decision_for_every_outcome_and_operation_kind(failure: str, kind: str) -> None:
    transport = scripted(FAILURES[failure](), _success(kind))
    safe_to_resend = kind != "AddMessage"
    retried = failure in ALWAYS or (failure in WHEN_SAFE and safe_to_resend)
    sleeps: list[float] = []
    with InkorgClient(_settings(sleeps), transport=transport) as client:
        if retried:
            result = _call(client, kind)
            assert result.attempts == 2
            assert len(result.earlier_errors) == 1
            assert result.ambiguous is (kind == "AddMessage+key" and failure in WHEN_SAFE)
            assert sleeps == [0.25]  # full jitter: random 0.5 x base 0.5
        else:
            with pytest.raises(InkorgError):
                _call(client, kind)
            assert sleeps == []
    assert len(transport.requests) == (2 if retried else 1)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    sleeps: list[float] = []
    retry = RetryPolicy(max_attempts=6, backoff_base=0.5, backoff_cap=3.0,
                        sleep=sleeps.append, random=lambda: 0.5)  # fmt: skip
    transport = scripted(vp("VP012"))
    with (
        InkorgClient(ClientSettings(base_url=BASE, retry=retry), transport=transport) as client,
        pytest.raises(PlatformFaultError) as info,
    ):
        client.is_active_user(TOLVAN)
    assert info.value.code == "VP012"
    assert sleeps == [0.25, 0.5, 1.0, 1.5, 1.5]  # 0.5 x min(3, 0.5 * 2^n)
    assert len(transport.requests) == 6


def test_one_attempt_means_no_retry() -> None:
    transport = scripted(_connect(), ok_active())
    retry = RetryPolicy(max_attempts=1)
    with (
        InkorgClient(ClientSettings(base_url=BASE, retry=retry), transport=transport) as client,
        pytest.raises(ConnectError) as info,
    ):
        client.is_active_user(TOLVAN)
    assert info.value.outcome is Outcome.NOT_SENT
    assert info.value.operation == "IsActiveUser"
    assert info.value.correlation_id is not None


def test_every_attempt_reuses_the_body_and_correlation_id() -> None:
    transport = scripted(vp("VP008"), vp("VP008"), ok_active())
    with InkorgClient(_settings(), transport=transport) as client:
        result = client.is_active_user(TOLVAN)
    assert result.attempts == 3
    bodies = {r.body for r in transport.requests}
    cids = {r.headers["x-skltp-correlation-id"] for r in transport.requests}
    assert len(bodies) == 1
    assert cids == {result.correlation_id}


def test_unknown_outcome_stays_unknown_after_a_later_not_sent() -> None:
    transport = scripted(_read_timeout(), _connect())
    with (
        InkorgClient(_settings(), transport=transport) as client,
        pytest.raises(ConnectError) as info,
    ):
        client.add_message(_message(None), idempotency_key="k-1")
    error = info.value
    assert error.outcome is Outcome.UNKNOWN  # the first attempt may have arrived
    assert any("outcome of the call is unknown" in note for note in error.__notes__)
    assert len(transport.requests) == 3


# ---------------------------------------------------------------------- AddMessage: idempotency


def test_add_message_without_key_is_never_resent_after_an_unknown_outcome() -> None:
    for failure in (_read_timeout(), _reset(), vp("VP009"), _html()):
        transport = scripted(failure, ok_add())
        with (
            InkorgClient(_settings(), transport=transport) as client,
            pytest.raises(InkorgError) as info,
        ):
            client.add_message(_message())
        assert info.value.outcome is Outcome.UNKNOWN
        assert len(transport.requests) == 1


def test_idempotency_key_becomes_the_message_id_and_the_resend_is_ambiguous() -> None:
    transport = scripted(_read_timeout(), ok_add(message_id="key-1"))
    with InkorgClient(_settings(), transport=transport) as client:
        result = client.add_message(_message(None), idempotency_key="key-1")
    assert result.ambiguous is True
    assert result.needs_attention is True
    assert result.info_text is None
    assert isinstance(result.earlier_errors[0], ReadTimeoutError)
    for request in transport.requests:
        root = etree.fromstring(request.body)
        assert root.findtext(".//{*}message/{*}messageId") == "key-1"


def test_idempotency_key_must_match_an_existing_message_id() -> None:
    transport = scripted(ok_add())
    with InkorgClient(_settings(), transport=transport) as client:
        with pytest.raises(ConfigurationError, match=r"^idempotency_key: 'other'"):
            client.add_message(_message("kallelse-4711-1"), idempotency_key="other")
        with pytest.raises(ConfigurationError, match=r"^idempotency_key:"):
            client.add_message(_message(None), idempotency_key=" ")
        assert client.add_message(_message("same"), idempotency_key="same").attempts == 1
    assert len(transport.requests) == 1


def _duplicate() -> HttpResponse:
    return ok_add(
        result_code=pp.ResultCodeEnum.ERROR,
        result_text="Dubblett: messageId 'key-1' finns redan i tråden 't'",
    )


def test_duplicate_after_an_unknown_outcome_means_delivered() -> None:
    transport = scripted(vp("VP009"), _duplicate())
    with (
        InkorgClient(_settings(), transport=transport) as client,
        pytest.raises(DuplicateMessageError) as info,
    ):
        client.add_message(_message(None), idempotency_key="key-1")
    error = info.value
    assert isinstance(error, ResultCodeError)
    assert error.first_outcome is Outcome.UNKNOWN
    assert error.message_id == "key-1"
    assert error.attempts == 2
    assert "already in the inbox" in str(error)
    assert "do not send it again" in str(error)


def test_duplicate_on_a_single_attempt_and_custom_markers() -> None:
    transport = scripted(_duplicate())
    with (
        InkorgClient(_settings(), transport=transport) as client,
        pytest.raises(DuplicateMessageError) as info,
    ):
        client.add_message(_message("key-1"))
    assert info.value.first_outcome is None
    other = scripted(ok_add(result_code=pp.ResultCodeEnum.ERROR, result_text="Redan mottaget"))
    with (
        InkorgClient(_settings(duplicate_markers=("redan mottaget",)), transport=other) as c,
        pytest.raises(DuplicateMessageError),
    ):
        c.add_message(_message("key-1"))
    plain = scripted(ok_add(result_code=pp.ResultCodeEnum.ERROR, result_text="Ogiltigt"))
    with (
        InkorgClient(_settings(), transport=plain) as client,
        pytest.raises(ResultCodeError) as error,
    ):
        client.add_message(_message("key-1"))
    assert not isinstance(error.value, DuplicateMessageError)


# ---------------------------------------------------------------------- INFO is hard to miss


def test_result_code_info_is_surfaced(caplog: pytest.LogCaptureFixture) -> None:
    text = f"Invånaren {NO_ACCOUNT} har inget konto på 1177"
    transport = scripted(ok_add(result_code=pp.ResultCodeEnum.INFO, result_text=text))
    with (
        InkorgClient(_settings(), transport=transport) as client,
        caplog.at_level(logging.INFO, logger="inkorg_riv"),
    ):
        result = client.add_message(_message())
    assert result.info_text == text
    assert result.needs_attention is True
    assert result.result is not None
    assert result.result.code.value == "INFO"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert "resultCode INFO" in line
    assert "19101010****" in line
    assert NO_ACCOUNT not in line


def test_ok_needs_no_attention() -> None:
    with InkorgClient(_settings(), transport=scripted(ok_add())) as client:
        result = client.add_message(_message())
    assert (result.info_text, result.ambiguous, result.needs_attention) == (None, False, False)


# ---------------------------------------------------------------------- validation


def test_invalid_request_is_not_sent() -> None:
    transport = scripted(ok_active())
    with InkorgClient(_settings(), transport=transport) as client:
        with pytest.raises(ValidationError) as info:
            client.is_active_user("191212121213")  # wrong check digit
        assert info.value.outcome is Outcome.NOT_SENT
        assert transport.requests == []
    with InkorgClient(_settings(validate_requests=False), transport=transport) as client:
        client.is_active_user("191212121213")
    assert len(transport.requests) == 1


def _out_of_order() -> HttpResponse:
    ns = "urn:riv-application:infrastructure:eservicesupply:patientportal:IsActiveUserResponder:2"
    payload = etree.fromstring(
        f'<IsActiveUserResponse xmlns="{ns}"><paperMailOptOut>true</paperMailOptOut>'
        "<status>true</status></IsActiveUserResponse>"
    )
    return HttpResponse(status=200, headers={"content-type": "text/xml"},
                        body=build_response(payload))  # fmt: skip


def test_response_validation_on_and_off() -> None:
    with (
        InkorgClient(_settings(), transport=scripted(_out_of_order())) as client,
        pytest.raises(UnexpectedResponseError) as info,
    ):
        client.is_active_user(TOLVAN)
    assert info.value.kind == "wrong-body"
    assert info.value.outcome is Outcome.UNKNOWN
    assert isinstance(info.value.__cause__, ValidationError)
    lax = _settings(validate_responses=False)
    with InkorgClient(lax, transport=scripted(_out_of_order())) as client:
        result = client.is_active_user(TOLVAN)
    assert result.response.status is True
    assert result.response.paper_mail_opt_out is True


# ---------------------------------------------------------------------- headers, URL, generic


def test_request_headers_url_and_response_fields() -> None:
    answer = _ok(pp.IsActiveUserResponseType(status=False), _op_element("IsActiveUser"),
                 **{"x-skltp-prt": "17", "x-skltp-correlation-id": "from-vp"})  # fmt: skip
    transport = scripted(answer)
    settings = _settings(acting_on_behalf_of="SE2321000016-REGION",
                         logical_address="SE2321000016-OTHER")  # fmt: skip
    with InkorgClient(settings, transport=transport) as client:
        result = client.is_active_user(TOLVAN)
    request = transport.requests[0]
    assert request.url == (
        f"{BASE}/vp/infrastructure/eservicesupply/patientportal/IsActiveUser/2/rivtabp21"
    )
    assert request.headers["x-rivta-acting-on-behalf-of-hsaid"] == "SE2321000016-REGION"
    assert request.headers["SOAPAction"].endswith(':IsActiveUserResponder:2:IsActiveUser"')
    assert b"SE2321000016-OTHER</riv:LogicalAddress>" in request.body
    assert result.correlation_id == "from-vp"
    assert result.producer_response_time_ms == 17
    assert result.logical_address == "SE2321000016-OTHER"
    assert transport.timeouts[0].read == 35.0


def test_generic_call_with_element_object_and_operation() -> None:
    package = bundled_package()
    op = package.operation("IsActiveUser")
    request = codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN))
    with InkorgClient(_settings(), transport=scripted(ok_active())) as client:
        typed = client.call("IsActiveUser", request)
        assert isinstance(typed.response, pp.IsActiveUserResponseType)
        explicit = client.call(op, pp.IsActiveUserType(subject_of_care_id=TOLVAN),
                               response_type=pp.IsActiveUserResponseType)  # fmt: skip
        assert explicit.response.status is True
        with pytest.raises(InkorgError):
            client.call(op, "not a request")  # type: ignore[arg-type]
    # A package without bindings: the response element itself.
    with InkorgClient(_settings(), transport=scripted(ok_active()), package=package) as client:
        raw = client.call("IsActiveUser", request)
    assert isinstance(raw.response, etree._Element)
    assert raw.response.tag == op.response_element


def test_generic_call_read_only_decides_resending() -> None:
    transport = scripted(_read_timeout(), _read_timeout(), ok_active())
    with InkorgClient(_settings(read_only_operations=()), transport=transport) as client:
        request = pp.IsActiveUserType(subject_of_care_id=TOLVAN)
        with pytest.raises(ReadTimeoutError):
            client.call("IsActiveUser", request)
        assert client.call("IsActiveUser", request, read_only=True).attempts == 2


def test_closed_client_refuses_calls() -> None:
    transport = scripted(ok_active())
    client = InkorgClient(_settings(), transport=transport)
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(ConfigurationError, match=r"closed"):
        client.is_active_user(TOLVAN)
    assert transport.closed is False  # a transport passed in stays the caller's


def test_rate_limiter_token_bucket() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits == [0.0, 0.0, 0.5, 0.5, 0.5]
    now[0] += 10.0
    assert limiter.acquire() == 0.0
    slow = RateLimiter(0.5, clock=lambda: now[0], sleep=sleep)
    assert [slow.acquire(), slow.acquire()] == [0.0, 2.0]


# ---------------------------------------------------------------------- settings -> client


def test_certificate_settings_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"^p12: no client certificate"):
        InkorgClient(ClientSettings(base_url=BASE))
    missing = ClientSettings(base_url=BASE, p12=tmp_path / "none.p12", password=lambda: "x")
    with pytest.raises(ConfigurationError, match=r"^p12: .*none.p12 does not exist"):
        InkorgClient(missing)


def test_simulator_needs_its_ca(inkorg_pki: TestPki, tmp_path: Path) -> None:
    consumer = inkorg_pki.consumer()
    settings = ClientSettings(base_url=BASE, p12=consumer.p12,
                              password=lambda: inkorg_pki.password)  # fmt: skip
    with pytest.raises(ConfigurationError, match=r"^ca: "):
        InkorgClient(settings)
    wrong = settings.replace(password=lambda: b"wrong", ca=inkorg_pki.ca)
    with pytest.raises(ConfigurationError, match=r"^p12: "):
        InkorgClient(wrong)
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"^ca: "):
        InkorgClient(settings.replace(ca=garbage))


def test_environment_checks_warn(
    inkorg_pki: TestPki, caplog: pytest.LogCaptureFixture
) -> None:
    consumer = inkorg_pki.consumer()
    settings = ClientSettings(
        environment=Environment.NTJP_PROD, base_url="https://127.0.0.1:9",
        logical_address="SE2321000016-PROD", p12=consumer.p12,
        password=lambda: inkorg_pki.password, ca=inkorg_pki.ca, read_timeout=20.0,
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="inkorg_riv"):
        InkorgClient(settings).close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "expects SITHS e-id Function CA v1" in text
    assert "read_timeout 20.0 s" in text


# ---------------------------------------------------------------------- against the simulator


@pytest.fixture
def inkorg_simulator_config(inkorg_pki: TestPki) -> SimulatorConfig:
    """The default routes, with a producer timeout short enough for timeout tests."""
    hsa_id = inkorg_pki.consumer().hsa_id
    assert hsa_id is not None
    return SimulatorConfig.default(consumer_hsa_id=hsa_id, producer_timeout=1.0)


@pytest.fixture
def sim_client(
    inkorg_simulator: SimulatorFixture, sim_settings: Callable[..., ClientSettings]
) -> Iterator[InkorgClient]:
    inkorg_simulator.store.add_citizen(TOLVAN, notification_methods=("SMS", "Email"),
                                       paper_opt_out=True)  # fmt: skip
    with InkorgClient(sim_settings(inkorg_simulator)) as client:
        yield client


def test_round_trip_over_mutual_tls(
    inkorg_simulator: SimulatorFixture, sim_client: InkorgClient
) -> None:
    assert sim_client.consumer_hsa_id == inkorg_simulator.consumer_hsa_id
    active = sim_client.is_active_user(TOLVAN)
    assert active.response.status is True
    assert {m.value for m in active.response.active_notification_methods} == {"SMS", "Email"}
    assert active.response.paper_mail_opt_out is True
    assert active.producer_response_time_ms is not None
    sent = sim_client.add_message(timed_kallelse())
    assert sent.result is not None
    assert sent.result.code.value == "OK"
    assert sent.response.message_thread_id == THREAD
    status = sim_client.get_message_thread_status(TOLVAN, THREAD, UNIT.unit_id)
    assert [m.read_status for m in status.response.message] == [pp.ReadStatusType.UNREAD]
    stats = sim_client.transport.stats  # type: ignore[attr-defined]
    assert stats.connections_opened == 1  # keep-alive: one handshake for three calls
    assert stats.responses == 3


def test_pem_certificate_and_key(
    inkorg_simulator: SimulatorFixture, sim_settings: Callable[..., ClientSettings]
) -> None:
    settings = sim_settings(inkorg_simulator, p12=None, cert=inkorg_simulator.client_cert,
                            key=inkorg_simulator.client_key)  # fmt: skip
    with InkorgClient(settings) as client:
        assert client.is_active_user(TOLVAN).response.status is False  # unknown citizen


def test_a_certificate_without_hsa_id_is_refused_before_any_call(
    inkorg_simulator: SimulatorFixture, sim_settings: Callable[..., ClientSettings]
) -> None:
    no_serial = inkorg_simulator.pki.no_serial
    settings = sim_settings(inkorg_simulator, p12=no_serial.p12)
    with pytest.raises(CertificateError) as info:
        InkorgClient(settings)
    message = str(info.value)
    assert message.startswith("p12: ")
    assert "no serialNumber" in message
    assert "VP002" in message


def test_simulator_info_for_a_citizen_without_account(sim_client: InkorgClient) -> None:
    request = dataclasses.replace(timed_kallelse(), subject_of_care_id=NO_ACCOUNT)
    result = sim_client.add_message(request)
    assert result.needs_attention
    assert result.info_text is not None
    assert result.info_text.startswith("Invånaren har inget konto på 1177")


def test_simulator_platform_faults(
    inkorg_simulator: SimulatorFixture, sim_client: InkorgClient
) -> None:
    inkorg_simulator.inject(InjectionRule.vp("VP007", times=1))
    with pytest.raises(PlatformFaultError) as info:
        sim_client.is_active_user(TOLVAN)
    error = info.value
    assert (error.code, error.outcome, error.retryable) == ("VP007", Outcome.REFUSED, False)
    assert inkorg_simulator.consumer_hsa_id in error.advice
    inkorg_simulator.inject(InjectionRule.vp("VP012", times=1))
    assert sim_client.add_message(timed_kallelse()).attempts == 2


def _stored(sim: SimulatorFixture) -> int:
    return len(sim.store.messages(TOLVAN))


@pytest.mark.parametrize("kind", ["timeout", "reset"])
def test_ambiguous_add_message_lands_once(
    inkorg_simulator: SimulatorFixture, sim_client: InkorgClient, kind: str
) -> None:
    rule = InjectionRule(kind=kind, times=1, reaches_producer=True, contract="AddMessage")  # type: ignore[arg-type]
    inkorg_simulator.inject(rule)
    with pytest.raises(DuplicateMessageError) as info:
        sim_client.add_message(_message(None), idempotency_key="idem-1")
    assert info.value.first_outcome is Outcome.UNKNOWN
    assert info.value.attempts == 2
    assert _stored(inkorg_simulator) == 1


def test_ambiguous_add_message_that_did_not_land(
    inkorg_simulator: SimulatorFixture, sim_client: InkorgClient
) -> None:
    inkorg_simulator.inject(InjectionRule.reset(times=1, contract="AddMessage"))
    result = sim_client.add_message(_message(None), idempotency_key="idem-2")
    assert result.ambiguous is True
    assert result.attempts == 2
    assert isinstance(result.earlier_errors[0], ConnectionLostError)
    assert _stored(inkorg_simulator) == 1


def test_add_message_without_key_after_a_reset_is_not_resent(
    inkorg_simulator: SimulatorFixture, sim_client: InkorgClient
) -> None:
    inkorg_simulator.inject(InjectionRule.reset(times=1, reaches_producer=True))
    with pytest.raises(ConnectionLostError) as info:
        sim_client.add_message(timed_kallelse())
    assert info.value.outcome is Outcome.UNKNOWN
    assert _stored(inkorg_simulator) == 1  # it arrived although the client saw a reset


def test_read_only_calls_are_resent_after_vp009_and_timeouts(
    inkorg_simulator: SimulatorFixture,
    sim_client: InkorgClient,
    sim_settings: Callable[..., ClientSettings],
) -> None:
    inkorg_simulator.inject(InjectionRule.timeout(times=1))
    result = sim_client.get_message_thread_status(TOLVAN, THREAD)
    assert result.attempts == 2
    assert isinstance(result.earlier_errors[0], PlatformFaultError)
    assert result.ambiguous is False
    settings = sim_settings(inkorg_simulator, read_timeout=0.3)
    inkorg_simulator.inject(InjectionRule.latency(700, times=1))
    with InkorgClient(settings) as client:
        assert client.is_active_user(TOLVAN).attempts == 2
        inkorg_simulator.inject(InjectionRule.latency(700, times=1))
        with pytest.raises(ReadTimeoutError) as info:
            client.add_message(timed_kallelse())
    assert info.value.outcome is Outcome.UNKNOWN


def test_malformed_answers_fail_with_validation_on_or_off(
    inkorg_simulator: SimulatorFixture, sim_settings: Callable[..., ClientSettings]
) -> None:
    for validate in (True, False):
        settings = sim_settings(inkorg_simulator, validate_responses=validate)
        inkorg_simulator.inject(InjectionRule.malformed(times=1, contract="AddMessage"))
        with InkorgClient(settings) as client:
            with pytest.raises(UnexpectedResponseError) as info:
                client.add_message(timed_kallelse(), idempotency_key=None)
            assert info.value.kind == "not-xml"
            inkorg_simulator.inject(InjectionRule.malformed(times=1, contract="IsActiveUser"))
            assert client.is_active_user(TOLVAN).attempts == 2  # read-only: resent


def test_producer_faults_are_not_resent(
    inkorg_simulator: SimulatorFixture, sim_settings: Callable[..., ClientSettings]
) -> None:
    settings = sim_settings(inkorg_simulator, validate_requests=False)
    with InkorgClient(settings) as client, pytest.raises(SoapFaultError) as info:
        client.is_active_user("not-a-number")
    assert not isinstance(info.value, PlatformFaultError)
    assert info.value.faultcode == "Client"
    assert info.value.outcome is Outcome.REFUSED


def test_concurrent_calls_from_16_threads(
    inkorg_simulator: SimulatorFixture, sim_settings: Callable[..., ClientSettings]
) -> None:
    inkorg_simulator.store.add_citizen(TOLVAN)
    settings = sim_settings(inkorg_simulator, pool_size=16)
    errors: list[BaseException] = []
    results: list[CallResult[Any]] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def work(worker: int) -> None:
        try:
            start.wait()
            for n in range(4):
                request = _message(f"w{worker}-m{n}")
                request = dataclasses.replace(
                    request, message=dataclasses.replace(
                        request.message, message_thread_id=f"thread-{worker}")
                )  # fmt: skip
                sent = client.add_message(request)
                checked = client.is_active_user(TOLVAN)
                status = client.get_message_thread_status(TOLVAN, f"thread-{worker}")
                with lock:
                    results.extend((sent, checked, status))
        except BaseException as exc:  # noqa: BLE001  (collected and re-raised by the test)
            with lock:
                errors.append(exc)

    with InkorgClient(settings) as client:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        elapsed = time.perf_counter() - started
        stats = client.transport.stats  # type: ignore[attr-defined]
    assert errors == []
    assert len(results) == 16 * 4 * 3
    assert len({r.correlation_id for r in results}) == len(results)
    assert _stored(inkorg_simulator) == 64
    assert stats.connections_opened <= 16
    assert elapsed < 20
