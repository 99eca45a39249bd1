"""Typed bindings: the generated classes of the bundled patientportal 2.0 contracts and the
generator that writes bindings for any contract package (layer L2).

``inkorg_riv.bindings.patientportal`` is generated from ``schemas/`` by
``inkorg-riv generate``; a test fails when it differs from what the generator produces now.
"""

from typing import TYPE_CHECKING, Any

from ._runtime import FieldSpec, Kind, TypeSpec, XmlObject

if TYPE_CHECKING:
    from .generator import generate_module


def __getattr__(name: str) -> Any:
    # The generator is loaded on first use: sending messages never needs it.
    if name == "generate_module":
        from .generator import generate_module  # noqa: PLC0415

        return generate_module
    raise AttributeError(name)

__all__ = ["FieldSpec", "Kind", "TypeSpec", "XmlObject", "generate_module"]
