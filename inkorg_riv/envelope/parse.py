"""Parse an HTTP answer into the response payload, or raise the right error (layer L3, pure).

Order of checks: empty body, HTML page, not XML, not a SOAP 1.1 envelope with a Body, a SOAP
fault (at any HTTP status), a status other than 200, a Body that does not hold the
operation's response, and finally ``resultCode`` ERROR. Nothing here knows about HTTP
libraries: the caller passes the status, the Content-Type and the body bytes.
"""

from __future__ import annotations

import enum
import functools

from lxml import etree

from .._ns import SOAP11_ENV, clark, local_name
from .._xmlparse import parse_bytes
from ..contracts.model import Operation
from ..errors import ResponseKind, ResultCodeError, UnexpectedResponseError, XmlInputError
from ..errors._record import Record, record
from .fault import FAULT, fault_error, read_fault

ENVELOPE = clark(SOAP11_ENV, "Envelope")
HEADER = clark(SOAP11_ENV, "Header")
BODY = clark(SOAP11_ENV, "Body")
_ENV_PREFIX = f"{{{SOAP11_ENV}}}"
_HTML_STARTS = (b"<!doctype html", b"<html")


class ResultCode(enum.StrEnum):
    """``resultCode`` of update services."""

    OK = "OK"
    """Done."""
    INFO = "INFO"
    """Done, and ``resultText`` must be shown or logged."""
    ERROR = "ERROR"
    """Not done: a logical error (raised as ResultCodeError, never returned)."""


@record()
class ResultInfo(Record):
    """A ``resultCode`` that did not fail: OK, or INFO whose text the caller must surface."""

    __slots__ = ("code", "text")

    code: ResultCode
    text: str | None

    def __init__(self, code: ResultCode, text: str | None = None) -> None:
        _SET_CODE(self, code)  # the slots' own setters: made once per call, so kept cheap
        _SET_TEXT(self, text)


@record(kw_only=True)
class ParsedResponse(Record):
    """A usable response: the payload (the response root element) and the SOAP headers.

    Compared by identity (lxml elements have no value equality)."""

    __slots__ = ("correlation_id", "headers", "payload", "result")

    payload: etree._Element
    headers: tuple[etree._Element, ...]
    correlation_id: str | None
    result: ResultInfo | None
    """The ``resultCode`` outcome (None for read-only services that have none)."""

    def __init__(
        self,
        *,
        payload: etree._Element,
        headers: tuple[etree._Element, ...],
        correlation_id: str | None,
        result: ResultInfo | None = None,
    ) -> None:
        _SET_PAYLOAD(self, payload)
        _SET_HEADERS(self, headers)
        _SET_CORRELATION(self, correlation_id)
        _SET_RESULT(self, result)

    __eq__ = object.__eq__
    __hash__ = object.__hash__


# The records refuse assignment; their constructors set each slot through its descriptor (what
# setfield does after looking the name up), as each call makes one of each.
_SET_CODE, _SET_TEXT = vars(ResultInfo)["code"].__set__, vars(ResultInfo)["text"].__set__
_SET_PAYLOAD = vars(ParsedResponse)["payload"].__set__
_SET_HEADERS = vars(ParsedResponse)["headers"].__set__
_SET_CORRELATION = vars(ParsedResponse)["correlation_id"].__set__
_SET_RESULT = vars(ParsedResponse)["result"].__set__


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
    if not body or body.isspace():
        where = _where(operation, status, body, content_type, logical_address, correlation_id)
        raise _unexpected(where, "empty")
    if _looks_like_html(content_type, body):
        where = _where(operation, status, body, content_type, logical_address, correlation_id)
        raise _unexpected(where, "html")
    try:
        root = parse_bytes(body, source="response")
    except XmlInputError as exc:
        where = _where(operation, status, body, content_type, logical_address, correlation_id)
        raise _unexpected(where, "not-xml", str(exc)) from exc

    common = _common(root, operation.response_element) if status == 200 else None
    if common is None:
        payload, header = _general(
            root, operation, status, body, content_type, logical_address, correlation_id, consumer
        )
    else:
        payload, header = common
    headers: tuple[etree._Element, ...] = ()
    if header is not None and len(header):
        headers = tuple(header.iterchildren(etree.Element))
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


def _common(
    root: etree._Element, response_element: str
) -> tuple[etree._Element, etree._Element | None] | None:
    """The payload and Header of the common envelope -- a Header (optional) and a Body holding
    the response element alone -- found by position; None for any other shape, which
    :func:`_general` then decides. Where this finds them, :func:`_general` finds the same."""
    if root.tag != ENVELOPE:
        return None
    count = len(root)  # elements, comments and PIs alike
    if not 0 < count <= 2:
        return None
    soap_body = root[count - 1]
    if soap_body.tag != BODY or len(soap_body) != 1:
        return None
    header = root[0] if count == 2 else None
    if header is not None and header.tag != HEADER:
        return None
    payload = soap_body[0]
    return (payload, header) if payload.tag == response_element else None


def _general(
    root: etree._Element,
    operation: Operation,
    status: int,
    body: bytes,
    content_type: str | None,
    logical_address: str | None,
    correlation_id: str | None,
    consumer: str | None,
) -> tuple[etree._Element, etree._Element | None]:
    """The payload and the Header of any envelope, or the error it makes (every check of
    :func:`parse_response` after parsing, in its order)."""
    where = _where(operation, status, body, content_type, logical_address, correlation_id)
    tag = root.tag
    if tag != ENVELOPE:
        if isinstance(tag, str) and local_name(tag).lower() == "html":
            raise _unexpected(where, "html", "an XHTML document")
        found = tag if isinstance(tag, str) else "no element"
        raise _unexpected(where, "not-soap", f"root element {found}")
    header, soap_body = _header_and_body(root)
    if soap_body is None:
        raise _unexpected(where, "not-soap", f"root element {tag}")
    children = list(soap_body)
    first = children[0].tag if children else None
    if len(children) != 1 or not isinstance(first, str):  # comments or PIs, or not one element
        children = [child for child in children if isinstance(child.tag, str)]
        first = children[0].tag if children else None
    if first == FAULT:
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
        raise _unexpected(where, "http-status")
    if len(children) != 1 or first != operation.response_element:
        found = ", ".join(str(c.tag) for c in children) or "nothing"
        raise _unexpected(
            where, "wrong-body", f"the Body holds {found}, expected {operation.response_element}"
        )
    return children[0], header


_Where = tuple[str, int, bytes, str | None, str | None, str | None]
"""What every unexpected-response error names: operation, status, body, Content-Type,
logical address and correlation id."""


def _where(
    operation: Operation,
    status: int,
    body: bytes,
    content_type: str | None,
    logical_address: str | None,
    correlation_id: str | None,
) -> _Where:
    return (operation.name, status, body, content_type, logical_address, correlation_id)


def _unexpected(
    where: _Where, kind: ResponseKind, reason: str | None = None
) -> UnexpectedResponseError:
    operation, status, body, content_type, logical_address, correlation_id = where
    return UnexpectedResponseError(
        kind,
        http_status=status,
        body=body,
        content_type=content_type,
        reason=reason,
        operation=operation,
        logical_address=logical_address,
        correlation_id=correlation_id,
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
    # lxml matches the local names (in any namespace, or none) without a proxy per child;
    # only elements match, so every tag is a str ending in "resultCode" or "resultText".
    for child in payload.iterchildren(*_RESULT_NAMES):
        if child.tag[-1] == "e":  # type: ignore[index]  # resultCode (a str: see above)
            if code_el is None:
                code_el = child
        elif text_el is None:
            text_el = child
    if code_el is None:
        return None
    sent = code_el.text
    code = _RESULT_CODES.get(sent)  # type: ignore[arg-type]  # None finds nothing
    if code is None:  # not exactly OK, INFO or ERROR: read it as before
        raw = (sent or "").strip()
        code = _RESULT_CODES.get(raw.upper())
        if code is None:
            raise UnexpectedResponseError(
                "wrong-body",
                http_status=http_status,
                reason=f"unknown resultCode {raw!r} (expected OK, INFO or ERROR)",
                operation=operation,
                logical_address=logical_address,
                correlation_id=correlation_id,
            )
    text = (text_el.text or None) if text_el is not None else None
    if code is _ERROR:
        raise ResultCodeError(
            text,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
        )
    if text is None:
        return _NO_TEXT[code]  # shared: immutable (texts are not cached: they may name people)
    return ResultInfo(code, text)


_RESULT_NAMES = ("{*}resultCode", "{*}resultText")
_RESULT_CODES = {code.value: code for code in ResultCode}
_NO_TEXT = {code: ResultInfo(code) for code in ResultCode}
_ERROR = ResultCode.ERROR


def _looks_like_html(content_type: str | None, body: bytes) -> bool:
    if content_type is not None and _html_media(content_type):
        return True
    if body.startswith(b"<?"):  # an XML declaration (or a PI): no HTML start
        return False
    start = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(_HTML_STARTS)


@functools.lru_cache(maxsize=64)
def _html_media(content_type: str) -> bool:
    """Whether a Content-Type names HTML (cached: a server sends the same few values)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


def _header_and_body(
    root: etree._Element,
) -> tuple[etree._Element | None, etree._Element | None]:
    """The first Header and the Body of a SOAP 1.1 envelope (Header optional, before it);
    the Body is None when there is none, or a second one, or another envelope element."""
    header: etree._Element | None = None
    body: etree._Element | None = None
    for child in root:
        tag = child.tag
        if tag == BODY and body is None:
            body = child
        elif tag == HEADER:
            if header is None:
                header = child
        elif isinstance(tag, str) and tag.startswith(_ENV_PREFIX):
            return header, None
    return header, body
