"""The response path's fast paths, held to their general counterparts (layer L3).

* ``parse._common`` finds the payload and Header of the common envelope by position; wherever
  it finds them, ``parse._general`` (every check of ``parse_response``) finds the same ones.
* ``check_result_code`` finds the first ``resultCode`` and ``resultText`` with lxml's tag
  matcher and reads the code without stripping when it is exact; it answers and raises as the
  plain loop it replaced (kept below as the reference).
"""

from __future__ import annotations

import typing

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv._ns import SOAP11_ENV
from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import ResultCode, ResultInfo, check_result_code, parse
from inkorg_riv.envelope.fault import FAULT
from inkorg_riv.errors import ResultCodeError, UnexpectedResponseError

OP = bundled_package().operation("AddMessage")
ENV = f"{{{SOAP11_ENV}}}"
ADD = "urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2"
OTHER = "urn:example:other"


# --------------------------------------------------------------------------- the envelope

_NODE = st.sampled_from(["comment", "pi"])
_BODY_CHILD = st.sampled_from(["payload", "payload", "fault", "other", "comment", "pi"])
_ENVELOPE_CHILD = st.sampled_from(
    ["header", "header+", "body", "body", "comment", "pi", "trailer", "foreign"]
)


def _node(parent: etree._Element, kind: str) -> None:
    if kind == "comment":
        parent.append(etree.Comment("c"))
    elif kind == "pi":
        parent.append(etree.ProcessingInstruction("p", "x"))
    elif kind == "payload":
        etree.SubElement(parent, OP.response_element)
    elif kind == "fault":
        fault = etree.SubElement(parent, FAULT)
        etree.SubElement(fault, "faultcode").text = "soapenv:Server"
        etree.SubElement(fault, "faultstring").text = "down"
    elif kind == "other":
        etree.SubElement(parent, f"{{{OTHER}}}Other")
    elif kind == "body":
        etree.SubElement(parent, f"{ENV}Body")
    elif kind == "trailer":
        etree.SubElement(parent, f"{ENV}Trailer")
    elif kind == "foreign":
        etree.SubElement(parent, f"{{{OTHER}}}Extra")
    elif kind.startswith("header"):
        header = etree.SubElement(parent, f"{ENV}Header")
        if kind.endswith("+"):
            etree.SubElement(header, f"{{{OTHER}}}Trace").text = "t"


@st.composite
def envelopes(draw: st.DrawFn) -> etree._Element:
    root = etree.Element(draw(st.sampled_from([f"{ENV}Envelope"] * 5 + [f"{{{OTHER}}}Envelope"])))
    for kind in draw(st.lists(_ENVELOPE_CHILD, max_size=3)):
        _node(root, kind)
        if kind == "body":
            for inner in draw(st.lists(_BODY_CHILD, max_size=3)):
                _node(root[-1], inner)
    return root


@settings(max_examples=300, deadline=None)
@given(envelopes())
def test_where_the_common_shape_is_found_the_general_path_finds_the_same(
    root: etree._Element,
) -> None:
    found = parse._common(root, OP.response_element)
    if found is None:
        return
    payload, header = found
    general = parse._general(root, OP, 200, b"<x/>", None, None, None, None)
    assert general[0] is payload
    assert general[1] is header


def test_the_common_shapes_take_the_fast_path() -> None:
    for kinds in (["header", "body"], ["body"], ["header+", "body"]):
        root = etree.Element(f"{ENV}Envelope")
        for kind in kinds:
            _node(root, kind)
        _node(root[-1], "payload")
        assert parse._common(root, OP.response_element) is not None
    assert parse._common(root, f"{{{OTHER}}}Other") is None


# --------------------------------------------------------------------------- resultCode


def reference_check_result_code(payload: etree._Element, **where: typing.Any) -> ResultInfo | None:
    """``check_result_code`` as it was: a loop over the matcher's children, text stripped."""
    code_el: etree._Element | None = None
    text_el: etree._Element | None = None
    for child in payload.iterchildren("{*}resultCode", "{*}resultText"):
        tag = child.tag
        if isinstance(tag, str) and tag.endswith("Code"):
            if code_el is None:
                code_el = child
        elif text_el is None:
            text_el = child
    if code_el is None:
        return None
    raw = (code_el.text or "").strip()
    text = (text_el.text or None) if text_el is not None else None
    codes = {code.value: code for code in ResultCode}
    code = codes.get(raw.upper())
    if code is None:
        raise UnexpectedResponseError(
            "wrong-body",
            http_status=where["http_status"],
            reason=f"unknown resultCode {raw!r} (expected OK, INFO or ERROR)",
            operation=where["operation"],
            logical_address=where["logical_address"],
            correlation_id=where["correlation_id"],
        )
    if code is ResultCode.ERROR:
        raise ResultCodeError(
            text,
            operation=where["operation"],
            logical_address=where["logical_address"],
            correlation_id=where["correlation_id"],
        )
    return ResultInfo(code, text)


_NAMES = st.sampled_from(
    ["resultCode", "resultText", "resultCodes", "messageId", "ResultCode", "Code", "resultText2"]
)
_SPACES = st.sampled_from([f"{{{ADD}}}", f"{{{OTHER}}}", ""])
_CODES = st.sampled_from(["OK", "INFO", "ERROR", " OK ", "ok", "Info\n", "MAYBE", "", "O K"])
_TEXTS = st.one_of(st.none(), st.sampled_from(["", " ", "Sparat", "Fel 191212121212"]))


@st.composite
def payloads(draw: st.DrawFn) -> etree._Element:
    payload = etree.Element(f"{{{ADD}}}AddMessageResponse")
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 6)) == 0:
            payload.append(etree.Comment("resultCode"))
            continue
        name = draw(_NAMES)
        child = etree.SubElement(payload, draw(_SPACES) + name)
        child.text = draw(_CODES) if name == "resultCode" else draw(_TEXTS)
        if draw(st.integers(0, 8)) == 0:
            etree.SubElement(child, "inner").tail = "x"  # text around an element, as sent
    return payload


WHERE = {
    "operation": "AddMessage",
    "logical_address": "SE1",
    "correlation_id": "c",
    "http_status": 200,
}


def _outcome(check: typing.Callable[..., object], payload: etree._Element) -> object:
    try:
        return ("ok", check(payload, **WHERE))
    except (ResultCodeError, UnexpectedResponseError) as exc:
        return (type(exc), str(exc), exc.outcome, getattr(exc, "result_text", None))


@settings(max_examples=400, deadline=None)
@given(payloads())
def test_check_result_code_answers_as_the_plain_loop(payload: etree._Element) -> None:
    assert _outcome(check_result_code, payload) == _outcome(reference_check_result_code, payload)
