"""Fault injection for the simulator: rules, their runtime bookkeeping, and the answers they make.

Owns :class:`InjectionRule` (what to break, where, how many times), :class:`Injections` (the
thread-safe set a running simulator consults for every routed, valid request) and the bodies an
injected answer carries. Kinds:

``latency``      wait ``latency_ms`` before the producer answers (past the producer timeout: VP009)
``timeout``      wait the whole producer timeout, then answer VP009
``reset``        read the request, then drop the connection (TCP RST, no answer)
``http500``      HTTP 500 with an HTML page (``text`` replaces it), no SOAP
``malformed``    HTTP 200 whose XML breaks off in the middle
``vp_code``      the platform fault ``vp_code`` (``text``: the English detail)
``result_code``  an update service answers ``resultCode`` ERROR or INFO with ``text``

``reaches_producer`` says whether the producer handles the request before the answer is lost
(``timeout``, ``reset``, ``http500``, ``malformed``, ``vp_code``): True makes the "outcome
unknown" case real, the message is in the inbox although the client got no answer. ``times``
limits a rule to the next N matching calls, so that clients can test their retries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from lxml import etree

from ..errors import ConfigurationError
from ..faults import lookup

InjectionKind = Literal[
    "latency", "timeout", "reset", "http500", "malformed", "vp_code", "result_code"
]
KINDS: tuple[str, ...] = get_args(InjectionKind)

HTML_500 = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1><p>The proxy could not complete the request.</p>"
    b"</body></html>\n"
)
"""The page an ``http500`` rule answers with (what a load balancer in the way might send)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectionRule:
    """One fault to inject. ``logical_address``/``contract`` None match every route.

    ``contract`` is a responder namespace (the namespace of the request's first Body element)
    or an operation name (``AddMessage``). Build rules with the class methods:
    ``InjectionRule.vp("VP007", times=1)``.
    """

    kind: InjectionKind
    logical_address: str | None = None
    contract: str | None = None
    times: int | None = None
    """Apply to the next ``times`` matching calls only (None: every call)."""
    latency_ms: int = 0
    vp_code: str | None = None
    result_code: Literal["ERROR", "INFO"] | None = None
    text: str | None = None
    reaches_producer: bool = False

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.kind not in KINDS:
            problems.append(f"unknown kind {self.kind!r} (known: {', '.join(KINDS)})")
        if self.times is not None and (isinstance(self.times, bool) or self.times < 1):
            problems.append(f"times must be 1 or more, got {self.times!r}")
        if self.latency_ms < 0:
            problems.append(f"latency_ms must not be negative, got {self.latency_ms}")
        if self.kind == "latency" and self.latency_ms == 0:
            problems.append("a latency rule needs latency_ms > 0")
        if self.kind == "vp_code" and (self.vp_code is None or lookup(self.vp_code) is None):
            problems.append(f"vp_code must be one of VP001-VP015, got {self.vp_code!r}")
        if self.kind == "result_code" and self.result_code not in ("ERROR", "INFO"):
            problems.append(f"result_code must be ERROR or INFO, got {self.result_code!r}")
        if problems:
            raise ConfigurationError(f"injection rule {self.kind}: {'; '.join(problems)}")

    # -- builders

    @classmethod
    def latency(cls, ms: int, **where: Any) -> InjectionRule:
        """Delay the producer's answer by ``ms`` milliseconds."""
        return cls(kind="latency", latency_ms=ms, **where)

    @classmethod
    def timeout(cls, **where: Any) -> InjectionRule:
        """The producer does not answer in time: VP009 after the producer timeout."""
        return cls(kind="timeout", **where)

    @classmethod
    def reset(cls, **where: Any) -> InjectionRule:
        """Drop the connection after reading the request."""
        return cls(kind="reset", **where)

    @classmethod
    def http500(cls, **where: Any) -> InjectionRule:
        """HTTP 500 with an HTML page instead of SOAP."""
        return cls(kind="http500", **where)

    @classmethod
    def malformed(cls, **where: Any) -> InjectionRule:
        """HTTP 200 with broken XML."""
        return cls(kind="malformed", **where)

    @classmethod
    def vp(cls, code: str, **where: Any) -> InjectionRule:
        """Answer the platform fault ``code`` (``"VP007"``)."""
        return cls(kind="vp_code", vp_code=code, **where)

    @classmethod
    def result(cls, code: Literal["ERROR", "INFO"], text: str, **where: Any) -> InjectionRule:
        """An update service answers ``resultCode`` ``code`` with ``resultText`` ``text``."""
        return cls(kind="result_code", result_code=code, text=text, **where)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> InjectionRule:
        """A rule from a TOML table: ``kind`` plus ``logical_address``, ``contract``,
        ``times``, ``ms``, ``code`` (VP or result code), ``text``, ``reaches_producer``."""
        known = {"kind", "logical_address", "contract", "times", "ms", "code", "text",
                 "reaches_producer"}  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigurationError(
                f"injection rule: unknown keys {unknown}; known {sorted(known)}"
            )
        kind: Any = data.get("kind")  # checked in __post_init__
        code = data.get("code")
        try:
            return cls(
                kind=kind,
                logical_address=data.get("logical_address"),
                contract=data.get("contract"),
                times=data.get("times"),
                latency_ms=int(data.get("ms", 0)),
                vp_code=code if kind == "vp_code" else None,
                result_code=code if kind == "result_code" else None,
                text=data.get("text"),
                reaches_producer=bool(data.get("reaches_producer", False)),
            )
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"injection rule {kind!r}: {exc}") from exc

    def matches(self, logical_address: str, namespace: str, operation: str | None) -> bool:
        """Whether the rule applies to a call at ``logical_address`` for this contract."""
        if (
            self.logical_address is not None
            and self.logical_address.casefold() != logical_address.casefold()
        ):
            return False
        return self.contract is None or self.contract in (namespace, operation)


@dataclass(frozen=True, slots=True)
class Picked:
    """What to inject into one call: a total delay and at most one other fault."""

    delay_ms: int = 0
    rule: InjectionRule | None = None


class Injections:
    """The rules of a running simulator. Thread-safe; ``times`` counts down as rules fire."""

    def __init__(self, rules: Iterable[InjectionRule] = ()) -> None:
        self._lock = threading.Lock()
        self._rules: list[list[Any]] = [[rule, rule.times] for rule in rules]

    def add(self, rule: InjectionRule) -> None:
        """Apply ``rule`` to the following calls (after the rules added before it)."""
        with self._lock:
            self._rules.append([rule, rule.times])

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def active(self) -> tuple[InjectionRule, ...]:
        """The rules that still apply."""
        with self._lock:
            return tuple(entry[0] for entry in self._rules)

    def pick(
        self, logical_address: str, namespace: str, operation: str | None, *, has_result: bool
    ) -> Picked:
        """Choose the faults for one call: every matching ``latency`` rule adds its delay;
        the first other matching rule (``result_code`` only for services with a resultCode)
        is returned. Each chosen rule uses up one of its ``times``."""
        delay = 0
        chosen: InjectionRule | None = None
        with self._lock:
            for entry in self._rules:
                rule: InjectionRule = entry[0]
                if not rule.matches(logical_address, namespace, operation):
                    continue
                if rule.kind == "latency":
                    delay += rule.latency_ms
                elif chosen is None and (rule.kind != "result_code" or has_result):
                    chosen = rule
                else:
                    continue
                if entry[1] is not None:
                    entry[1] -= 1
            self._rules = [e for e in self._rules if e[1] is None or e[1] > 0]
        return Picked(delay, chosen)


def malformed_body(response_element: str) -> bytes:
    """A response that starts like SOAP and breaks off inside the payload."""
    namespace, _, local = response_element[1:].partition("}")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<soapenv:Header/><soapenv:Body>"
        + f'<{local} xmlns="{namespace}"><resultCode>OK</result'.encode()
    )


def with_result_code(
    response_element: str, code: str, text: str | None, produced: etree._Element | None
) -> etree._Element:
    """``produced`` (or a new empty response) with ``resultCode`` = ``code`` and ``resultText``.

    ``resultText`` is placed right after ``resultCode`` (the order of the RIV result pattern).
    """
    namespace = response_element[1:].partition("}")[0]
    root = produced if produced is not None else etree.Element(response_element)
    code_el = root.find(f"{{{namespace}}}resultCode")
    if code_el is None:
        code_el = etree.SubElement(root, f"{{{namespace}}}resultCode")
    code_el.text = code
    text_el = root.find(f"{{{namespace}}}resultText")
    if text is not None:
        if text_el is None:
            text_el = etree.Element(f"{{{namespace}}}resultText")
            code_el.addnext(text_el)
        text_el.text = text
    return root


__all__ = [
    "HTML_500",
    "KINDS",
    "InjectionKind",
    "InjectionRule",
    "Injections",
    "Picked",
    "malformed_body",
    "with_result_code",
]
