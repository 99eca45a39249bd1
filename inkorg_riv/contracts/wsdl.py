"""Read RIV-TA WSDL 1.1 files into interactions and operations (layer L1).

Only what a consumer needs: the messages, the port type, the SOAP binding (SOAP actions and
header parts) and the naming rules of RIV-TA (file name ``<Name>Interaction_<major>.<minor>_
RIVTABP2x.wsdl``, target namespace ``urn:riv[-application]:<domain>:<Name>:<major>:rivtabp2x``).
"""

from __future__ import annotations

import re

from lxml import etree

from .._ns import RIV_REGISTRY, WSA, WSDL, WSDL_SOAP11, WSDL_SOAP12, clark
from .model import HeaderPart, Interaction, Operation, RivProfile, TypeModel

_W = f"{{{WSDL}}}"
_FILE_NAME = re.compile(
    r"(?P<name>[A-Za-z0-9_]+?)Interaction_(?P<major>\d+)\.(?P<minor>\d+)_(?P<profile>RIVTABP2[01])\.wsdl$",
    re.IGNORECASE,
)
LOGICAL_ADDRESS = clark(RIV_REGISTRY, "LogicalAddress")
WSA_TO = clark(WSA, "To")


class WsdlError(Exception):
    """A WSDL that cannot be turned into an interaction; the message names the cause."""


class _Names:
    """What a WSDL's file name and namespace say (a plain class: a dataclass costs import time)."""

    __slots__ = ("contract", "domain", "major", "minor", "profile")

    def __init__(
        self, contract: str, major: int, minor: int, profile: RivProfile, domain: str
    ) -> None:
        self.contract = contract
        self.major = major
        self.minor = minor
        self.profile = profile
        self.domain = domain


def _names(path: str, namespace: str) -> _Names:
    match = _FILE_NAME.search(path.rsplit("/", 1)[-1])
    if match is None:
        raise WsdlError(
            "file name does not follow <Name>Interaction_<major>.<minor>_RIVTABP21.wsdl"
        )
    contract = match["name"]
    major, minor = int(match["major"]), int(match["minor"])
    profile = RivProfile(match["profile"].lower())
    domain = namespace
    for prefix in ("urn:riv-application:", "urn:riv:"):
        if domain.startswith(prefix):
            domain = domain[len(prefix) :]
            break
    suffix = f":{contract}:{major}:{profile.value}"
    if domain.lower().endswith(suffix.lower()):
        domain = domain[: -len(suffix)]
    return _Names(contract, major, minor, profile, domain)


def _qname(node: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    uri = node.nsmap.get(prefix or None)
    if prefix and uri is None:
        raise WsdlError(f"undeclared prefix {prefix!r} in {value!r}")
    return clark(uri, local)


def read_interaction(path: str, root: etree._Element, types: TypeModel) -> Interaction:
    """Turn a parsed WSDL into an :class:`Interaction`; raise :class:`WsdlError` if unusable."""
    if root.tag != f"{_W}definitions":
        raise WsdlError(f"not a WSDL 1.1 document (root element is {root.tag!r})")
    namespace = root.get("targetNamespace")
    if not namespace:
        raise WsdlError("wsdl:definitions has no targetNamespace")
    names = _names(path, namespace)

    messages: dict[str, dict[str, str]] = {}
    for message in root.iterfind(f"{_W}message"):
        parts: dict[str, str] = {}
        for part in message.iterfind(f"{_W}part"):
            element = part.get("element")
            if element is None:
                raise WsdlError(
                    f"message {message.get('name')} part {part.get('name')} has no element "
                    "(RIV-TA requires document/literal)"
                )
            parts[part.get("name", "")] = _qname(part, element)
        messages[clark(namespace, message.get("name", ""))] = parts

    bindings = _binding_operations(root)
    operations: list[Operation] = []
    for port_type in root.iterfind(f"{_W}portType"):
        for op in port_type.iterfind(f"{_W}operation"):
            operations.append(
                _operation(op, names, namespace, messages, bindings, path, types)
            )
    if not operations:
        raise WsdlError("the WSDL declares no operations")
    return Interaction(
        name=f"{names.contract}Interaction",
        contract=names.contract,
        domain=names.domain,
        major=names.major,
        minor=names.minor,
        profile=names.profile,
        wsdl_file=path,
        wsdl_namespace=namespace,
        operations=tuple(operations),
    )


class _BindingOp:
    """What a binding says of one operation."""

    __slots__ = ("body_parts", "headers", "soap_action")

    def __init__(
        self,
        soap_action: str | None,
        headers: list[tuple[str, str]],
        body_parts: list[str] | None,
    ) -> None:
        self.soap_action = soap_action
        self.headers = headers
        self.body_parts = body_parts


def _binding_operations(root: etree._Element) -> dict[str, _BindingOp]:
    found: dict[str, _BindingOp] = {}
    for binding in root.iterfind(f"{_W}binding"):
        for op in binding.iterfind(f"{_W}operation"):
            action: str | None = None
            for soap in (WSDL_SOAP11, WSDL_SOAP12):
                node = op.find(f"{{{soap}}}operation")
                if node is not None and node.get("soapAction") is not None:
                    action = node.get("soapAction")
            headers: list[tuple[str, str]] = []
            body_parts: list[str] | None = None
            wsdl_input = op.find(f"{_W}input")
            if wsdl_input is not None:
                for soap in (WSDL_SOAP11, WSDL_SOAP12):
                    for header in wsdl_input.iterfind(f"{{{soap}}}header"):
                        headers.append(
                            (_qname(header, header.get("message", "")), header.get("part", ""))
                        )
                    body = wsdl_input.find(f"{{{soap}}}body")
                    if body is not None and body.get("parts"):
                        body_parts = body.get("parts", "").split()
            found[op.get("name", "")] = _BindingOp(action, headers, body_parts)
    return found


def _operation(
    op: etree._Element,
    names: _Names,
    namespace: str,
    messages: dict[str, dict[str, str]],
    bindings: dict[str, _BindingOp],
    path: str,
    types: TypeModel,
) -> Operation:
    name = op.get("name", "")
    wsdl_input = op.find(f"{_W}input")
    wsdl_output = op.find(f"{_W}output")
    if wsdl_input is None or wsdl_output is None:
        raise WsdlError(f"operation {name} lacks an input or an output")
    in_message = messages.get(_qname(wsdl_input, wsdl_input.get("message", "")))
    out_message = messages.get(_qname(wsdl_output, wsdl_output.get("message", "")))
    if in_message is None or out_message is None:
        raise WsdlError(f"operation {name} refers to a message the WSDL does not declare")
    binding = bindings.get(name, _BindingOp(None, [], None))

    header_parts: set[str] = set()
    headers: list[HeaderPart] = []
    for message_name, part in binding.headers:
        element = messages.get(message_name, {}).get(part)
        if element is None:
            raise WsdlError(f"operation {name}: soap:header part {part!r} is not declared")
        header_parts.add(part)
        headers.append(HeaderPart(part=part, element=element))
    body_candidates = [
        (part, element)
        for part, element in in_message.items()
        if part not in header_parts
        and (binding.body_parts is None or part in binding.body_parts)
        and element not in (LOGICAL_ADDRESS, WSA_TO)
    ]
    if len(body_candidates) != 1:
        raise WsdlError(
            f"operation {name}: expected one body part (parameters), found "
            f"{[p for p, _ in body_candidates] or 'none'}"
        )
    request = body_candidates[0][1]
    out_parts = [e for p, e in out_message.items() if p not in header_parts]
    if len(out_parts) != 1:
        raise WsdlError(f"operation {name}: expected one response body part")
    response = out_parts[0]
    for element in (request, response, *(h.element for h in headers)):
        if element not in types.elements:
            raise WsdlError(
                f"operation {name}: element {element} is not declared by any schema of the package"
            )

    required = LOGICAL_ADDRESS if names.profile is RivProfile.BP21 else WSA_TO
    if all(h.element != required for h in headers):
        # The profile requires it even when the WSDL forgets to declare it.
        part = "LogicalAddress" if names.profile is RivProfile.BP21 else "To"
        headers.insert(0, HeaderPart(part=part, element=required, declared=False))
    else:
        headers.sort(key=lambda h: h.element != required)

    responder = etree.QName(request).namespace or ""
    action = binding.soap_action or f"{responder}:{name}"
    return Operation(
        name=name,
        contract=names.contract,
        domain=names.domain,
        major=names.major,
        minor=names.minor,
        profile=names.profile,
        wsdl_namespace=namespace,
        responder_namespace=responder,
        soap_action=action,
        headers=tuple(headers),
        request_element=request,
        response_element=response,
        wsdl_file=path,
        schema_file=types.element_files.get(request, ""),
    )
