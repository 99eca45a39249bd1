"""SOAP 1.1 faults: write them (simulator, tests) and turn received ones into errors (layer L3).

A fault with a VP code in its ``faultstring`` comes from the platform and becomes a
:class:`~inkorg_riv.errors.PlatformFaultError`; any other fault is the producer's, passed
through unchanged as a :class:`~inkorg_riv.errors.SoapFaultError`.
"""

from __future__ import annotations

from lxml import etree

from .._ns import SOAP11_ENV, clark, split_clark
from ..errors import PlatformFaultError, SoapFaultError
from ..errors._record import Record, record, setfield
from ..faults import find_vp_code, platform_fault_text, require
from .build import XML_DECLARATION

FAULT = clark(SOAP11_ENV, "Fault")
_FAULT_CODES = ("Client", "Server", "VersionMismatch", "MustUnderstand")


@record(kw_only=True)
class FaultInfo(Record):
    """The parts of a received SOAP 1.1 fault, as sent."""

    __slots__ = ("detail", "faultcode", "faultcode_qname", "faultcode_raw", "faultstring")

    faultcode: str
    """The local part of the fault code: ``Client``, ``Server``, ``Server.Timeout``..."""
    faultcode_raw: str
    """The text as sent, e.g. ``soapenv:Server``."""
    faultcode_qname: str | None
    """The Clark name when the prefix is declared (``{http://...envelope/}Server``)."""
    faultstring: str
    detail: str | None
    """The text of ``detail`` (all its descendants), None when absent or empty."""

    def __init__(
        self,
        *,
        faultcode: str,
        faultcode_raw: str,
        faultcode_qname: str | None,
        faultstring: str,
        detail: str | None,
    ) -> None:
        setfield(self, "faultcode", faultcode)
        setfield(self, "faultcode_raw", faultcode_raw)
        setfield(self, "faultcode_qname", faultcode_qname)
        setfield(self, "faultstring", faultstring)
        setfield(self, "detail", detail)


def build_fault_response(faultcode: str, faultstring: str, *, detail: str | None = None) -> bytes:
    """A SOAP 1.1 fault envelope: ``faultcode`` ``Client`` or ``Server`` (a dotted suffix such
    as ``Server.Timeout`` is allowed), ``faultstring``, and an optional ``detail`` text."""
    local = faultcode.removeprefix("soapenv:")
    if local.split(".", 1)[0] not in _FAULT_CODES:
        raise ValueError(f"faultcode must be one of {', '.join(_FAULT_CODES)}, got {faultcode!r}")
    envelope = etree.Element(clark(SOAP11_ENV, "Envelope"), nsmap={"soapenv": SOAP11_ENV})
    etree.SubElement(envelope, clark(SOAP11_ENV, "Header"))
    body = etree.SubElement(envelope, clark(SOAP11_ENV, "Body"))
    fault = etree.SubElement(body, FAULT)
    etree.SubElement(fault, "faultcode").text = f"soapenv:{local}"
    etree.SubElement(fault, "faultstring").text = faultstring
    if detail is not None:
        etree.SubElement(fault, "detail").text = detail
    return XML_DECLARATION + etree.tostring(envelope, encoding="UTF-8")


def build_vp_fault_response(
    code: str,
    *,
    platform_name: str = "SKLTP",
    swedish_text: str | None = None,
    detail: str | None = None,
) -> bytes:
    """The fault the platform sends for ``code`` (``"VP007"``): ``soapenv:Client`` for faults
    in the request or setup, ``soapenv:Server`` for platform and producer faults, the
    ``faultstring`` in the platform's format, and ``detail`` (English) when given."""
    entry = require(code)
    text = platform_fault_text(entry.code, platform_name, swedish_text)
    return build_fault_response(entry.soap_faultcode, text, detail=detail)


def read_fault(fault: etree._Element) -> FaultInfo:
    """Read ``faultcode``, ``faultstring`` and ``detail`` from a ``soapenv:Fault`` element.

    The children are unqualified in SOAP 1.1; qualified ones (some stacks write them in the
    envelope namespace) are accepted too.
    """
    parts: dict[str, etree._Element] = {}
    for child in fault:
        if not isinstance(child.tag, str):
            continue
        namespace, local = split_clark(child.tag)
        if namespace in (None, SOAP11_ENV) and local not in parts:
            parts[local] = child
    code_el = parts.get("faultcode")
    raw = (code_el.text or "").strip() if code_el is not None else ""
    prefix, _, local = raw.rpartition(":")
    qname: str | None = None
    if code_el is not None and raw:
        namespace = code_el.nsmap.get(prefix or None)
        qname = clark(namespace, local) if namespace else None
    string_el = parts.get("faultstring")
    faultstring = "".join(string_el.itertext()) if string_el is not None else ""
    detail_el = parts.get("detail")
    detail: str | None = None
    if detail_el is not None:
        detail = "".join(detail_el.itertext()).strip() or None
    return FaultInfo(
        faultcode=local,
        faultcode_raw=raw,
        faultcode_qname=qname,
        faultstring=faultstring,
        detail=detail,
    )


def fault_error(
    info: FaultInfo,
    *,
    http_status: int | None,
    operation: str | None,
    contract: str | None,
    logical_address: str | None,
    correlation_id: str | None,
    consumer: str | None = None,
) -> SoapFaultError:
    """The error for a received fault: PlatformFaultError when the text holds a VP code."""
    vp = find_vp_code(info.faultstring)
    if vp is not None:
        return PlatformFaultError(
            vp,
            faultcode=info.faultcode,
            faultstring=info.faultstring,
            detail=info.detail,
            faultcode_raw=info.faultcode_raw,
            faultcode_qname=info.faultcode_qname,
            http_status=http_status,
            operation=operation,
            logical_address=logical_address,
            correlation_id=correlation_id,
            contract=contract,
            consumer=consumer,
        )
    return SoapFaultError(
        faultcode=info.faultcode,
        faultstring=info.faultstring,
        detail=info.detail,
        faultcode_raw=info.faultcode_raw,
        faultcode_qname=info.faultcode_qname,
        http_status=http_status,
        operation=operation,
        logical_address=logical_address,
        correlation_id=correlation_id,
    )
