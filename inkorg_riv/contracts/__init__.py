"""Find and load RIV-TA contract packages into a read-only model (layer L1).

>>> from inkorg_riv.contracts import bundled_package
>>> package = bundled_package()
>>> package.operation("AddMessage").soap_action
'urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2:AddMessage'
"""

from .model import (
    Any,
    Attribute,
    ComplexType,
    Element,
    Group,
    HeaderPart,
    Interaction,
    Operation,
    RivProfile,
    SimpleType,
    TypeModel,
)
from .package import ContractPackage, bundled_package, load_package
from .source import PackageSource

__all__ = [
    "Any",
    "Attribute",
    "ComplexType",
    "ContractPackage",
    "Element",
    "Group",
    "HeaderPart",
    "Interaction",
    "Operation",
    "PackageSource",
    "RivProfile",
    "SimpleType",
    "TypeModel",
    "bundled_package",
    "load_package",
]
