"""The national service platform's fault catalogue, VP001-VP015, as data (layer L0, stdlib only).

The platform (NTjP, built on the open-source SKLTP VP) answers its own refusals with a SOAP 1.1
fault whose ``faultstring`` reads ``"VPnnn [<platform name>] <Swedish text>"``. The code is only
in that text: :func:`find_vp_code` reads it back, :func:`lookup` gives the catalogue entry
(:func:`require` when it must exist), and :func:`platform_fault_text` writes the platform's
format (the simulator uses it).

Each :class:`VpCode` says what went wrong in English, who has to act (:class:`FaultClass`),
whether a retry can help, whether the message may have reached the producer, and one sentence of
advice for the integrator. Meanings, advice and the Swedish texts are our own words.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType

from .errors._record import Record, record, setfield


class FaultClass(enum.Enum):
    """Who has to act on a platform fault."""

    CLIENT_DATA = "client data"
    """The request itself is wrong: fix what the library or the caller sends."""

    CONFIGURATION = "configuration"
    """Certificate, TAK order, network or header setup: fix the setup, then resend."""

    PLATFORM = "platform"
    """A problem inside the platform: report it (with the correlation id) or wait."""

    PRODUCER = "producer"
    """The producer could not be reached or did not answer in time."""


@record(kw_only=True)
class VpCode(Record):
    """One entry of the platform's fault catalogue.

    ``reached_producer`` is False when the platform refused before routing (the producer never
    saw the request), None when the message may have reached the producer (VP009).
    ``advice`` may hold the placeholders ``<HSA-id>``, ``<contract>`` and ``<logical address>``;
    :meth:`advice_for` fills them in.
    """

    __slots__ = ("advice", "code", "fault_class", "meaning", "reached_producer", "retryable")

    code: str
    meaning: str
    fault_class: FaultClass
    retryable: bool
    reached_producer: bool | None
    advice: str

    def __init__(
        self,
        *,
        code: str,
        meaning: str,
        fault_class: FaultClass,
        retryable: bool,
        reached_producer: bool | None,
        advice: str,
    ) -> None:
        setfield(self, "code", code)
        setfield(self, "meaning", meaning)
        setfield(self, "fault_class", fault_class)
        setfield(self, "retryable", retryable)
        setfield(self, "reached_producer", reached_producer)
        setfield(self, "advice", advice)

    @property
    def soap_faultcode(self) -> str:
        """``Client`` for faults in the request or setup, ``Server`` for platform/producer."""
        if self.fault_class in (FaultClass.CLIENT_DATA, FaultClass.CONFIGURATION):
            return "Client"
        return "Server"

    def advice_for(
        self,
        *,
        consumer: str | None = None,
        contract: str | None = None,
        logical_address: str | None = None,
    ) -> str:
        """The advice with the known values filled in.

        An unknown consumer becomes "(your certificate's serialNumber)"; an unknown contract or
        logical address stays a placeholder.
        """
        text = self.advice.replace("<HSA-id>", consumer or "(your certificate's serialNumber)")
        if contract:
            text = text.replace("<contract>", contract)
        if logical_address:
            text = text.replace("<logical address>", logical_address)
        return text

    def __str__(self) -> str:
        return f"{self.code} ({self.meaning})"


def _entry(
    code: str,
    meaning: str,
    fault_class: FaultClass,
    advice: str,
    *,
    retryable: bool = False,
    reached_producer: bool | None = False,
) -> VpCode:
    return VpCode(
        code=code,
        meaning=meaning,
        fault_class=fault_class,
        retryable=retryable,
        reached_producer=reached_producer,
        advice=advice,
    )


_CATALOGUE: tuple[VpCode, ...] = (
    _entry(
        "VP001",
        "the request names no RIV version the platform supports (neither LogicalAddress nor "
        "wsa:To was found)",
        FaultClass.CLIENT_DATA,
        "send the LogicalAddress SOAP header (RIVTABP21) or wsa:To (RIVTABP20); if you do, "
        "look for an intermediary that strips SOAP headers",
    ),
    _entry(
        "VP002",
        "the client certificate is missing, of the wrong type, or has no serialNumber (HSA-id)",
        FaultClass.CONFIGURATION,
        "present a SITHS function certificate for the right environment (test or production) "
        "whose subject serialNumber holds your HSA-id",
    ),
    _entry(
        "VP003",
        "the logical address is missing",
        FaultClass.CLIENT_DATA,
        "set a non-empty logical address (the receiver's HSA-id) for <contract>",
    ),
    _entry(
        "VP004",
        "no route exists for this logical address and contract",
        FaultClass.CONFIGURATION,
        "check the logical address <logical address>; if it is right, ask for a TAK order that "
        "routes <contract> at <logical address> to the producer",
    ),
    _entry(
        "VP005",
        "the producer does not support this RIV version",
        FaultClass.CONFIGURATION,
        "use the profile and endpoint (rivtabp21 or rivtabp20) that the producer of <contract> "
        "is registered with in TAK",
    ),
    _entry(
        "VP006",
        "more than one producer matches the logical address and contract",
        FaultClass.PLATFORM,
        "report the duplicate TAK routing of <contract> at <logical address> to the platform "
        "support, quoting the correlation id",
    ),
    _entry(
        "VP007",
        "the consumer is not authorised for this contract at this logical address",
        FaultClass.CONFIGURATION,
        "ask for a TAK order authorising your HSA-id <HSA-id> for <contract> at <logical address>",
    ),
    _entry(
        "VP008",
        "the platform cannot reach its service catalogue (TAK) and has no cached copy",
        FaultClass.PLATFORM,
        "retry later; if it persists, report it to the platform support with the correlation id",
        retryable=True,
    ),
    _entry(
        "VP009",
        "the platform could not get an answer from the producer (including a producer timeout); "
        "the request may have reached it",
        FaultClass.PRODUCER,
        "do not resend a non-idempotent request (AddMessage) blindly: check whether it arrived "
        "first; read-only requests may be retried",
        reached_producer=None,
    ),
    _entry(
        "VP010",
        "the platform has no producer address for the route",
        FaultClass.PLATFORM,
        "report the missing producer address for <contract> at <logical address> to the "
        "platform support, quoting the correlation id",
    ),
    _entry(
        "VP011",
        "the call did not come over TLS or from an IP address the platform allows",
        FaultClass.CONFIGURATION,
        "call the https endpoint and have your outgoing IP address opened in the platform's "
        "firewall for the environment",
    ),
    _entry(
        "VP012",
        "the platform lacks resources to handle the call right now",
        FaultClass.PLATFORM,
        "retry later with backoff and lower the sending rate",
        retryable=True,
    ),
    _entry(
        "VP013",
        "the consumer may not set the original-service-consumer header",
        FaultClass.CONFIGURATION,
        "remove the x-rivta-original-serviceconsumer-hsaid HTTP header: only intermediary "
        "platforms may send it",
    ),
    _entry(
        "VP014",
        "the request loops between platforms",
        FaultClass.PLATFORM,
        "report the routing loop for <contract> at <logical address> to the platform support, "
        "quoting the correlation id",
    ),
    _entry(
        "VP015",
        "the platform could not read the request (malformed message)",
        FaultClass.CLIENT_DATA,
        "validate the request against the contract schema and check the SOAP envelope, "
        "encoding and Content-Type",
    ),
)

CATALOGUE: Mapping[str, VpCode] = MappingProxyType({vp.code: vp for vp in _CATALOGUE})
"""Every known VP code, by code (``"VP007"``)."""

_SWEDISH: Mapping[str, str] = MappingProxyType(
    {
        "VP001": "RIV-version saknas eller stöds inte: varken LogicalAddress eller wsa:To fanns",
        "VP002": "Klientcertifikatet saknas, har fel typ eller saknar serienummer (HSA-id)",
        "VP003": "Logisk adress saknas i anropet",
        "VP004": "Inget vägval finns för den logiska adressen och tjänstekontraktet",
        "VP005": "Tjänsteproducenten stöder inte den här RIV-versionen",
        "VP006": "Mer än en tjänsteproducent matchar den logiska adressen och tjänstekontraktet",
        "VP007": "Tjänstekonsumenten saknar behörighet till tjänstekontraktet för den logiska "
        "adressen",
        "VP008": "Ingen kontakt med tjänstekatalogen (TAK) och ingen lokal kopia finns",
        "VP009": "Fel vid kontakt med tjänsteproducenten",
        "VP010": "Adress till tjänsteproducenten saknas",
        "VP011": "Anropet kom inte via TLS eller från en tillåten IP-adress",
        "VP012": "Tjänsteplattformen saknar just nu resurser för anropet",
        "VP013": "Tjänstekonsumenten får inte ange ursprunglig tjänstekonsument",
        "VP014": "Vägvalet går i en slinga mellan tjänsteplattformar",
        "VP015": "Anropet kunde inte läsas (felaktigt meddelande)",
    }
)

# "VP007 [SKLTP] ..." anywhere, or a bare "VP007 ..." at the start of the text. The look-arounds
# keep the code from matching inside other words ("XVP007", "VP0071", "VP007x").
_VP_BRACKETED = re.compile(r"(?<![0-9A-Za-z_])VP\s?([0-9]{3})(?![0-9A-Za-z_])\s*\[", re.IGNORECASE)
_VP_LEADING = re.compile(r"^\s*VP\s?([0-9]{3})(?![0-9A-Za-z_])", re.IGNORECASE)


def lookup(code: str) -> VpCode | None:
    """The catalogue entry for ``code`` (``"VP007"``, ``"vp007"``, ``" VP007 "``), else None."""
    return CATALOGUE.get(code.strip().upper().replace(" ", ""))


def require(code: str) -> VpCode:
    """The catalogue entry for ``code`` like :func:`lookup`, but :class:`ValueError` when the
    code is not in the catalogue."""
    entry = lookup(code)
    if entry is None:
        raise ValueError(f"unknown VP code {code!r}; known: VP001-VP015")
    return entry


def find_vp_code(faultstring: str) -> VpCode | None:
    """The VP code of a platform fault text such as ``"VP007 [SKLTP] Behörighet saknas"``.

    Tolerates surrounding whitespace, line breaks and lower case. A code counts only when it
    stands as a word and either opens the text or is followed by ``[platform name]``; codes
    outside VP001-VP015 give None. Producer faults that merely mention "VP" give None.
    """
    if not faultstring:
        return None
    found = _VP_LEADING.match(faultstring)
    if found is not None:
        entry = CATALOGUE.get(f"VP{found.group(1)}")
        if entry is not None:
            return entry
    for match in _VP_BRACKETED.finditer(faultstring):
        entry = CATALOGUE.get(f"VP{match.group(1)}")
        if entry is not None:
            return entry
    return None


def default_swedish_text(code: str) -> str:
    """Our short Swedish text for ``code`` (the kind the platform writes after the code)."""
    return _SWEDISH[require(code).code]


def platform_fault_text(
    code: str, platform_name: str = "SKLTP", swedish_text: str | None = None
) -> str:
    """The ``faultstring`` the platform writes: ``"VP007 [SKLTP] <Swedish text>"``.

    Raises :class:`ValueError` for a code outside the catalogue.
    """
    entry = require(code)
    text = swedish_text if swedish_text is not None else _SWEDISH[entry.code]
    return f"{entry.code} [{platform_name}] {text}"


__all__ = [
    "CATALOGUE",
    "FaultClass",
    "VpCode",
    "default_swedish_text",
    "find_vp_code",
    "lookup",
    "platform_fault_text",
    "require",
]
