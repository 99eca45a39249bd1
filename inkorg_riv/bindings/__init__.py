"""Typed bindings: the generated classes of the bundled patientportal 2.0 contracts and the
generator that writes bindings for any contract package (layer L2).

``inkorg_riv.bindings.patientportal`` is generated from ``schemas/`` by
``inkorg-riv generate``; a test fails when it differs from what the generator produces now.
"""

from ._runtime import FieldSpec, Kind, TypeSpec, XmlObject
from .generator import generate_module

__all__ = ["FieldSpec", "Kind", "TypeSpec", "XmlObject", "generate_module"]
