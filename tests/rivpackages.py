"""Synthetic RIV-TA contract packages for the tests (written for inkorg-riv, copied from nowhere).

A package is a mapping of package-relative POSIX paths to file text, laid out as Inera publishes
them (``interactions/<Name>Interaction/<Name>Interaction_<major>.<minor>_RIVTABP2x.wsdl`` next to
``<Name>Responder_<major>.<minor>.xsd``, shared schemas in ``core_components/``). The builders
write such a mapping into a folder or a ``ServiceContracts_<domain>_<version>.zip``.

:func:`multi_domain_files` holds three service domains and covers what the loader must handle:

* ``clinicalprocess:healthcond:description`` -- GetCareDocumentation 2.1 (RIVTABP21). Import chain
  responder -> domain core -> common datatypes; the common datatypes and common codes schemas
  import each other (a circular import); the domain core ``xs:include``-s a same-namespace enum
  schema and a *chameleon* party schema (no targetNamespace); an abstract party type with two
  extensions; an ``xs:choice``; the patient id pattern is written ``^...$``; the binding declares
  an extra header *before* the LogicalAddress header.
* ``crm:scheduling`` -- GetBookingDetails 1.1 whose WSDL declares *no* LogicalAddress header part,
  and GetBookingDetails 2.0 that does (so the bare name ``GetBookingDetails`` is ambiguous).
* ``itintegration:monitoring`` -- PingForConfiguration 1.0 on RIVTABP20 (WS-Addressing ``To``).

:func:`broken_files` adds interactions that are broken in the ways real packages are.

The module also holds the few helpers several test files share: :func:`copy_bundled` and
:func:`edit` (a writable, edited copy of the bundled package), :func:`add_message_element` and
:func:`add_message_text` (a valid patientportal AddMessage request written by hand, every field
set), :func:`string_fields` and :func:`replace_at` (reach into a bindings object by field steps).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import typing
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from inkorg_riv.bindings import XmlObject
from inkorg_riv.contracts.source import bundled_folder

XS = "http://www.w3.org/2001/XMLSchema"
WSA = "http://www.w3.org/2005/08/addressing"
REGISTRY = "urn:riv:itintegration:registry:1"
DATATYPES = "urn:riv:common:datatypes:1"
CODES = "urn:riv:common:codes:1"
DESCRIPTION_CORE = "urn:riv:clinicalprocess:healthcond:description:2"
SCHEDULING_CORE = "urn:riv:crm:scheduling:1"

DESCRIPTION = "clinicalprocess:healthcond:description"
SCHEDULING = "crm:scheduling"
MONITORING = "itintegration:monitoring"

TIMESTAMP_PATTERN = (
    "(19|20)[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]"
)
ANCHORED_PATTERN = "^[0-9]{8}[0-9pPtTfF][0-9]{3}$"
"""How many published RIV schemas write the personnummer pattern (the ``^``/``$`` trap)."""

Files = dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """One interaction: enough to write its WSDL and its responder schema."""

    domain: str
    name: str
    major: int
    minor: int = 0
    profile: str = "RIVTABP21"
    declare_header: bool = True
    """Whether the WSDL declares the profile's header part (LogicalAddress / wsa:To)."""
    extra_header: tuple[str, str, str] | None = None
    """(prefix, namespace, element) of a header declared *before* the profile's header."""
    imports: tuple[tuple[str, str, str], ...] = ()
    """(prefix, namespace, core_components file) the responder imports."""
    request: str = ""
    request_doc: str = ""
    """Documentation of the request type (an ``xs:annotation`` before its sequence), if any."""
    response: str = ""
    extra_types: str = ""

    @property
    def responder_ns(self) -> str:
        return f"urn:riv:{self.domain}:{self.name}Responder:{self.major}"

    @property
    def wsdl_ns(self) -> str:
        return f"urn:riv:{self.domain}:{self.name}:{self.major}:{self.profile.lower()}"

    @property
    def folder(self) -> str:
        return f"interactions/{self.name}Interaction"

    @property
    def wsdl_path(self) -> str:
        return f"{self.folder}/{self.name}Interaction_{self.major}.{self.minor}_{self.profile}.wsdl"

    @property
    def responder_path(self) -> str:
        return f"{self.folder}/{self.name}Responder_{self.major}.{self.minor}.xsd"

    @property
    def soap_action(self) -> str:
        return f"{self.responder_ns}:{self.name}"


# --------------------------------------------------------------------------- core components

REGISTRY_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="{XS}" xmlns="{REGISTRY}" targetNamespace="{REGISTRY}"
           elementFormDefault="qualified" version="1.0">
  <xs:element name="LogicalAddress" type="LogicalAddressType"/>
  <xs:simpleType name="LogicalAddressType">
    <xs:restriction base="xs:string"/>
  </xs:simpleType>
</xs:schema>
"""

WSA_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Minimal stand-in for the WS-Addressing 1.0 schema: just what RIVTABP20 headers use. -->
<xs:schema xmlns:xs="{XS}" xmlns:tns="{WSA}" targetNamespace="{WSA}"
           elementFormDefault="qualified">
  <xs:element name="To" type="tns:AttributedURIType"/>
  <xs:complexType name="AttributedURIType">
    <xs:simpleContent>
      <xs:extension base="xs:anyURI">
        <xs:anyAttribute namespace="##other" processContents="lax"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>
</xs:schema>
"""

DATATYPES_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Common data types; imports the common codes schema, which imports this one back. -->
<xs:schema xmlns:xs="{XS}" xmlns="{DATATYPES}" xmlns:codes="{CODES}"
           targetNamespace="{DATATYPES}" elementFormDefault="qualified" version="1.0">
  <xs:import namespace="{CODES}" schemaLocation="common_codes_1.0.xsd"/>

  <xs:element name="ActingOnBehalfOf" type="HSAIdType">
    <xs:annotation><xs:documentation>Who the consumer acts for.</xs:documentation></xs:annotation>
  </xs:element>

  <xs:simpleType name="HSAIdType">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="64"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="NonEmptyStringType">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="TimeStampType">
    <xs:restriction base="xs:string">
      <xs:pattern value="{TIMESTAMP_PATTERN}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:complexType name="DatePeriodType">
    <xs:sequence>
      <xs:element name="start" type="xs:date"/>
      <xs:element name="end" type="xs:date" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ResultType">
    <xs:sequence>
      <xs:element name="resultCode" type="codes:ResultCodeEnum"/>
      <xs:element name="message" type="NonEmptyStringType" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"""

CODES_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Common codes; imports the common data types schema, which imports this one. -->
<xs:schema xmlns:xs="{XS}" xmlns="{CODES}" xmlns:dt="{DATATYPES}"
           targetNamespace="{CODES}" elementFormDefault="qualified" version="1.0">
  <xs:import namespace="{DATATYPES}" schemaLocation="common_datatypes_1.0.xsd"/>

  <xs:simpleType name="ResultCodeEnum">
    <xs:restriction base="xs:string">
      <xs:enumeration value="OK"/>
      <xs:enumeration value="INFO"/>
      <xs:enumeration value="ERROR"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:complexType name="CodedValueType">
    <xs:sequence>
      <xs:element name="code" type="dt:NonEmptyStringType"/>
      <xs:element name="codeSystem" type="dt:NonEmptyStringType"/>
      <xs:element name="displayName" type="xs:string" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"""

DESCRIPTION_CORE_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Domain core of clinicalprocess:healthcond:description 2.1 (synthetic). -->
<xs:schema xmlns:xs="{XS}" xmlns="{DESCRIPTION_CORE}" xmlns:dt="{DATATYPES}"
           xmlns:codes="{CODES}" targetNamespace="{DESCRIPTION_CORE}"
           elementFormDefault="qualified" version="2.1">
  <xs:include schemaLocation="clinicalprocess_healthcond_description_enum_2.1.xsd"/>
  <xs:include schemaLocation="party_1.0.xsd"/>
  <xs:import namespace="{DATATYPES}" schemaLocation="common_datatypes_1.0.xsd"/>
  <xs:import namespace="{CODES}" schemaLocation="common_codes_1.0.xsd"/>

  <xs:simpleType name="PersonIdType">
    <xs:restriction base="xs:string">
      <xs:pattern value="{ANCHORED_PATTERN}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:complexType name="CareDocumentationType">
    <xs:sequence>
      <xs:element name="documentId" type="dt:NonEmptyStringType"/>
      <xs:element name="documentTime" type="dt:TimeStampType"/>
      <xs:element name="author" type="AbstractPartyType"/>
      <xs:element name="documentStatus" type="DocumentStatusEnum"/>
      <xs:element name="clinicalDocumentType" type="codes:CodedValueType" minOccurs="0"/>
      <xs:choice>
        <xs:element name="text" type="xs:string"/>
        <xs:element name="multimedia" type="MultimediaType"/>
      </xs:choice>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="MultimediaType">
    <xs:sequence>
      <xs:element name="mediaType" type="MediaTypeEnum"/>
      <xs:element name="value" type="xs:base64Binary"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"""

DESCRIPTION_ENUM_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Included (same namespace) by the description domain core. -->
<xs:schema xmlns:xs="{XS}" xmlns="{DESCRIPTION_CORE}" targetNamespace="{DESCRIPTION_CORE}"
           elementFormDefault="qualified" version="2.1">
  <xs:simpleType name="DocumentStatusEnum">
    <xs:restriction base="xs:string">
      <xs:enumeration value="Draft"/>
      <xs:enumeration value="Signed"/>
      <xs:enumeration value="Revoked"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="MediaTypeEnum">
    <xs:restriction base="xs:string">
      <xs:enumeration value="application/pdf"/>
      <xs:enumeration value="image/png"/>
    </xs:restriction>
  </xs:simpleType>
</xs:schema>
"""

PARTY_CHAMELEON_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- A chameleon schema: no targetNamespace, takes the namespace of the schema including it.
     Its references to its own types are unprefixed, as chameleon schemas write them. -->
<xs:schema xmlns:xs="{XS}" elementFormDefault="qualified" version="1.0">
  <xs:complexType name="AbstractPartyType" abstract="true">
    <xs:sequence>
      <xs:element name="partyId" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="PersonPartyType">
    <xs:complexContent>
      <xs:extension base="AbstractPartyType">
        <xs:sequence>
          <xs:element name="personName" type="xs:string"/>
          <xs:element name="role" type="PartyRoleEnum" minOccurs="0"/>
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>

  <xs:complexType name="OrganisationPartyType">
    <xs:complexContent>
      <xs:extension base="AbstractPartyType">
        <xs:sequence>
          <xs:element name="organisationName" type="xs:string"/>
          <xs:element name="telecom" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>

  <xs:simpleType name="PartyRoleEnum">
    <xs:restriction base="xs:string">
      <xs:enumeration value="Author"/>
      <xs:enumeration value="Signer"/>
    </xs:restriction>
  </xs:simpleType>
</xs:schema>
"""

SCHEDULING_CORE_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Domain core of crm:scheduling 1 (synthetic). -->
<xs:schema xmlns:xs="{XS}" xmlns="{SCHEDULING_CORE}" xmlns:dt="{DATATYPES}"
           targetNamespace="{SCHEDULING_CORE}" elementFormDefault="qualified" version="1.1">
  <xs:import namespace="{DATATYPES}" schemaLocation="common_datatypes_1.0.xsd"/>

  <xs:complexType name="BookingType">
    <xs:sequence>
      <xs:element name="bookingId" type="dt:NonEmptyStringType"/>
      <xs:element name="healthcareFacility" type="dt:HSAIdType"/>
      <xs:element name="startTime" type="dt:TimeStampType"/>
      <xs:element name="endTime" type="dt:TimeStampType"/>
      <xs:element name="timeTypeId" type="xs:string" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"""


# --------------------------------------------------------------------------- interactions

GET_CARE_DOCUMENTATION = Contract(
    domain=DESCRIPTION,
    name="GetCareDocumentation",
    major=2,
    minor=1,
    extra_header=("dt", DATATYPES, "ActingOnBehalfOf"),
    imports=(
        ("core", DESCRIPTION_CORE, "clinicalprocess_healthcond_description_2.1.xsd"),
        ("dt", DATATYPES, "common_datatypes_1.0.xsd"),
    ),
    request="""
      <xs:element name="patientId" type="core:PersonIdType"/>
      <xs:choice>
        <xs:element name="timePeriod" type="dt:DatePeriodType"/>
        <xs:element name="careContactId" type="xs:string" maxOccurs="unbounded"/>
      </xs:choice>
      <xs:element name="sourceSystemHSAId" type="dt:HSAIdType" minOccurs="0"/>""",
    response="""
      <xs:element name="careDocumentation" type="core:CareDocumentationType"
                  minOccurs="0" maxOccurs="unbounded"/>
      <xs:element name="result" type="dt:ResultType"/>""",
)

GET_BOOKING_DETAILS_1 = Contract(
    domain=SCHEDULING,
    name="GetBookingDetails",
    major=1,
    minor=1,
    declare_header=False,
    imports=(
        ("core", SCHEDULING_CORE, "crm_scheduling_1.1.xsd"),
        ("dt", DATATYPES, "common_datatypes_1.0.xsd"),
    ),
    request="""
      <xs:element name="healthcareFacility" type="dt:HSAIdType"/>
      <xs:element name="bookingId" type="dt:NonEmptyStringType"/>""",
    response="""
      <xs:element name="bookingDetails" type="core:BookingType" minOccurs="0"/>
      <xs:element name="result" type="dt:ResultType"/>""",
)

GET_BOOKING_DETAILS_2 = Contract(
    domain=SCHEDULING,
    name="GetBookingDetails",
    major=2,
    minor=0,
    imports=(
        ("core", SCHEDULING_CORE, "crm_scheduling_1.1.xsd"),
        ("dt", DATATYPES, "common_datatypes_1.0.xsd"),
    ),
    request="""
      <xs:element name="healthcareFacility" type="dt:HSAIdType"/>
      <xs:element name="bookingId" type="dt:NonEmptyStringType" maxOccurs="unbounded"/>""",
    response="""
      <xs:element name="bookingDetails" type="core:BookingType" minOccurs="0"
                  maxOccurs="unbounded"/>
      <xs:element name="result" type="dt:ResultType"/>""",
)

PING_FOR_CONFIGURATION = Contract(
    domain=MONITORING,
    name="PingForConfiguration",
    major=1,
    minor=0,
    profile="RIVTABP20",
    request="""
      <xs:element name="serviceContractNamespace" type="xs:string"/>
      <xs:element name="logicalAddress" type="xs:string"/>""",
    response="""
      <xs:element name="version" type="xs:string"/>
      <xs:element name="pingDateTime" type="xs:string"/>
      <xs:element name="configuration" type="ConfigurationType" minOccurs="0"
                  maxOccurs="unbounded"/>""",
    extra_types="""
  <xs:complexType name="ConfigurationType">
    <xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:element name="value" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>""",
)

CONTRACTS: tuple[Contract, ...] = (
    GET_CARE_DOCUMENTATION,
    GET_BOOKING_DETAILS_1,
    GET_BOOKING_DETAILS_2,
    PING_FOR_CONFIGURATION,
)


def responder_xsd(contract: Contract, *, target_namespace: str | None = None) -> str:
    """The responder schema of ``contract`` (request and response roots and their types)."""
    tns = target_namespace or contract.responder_ns
    prefixes = "".join(f'\n           xmlns:{p}="{ns}"' for p, ns, _ in contract.imports)
    imports = "".join(
        f'\n  <xs:import namespace="{ns}" schemaLocation="../../core_components/{loc}"/>'
        for _, ns, loc in contract.imports
    )
    name = contract.name
    doc = (
        f"\n    <xs:annotation>\n      <xs:documentation>{contract.request_doc}</xs:documentation>"
        "\n    </xs:annotation>"
        if contract.request_doc
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="{XS}" xmlns="{tns}"{prefixes}
           targetNamespace="{tns}" elementFormDefault="qualified"
           attributeFormDefault="unqualified" version="{contract.major}.{contract.minor}">{imports}

  <xs:element name="{name}" type="{name}Type"/>
  <xs:element name="{name}Response" type="{name}ResponseType"/>

  <xs:complexType name="{name}Type">{doc}
    <xs:sequence>{contract.request}
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="{name}ResponseType">
    <xs:sequence>{contract.response}
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>{contract.extra_types}
</xs:schema>
"""


def wsdl(contract: Contract, *, responder_import_ns: str | None = None) -> str:
    """The WSDL of ``contract``; ``responder_import_ns`` overrides the imported namespace."""
    name = contract.name
    bp20 = contract.profile.upper() == "RIVTABP20"
    header_ns, header_el, header_file = (
        (WSA, "To", "ws-addressing-1.0.xsd")
        if bp20
        else (REGISTRY, "LogicalAddress", "itintegration_registry_1.0.xsd")
    )
    header_part = "To" if bp20 else "LogicalAddress"
    responder_file = f"{name}Responder_{contract.major}.{contract.minor}.xsd"
    schema_imports = [(responder_import_ns or contract.responder_ns, responder_file)]
    if contract.declare_header:
        schema_imports.append((header_ns, f"../../core_components/{header_file}"))
    parts: list[str] = []
    binding_headers: list[str] = []
    prefixes = [f'xmlns:tjsr="{contract.responder_ns}"', f'xmlns:hdr="{header_ns}"']
    if contract.extra_header is not None:
        prefix, namespace, element = contract.extra_header
        prefixes.append(f'xmlns:{prefix}="{namespace}"')
        parts.append(f'<wsdl:part name="{element}" element="{prefix}:{element}"/>')
        binding_headers.append(
            f'<soap:header message="tns:{name}Request" part="{element}" use="literal"/>'
        )
    if contract.declare_header:
        parts.append(f'<wsdl:part name="{header_part}" element="hdr:{header_el}"/>')
        binding_headers.append(
            f'<soap:header message="tns:{name}Request" part="{header_part}" use="literal"/>'
        )
    imports = "\n      ".join(
        f'<xs:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in schema_imports
    )
    ns_decls = "\n                  ".join(prefixes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
                  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                  xmlns:xs="{XS}"
                  {ns_decls}
                  xmlns:tns="{contract.wsdl_ns}"
                  name="{name}Interaction"
                  targetNamespace="{contract.wsdl_ns}">
  <wsdl:types>
    <xs:schema targetNamespace="{contract.wsdl_ns}">
      {imports}
    </xs:schema>
  </wsdl:types>

  <wsdl:message name="{name}Request">
    {"".join(parts)}
    <wsdl:part name="parameters" element="tjsr:{name}"/>
  </wsdl:message>
  <wsdl:message name="{name}Response">
    <wsdl:part name="parameters" element="tjsr:{name}Response"/>
  </wsdl:message>

  <wsdl:portType name="{name}ResponderInterface">
    <wsdl:operation name="{name}">
      <wsdl:input message="tns:{name}Request"/>
      <wsdl:output message="tns:{name}Response"/>
    </wsdl:operation>
  </wsdl:portType>

  <wsdl:binding name="{name}ResponderBinding" type="tns:{name}ResponderInterface">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="{name}">
      <soap:operation soapAction="{contract.soap_action}" style="document"/>
      <wsdl:input>
        {"".join(binding_headers)}
        <soap:body use="literal" parts="parameters"/>
      </wsdl:input>
      <wsdl:output>
        <soap:body use="literal"/>
      </wsdl:output>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:service name="{name}ResponderService">
    <wsdl:port name="{name}ResponderPort" binding="tns:{name}ResponderBinding">
      <soap:address location="http://tempuri.org"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def core_files() -> Files:
    """The shared schemas of the multi-domain package."""
    return {
        "core_components/itintegration_registry_1.0.xsd": REGISTRY_XSD,
        "core_components/ws-addressing-1.0.xsd": WSA_XSD,
        "core_components/common_datatypes_1.0.xsd": DATATYPES_XSD,
        "core_components/common_codes_1.0.xsd": CODES_XSD,
        "core_components/clinicalprocess_healthcond_description_2.1.xsd": DESCRIPTION_CORE_XSD,
        "core_components/clinicalprocess_healthcond_description_enum_2.1.xsd": (
            DESCRIPTION_ENUM_XSD
        ),
        "core_components/party_1.0.xsd": PARTY_CHAMELEON_XSD,
        "core_components/crm_scheduling_1.1.xsd": SCHEDULING_CORE_XSD,
    }


def contract_files(contract: Contract) -> Files:
    """The WSDL and the responder schema of one interaction."""
    return {contract.wsdl_path: wsdl(contract), contract.responder_path: responder_xsd(contract)}


def multi_domain_files(contracts: Iterable[Contract] = CONTRACTS) -> Files:
    """A good package: the core components plus ``contracts``."""
    files = core_files()
    for contract in contracts:
        files.update(contract_files(contract))
    return files


# --------------------------------------------------------------------------- broken interactions

PATIENT_ID_REQUEST = '\n      <xs:element name="patientId" type="xs:string"/>'
"""The request of most broken interactions (:func:`_truncated_responder` rewrites it)."""

MISSING_IMPORT = Contract(
    domain="clinicalprocess:healthcond:referral",
    name="GetReferralOutcome",
    major=1,
    imports=(("core", "urn:riv:clinicalprocess:healthcond:referral:1",
              "clinicalprocess_healthcond_referral_1.0.xsd"),),
    request='\n      <xs:element name="referralId" type="xs:string"/>',
    response='\n      <xs:element name="outcome" type="core:ReferralOutcomeType"/>',
)
"""Imports a core schema that the package does not contain."""

NAMESPACE_MISMATCH = Contract(
    domain="clinicalprocess:activity:request",
    name="GetRequestActivities",
    major=1,
    request=PATIENT_ID_REQUEST,
    response='\n      <xs:element name="count" type="xs:int"/>',
)
"""Its WSDL imports the responder as ``...Responder:1``; the responder declares ``...:2``."""

BROKEN_XSD = Contract(
    domain="clinicalprocess:activityprescription:actoutcome",
    name="GetVaccinationHistory",
    major=2,
    request=PATIENT_ID_REQUEST,
    response='\n      <xs:element name="vaccination" type="xs:string" minOccurs="0"/>',
)
"""Its responder schema is cut off in the middle (unparsable); it also carries a ^...$ pattern."""

BROKEN_WSDL = Contract(
    domain="clinicalprocess:healthcond:actoutcome",
    name="GetLaboratoryOrderOutcome",
    major=4,
    request=PATIENT_ID_REQUEST,
    response='\n      <xs:element name="outcome" type="xs:string" minOccurs="0"/>',
)
"""Its WSDL has a mismatched end tag (unparsable)."""


def _truncated_responder(contract: Contract) -> str:
    text = responder_xsd(contract).replace(
        PATIENT_ID_REQUEST.strip(),
        '<xs:element name="patientId"><xs:simpleType><xs:restriction base="xs:string">'
        f'<xs:pattern value="{ANCHORED_PATTERN}"/></xs:restriction></xs:simpleType>'
        "</xs:element>",
    )
    return text[: text.index("</xs:sequence>")]


def broken_files() -> Files:
    """Four interactions broken in four different ways (see the constants above)."""
    files: Files = {}
    files.update(contract_files(MISSING_IMPORT))
    files[NAMESPACE_MISMATCH.wsdl_path] = wsdl(NAMESPACE_MISMATCH)  # imports ...Responder:1
    files[NAMESPACE_MISMATCH.responder_path] = responder_xsd(
        NAMESPACE_MISMATCH, target_namespace=NAMESPACE_MISMATCH.responder_ns[:-1] + "2"
    )
    files[BROKEN_XSD.wsdl_path] = wsdl(BROKEN_XSD)
    files[BROKEN_XSD.responder_path] = _truncated_responder(BROKEN_XSD)
    files[BROKEN_WSDL.responder_path] = responder_xsd(BROKEN_WSDL)
    files[BROKEN_WSDL.wsdl_path] = wsdl(BROKEN_WSDL).replace(
        "</wsdl:portType>", "</wsdl:porttype>", 1
    )
    return files


BILLION_LAUGHS = Contract(
    domain="clinicalprocess:healthcond:certificate",
    name="GetCertificate",
    major=1,
    request='\n      <xs:element name="certificateId" type="xs:string"/>',
    response='\n      <xs:element name="certificate" type="xs:string" minOccurs="0"/>',
)


def billion_laughs_xsd(contract: Contract = BILLION_LAUGHS, levels: int = 10) -> str:
    """A responder schema that declares the classic exponential entity bomb and uses it."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    doctype = "<!DOCTYPE xs:schema [\n  " + "\n  ".join(entities) + "\n]>\n"
    text = responder_xsd(contract)
    head, _, rest = text.partition("\n")
    return (
        head
        + "\n"
        + doctype
        + rest.replace(
            "<xs:sequence>",
            f"<xs:sequence><xs:annotation><xs:documentation>&lol{levels - 1};"
            "</xs:documentation></xs:annotation>",
            1,
        )
    )


REMOTE_IMPORT = Contract(
    domain="clinicalprocess:logistics:logistics",
    name="GetCareContacts",
    major=3,
    request=PATIENT_ID_REQUEST,
    response='\n      <xs:element name="careContact" type="remote:CareContactType"/>',
)


def remote_import_xsd(url: str, contract: Contract = REMOTE_IMPORT) -> str:
    """A responder schema whose core import points at ``url`` (an http(s) location)."""
    namespace = "urn:riv:clinicalprocess:logistics:logistics:3"
    text = responder_xsd(contract)
    return text.replace(
        f'xmlns="{contract.responder_ns}"',
        f'xmlns="{contract.responder_ns}"\n           xmlns:remote="{namespace}"',
        1,
    ).replace(
        f'version="{contract.major}.{contract.minor}">',
        f'version="{contract.major}.{contract.minor}">\n'
        f'  <xs:import namespace="{namespace}" schemaLocation="{url}"/>',
        1,
    )


# --------------------------------------------------------------------------- writers


def write_folder(files: Mapping[str, str | bytes], folder: Path) -> Path:
    """Write ``files`` below ``folder`` (created if needed); return ``folder``."""
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return folder


def zip_name(domain: str, version: str) -> str:
    """Inera's naming: ``ServiceContracts_<domain with _>_<version>.zip``."""
    return f"ServiceContracts_{domain.replace(':', '_')}_{version}.zip"


def write_zip(
    files: Mapping[str, str | bytes],
    archive: Path,
    *,
    top_folder: str | None = None,
    extras: bool = True,
) -> Path:
    """Write ``files`` into ``archive`` under ``schemas/``, below ``top_folder`` when given.

    ``extras`` adds what real release zips carry beside the schemas (documents, a test suite),
    which the loader must ignore.
    """
    prefix = f"{top_folder}/" if top_folder else ""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if top_folder:
            zf.writestr(f"{top_folder}/", "")
        for rel, text in sorted(files.items()):
            zf.writestr(f"{prefix}schemas/{rel}", text)
        if extras:
            zf.writestr(f"{prefix}docs/TKB_synthetic.docx", b"PK\x03\x04 not a real document")
            zf.writestr(f"{prefix}docs/README.txt", "Synthetic release notes.\n")
            zf.writestr(
                f"{prefix}test-suite/PingForConfiguration/request.xml",
                "<PingForConfiguration/>\n",
            )
    return archive


# --------------------------------------------------------------------------- bundled package copies

THREAD_ID_REQUIRED = (
    '<xs:element name="messageThreadId" type="xs:string" minOccurs="0">',
    '<xs:element name="messageThreadId" type="xs:string">',
)
"""(old, new) for :func:`edit` of the patientportal core schema: messageThreadId required."""

START_TIME_AS_STRING = (
    '<xs:element name="startTime" type="xs:dateTime" minOccurs="0">',
    '<xs:element name="startTime" type="xs:string" minOccurs="0">',
)
"""(old, new) for :func:`edit` of the patientportal core schema: startTime becomes a string."""


def copy_bundled(tmp_path: Path) -> Path:
    """A writable copy of the bundled schemas folder."""
    target = tmp_path / "package"
    shutil.copytree(bundled_folder(), target)
    return target


def edit(folder: Path, relative: str, old: str, new: str, *, regex: bool = False) -> None:
    """Replace exactly one occurrence of ``old`` in a package file."""
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    if regex:
        text, count = re.subn(old, new, text, flags=re.DOTALL)
    else:
        count = text.count(old)
        text = text.replace(old, new)
    assert count == 1, f"{old!r} found {count} times in {relative}"
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- patientportal requests

PATIENTPORTAL = "urn:riv-application:infrastructure:eservicesupply:patientportal"
PATIENTPORTAL_CORE = f"{PATIENTPORTAL}:2"
ADD_MESSAGE_RESPONDER = f"{PATIENTPORTAL}:AddMessageResponder:2"
TOLVAN = "191212121212"  # Skatteverket's test personnummer (check digit 2)


def sub_element(
    parent: etree._Element, namespace: str, local: str, text: str | None = None
) -> etree._Element:
    """A new ``{namespace}local`` child of ``parent``, with ``text`` when given."""
    child = etree.SubElement(parent, f"{{{namespace}}}{local}")
    if text is not None:
        child.text = text
    return child


def add_message_element(
    subject: str = TOLVAN,
    *,
    start_time: str = "2024-05-02T09:30:00+02:00",
    notify: bool = True,
    source_system: str | None = "SE2321000016-SYS1",
) -> etree._Element:
    """An AddMessage with every field of the contract set, in schema order (built by hand, not
    by the codec); valid with the defaults. ``source_system=None`` leaves sourceSystem out."""
    r, core = ADD_MESSAGE_RESPONDER, PATIENTPORTAL_CORE
    root = etree.Element(f"{{{r}}}AddMessage", nsmap={None: r, "core": core})
    sub_element(root, r, "subjectOfCareId", subject)
    message = sub_element(root, r, "message")
    unit = sub_element(message, core, "organisationUnit")
    for local, text in (
        ("unitId", "SE2321000016-7P1B"),
        ("unitName", "Vårdcentralen Solgläntan"),
        ("unitAddress", "Storgatan 1"),
        ("unitPostalCode", "11122"),
        ("unitPostalCity", "Stockholm"),
        ("unitTelephone", "+468123123"),
    ):
        sub_element(unit, core, local, text)
    sub_element(message, core, "messageThreadId", "thread-2024-0001")
    sub_element(message, core, "messageId", "msg-0001")
    sub_element(message, core, "messageType", "TimedInvitation")
    sub_element(message, core, "messageDescription", "Kallelse till provtagning")
    sub_element(message, core, "messageText",
        "<article><section><title>Välkommen</title><para>Tid: 09:30</para></section></article>")
    sso = sub_element(message, core, "ssoLink")
    sub_element(sso, core, "systemId", "SE2321000016-BOOK")
    sub_element(sso, core, "text", "Boka om")
    sub_element(sso, core, "queryString", "bookingId=B-77")
    sub_element(sso, core, "type", "NewTarget")
    attachment = sub_element(message, core, "attachment")
    sub_element(attachment, core, "fileName", "kallelse.pdf")
    sub_element(attachment, core, "mimeType", "application/pdf")
    sub_element(attachment, core, "content", "JVBERi0xLjQK")
    booking = sub_element(message, core, "booking")
    for local, text in (
        ("bookingId", "B-77"),
        ("isInvitation", "true"),
        ("isOpenInvitation", "false"),
        ("newBookingAllowed", "false"),
        ("rebookingAllowed", "true"),
        ("cancelBookingAllowed", "true"),
        ("timeTypeId", "T-PROV"),
        ("startTime", start_time),
        ("careUnitId", "SE2321000016-7P1B"),
    ):
        sub_element(booking, core, local, text)
    sub_element(root, r, "notify", "true" if notify else "false")
    if source_system is not None:
        sub_element(root, r, "sourceSystem", source_system)
    return root


def add_message_text(
    subject: str = TOLVAN,
    *,
    start_time: str = "2024-05-02T09:30:00+02:00",
    notify: bool = True,
    source_system: str | None = "SE2321000016-SYS1",
) -> str:
    """:func:`add_message_element` as indented text without an XML declaration (the root on
    line 1, subjectOfCareId on line 2)."""
    element = add_message_element(
        subject, start_time=start_time, notify=notify, source_system=source_system
    )
    return etree.tostring(element, encoding="unicode", pretty_print=True)


# --------------------------------------------------------------------------- bindings objects

Step = tuple[str, int | None]
"""(attribute, index in a repeated field or ``None``): one step down a bindings object."""


def string_fields(obj: XmlObject, prefix: str) -> list[tuple[str, list[Step]]]:
    """(codec path, steps) of every str field inside ``obj``; paths start with ``prefix``."""
    found: list[tuple[str, list[Step]]] = []
    for spec in type(obj).__xsd__.fields:
        value = getattr(obj, spec.attr)
        items = list(enumerate(value)) if isinstance(value, tuple) else [(None, value)]
        for index, item in items:
            label = f"{prefix}.{spec.attr}" + ("" if index is None else f"[{index}]")
            step = (spec.attr, index)
            if isinstance(item, str):
                found.append((label, [step]))
            elif isinstance(item, XmlObject):
                found.extend((p, [step, *s]) for p, s in string_fields(item, label))
    return found


def replace_at(obj: typing.Any, steps: list[Step], value: str) -> typing.Any:
    """A copy of ``obj`` with the field at ``steps`` set to ``value``."""
    (attr, index), rest = steps[0], steps[1:]
    current = getattr(obj, attr)
    if index is None:
        new = value if not rest else replace_at(current, rest, value)
    else:
        items = list(current)
        items[index] = value if not rest else replace_at(items[index], rest, value)
        new = tuple(items)
    return dataclasses.replace(obj, **{attr: new})
