"""Parse an HTTP answer into the response payload, or raise the right error (layer L3, pure).

Order of checks: empty body, HTML page, not XML, not a SOAP 1.1 envelope with a Body, a SOAP
fault (at any HTTP status), a status other than 200, a Body that does not hold the
operation's response, and finally ``resultCode`` ERROR. Nothing here knows about HTTP
libraries: the caller passes the status, the Content-Type and the body bytes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lxml import etree

from .._ns import SOAP11_ENV, clark, local_name, split_clark
from .._xmlparse import parse_bytes
from ..contracts.model import Operation
from ..errors import ResponseKind, ResultCodeError, UnexpectedResponseError, XmlInputError
from .fault import FAULT, fault_error, read_fault

ENVELOPE = clark(SOAP11_ENV, "Envelope")
HEADER = clark(SOAP11_ENV, "Header")
BODY = clark(SOAP11_ENV, "Body")
_HTML_STARTS = (b"<!doctype html", b"<html")


class ResultCode(enum.StrEnum):
    """``resultCode`` of update services."""

    OK = "OK"
    """Done."""
    INFO = "INFO"
    """Done, and ``resultText`` must be shown or logged."""
    ERROR = "ERROR"
    """Not done: a logical error (raised as ResultCodeError, never returned)."""


@dataclass(frozen=True, slots=True)
class ResultInfo:
    """A ``resultCode`` that did not fail: OK, or INFO whose text the caller must surface."""

    code: ResultCode
    text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ParsedResponse:
    """A usable response: the payload (the response root element) and the SOAP headers."""

    payload: etree._Element
    headers: tuple[etree._Element, ...]
    correlation_id: str | None
    result: ResultInfo | None = None
    """The ``resultCode`` outcome (None for read-only services that have none)."""


def parse_response(
    operation: Operation,
    *,
    status: int,
    content_type: str | None,
    body: bytes,
    correlation_id: str | None = None,
    logical_address: str | None = None,
    consumer: str | None = None,
) -> ParsedResponse:
    """Turn an HTTP answer into a :class:`ParsedResponse` or raise.

    Raises :class:`~inkorg_riv.errors.PlatformFaultError` (a VP code) or
    :class:`~inkorg_riv.errors.SoapFaultError` (a producer fault) for a SOAP fault,
    :class:`~inkorg_riv.errors.ResultCodeError` for ``resultCode`` ERROR, and
    :class:`~inkorg_riv.errors.UnexpectedResponseError` for an answer that is not a usable
    SOAP response. ``consumer`` (our HSA-id) only makes VP advice more precise.
    """

    def unexpected(kind: ResponseKind, reason: str | None = None) -> UnexpectedResponseError:
        return UnexpectedResponseError(
            kind,
            http_status=status,
            body=body,
            content_type=content_type,
            reason=reason,
            operation=operation.name,
            logical_address=logical_address,
            correlation_id=correlation_id,
        )

    if not body or not body.strip():
        raise unexpected("empty")
    if _looks_like_html(content_type, body):
        raise unexpected("html")
    try:
        root = parse_bytes(body, source="response")
    except XmlInputError as exc:
        raise unexpected("not-xml", str(exc)) from exc

    tag = root.tag
    if tag != ENVELOPE and isinstance(tag, str) and local_name(tag).lower() == "html":
        raise unexpected("html", "an XHTML document")
    soap_body = _soap_body(root)
    if soap_body is None:
        found = root.tag if isinstance(root.tag, str) else "no element"
        raise unexpected("not-soap", f"root element {found}")
    children = [child for child in soap_body if isinstance(child.tag, str)]
    if children and children[0].tag == FAULT:
        raise fault_error(
            read_fault(children[0]),
            http_status=status,
            operation=operation.name,
            contract=operation.responder_namespace,
            logical_address=logical_address,
            correlation_id=correlation_id,
            consumer=consumer,
        )
    if status != 200:
        raise unexpected("http-status")
    if len(children) != 1 or children[0].tag != operation.response_element:
        found = ", ".join(str(c.tag) for c in children) or "nothing"
        raise unexpected(
            "wrong-body", f"the Body holds {found}, expected {operation.response_element}"
        )
    payload = children[0]
    header = root.find(HEADER)
    headers = tuple(h for h in header if isinstance(h.tag, str)) if header is not None else ()
    result = check_result_code(
        payload,
        operation=operation.name,
        logical_address=logical_address,
        correlation_id=correlation_id,
        http_status=status,
    )
    return ParsedResponse(
        payload=payload, headers=headers, correlation_id=correlation_id, result=result
    )


def check_result_code(
    payload: etree._Element,
    *,
    operation: str | None = None,
    logical_address: str | None = None,
    correlation_id: str | None = None,
    http_status: int | None = None,
) -> ResultInfo | None:
    """Read the ``resultCode``/``resultText`` children of a response root.

    Returns None when there is no ``resultCode`` (read-only services), a :class:`ResultInfo`
    for OK and INFO (the caller must show or log an INFO text), and raises
    :class:`~inkorg_riv.errors.ResultCodeError` for ERROR. An unknown code raises
    :class:`~inkorg_riv.errors.UnexpectedResponseError` (``wrong-body``): we cannot tell
    whether the producer acted.
    """
    code_el: etree._Element | None = None
    text_el: etree._Element | None = None
    for child in payload:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        name = tag[tag.rfind("}") + 1 :]  # the local name
        if name == "resultCode" and code_el is None:
            code_el = child
        elif name == "resultText" and text_el is None:
            text_el = child
    if code_el is None:
        return None
    raw = (code_el.text or "").strip()
    text = text_el.text if text_el is not None and text_el.text else None
    try:
        code = ResultCode(raw.upper())
    except ValueError:
        raise UnexpectedResponseError(
            "wrong-body",
            http_status=http_status,
            reason=f"unknown resultCode {raw!r} (expected OK, INFO or ERROR)",
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
        ) from None
    if code is ResultCode.ERROR:
        raise ResultCodeError(
            text,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
        )
    return ResultInfo(code, text)


def _looks_like_html(content_type: str | None, body: bytes) -> bool:
    if content_type is not None:
        media = content_type.split(";", 1)[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            return True
    start = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(_HTML_STARTS)


def _soap_body(root: etree._Element) -> etree._Element | None:
    """The Body of a SOAP 1.1 envelope (Header optional, before it), else None."""
    if root.tag != ENVELOPE:
        return None
    body: etree._Element | None = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag == BODY and body is None:
            body = child
        elif split_clark(child.tag)[0] == SOAP11_ENV and child.tag != HEADER:
            return None
    return body
