"""Tests for inkorg_riv.faults (the VP catalogue) and the service-family errors.

The golden answers in tests/cases/faults/ (listed in manifest.json) are parsed with
inkorg_riv.envelope.parse_response and must raise the error the manifest names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import build_vp_fault_response, parse_response
from inkorg_riv.errors import (
    InkorgError,
    Outcome,
    PlatformFaultError,
    ResultCodeError,
    ServiceError,
    SoapFaultError,
    TransportError,
    UnexpectedResponseError,
)
from inkorg_riv.faults import (
    CATALOGUE,
    FaultClass,
    VpCode,
    default_swedish_text,
    find_vp_code,
    lookup,
    platform_fault_text,
    require,
)

CASES = Path(__file__).parent / "cases" / "faults"
MANIFEST: list[dict[str, Any]] = json.loads((CASES / "manifest.json").read_text("utf-8"))["cases"]
PERSONNUMMER = ("191212121212", "19121212-1212")

C, K, P, R = (
    FaultClass.CLIENT_DATA,
    FaultClass.CONFIGURATION,
    FaultClass.PLATFORM,
    FaultClass.PRODUCER,
)
# Written from the table in platform.md, independently of the catalogue:
# code -> (class, retryable, reached_producer, SOAP faultcode)
EXPECTED: dict[str, tuple[FaultClass, bool, bool | None, str]] = {
    "VP001": (C, False, False, "Client"),
    "VP002": (K, False, False, "Client"),
    "VP003": (C, False, False, "Client"),
    "VP004": (K, False, False, "Client"),
    "VP005": (K, False, False, "Client"),
    "VP006": (P, False, False, "Server"),
    "VP007": (K, False, False, "Client"),
    "VP008": (P, True, False, "Server"),
    "VP009": (R, False, None, "Server"),
    "VP010": (P, False, False, "Server"),
    "VP011": (K, False, False, "Client"),
    "VP012": (P, True, False, "Server"),
    "VP013": (K, False, False, "Client"),
    "VP014": (P, False, False, "Server"),
    "VP015": (C, False, False, "Client"),
}
LOGICAL_ADDRESS = "SE2321000016-A12B"
CID = "0b7d2f0e-3c51-4c4e-9d0a-6f1f5b0e2a11"


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_holds_exactly_vp001_to_vp015() -> None:
    assert list(CATALOGUE) == [f"VP{n:03d}" for n in range(1, 16)]


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_catalogue_entry(code: str) -> None:
    fault_class, retryable, reached, faultcode = EXPECTED[code]
    vp = CATALOGUE[code]
    assert isinstance(vp, VpCode)
    assert vp.code == code
    assert vp.fault_class is fault_class
    assert vp.retryable is retryable
    assert vp.reached_producer is reached
    assert vp.soap_faultcode == faultcode
    assert vp.meaning[:1].islower()
    assert vp.advice
    assert ". " not in vp.advice  # one sentence
    assert str(vp).startswith(f"{code} (")


def test_vp_code_is_frozen() -> None:
    with pytest.raises(AttributeError):
        CATALOGUE["VP007"].retryable = True  # type: ignore[misc]


def test_only_vp008_and_vp012_are_retryable() -> None:
    assert sorted(c for c, vp in CATALOGUE.items() if vp.retryable) == ["VP008", "VP012"]


def test_only_vp009_may_have_reached_the_producer() -> None:
    assert [c for c, vp in CATALOGUE.items() if vp.reached_producer is not False] == ["VP009"]


def test_advice_fills_in_placeholders() -> None:
    vp = CATALOGUE["VP007"]
    assert "<HSA-id>" in vp.advice
    advice = vp.advice_for(
        consumer="SE5565594230-B9P", contract="AddMessage:2", logical_address="X"
    )
    assert (
        advice
        == "ask for a TAK order authorising your HSA-id SE5565594230-B9P for AddMessage:2 at X"
    )
    assert "serialNumber" in vp.advice_for()
    assert "<contract>" in vp.advice_for()


@pytest.mark.parametrize("text", ["VP007", "vp007", " VP007 ", "\tVp007\n", "VP 007"])
def test_lookup_is_tolerant(text: str) -> None:
    assert lookup(text) is CATALOGUE["VP007"]


@pytest.mark.parametrize("text", ["VP016", "VP000", "VP", "", "007", "XVP007"])
def test_lookup_unknown(text: str) -> None:
    assert lookup(text) is None


# --------------------------------------------------------------------------- find_vp_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("VP007 [SKLTP] Behörighet saknas", "VP007"),
        ("VP004 [NTjP QA] Inget vägval", "VP004"),
        ("\n   VP009 [NTjP Test] Fel vid kontakt\n  ", "VP009"),
        ("vp012 [skltp] resurser saknas", "VP012"),
        ("VP 013 [SKLTP] huvud", "VP013"),
        ("VP015", "VP015"),
        ("VP001: RIV-version saknas", "VP001"),
        ("Fel från plattformen: VP008 [SKLTP] TAK nere", "VP008"),
        ("VP009 [RTP] Fel vid kontakt. Orsak: VP007 [SKLTP] Behörighet saknas", "VP009"),
        ("VP099 [X] okänd; VP002 [SKLTP] certifikat", "VP002"),
    ],
)
def test_find_vp_code(text: str, code: str) -> None:
    found = find_vp_code(text)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Meddelandet kunde inte sparas",
        "Okänt fält IVP007 i anropet",
        "HVP007 [SKLTP] inte en kod",
        "VP0071 [SKLTP] för många siffror",
        "VP007x [SKLTP] bokstav efter koden",
        "Se ärende VP012-44 hos förvaltningen",
        "field VP007 is invalid",
        "VP016 [SKLTP] utanför katalogen",
        "VP000 [SKLTP] utanför katalogen",
        "VIP007 [SKLTP]",
    ],
)
def test_find_vp_code_never_matches_inside_words_or_unknown_codes(text: str) -> None:
    assert find_vp_code(text) is None


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_platform_fault_text_round_trips(code: str) -> None:
    text = platform_fault_text(code)
    assert text == f"{code} [SKLTP] {default_swedish_text(code)}"
    assert find_vp_code(text) is CATALOGUE[code]
    assert (
        platform_fault_text(code.lower(), "NTjP QA", "egen text") == f"{code} [NTjP QA] egen text"
    )


def test_swedish_texts_are_distinct() -> None:
    texts = [default_swedish_text(c) for c in CATALOGUE]
    assert len(set(texts)) == len(texts)


def test_platform_fault_text_refuses_unknown_codes() -> None:
    with pytest.raises(ValueError, match="VP099"):
        platform_fault_text("VP099")


def test_require_is_lookup_or_value_error() -> None:
    assert require(" vp007 ") is CATALOGUE["VP007"]
    for refuse in (require, build_vp_fault_response):
        with pytest.raises(ValueError, match=r"unknown VP code 'VP099'; known: VP001-VP015"):
            refuse("VP099")


PLATFORM_NAMES = st.text(
    st.characters(exclude_characters="[]", exclude_categories=("Cs", "Cc")), max_size=20
)


@given(code=st.sampled_from(sorted(CATALOGUE)), name=PLATFORM_NAMES, text=st.text(max_size=80))
def test_any_platform_name_and_text_keep_the_code(code: str, name: str, text: str) -> None:
    assert find_vp_code(platform_fault_text(code, name, text)) is CATALOGUE[code]


# --------------------------------------------------------------------------- the errors


def _raise_vp(code: str, *, detail: str | None = None) -> PlatformFaultError:
    operation = bundled_package().operation("AddMessage")
    body = build_vp_fault_response(code, detail=detail)
    with pytest.raises(PlatformFaultError) as info:
        parse_response(
            operation,
            status=500,
            content_type="text/xml; charset=UTF-8",
            body=body,
            correlation_id=CID,
            logical_address=LOGICAL_ADDRESS,
            consumer="SE5565594230-B9P",
        )
    return info.value


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_vp_code_raises_a_platform_fault(code: str) -> None:
    fault_class, retryable, reached, faultcode = EXPECTED[code]
    error = _raise_vp(code, detail="English detail")
    assert isinstance(error, SoapFaultError)
    assert isinstance(error, ServiceError)
    assert isinstance(error, InkorgError)
    assert error.vp is CATALOGUE[code]
    assert error.code == code
    assert error.fault_class is fault_class
    assert error.retryable is retryable
    assert error.reached_producer is reached
    assert error.outcome is (Outcome.UNKNOWN if reached is None else Outcome.REFUSED)
    assert error.faultcode == faultcode
    assert error.faultcode_raw == f"soapenv:{faultcode}"
    assert error.detail == "English detail"
    assert error.http_status == 500
    assert error.operation == "AddMessage"
    assert error.logical_address == LOGICAL_ADDRESS
    assert error.correlation_id == CID
    message = str(error)
    assert code in message
    assert CATALOGUE[code].meaning in message
    assert error.advice in message
    assert CID in message
    assert "<logical address>" not in error.advice
    assert "<HSA-id>" not in error.advice


def test_vp007_message_tells_what_to_order() -> None:
    error = _raise_vp("VP007")
    assert error.advice == (
        "ask for a TAK order authorising your HSA-id SE5565594230-B9P for "
        "urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2 "
        f"at {LOGICAL_ADDRESS}"
    )
    assert "refused it before it reached the producer" in str(error)


def test_vp009_message_says_the_outcome_is_unknown() -> None:
    error = _raise_vp("VP009")
    assert error.outcome is Outcome.UNKNOWN
    assert "outcome is unknown" in str(error)
    assert "AddMessage" in error.advice


def test_producer_fault_is_passed_through_unchanged() -> None:
    error = SoapFaultError(
        faultcode="Server",
        faultstring="Fel för 191212121212",
        detail="detalj 19121212-1212",
        faultcode_raw="ns:Server",
        operation="AddMessage",
        correlation_id=CID,
    )
    assert error.faultstring == "Fel för 191212121212"
    assert error.detail == "detalj 19121212-1212"
    assert error.reached_producer is True
    assert error.outcome is Outcome.REFUSED
    assert error.retryable is False
    assert all(number not in str(error) for number in PERSONNUMMER)
    assert "19121212****" in str(error)
    assert CID in str(error)


def test_result_code_error() -> None:
    error = ResultCodeError(
        "Invånaren 191212121212 saknas",
        operation="AddMessage",
        logical_address=LOGICAL_ADDRESS,
        correlation_id=CID,
    )
    assert isinstance(error, ServiceError)
    assert error.result_text == "Invånaren 191212121212 saknas"
    assert error.result_code == "ERROR"
    assert error.reached_producer is True
    assert error.outcome is Outcome.REFUSED
    assert "191212121212" not in str(error)
    assert "resultCode ERROR" in str(error)
    assert CID in str(error)
    assert "(no resultText)" in str(ResultCodeError(None))


def test_unexpected_response_error_is_transport_family() -> None:
    error = UnexpectedResponseError(
        "html", http_status=502, body=b"<html>" + b"x" * 500, correlation_id=CID
    )
    assert isinstance(error, TransportError)
    assert not isinstance(error, ServiceError)
    assert error.outcome is Outcome.UNKNOWN
    assert error.reached_producer is None
    assert error.retryable is False
    assert len(error.snippet) == 200
    assert error.http_status == 502
    assert CID in str(error)


@pytest.mark.parametrize("offset", range(185, 201))
def test_snippet_redacts_a_number_across_the_cut(offset: int) -> None:
    body = ("a" * offset + " 191212121212 tail").encode()
    error = UnexpectedResponseError("not-xml", http_status=500, body=body)
    assert len(error.snippet) <= 200
    assert re.search(r"[0-9]{9}", error.snippet) is None


# --------------------------------------------------------------------------- golden answers


@pytest.mark.parametrize("case", MANIFEST, ids=[c["id"] for c in MANIFEST])
def test_golden_answer(case: dict[str, Any]) -> None:
    operation = bundled_package().operation(case["operation"])
    body = (CASES / case["file"]).read_bytes()
    expect = case["expect"]
    with pytest.raises(InkorgError) as info:
        parse_response(
            operation,
            status=case["status"],
            content_type=case["content_type"],
            body=body,
            correlation_id=CID,
            logical_address=LOGICAL_ADDRESS,
        )
    error = info.value
    assert type(error).__name__ == expect["class"]
    assert error.outcome is Outcome[expect["outcome"]]
    assert error.retryable is expect["retryable"]
    assert getattr(error, "reached_producer", "missing") == expect["reached_producer"]
    assert getattr(error, "correlation_id", None) == CID
    if "code" in expect:
        assert isinstance(error, PlatformFaultError)
        assert error.code == expect["code"]
        assert error.fault_class is FaultClass[expect["fault_class"]]
    if "kind" in expect:
        assert isinstance(error, UnexpectedResponseError)
        assert error.kind == expect["kind"]
        assert error.http_status == case["status"]
        assert len(error.snippet) <= 200
        assert all(number not in error.snippet for number in PERSONNUMMER)
    if "faultcode" in expect:
        assert isinstance(error, SoapFaultError)
        assert error.faultcode == expect["faultcode"]
    if "faultcode_raw" in expect:
        assert isinstance(error, SoapFaultError)
        assert error.faultcode_raw == expect["faultcode_raw"]
    if "detail" in expect:
        assert isinstance(error, SoapFaultError)
        assert error.detail == expect["detail"]
    assert all(number not in str(error) for number in PERSONNUMMER)
    assert CID in str(error)


def test_manifest_covers_every_file() -> None:
    files = {p.name for p in CASES.iterdir() if p.name != "manifest.json"}
    assert files == {c["file"] for c in MANIFEST}
    assert {c["id"] for c in MANIFEST} >= set(CATALOGUE)
