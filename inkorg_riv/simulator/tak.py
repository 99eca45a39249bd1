"""The platform's routing decisions, as NTjP's VP makes them (pure: no sockets, no clock).

Owns reading what VP routes on out of a request -- the SOAP 1.1 envelope, the logical address
(``LogicalAddress`` for RIVTABP21, ``wsa:To`` for RIVTABP20) and the namespace of the first
Body element -- and the TAK look-ups: route (VP004, VP005) and consumer authorisation (VP007).
Every refusal is a :class:`Refusal` carrying the VP code and an English detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .._ns import RIV_REGISTRY, SOAP11_ENV, WSA, WSA_2004, clark
from .._xmlparse import parse_bytes
from ..errors import XmlInputError
from .config import Route, SimulatorConfig

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
_ENVELOPE = clark(SOAP11_ENV, "Envelope")
_HEADER = clark(SOAP11_ENV, "Header")
_BODY = clark(SOAP11_ENV, "Body")
_LOGICAL_ADDRESS = clark(RIV_REGISTRY, "LogicalAddress")
_WSA_TO = (clark(WSA, "To"), clark(WSA_2004, "To"))


class Refusal(Exception):  # noqa: N818  (a decision, not an error: named after what it is)
    """The platform refuses a call with ``code`` (``"VP007"``); ``detail`` is English."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Addressed:
    """A readable request: its payload, the namespace VP routes on and the logical address."""

    payload: etree._Element
    namespace: str
    logical_address: str
    profile: str
    """``rivtabp21`` (LogicalAddress header) or ``rivtabp20`` (wsa:To)."""


def read_request(body: bytes) -> Addressed:
    """Parse ``body`` (hardened: no DTDs, no entities) and find the routing data.

    Raises :class:`Refusal` VP015 for anything that is not a SOAP 1.1 envelope with a Body
    element, VP001 without LogicalAddress and wsa:To, VP003 for an empty logical address.
    """
    try:
        root = parse_bytes(body, source="request")
    except XmlInputError as exc:
        raise Refusal("VP015", f"the request is not usable XML: {exc}") from exc
    if root.tag == clark(SOAP12_ENV, "Envelope"):
        raise Refusal("VP015", "SOAP 1.2 is not supported: RIV-TA uses SOAP 1.1")
    if root.tag != _ENVELOPE:
        raise Refusal("VP015", f"the request is not a SOAP 1.1 Envelope (root {root.tag!r})")
    body_el = root.find(_BODY)
    payload = (
        None
        if body_el is None
        else next((child for child in body_el if isinstance(child.tag, str)), None)
    )
    if payload is None:
        raise Refusal("VP015", "the SOAP Body is missing or empty")
    header = root.find(_HEADER)
    address_el: etree._Element | None = None
    profile = "rivtabp21"
    if header is not None:
        address_el = header.find(_LOGICAL_ADDRESS)
        if address_el is None:
            address_el = next((h for h in header if h.tag in _WSA_TO), None)
            profile = "rivtabp20"
    if address_el is None:
        raise Refusal(
            "VP001",
            "the request carries neither a LogicalAddress header (RIVTABP21) nor wsa:To "
            "(RIVTABP20)",
        )
    address = "".join(address_el.itertext()).strip()
    if not address:
        raise Refusal("VP003", "the logical address header is empty")
    namespace = etree.QName(payload).namespace or ""
    return Addressed(payload=payload, namespace=namespace, logical_address=address, profile=profile)


class Tak:
    """The routes and authorisations of a :class:`SimulatorConfig`, ready for look-ups.

    Logical addresses match case-insensitively, namespaces and HSA-ids exactly.
    """

    def __init__(self, config: SimulatorConfig) -> None:
        self._routes: dict[tuple[str, str], Route] = {}
        for route in config.routes:
            self._routes.setdefault((route.logical_address.casefold(), route.contract), route)
        self._grants = {
            (grant.consumer, grant.contract, grant.logical_address.casefold())
            for grant in config.authorisations
        }
        self._intermediaries = frozenset(config.intermediaries)

    def route(self, request: Addressed) -> Route:
        """The route for ``request``; VP004 without one, VP005 for the wrong RIV profile."""
        found = self._routes.get((request.logical_address.casefold(), request.namespace))
        if found is None:
            raise Refusal(
                "VP004",
                f"no route for logical address {request.logical_address!r} and contract "
                f"{request.namespace or '(no namespace)'}",
            )
        if found.profile != request.profile:
            raise Refusal(
                "VP005",
                f"the producer of {request.namespace} at {request.logical_address!r} is "
                f"registered for {found.profile}, but the call is addressed as {request.profile}",
            )
        return found

    def consumer(self, certificate_hsa_id: str | None, original: str | None) -> str:
        """The consumer to authorise: the certificate's HSA-id, or -- for an intermediary
        platform only -- the original consumer it names. VP002 / VP013 otherwise."""
        if not certificate_hsa_id:
            raise Refusal("VP002", "the client certificate has no subject serialNumber (HSA-id)")
        if original is None:
            return certificate_hsa_id
        if certificate_hsa_id not in self._intermediaries:
            raise Refusal(
                "VP013",
                f"consumer {certificate_hsa_id} is not an intermediary and may not send "
                "x-rivta-original-serviceconsumer-hsaid",
            )
        if not original.strip():
            raise Refusal("VP013", "x-rivta-original-serviceconsumer-hsaid is empty")
        return original.strip()

    def authorise(self, consumer: str, request: Addressed) -> None:
        """VP007 unless ``consumer`` may call the contract at the logical address."""
        key = (consumer, request.namespace, request.logical_address.casefold())
        if key not in self._grants:
            raise Refusal(
                "VP007",
                f"consumer {consumer} is not authorised for {request.namespace} at "
                f"{request.logical_address!r}",
            )


__all__ = ["Addressed", "Refusal", "Tak", "read_request"]
