"""The simulator's TAK-like configuration: routes, authorisations, limits and injected faults.

Owns :class:`SimulatorConfig` (frozen, keyword-only) and its two sources: Python
(:meth:`SimulatorConfig.default`, :func:`dataclasses.replace`) and a TOML file
(:meth:`SimulatorConfig.from_toml`). A contract is named by its responder namespace -- the
namespace of the first Body element, which is what the platform routes on -- or, for
convenience, by the name of an operation in the bundled package (``AddMessage``), or ``*`` for
every bundled contract. The TOML form::

    platform_name = "INKORG-SIM"
    producer_timeout = 29.0        # seconds before VP009
    socket_timeout = 10.0          # per connection, for slow or half-sent requests
    max_body_bytes = 15728640      # larger requests are refused with VP015
    intermediaries = []            # HSA-ids allowed to send x-rivta-original-serviceconsumer-hsaid

    [[route]]
    logical_address = "SE2321000016-INKORG"
    contracts = ["*"]
    producer = "inkorg"            # the only producer there is: the built-in 1177 Inkorg

    [[authorisation]]
    consumer = "SE2321000016-SIMCONSUMER"
    logical_address = "SE2321000016-INKORG"
    contracts = ["*"]

    [[injection]]                  # see inkorg_riv.simulator.injection for the kinds
    kind = "latency"
    ms = 250
    contract = "AddMessage"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._ns import PATIENTPORTAL_DOMAIN
from ..contracts import bundled_package
from ..errors import ConfigurationError
from .injection import InjectionRule

INKORG_PRODUCER = "inkorg"
"""The one producer the simulator has: the built-in 1177 Inkorg."""
DEFAULT_LOGICAL_ADDRESS = "SE2321000016-INKORG"
"""The simulator's default logical address of 1177 Inkorg (the real one is configuration)."""
DEFAULT_PLATFORM_NAME = "INKORG-SIM"
MIB = 1024 * 1024
_PROFILES = ("rivtabp21", "rivtabp20")


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """TAK: calls for ``contract`` at ``logical_address`` go to ``producer``."""

    logical_address: str
    contract: str
    """The responder namespace (``urn:...:AddMessageResponder:2``)."""
    producer: str = INKORG_PRODUCER
    profile: str = "rivtabp21"
    """The RIV profile the producer is registered with (a wsa:To call to it gives VP005)."""

    def __post_init__(self) -> None:
        _require_text("route logical_address", self.logical_address)
        _require_text("route contract", self.contract)
        if self.producer != INKORG_PRODUCER:
            raise ConfigurationError(
                f"route to unknown producer {self.producer!r}: the simulator only has "
                f"{INKORG_PRODUCER!r}"
            )
        if self.profile not in _PROFILES:
            raise ConfigurationError(f"route profile must be one of {_PROFILES}: {self.profile!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Authorisation:
    """TAK: ``consumer`` (an HSA-id) may call ``contract`` at ``logical_address``."""

    consumer: str
    contract: str
    logical_address: str

    def __post_init__(self) -> None:
        _require_text("authorisation consumer", self.consumer)
        _require_text("authorisation contract", self.contract)
        _require_text("authorisation logical_address", self.logical_address)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorConfig:
    """Everything the simulated platform decides by. Frozen: change it with ``replace``."""

    platform_name: str = DEFAULT_PLATFORM_NAME
    """Written into every VP fault: ``"VP007 [INKORG-SIM] ..."``."""
    routes: tuple[Route, ...] = ()
    authorisations: tuple[Authorisation, ...] = ()
    intermediaries: tuple[str, ...] = ()
    """HSA-ids of regional platforms that may send ``x-rivta-original-serviceconsumer-hsaid``
    (any other consumer gets VP013); their calls are authorised as the original consumer."""
    injections: tuple[InjectionRule, ...] = ()
    max_body_bytes: int = 15 * MIB
    producer_timeout: float = 29.0
    socket_timeout: float = 10.0
    """Seconds a connection may stay silent (TLS handshake, headers, body, idle keep-alive)."""
    max_concurrent_requests: int = 64
    """More requests in progress at once are refused with VP012."""
    inbox_http_port: int | None = None
    """Also serve the inbox web view over plain HTTP on 127.0.0.1 at this port (0: any free
    port), for browsers that hold no client certificate. None: only over HTTPS."""

    def __post_init__(self) -> None:
        _require_text("platform_name", self.platform_name)
        for name in ("producer_timeout", "socket_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigurationError(f"{name} must be a positive number of seconds: {value!r}")
        for name in ("max_body_bytes", "max_concurrent_requests"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name} must be a positive integer: {value!r}")
        port = self.inbox_http_port
        if port is not None and (isinstance(port, bool) or not 0 <= port <= 65535):
            raise ConfigurationError(f"inbox_http_port must be 0-65535: {port!r}")

    @classmethod
    def default(
        cls,
        *,
        consumer_hsa_id: str | Sequence[str],
        logical_address: str = DEFAULT_LOGICAL_ADDRESS,
        **settings: Any,
    ) -> SimulatorConfig:
        """Route every bundled patientportal 2.0 contract at ``logical_address`` to the inbox
        and authorise ``consumer_hsa_id`` (one HSA-id or several) for all of them.
        ``settings`` sets any other field (``producer_timeout=1.0``)."""
        consumers = [consumer_hsa_id] if isinstance(consumer_hsa_id, str) else consumer_hsa_id
        contracts = patientportal_contracts()
        routes = tuple(Route(logical_address=logical_address, contract=c) for c in contracts)
        grants = tuple(
            Authorisation(consumer=who, contract=c, logical_address=logical_address)
            for who in consumers
            for c in contracts
        )
        return cls(routes=routes, authorisations=grants, **settings)

    @classmethod
    def from_toml(cls, path: str | Path, **settings: Any) -> SimulatorConfig:
        """Load a TOML file (see the module docstring); ``settings`` override its values."""
        location = Path(path)
        try:
            data = tomllib.loads(location.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{location}: not valid TOML: {exc}") from exc
        try:
            return cls.from_mapping(data, **settings)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{location}: {exc}") from exc

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], **settings: Any) -> SimulatorConfig:
        """Build from parsed TOML (tables ``route``, ``authorisation``, ``injection``)."""
        simple = {
            "platform_name", "producer_timeout", "socket_timeout", "max_body_bytes",
            "max_concurrent_requests", "inbox_http_port", "intermediaries",
        }  # fmt: skip
        unknown = sorted(set(data) - simple - {"route", "authorisation", "injection"})
        if unknown:
            raise ConfigurationError(f"unknown settings {unknown}")
        values: dict[str, Any] = {key: data[key] for key in simple if key in data}
        if "intermediaries" in values:
            values["intermediaries"] = tuple(_strings("intermediaries", values["intermediaries"]))
        routes: list[Route] = []
        for table in _tables(data, "route"):
            _only(table, "route", {"logical_address", "contract", "contracts", "producer",
                                   "profile"})  # fmt: skip
            for contract in _contracts_of(table, "route"):
                routes.append(
                    Route(
                        logical_address=str(table.get("logical_address", "")),
                        contract=contract,
                        producer=str(table.get("producer", INKORG_PRODUCER)),
                        profile=str(table.get("profile", "rivtabp21")),
                    )
                )
        grants: list[Authorisation] = []
        for table in _tables(data, "authorisation"):
            _only(table, "authorisation", {"consumer", "contract", "contracts", "logical_address"})
            for contract in _contracts_of(table, "authorisation"):
                grants.append(
                    Authorisation(
                        consumer=str(table.get("consumer", "")),
                        contract=contract,
                        logical_address=str(table.get("logical_address", "")),
                    )
                )
        rules = [_resolved_rule(InjectionRule.from_mapping(t)) for t in _tables(data, "injection")]
        values.update(routes=tuple(routes), authorisations=tuple(grants), injections=tuple(rules))
        values.update(settings)
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigurationError(str(exc)) from exc


def patientportal_contracts() -> tuple[str, ...]:
    """The responder namespaces of the bundled patientportal 2.0 contracts."""
    package = bundled_package()
    ops = [op for op in package.operations if op.domain == PATIENTPORTAL_DOMAIN]
    return tuple(sorted({op.responder_namespace for op in ops}))


def resolve_contract(name: str) -> tuple[str, ...]:
    """A contract as namespaces: a namespace stays itself, an operation name of the bundled
    package becomes its responder namespace, ``*`` every bundled contract."""
    if name == "*":
        return patientportal_contracts()
    if ":" in name:
        return (name,)
    package = bundled_package()
    found = {op.responder_namespace for op in package.operations if op.name == name}
    if not found:
        known = ", ".join(sorted({op.name for op in package.operations}))
        raise ConfigurationError(
            f"unknown contract {name!r}: give a responder namespace or one of {known}, or *"
        )
    return tuple(sorted(found))


def _resolved_rule(rule: InjectionRule) -> InjectionRule:
    if rule.contract is None or ":" in rule.contract:
        return rule
    resolve_contract(rule.contract)  # an operation name: check it exists, matching uses it as is
    return rule


def _contracts_of(table: Mapping[str, Any], what: str) -> list[str]:
    if "contract" in table and "contracts" in table:
        raise ConfigurationError(f"{what}: give contract or contracts, not both")
    raw = table.get("contracts", table.get("contract"))
    if raw is None:
        raise ConfigurationError(f"{what}: contract or contracts is required")
    names = [raw] if isinstance(raw, str) else _strings(f"{what} contracts", raw)
    return [ns for name in names for ns in resolve_contract(name)]


def _tables(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(t, Mapping) for t in raw):
        raise ConfigurationError(f"{key} must be an array of tables ([[{key}]])")
    return raw


def _only(table: Mapping[str, Any], what: str, known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigurationError(f"{what}: unknown keys {unknown}; known {sorted(known)}")


def _strings(what: str, raw: Any) -> list[str]:
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes):
        raise ConfigurationError(f"{what} must be a list of strings")
    items = list(raw)
    if not all(isinstance(item, str) for item in items):
        raise ConfigurationError(f"{what} must be a list of strings")
    return items


def _require_text(what: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigurationError(f"{what} must be a non-empty string, no outer spaces: {value!r}")


__all__ = [
    "DEFAULT_LOGICAL_ADDRESS",
    "DEFAULT_PLATFORM_NAME",
    "INKORG_PRODUCER",
    "Authorisation",
    "Route",
    "SimulatorConfig",
    "patientportal_contracts",
    "resolve_contract",
]
