"""The service half of the contract model: interactions and operations (layer L1).

What the WSDLs declare, as read-only records (see :mod:`._record`); re-exported by
:mod:`.model` together with the type half.
"""

from __future__ import annotations

import enum

from ..errors._record import Record, record, setfield


class RivProfile(enum.Enum):
    """The RIV-TA Basic Profile a WSDL follows."""

    BP21 = "rivtabp21"
    BP20 = "rivtabp20"


@record(kw_only=True)
class HeaderPart(Record):
    """A SOAP header the request carries (``LogicalAddress``, ``wsa:To``, or another).

    ``declared`` is False for a header the WSDL forgot but the profile requires; the envelope
    builder sends it all the same.
    """

    __slots__ = ("declared", "element", "part")

    part: str
    element: str
    declared: bool

    def __init__(self, *, part: str, element: str, declared: bool = True) -> None:
        setfield(self, "part", part)
        setfield(self, "element", element)
        setfield(self, "declared", declared)


@record(kw_only=True)
class Operation(Record):
    """One operation of one interaction."""

    __slots__ = (
        "contract",
        "domain",
        "headers",
        "major",
        "minor",
        "name",
        "profile",
        "request_element",
        "responder_namespace",
        "response_element",
        "schema_file",
        "soap_action",
        "wsdl_file",
        "wsdl_namespace",
    )

    name: str
    contract: str
    domain: str
    major: int
    minor: int
    profile: RivProfile
    wsdl_namespace: str
    responder_namespace: str
    soap_action: str
    headers: tuple[HeaderPart, ...]
    request_element: str
    response_element: str
    wsdl_file: str
    schema_file: str
    """The package-relative path of the XSD that declares the request element."""

    def __init__(
        self,
        *,
        name: str,
        contract: str,
        domain: str,
        major: int,
        minor: int,
        profile: RivProfile,
        wsdl_namespace: str,
        responder_namespace: str,
        soap_action: str,
        headers: tuple[HeaderPart, ...],
        request_element: str,
        response_element: str,
        wsdl_file: str,
        schema_file: str,
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "contract", contract)
        setfield(self, "domain", domain)
        setfield(self, "major", major)
        setfield(self, "minor", minor)
        setfield(self, "profile", profile)
        setfield(self, "wsdl_namespace", wsdl_namespace)
        setfield(self, "responder_namespace", responder_namespace)
        setfield(self, "soap_action", soap_action)
        setfield(self, "headers", headers)
        setfield(self, "request_element", request_element)
        setfield(self, "response_element", response_element)
        setfield(self, "wsdl_file", wsdl_file)
        setfield(self, "schema_file", schema_file)

    @property
    def qualified_name(self) -> str:
        """``domain:Contract:major`` plus the operation when it differs from the contract."""
        base = f"{self.domain}:{self.contract}:{self.major}"
        return base if self.name == self.contract else f"{base}:{self.name}"

    @property
    def version(self) -> str:
        """``major.minor``."""
        return f"{self.major}.{self.minor}"


@record(kw_only=True)
class Interaction(Record):
    """One ``<Name>Interaction`` folder: a WSDL and its operations."""

    __slots__ = (
        "contract",
        "domain",
        "major",
        "minor",
        "name",
        "operations",
        "profile",
        "wsdl_file",
        "wsdl_namespace",
    )

    name: str
    contract: str
    domain: str
    major: int
    minor: int
    profile: RivProfile
    wsdl_file: str
    wsdl_namespace: str
    operations: tuple[Operation, ...]

    def __init__(
        self,
        *,
        name: str,
        contract: str,
        domain: str,
        major: int,
        minor: int,
        profile: RivProfile,
        wsdl_file: str,
        wsdl_namespace: str,
        operations: tuple[Operation, ...],
    ) -> None:
        setfield(self, "name", name)
        setfield(self, "contract", contract)
        setfield(self, "domain", domain)
        setfield(self, "major", major)
        setfield(self, "minor", minor)
        setfield(self, "profile", profile)
        setfield(self, "wsdl_file", wsdl_file)
        setfield(self, "wsdl_namespace", wsdl_namespace)
        setfield(self, "operations", operations)
