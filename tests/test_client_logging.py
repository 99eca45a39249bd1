"""Every log record of a full client run: one INFO line per call, masked bodies at DEBUG, and no
identity number, key material or certificate password anywhere."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inkorg_riv import (
    CertificateError,
    ClientSettings,
    DuplicateMessageError,
    InkorgClient,
    InkorgError,
    PlatformFaultError,
    ReadTimeoutError,
    ValidationError,
)
from inkorg_riv.client._observe import mask_body
from inkorg_riv.simulator import InjectionRule, SimulatorConfig, TestPki
from inkorg_riv.testing import SimulatorFixture

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from sample_messages import TOLVAN, timed_kallelse

NO_ACCOUNT = "191010101010"
BAD_CHECK_DIGIT = "191212121213"
IDENTITY_NUMBERS = (TOLVAN, NO_ACCOUNT, BAD_CHECK_DIGIT)
THREAD = "vc-exempelby:episode-4711"
WRONG_PASSWORD = f"wrong-{secrets.token_hex(8)}"
"""Made at run time, so that no source line in a traceback shows it."""


class Capture(logging.Handler):
    """Keeps every record, whatever its logger and level."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def capture() -> Iterator[Capture]:
    root = logging.getLogger()
    handler = Capture()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def inkorg_simulator_config(inkorg_pki: TestPki) -> SimulatorConfig:
    """A producer timeout short enough for the VP009 step."""
    hsa_id = inkorg_pki.consumer().hsa_id
    assert hsa_id is not None
    return SimulatorConfig.default(consumer_hsa_id=hsa_id, producer_timeout=1.0)


def _full_run(
    sim: SimulatorFixture, app: logging.Logger, settings: Callable[..., ClientSettings]
) -> int:
    """Every operation, an INFO answer, a VP fault, retries, a timeout, a duplicate, a refused
    request and a wrong password. Returns the number of client calls made."""
    sim.store.add_citizen(TOLVAN, notification_methods=("SMS", "Email"), paper_opt_out=True)
    calls = 0

    def expect(error: type[InkorgError], call: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        with pytest.raises(error) as info:
            call(*args, **kwargs)
        app.exception("the application logs the error it got", exc_info=info.value)

    with InkorgClient(settings(sim)) as client:
        for call, args in (
            (client.is_active_user, (TOLVAN,)),
            (client.add_message, (timed_kallelse(),)),
            (client.add_message, (dataclasses.replace(timed_kallelse(),
                                                      subject_of_care_id=NO_ACCOUNT),)),
            (client.get_message_thread_status, (TOLVAN, THREAD)),
        ):  # fmt: skip
            calls += 1
            result = call(*args)
            app.info("the application logs the result %r", result)
        sim.inject(InjectionRule.vp("VP007", times=1))
        expect(PlatformFaultError, client.is_active_user, TOLVAN)
        sim.inject(InjectionRule.vp("VP012", times=1))
        retried = dataclasses.replace(timed_kallelse(), notify=False)
        retried = dataclasses.replace(
            retried, message=dataclasses.replace(retried.message, message_id="retried-1")
        )
        calls += 1
        assert client.add_message(retried).attempts == 2
        sim.inject(InjectionRule.timeout(times=1, contract="GetMessageThreadStatus"))
        calls += 1
        assert client.get_message_thread_status(TOLVAN, THREAD).attempts == 2
        expect(ValidationError, client.is_active_user, BAD_CHECK_DIGIT)
        sim.inject(InjectionRule.reset(times=1, reaches_producer=True, contract="AddMessage"))
        fresh = dataclasses.replace(timed_kallelse(), message=dataclasses.replace(
            timed_kallelse().message, message_id=None))  # fmt: skip
        expect(DuplicateMessageError, client.add_message, fresh, idempotency_key="idem-9")
    with InkorgClient(settings(sim, read_timeout=0.3)) as slow:
        sim.inject(InjectionRule.latency(700, times=1))
        expect(ReadTimeoutError, slow.add_message, timed_kallelse())
    with pytest.raises(CertificateError) as info:
        InkorgClient(settings(sim, password=lambda: WRONG_PASSWORD))
    app.exception("wrong certificate password", exc_info=info.value)
    return calls


def _everything(record: logging.LogRecord) -> str:
    """The record as formatted (message, exception, stack) plus every attribute it carries."""
    formatted = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
    return f"{formatted}\n{vars(record)!r}\n{record.msg!r}\n{record.args!r}"


def test_a_full_run_logs_nothing_it_must_not(
    inkorg_simulator: SimulatorFixture,
    capture: Capture,
    sim_settings: Callable[..., ClientSettings],
) -> None:
    calls = _full_run(inkorg_simulator, logging.getLogger("app"), sim_settings)
    records = capture.records
    assert len(records) > calls
    password = inkorg_simulator.password.decode("ascii")
    for record in records:
        text = _everything(record)
        for number in IDENTITY_NUMBERS:
            assert number not in text, f"identity number in {record.name}: {text[:400]}"
        assert "PRIVATE KEY" not in text, record.name
        assert password not in text, record.name
        assert WRONG_PASSWORD not in text, record.name

    client_info = [r for r in records
                   if r.name == "inkorg_riv.client" and r.levelno == logging.INFO]  # fmt: skip
    assert len(client_info) == calls  # exactly one INFO line per call
    for record in client_info:
        for field in ("operation", "logical_address", "outcome", "elapsed_ms", "attempts",
                      "correlation_id"):  # fmt: skip
            assert hasattr(record, f"inkorg_{field}"), field
    outcomes = [getattr(r, "inkorg_outcome") for r in client_info]  # noqa: B009  (an extra field)
    assert outcomes.count("OK") == 5
    assert "INFO" in outcomes
    assert "sent and refused: VP007" in outcomes
    assert "not sent: ValidationError" in outcomes
    assert any(o.startswith("outcome unknown: ReadTimeoutError") for o in outcomes)

    warnings = [r.getMessage() for r in records
                if r.name == "inkorg_riv.client" and r.levelno == logging.WARNING]  # fmt: skip
    assert any("resultCode INFO" in w for w in warnings)
    assert sum("retrying in" in w for w in warnings) >= 3
    bodies = [r.getMessage() for r in records
              if r.name == "inkorg_riv.client" and r.levelno == logging.DEBUG]  # fmt: skip
    assert any("19121212****" in b for b in bodies)
    assert any("characters masked" in b for b in bodies)
    assert not any("Ta med legitimation" in b for b in bodies)  # the letter's text


def test_bodies_stay_out_of_the_log_above_debug(
    inkorg_simulator: SimulatorFixture,
    capture: Capture,
    sim_settings: Callable[..., ClientSettings],
) -> None:
    logging.getLogger().setLevel(logging.INFO)
    inkorg_simulator.store.add_citizen(TOLVAN)
    with InkorgClient(sim_settings(inkorg_simulator)) as client:
        client.add_message(timed_kallelse())
    client_records = [r for r in capture.records if r.name.startswith("inkorg_riv.client")]
    assert [r.levelno for r in client_records] == [logging.INFO]
    assert "AddMessage" in client_records[0].getMessage()


def test_mask_body_masks_free_text_redacts_and_cuts() -> None:
    body = (
        b"<a:AddMessage xmlns:a='x'><a:subjectOfCareId>191212121212</a:subjectOfCareId>"
        b"<c:messageDescription>Kallelse HIV-mottagningen</c:messageDescription>"
        b"<c:messageText>&lt;article&gt;Hemligt 191212121212&lt;/article&gt;</c:messageText>"
        b"<content>QUJD</content></a:AddMessage>"
    )
    masked = mask_body(body)
    assert "191212121212" not in masked
    assert "19121212****" in masked
    assert "HIV" not in masked
    assert "Hemligt" not in masked
    assert "QUJD" not in masked
    assert "<c:messageText>[" in masked
    long = mask_body("x" * 5000 + "191212121212", limit=100)
    assert len(long) < 140
    assert long.endswith("[5012 characters]")
