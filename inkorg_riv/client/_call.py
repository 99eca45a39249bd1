"""The path of one call: encode, validate, envelope, send, parse, validate, decode (layer L5).

Owns :class:`Caller`, the engine behind every :class:`~inkorg_riv.client.InkorgClient`
method: it runs the attempts of a call, asks :mod:`._retry` whether a failed attempt may be
repeated, waits with the settings' back-off, turns an answer that does not fit the contract
into :class:`~inkorg_riv.errors.UnexpectedResponseError`, recognises a duplicate AddMessage,
and writes the call's log lines through :mod:`._observe`. Holds no per-call state: one caller
serves every thread of a client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from ..contracts import Operation
from ..envelope import (
    CORRELATION_HEADER,
    ResultCode,
    ResultInfo,
    build_request,
    parse_response,
)
from ..errors import (
    BindingError,
    ConfigurationError,
    DuplicateMessageError,
    InkorgError,
    Outcome,
    ResultCodeError,
    UnexpectedResponseError,
    ValidationError,
)
from ..settings import ClientSettings
from ..transport import HttpRequest, Timeouts, Transport
from ..validation import Validator
from . import _observe
from ._result import CallResult
from ._retry import RateLimiter, call_outcome, describe, may_retry

PRT_HEADER = "x-skltp-prt"
"""The platform's header with the producer's response time in milliseconds."""

_URLS = 256


class Caller:
    """Runs calls for one client: settings, transport, validator and rate limiter."""

    def __init__(
        self,
        settings: ClientSettings,
        transport: Transport,
        validator: Validator,
        *,
        consumer: str | None,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.validator = validator
        self.consumer_hsa_id = consumer
        self.timeouts = Timeouts(connect=settings.connect_timeout, read=settings.read_timeout)
        self.limiter = RateLimiter(settings.rate_limit) if settings.rate_limit else None
        self.closed = False
        self._urls: dict[int, tuple[Operation, str]] = {}

    def run(
        self,
        op: Operation,
        build: Callable[[], etree._Element | bytes],
        *,
        decode: Callable[[etree._Element], Any],
        logical_address: str | None,
        resend_unknown: bool,
        read_only: bool,
        correlation_id: str | None = None,
        message_id: str | None = None,
    ) -> CallResult[Any]:
        """Run one call: ``build`` makes the request (an element, or serialized by
        :func:`~inkorg_riv.codec.encode_bytes`), ``decode`` reads the response element.

        ``resend_unknown`` allows resending after an unknown outcome; ``read_only`` says the
        call changes nothing (a resend of it is never ambiguous). Raises the last attempt's
        error (:class:`~inkorg_riv.errors.DuplicateMessageError` for a known AddMessage).
        """
        started = time.perf_counter()
        address = logical_address if logical_address is not None else self.settings.logical_address
        cid = correlation_id
        errors: list[InkorgError] = []
        policy = self.settings.retry
        try:
            if self.closed:
                raise ConfigurationError("the client is closed; make a new InkorgClient")
            payload = build()
            if self.settings.validate_requests:
                self.validator.validate(payload, op)  # bytes are parsed once, for this
            soap = build_request(
                op,
                payload,
                logical_address=address,
                correlation_id=correlation_id,
                acting_on_behalf_of=self.settings.acting_on_behalf_of,
            )
            cid = soap.correlation_id
            http = HttpRequest(url=self._url(op), body=soap.body, headers=soap.http_headers)
            _observe.debug_body("request", op.name, cid, soap.body)
            while True:
                if self.limiter is not None:
                    self.limiter.acquire()
                try:
                    answer = self._attempt(op, http, cid, address, decode)
                    break
                except InkorgError as exc:
                    _fill(exc, op.name, cid)
                    errors.append(exc)
                    if len(errors) >= policy.max_attempts or not may_retry(
                        exc, resend_unknown=resend_unknown
                    ):
                        raise
                    delay = policy.delay(len(errors))
                    _observe.retry_line(
                        operation=op.name, attempt=len(errors), max_attempts=policy.max_attempts,
                        reason=describe(exc), delay=delay, cid=cid,
                    )  # fmt: skip
                    policy.sleep(delay)
        except InkorgError as exc:
            final = self._final_error(exc, errors, op.name, message_id)
            _observe.call_line(
                operation=op.name, logical_address=address, outcome=describe(final),
                elapsed=time.perf_counter() - started, attempts=len(errors), correlation_id=cid,
            )  # fmt: skip
            if final is exc:
                raise
            raise final from exc
        value, parsed_result, payload, response_cid, prt = answer
        ambiguous = (
            bool(errors)
            and not read_only
            and any(e.outcome is Outcome.UNKNOWN for e in errors)
        )
        result: CallResult[Any] = CallResult(
            response=value,
            operation=op.name,
            logical_address=address,
            correlation_id=response_cid,
            producer_response_time_ms=prt,
            elapsed=time.perf_counter() - started,
            attempts=len(errors) + 1,
            result=parsed_result,
            ambiguous=ambiguous,
            earlier_errors=tuple(errors) if errors else (),
            payload=payload,
        )
        if parsed_result is None:
            code = "OK"
        else:
            code = parsed_result.code._value_  # .value is an enum property: a Python-level call
            if parsed_result.code is ResultCode.INFO:
                _observe.info_line(
                    operation=op.name, logical_address=address, text=parsed_result.text or "",
                    cid=response_cid,
                )  # fmt: skip
        if ambiguous:
            _observe.ambiguous_line(
                operation=op.name, attempts=result.attempts, cid=response_cid
            )
        _observe.call_line(
            operation=op.name, logical_address=address, outcome=code, elapsed=result.elapsed,
            attempts=result.attempts, correlation_id=response_cid,
        )  # fmt: skip
        return result

    def _attempt(
        self,
        op: Operation,
        http: HttpRequest,
        cid: str,
        address: str,
        decode: Callable[[etree._Element], Any],
    ) -> tuple[Any, ResultInfo | None, etree._Element, str, int | None]:
        response = self.transport.send(http, timeouts=self.timeouts)
        answer_cid = response.headers.get(CORRELATION_HEADER) or cid
        _observe.debug_body("response", op.name, answer_cid, response.body)
        parsed = parse_response(
            op,
            status=response.status,
            content_type=response.headers.get("content-type"),
            body=response.body,
            correlation_id=answer_cid,
            logical_address=address,
            consumer=self.consumer_hsa_id,
        )
        try:
            if self.settings.validate_responses:
                self.validator.validate(parsed.payload, op, rules=False)
            value = decode(parsed.payload)
        except (ValidationError, BindingError) as exc:
            raise UnexpectedResponseError(
                "wrong-body",
                http_status=response.status,
                content_type=response.headers.get("content-type"),
                reason=f"the response does not follow the contract: {exc}",
                operation=op.name,
                logical_address=address,
                correlation_id=answer_cid,
            ) from exc
        return value, parsed.result, parsed.payload, answer_cid, _prt(response.headers)

    def _final_error(
        self, error: InkorgError, errors: list[InkorgError], operation: str, message_id: str | None
    ) -> InkorgError:
        """The error to raise for a call that ended in ``error`` (``errors`` holds every
        failed attempt, ``error`` last, or nothing when it failed before sending)."""
        earlier = errors[:-1] if errors and errors[-1] is error else errors
        if (
            isinstance(error, ResultCodeError)
            and operation == "AddMessage"
            and self._is_duplicate(error.result_text)
        ):
            return DuplicateMessageError(
                error.result_text,
                message_id=message_id,
                first_outcome=earlier[0].outcome if earlier else None,
                attempts=len(errors),
                operation=operation,
                logical_address=error.logical_address,
                correlation_id=error.correlation_id,
            )
        outcome = call_outcome(error, earlier)
        if outcome is not error.outcome:
            first = next(e for e in earlier if e.outcome is Outcome.UNKNOWN)
            error.outcome = outcome
            error.add_note(
                f"the outcome of the call is unknown: an earlier attempt ({describe(first)}) "
                "may have been carried out"
            )
        return error

    def _is_duplicate(self, text: str | None) -> bool:
        folded = (text or "").casefold()
        return any(marker in folded for marker in self.settings.duplicate_markers)

    def _url(self, op: Operation) -> str:
        # Keyed by the operation object (identity), which the entry keeps alive: building the
        # qualified name to look the URL up cost more than the lookup.
        found = self._urls.get(id(op))
        if found is not None and found[0] is op:
            return found[1]
        url = self.settings.endpoint(
            domain=op.domain, contract=op.contract, major=op.major, profile=op.profile.value
        )
        if len(self._urls) >= _URLS:
            self._urls.clear()
        self._urls[id(op)] = (op, url)
        return url


def _fill(error: InkorgError, operation: str, cid: str) -> None:
    """Name the operation and correlation id in a transport error that lacks them."""
    if error.operation is None:
        error.operation = operation
    if getattr(error, "correlation_id", "") is None:
        error.correlation_id = cid  # type: ignore[attr-defined]  # TransportError/ServiceError


def _prt(headers: Mapping[str, str]) -> int | None:
    raw = headers.get(PRT_HEADER)
    if raw is None:
        return None
    try:
        return round(float(raw))
    except ValueError:
        return None


__all__ = ["PRT_HEADER", "Caller"]
