"""Namespace URIs and QName helpers used across the library (layer L0, stdlib only)."""

from __future__ import annotations

XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSA_2004 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
RIV_REGISTRY = "urn:riv:itintegration:registry:1"

PATIENTPORTAL_DOMAIN = "infrastructure:eservicesupply:patientportal"


def clark(namespace: str | None, local: str) -> str:
    """Return ``{namespace}local`` (Clark notation), or ``local`` without a namespace."""
    return f"{{{namespace}}}{local}" if namespace else local


def split_clark(name: str) -> tuple[str | None, str]:
    """Split ``{namespace}local`` into ``(namespace, local)``."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def local_name(name: str) -> str:
    """The local part of a Clark-notation name."""
    return split_clark(name)[1]

