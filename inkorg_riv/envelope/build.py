"""Build the SOAP 1.1 request envelope and its HTTP headers (layer L3, pure: lxml + stdlib).

RIVTABP21: the ``LogicalAddress`` header comes first, always -- also when the WSDL forgot to
declare it. RIVTABP20: a WS-Addressing ``To`` header carries the logical address instead.
Further headers the WSDL declares may follow; the payload is the only child of the Body.

The payload element is never moved or changed: the envelope shell is built with lxml and the
payload's own serialization is spliced into the empty Body. That costs the same as appending the
element (which would move it out of the caller's tree) and far less than a deep copy. A payload
already serialized (:func:`inkorg_riv.codec.encode_bytes`) is spliced in as it is.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from .._ns import RIV_REGISTRY, SOAP11_ENV, WSA, WSA_2004, clark, split_clark
from ..contracts.model import Operation, RivProfile
from ..errors import BindingError, ConfigurationError
from ..errors._record import Record, record, setfield

LOGICAL_ADDRESS = clark(RIV_REGISTRY, "LogicalAddress")
WSA_TO = clark(WSA, "To")
CONTENT_TYPE = "text/xml; charset=UTF-8"
CORRELATION_HEADER = "x-skltp-correlation-id"
ACTING_ON_BEHALF_OF_HEADER = "x-rivta-acting-on-behalf-of-hsaid"
ORIGINAL_CONSUMER_HEADER = "x-rivta-original-serviceconsumer-hsaid"
"""Only intermediary platforms may send it (else VP013): the builder never does."""

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_SOAP_PREFIX = "soapenv"
_EMPTY_BODY = b"<soapenv:Body/>"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_READABLE_PREFIXES: Mapping[str, str] = MappingProxyType(
    {RIV_REGISTRY: "riv", WSA: "wsa", WSA_2004: "wsa"}
)
_EMPTY: Mapping[str, str] = MappingProxyType({})


def new_correlation_id() -> str:
    """A random (version 4) UUID as text, for ``x-skltp-correlation-id``.

    Made from :func:`os.urandom` directly: :mod:`uuid` and :mod:`secrets` cost milliseconds at
    start-up.
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@record(kw_only=True)
class SoapRequest(Record):
    """A request ready to POST: the envelope bytes and the HTTP headers to send with them."""

    __slots__ = ("body", "correlation_id", "http_headers", "logical_address", "operation")

    body: bytes
    """The envelope, UTF-8 with an XML declaration."""
    http_headers: Mapping[str, str]
    """``Content-Type``, ``SOAPAction`` (quoted), ``x-skltp-correlation-id`` and, when given,
    ``x-rivta-acting-on-behalf-of-hsaid``."""
    correlation_id: str
    operation: str
    logical_address: str

    def __init__(
        self,
        *,
        body: bytes,
        http_headers: Mapping[str, str],
        correlation_id: str,
        operation: str,
        logical_address: str,
    ) -> None:
        setfield(self, "body", body)
        setfield(self, "http_headers", http_headers)
        setfield(self, "correlation_id", correlation_id)
        setfield(self, "operation", operation)
        setfield(self, "logical_address", logical_address)


def routing_header(operation: Operation) -> str:
    """The Clark name of the header that carries the logical address for ``operation``."""
    if operation.profile is RivProfile.BP21:
        return LOGICAL_ADDRESS
    for header in operation.headers:
        namespace, local = split_clark(header.element)
        if local == "To" and namespace in (WSA, WSA_2004):
            return header.element
    return WSA_TO


def build_request(
    operation: Operation,
    payload: etree._Element | bytes,
    *,
    logical_address: str,
    correlation_id: str | None = None,
    extra_headers: Mapping[str, str] = _EMPTY,
    acting_on_behalf_of: str | None = None,
) -> SoapRequest:
    """Wrap ``payload`` (the request root, already built) in a SOAP 1.1 envelope.

    ``payload`` is an lxml element or one serialized element (UTF-8 bytes without an XML
    declaration, its namespaces declared on itself, as :func:`inkorg_riv.codec.encode_bytes`
    writes it).

    ``extra_headers`` maps the Clark name of a header element the operation declares (other
    than the routing header) to its text. ``correlation_id`` defaults to a new UUID4.
    ``payload`` is serialized as it is and left untouched: not moved, not copied, not changed.

    Raises :class:`~inkorg_riv.errors.ConfigurationError` for an empty logical address, control
    characters in a header value, or an undeclared extra header, and
    :class:`~inkorg_riv.errors.BindingError` when the payload root is not the operation's
    request element (or, for bytes, cannot be read as one element start tag).
    """
    address = check_header_value("logical address", logical_address, ascii_only=False)
    cid = (
        new_correlation_id()
        if correlation_id is None
        else check_header_value("correlation id", correlation_id)
    )
    _check_payload(operation, payload)
    routing = routing_header(operation)
    extras = _ordered_extras(operation, routing, extra_headers)

    head, tail = _shell(routing, tuple(extras.items()), address)
    if isinstance(payload, bytes):
        inner = payload
    else:
        inner = etree.tostring(payload, encoding="UTF-8", with_tail=False)
    body = b"".join((head, inner, tail))

    headers = {
        "Content-Type": CONTENT_TYPE,
        "SOAPAction": f'"{operation.soap_action}"',
        CORRELATION_HEADER: cid,
    }
    if acting_on_behalf_of is not None:
        headers[ACTING_ON_BEHALF_OF_HEADER] = check_header_value(
            "acting-on-behalf-of HSA-id", acting_on_behalf_of
        )
    return SoapRequest(
        body=body,
        http_headers=MappingProxyType(headers),
        correlation_id=cid,
        operation=operation.name,
        logical_address=address,
    )


@functools.lru_cache(maxsize=64)
def _shell(
    routing: str, extras: tuple[tuple[str, str], ...], address: str
) -> tuple[bytes, bytes]:
    """The envelope around the payload, as the bytes before and after it (cached: the same
    headers give the same shell)."""
    envelope = etree.Element(
        clark(SOAP11_ENV, "Envelope"), nsmap=_header_nsmap(routing, dict(extras))
    )
    header = etree.SubElement(envelope, clark(SOAP11_ENV, "Header"))
    _text_element(header, routing, address, what="logical address")
    for name, text in extras:
        _text_element(header, name, text, what=f"header {name}")
    etree.SubElement(envelope, clark(SOAP11_ENV, "Body"))
    return _split_shell(envelope)


def _split_shell(envelope: etree._Element) -> tuple[bytes, bytes]:
    """``envelope`` (whose last child is an empty ``soapenv:Body``) as the bytes before and after
    the Body's content: the XML declaration up to ``<soapenv:Body>``, ``</soapenv:Body>`` on."""
    shell = etree.tostring(envelope, encoding="UTF-8")
    head, marker, tail = shell.rpartition(_EMPTY_BODY)
    if not marker:  # pragma: no cover - the shell is built by this module
        raise RuntimeError("envelope shell without an empty soapenv:Body")
    return XML_DECLARATION + head + b"<soapenv:Body>", b"</soapenv:Body>" + tail


def build_response(payload: etree._Element) -> bytes:
    """A SOAP 1.1 response envelope with ``payload`` as the only Body child (for the simulator
    and tests). ``payload`` is left untouched."""
    envelope = etree.Element(clark(SOAP11_ENV, "Envelope"), nsmap={_SOAP_PREFIX: SOAP11_ENV})
    etree.SubElement(envelope, clark(SOAP11_ENV, "Header"))
    etree.SubElement(envelope, clark(SOAP11_ENV, "Body"))
    return splice_body(envelope, payload)


def splice_body(envelope: etree._Element, payload: etree._Element) -> bytes:
    """Serialize ``envelope`` (whose last child is an empty ``soapenv:Body``) with ``payload``
    inside the Body, without moving or copying the payload element."""
    head, tail = _split_shell(envelope)
    inner = etree.tostring(payload, encoding="UTF-8", with_tail=False)
    return b"".join((head, inner, tail))


def check_header_value(what: str, value: str, *, ascii_only: bool = True) -> str:
    """``value`` when it can travel in a header (SOAP or HTTP), else ConfigurationError.

    Refuses empty or blank values, leading/trailing whitespace and control characters (which
    would also allow HTTP header injection); HTTP header values must be printable ASCII.
    """
    if (
        type(value) is str
        and value.isprintable()  # no control character (all are unprintable), no line break
        and value
        and not value[0].isspace()
        and not value[-1].isspace()
        and (value.isascii() or not ascii_only)
    ):
        return value  # the usual, plain value: what the checks below would let through
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"the {what} is empty; set it in the configuration")
    if _CONTROL.search(value) is not None:
        bad = [c for c in value if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
        raise ConfigurationError(
            f"the {what} {value!r} contains control characters ({', '.join(map(repr, bad))})"
        )
    if value != value.strip():
        raise ConfigurationError(
            f"the {what} {value!r} has leading or trailing whitespace; remove it"
        )
    if ascii_only and not value.isascii():
        raise ConfigurationError(f"the {what} {value!r} must be ASCII (it is an HTTP header)")
    return value


def _check_payload(operation: Operation, payload: etree._Element | bytes) -> None:
    if isinstance(payload, bytes):
        tag: object = _serialized_tag(payload, operation)
    else:
        tag = payload.tag if isinstance(payload, etree._Element) else None
    if tag != operation.request_element:
        found = tag if isinstance(tag, str) else type(payload).__name__
        raise BindingError(
            f"the payload root is {found}, but {operation.name} sends {operation.request_element}",
            path=operation.name,
            operation=operation.name,
        )


# The start tag of a serialized element: its name, then attributes with quoted values.
_START_TAG = re.compile(
    rb"<(?:(?P<prefix>[A-Za-z_][\w.\-]*):)?(?P<local>[A-Za-z_][\w.\-]*)"
    rb"(?P<attributes>(?:\s+[A-Za-z_][\w.\-:]*\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*/?>"
)
_ATTRIBUTE = re.compile(rb"([A-Za-z_][\w.\-:]*)\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")


def _serialized_tag(payload: bytes, operation: Operation) -> str:
    """The Clark name of a serialized payload's root, read from its start tag alone."""
    found = None
    if payload.rstrip().endswith(b">"):
        found = _cached_start_tag_name(payload[: payload.find(b">") + 1])  # the usual case
        if found is None:  # a ">" inside an attribute value cut the start tag short
            found = _start_tag_name(payload)
    if found is None:
        raise BindingError(
            "the serialized payload must be one element (UTF-8, no XML declaration)",
            path=operation.name,
            operation=operation.name,
        )
    return found


def _start_tag_name(data: bytes) -> str | None:
    """The Clark name in the start tag at the beginning of ``data`` (None: no start tag)."""
    match = _START_TAG.match(data)
    if match is None:
        return None
    wanted = b"xmlns:" + match["prefix"] if match["prefix"] else b"xmlns"
    namespace = None
    for name, double, single in _ATTRIBUTE.findall(match["attributes"]):
        if name == wanted:
            namespace = (double or single).decode("utf-8", "replace")
    local = match["local"].decode("ascii")
    if namespace is None:
        return local if not match["prefix"] else f"{match['prefix'].decode()}:{local}"
    return clark(_unescape(namespace), local)


_cached_start_tag_name = functools.lru_cache(maxsize=64)(_start_tag_name)


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def _ordered_extras(
    operation: Operation, routing: str, extra_headers: Mapping[str, str]
) -> dict[str, str]:
    if not extra_headers:
        return {}
    allowed = [h.element for h in operation.headers if h.element != routing]
    unknown = [name for name in extra_headers if name not in allowed]
    if unknown:
        if routing in unknown:
            hint = f"{routing} is set from logical_address"
        else:
            hint = f"allowed: {', '.join(allowed) if allowed else 'none'}"
        raise ConfigurationError(
            f"{operation.name} does not declare the SOAP header(s) "
            f"{', '.join(sorted(unknown))}; {hint}",
            operation=operation.name,
        )
    return {name: extra_headers[name] for name in allowed if name in extra_headers}


def _header_nsmap(routing: str, extras: Mapping[str, str]) -> dict[str, str]:
    """Every namespace of the envelope declared once, on the Envelope, with readable prefixes."""
    nsmap = {_SOAP_PREFIX: SOAP11_ENV}
    for name in (routing, *extras):
        namespace = split_clark(name)[0]
        if namespace is None or namespace in nsmap.values():
            continue
        prefix = _READABLE_PREFIXES.get(namespace)
        if prefix is None or prefix in nsmap:
            prefix = f"ns{sum(p.startswith('ns') for p in nsmap)}"
        nsmap[prefix] = namespace
    return nsmap


def _text_element(parent: etree._Element, name: str, text: str, *, what: str) -> None:
    element = etree.SubElement(parent, name)
    try:
        element.text = text
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"the {what} cannot be written as XML text: {exc}") from exc
