"""One call through the simulated platform, from the bytes received to the answer to send.

Owns the order in which VP decides (certificate, Content-Type, envelope, route, authorisation),
the producer side around the 1177 Inkorg producer (schema validation, injected faults, the
producer timeout, producer faults) and the shape of every answer. Knows nothing about sockets:
the HTTP server hands in a :class:`Call` and writes out the :class:`Answer`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, replace
from typing import Protocol

from lxml import etree

from .._log import get_logger, redact
from ..contracts import ComplexType, ContractPackage, Element, Group, Operation
from ..envelope import build_fault_response, build_response, build_vp_fault_response
from ..validation import DEFAULT_RULES, Validator
from .config import SimulatorConfig
from .injection import HTML_500, InjectionRule, Injections, malformed_body, with_result_code
from .producer import ProducerFault
from .tak import Addressed, Refusal, Tak, read_request

XML_CONTENT_TYPE = "text/xml; charset=UTF-8"
_log = get_logger("simulator")
_MAX_ISSUES = 20


class Producer(Protocol):
    """What the platform routes to (the built-in :class:`~.producer.InboxProducer`)."""

    def handle(self, operation: Operation, request: etree._Element) -> etree._Element:
        """Answer ``request`` with the response root element, or raise ``ProducerFault``."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """A request as received: who sent it (certificate HSA-id), its headers and body."""

    consumer: str | None
    content_type: str | None
    body: bytes
    original_consumer: str | None = None
    """The ``x-rivta-original-serviceconsumer-hsaid`` header, when sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Where:
    """What a call was about, for the log line (each part None until known)."""

    operation: str | None = None
    logical_address: str | None = None
    consumer: str | None = None


NOWHERE = Where()


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """What to send back, and what to log about it."""

    status: int
    body: bytes = b""
    content_type: str = XML_CONTENT_TYPE
    outcome: str
    """For the log: ``OK``, ``VP007``, ``fault Client``, ``injected reset``..."""
    where: Where = NOWHERE
    producer_ms: int | None = None
    """The producer's response time (``x-skltp-prt``); None when it was not called."""
    reset: bool = False
    """Drop the connection instead of answering."""


def vp_answer(
    config: SimulatorConfig,
    code: str,
    detail: str,
    where: Where = NOWHERE,
    *,
    outcome: str | None = None,
) -> Answer:
    """The platform's fault for ``code``: HTTP 500, SOAP 1.1 Fault, ``VPnnn [name] text``."""
    body = build_vp_fault_response(code, platform_name=config.platform_name, detail=detail)
    return Answer(status=500, body=body, outcome=outcome or code, where=where)


def producer_fault(code: str, text: str, where: Where, *, detail: str | None = None) -> Answer:
    """A producer's SOAP fault (no VP code): HTTP 500, ``soapenv:Client`` or ``Server``."""
    body = build_fault_response(code, text, detail=detail)
    return Answer(status=500, body=body, outcome=f"fault {code}", where=where)


class Platform:
    """The simulated VP in front of one producer. Thread-safe; one per simulator."""

    def __init__(
        self,
        config: SimulatorConfig,
        producer: Producer,
        *,
        stop: threading.Event,
        validator: Validator | None = None,
    ) -> None:
        self.config = config
        self.producer = producer
        self.tak = Tak(config)
        self.injections = Injections(config.injections)
        # Like the real inbox, the producer takes a body outside the DocBook subset (it is a
        # schema-valid string) and shows the citizen "Mismatched Element in Source" instead:
        # the simulator keeps every other rule but not the body rule, so that an integrator
        # who turned client-side validation off sees what 1177 would show.
        self.validator = validator or Validator(
            rules=[rule for rule in DEFAULT_RULES if rule.name != "docbook-body"]
        )
        self._stop = stop
        self._slots = threading.BoundedSemaphore(config.max_concurrent_requests)
        self._results = _result_code_responses(self.validator.package)

    def handle(self, call: Call) -> Answer:
        """Decide the answer to ``call``. Never raises: surprises become VP009."""
        where = Where(consumer=call.consumer)
        if not self._slots.acquire(blocking=False):
            limit = self.config.max_concurrent_requests
            return vp_answer(self.config, "VP012", f"more than {limit} requests in progress", where)
        try:
            return self._handle(call)
        except Exception as exc:  # noqa: BLE001  (the platform never crashes: log and answer)
            _log.exception("simulator: internal error, answering VP009")
            detail = f"internal simulator error ({type(exc).__name__}); the outcome is unknown"
            return vp_answer(self.config, "VP009", detail, where)
        finally:
            self._slots.release()

    def _handle(self, call: Call) -> Answer:
        request: Addressed | None = None
        try:
            consumer = self.tak.consumer(call.consumer, call.original_consumer)
            _check_content_type(call.content_type)
            request = read_request(call.body)
            self.tak.route(request)
            self.tak.authorise(consumer, request)
        except Refusal as refusal:
            address = request.logical_address if request is not None else None
            where = Where(logical_address=address, consumer=call.consumer)
            return vp_answer(self.config, refusal.code, refusal.detail, where)
        return self._produce(request, consumer)

    def _produce(self, request: Addressed, consumer: str) -> Answer:
        where = Where(logical_address=request.logical_address, consumer=consumer)
        tag = str(request.payload.tag)
        operation = self.validator.package.operation_for_element(tag)
        if operation is None or operation.request_element != tag:
            text = f"Unknown operation: {tag} is not a request the producer implements"
            return producer_fault("Client", text, where)
        where = replace(where, operation=operation.name)
        issues = list(self.validator.iter_issues(request.payload, operation))
        if issues:
            shown = [redact(str(issue)) for issue in issues[:_MAX_ISSUES]]
            if len(issues) > len(shown):
                shown.append(f"... and {len(issues) - len(shown)} more")
            count = f"{len(issues)} issue{'s' if len(issues) != 1 else ''}"
            text = f"Invalid request: {operation.name} does not follow the contract ({count})"
            answer = producer_fault("Client", text, where, detail="\n".join(shown))
            return replace(answer, outcome="fault Client (invalid request)")
        has_result = self._results.get(operation.name, False)
        picked = self.injections.pick(
            request.logical_address, request.namespace, operation.name, has_result=has_result
        )
        return self._call_producer(operation, request.payload, picked.delay_ms, picked.rule, where)

    def _call_producer(
        self,
        operation: Operation,
        payload: etree._Element,
        delay_ms: int,
        rule: InjectionRule | None,
        where: Where,
    ) -> Answer:
        timeout = self.config.producer_timeout
        kind = rule.kind if rule is not None else None
        if kind == "timeout" or delay_ms / 1000 >= timeout:
            if rule is None or kind != "timeout" or rule.reaches_producer:
                self._invoke_and_forget(operation, payload)
            self._stop.wait(timeout)
            detail = f"the producer did not answer within {timeout:g} s (timeout)"
            outcome = "VP009 (injected timeout)" if kind == "timeout" else "VP009 (latency)"
            return vp_answer(self.config, "VP009", detail, where, outcome=outcome)
        if rule is not None and kind in ("reset", "http500", "malformed", "vp_code"):
            if rule.reaches_producer:
                self._invoke_and_forget(operation, payload)
            return self._injected(rule, operation, where)
        started = time.monotonic()
        if delay_ms:
            self._stop.wait(delay_ms / 1000)
        if rule is not None and rule.result_code == "ERROR":
            response = with_result_code(operation.response_element, "ERROR", rule.text, None)
        else:
            try:
                response = self._invoke(operation, payload)
            except ProducerFault as fault:
                code = fault.faultcode.rpartition(":")[2] or "Server"
                return producer_fault(code, fault.faultstring, where)
            if rule is not None:
                response = with_result_code(operation.response_element, "INFO", rule.text, response)
        elapsed_ms = int((time.monotonic() - started) * 1000)
        if elapsed_ms / 1000 > timeout:
            detail = f"the producer answered after {elapsed_ms} ms, past the {timeout:g} s timeout"
            return vp_answer(self.config, "VP009", detail, where)
        outcome = "OK" if rule is None else f"OK (injected resultCode {rule.result_code})"
        body = build_response(response)
        return Answer(status=200, body=body, outcome=outcome, where=where, producer_ms=elapsed_ms)

    def _invoke(self, operation: Operation, payload: etree._Element) -> etree._Element:
        try:
            return self.producer.handle(operation, payload)
        except ProducerFault:
            raise
        except Exception as exc:  # a producer bug becomes a producer fault
            _log.exception("simulator: the inbox producer failed on %s", operation.name)
            raise ProducerFault(
                "Server", f"Internal error in the inbox producer ({type(exc).__name__})"
            ) from exc

    def _invoke_and_forget(self, operation: Operation, payload: etree._Element) -> None:
        """Let the producer act although its answer will be lost (outcome unknown)."""
        with contextlib.suppress(ProducerFault):
            self._invoke(operation, payload)

    def _injected(self, rule: InjectionRule, operation: Operation, where: Where) -> Answer:
        outcome = f"injected {rule.kind}"
        if rule.kind == "reset":
            return Answer(status=0, reset=True, outcome=outcome, where=where)
        if rule.kind == "http500":
            page = rule.text.encode("utf-8") if rule.text is not None else HTML_500
            html = "text/html; charset=UTF-8"
            return Answer(status=500, body=page, content_type=html, outcome=outcome, where=where)
        if rule.kind == "malformed":
            body = malformed_body(operation.response_element)
            return Answer(status=200, body=body, outcome=outcome, where=where)
        code = rule.vp_code or "VP009"
        detail = rule.text or f"injected {code} (simulator fault injection)"
        return vp_answer(self.config, code, detail, where, outcome=f"{outcome} {code}")


def _check_content_type(value: str | None) -> None:
    media = (value or "").split(";", 1)[0].strip().lower()
    if media == "text/xml":
        return
    if media == "application/soap+xml":
        raise Refusal("VP015", "SOAP 1.2 (application/soap+xml) is not supported: send text/xml")
    shown = value if value else "none"
    raise Refusal("VP015", f"Content-Type must be text/xml (SOAP 1.1), got {shown!r}")


def _result_code_responses(package: ContractPackage) -> dict[str, bool]:
    """Which operations answer a ``resultCode`` (update services), by operation name."""
    found: dict[str, bool] = {}
    types = package.types
    for op in package.operations:
        element = types.elements.get(op.response_element)
        has = False
        if element is not None:
            try:
                ctype = types.type_of(element)
            except KeyError:
                ctype = None
            if isinstance(ctype, ComplexType):
                has = any(_names_result_code(p) for p in types.effective_particles(ctype))
        found[op.name] = found.get(op.name, False) or has
    return found


def _names_result_code(particle: object) -> bool:
    if isinstance(particle, Group):
        return any(_names_result_code(item) for item in particle.items)
    return isinstance(particle, Element) and particle.name.endswith("}resultCode")


__all__ = [
    "XML_CONTENT_TYPE",
    "Answer",
    "Call",
    "Platform",
    "Producer",
    "Where",
    "producer_fault",
    "vp_answer",
]
