"""The log lines and result fields of a successful call, worked out without the result's
properties: the call line names ``resultCode`` (or OK for read-only services), an INFO answer
gets its WARNING line whatever its text, and nothing is logged (or built) when INFO is off."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from test_client import TOLVAN, _message, _settings, ok_active, ok_add, scripted

from inkorg_riv import InkorgClient
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.client import _observe

CASES = [
    (pp.ResultCodeEnum.OK, None),
    (pp.ResultCodeEnum.OK, "klart"),
    (pp.ResultCodeEnum.INFO, "Invånaren 191010101010 har inget konto"),
    (pp.ResultCodeEnum.INFO, None),
]


@pytest.mark.parametrize(("code", "text"), CASES)
def test_the_call_line_and_info_line_of_an_update(
    code: pp.ResultCodeEnum, text: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    answer = ok_add(result_code=code, result_text=text)
    with (
        InkorgClient(_settings(), transport=scripted(answer)) as client,
        caplog.at_level(logging.INFO, logger="inkorg_riv"),
    ):
        result = client.add_message(_message())
    assert result.result is not None
    calls = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(calls) == 1
    assert calls[0].inkorg_outcome == result.result.code.value == code.value  # type: ignore[attr-defined]  # an extra field
    assert calls[0].inkorg_attempts == result.attempts == 1  # type: ignore[attr-defined]  # an extra field
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if code is pp.ResultCodeEnum.INFO:
        assert result.info_text == (text or "")
        assert len(warnings) == 1
        assert ("(no resultText)" in warnings[0]) is (text is None)
        assert "191010101010" not in warnings[0]
    else:
        assert result.info_text is None
        assert warnings == []
    assert (result.ambiguous, result.earlier_errors) == (False, ())


def test_a_read_only_call_is_logged_as_ok(caplog: pytest.LogCaptureFixture) -> None:
    with (
        InkorgClient(_settings(), transport=scripted(ok_active())) as client,
        caplog.at_level(logging.INFO, logger="inkorg_riv"),
    ):
        result = client.is_active_user(TOLVAN)
    assert result.result is None
    (line,) = (r for r in caplog.records if r.levelno == logging.INFO)
    assert line.inkorg_outcome == "OK"  # type: ignore[attr-defined]  # an extra field


def test_nothing_is_built_for_the_call_line_when_info_is_off() -> None:
    logger = logging.getLogger("inkorg_riv.client")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with (
            mock.patch.object(_observe, "round", create=True, side_effect=AssertionError),
            mock.patch.object(_observe.log, "info", side_effect=AssertionError),
            InkorgClient(_settings(), transport=scripted(ok_add())) as client,
        ):
            assert client.add_message(_message()).attempts == 1
    finally:
        logger.setLevel(level)
