"""Load a contract package into the read-only :class:`ContractPackage` (layer L1).

A package is the bundled reconstruction, an official ``ServiceContracts_<domain>_<version>.zip``
or an unpacked folder. Every interaction (RIVTABP21 and RIVTABP20 WSDLs) is discovered; an
interaction whose WSDL or schema chain is broken is left out and reported in
:attr:`ContractPackage.problems` while the others load.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from .._log import get_logger
from ..errors import ContractLoadError, ContractProblem, UnknownOperationError, XmlInputError
from ..errors._record import Record, record, setfield
from .model import Interaction, Operation, TypeModel
from .source import PackageSource, open_source
from .wsdl import WsdlError, read_interaction
from .xsd import TypeBuilder, index_package, read_inline_schemas

if TYPE_CHECKING:
    from pathlib import Path


@record()
class ContractPackage(Record):
    """A loaded contract package: interactions, operations, types and any problems found."""

    __slots__ = ("_by_element", "_by_name", "interactions", "problems", "source", "types")

    source: PackageSource
    interactions: Mapping[str, Interaction]
    types: TypeModel
    problems: tuple[ContractProblem, ...]
    _by_name: Mapping[str, tuple[Operation, ...]]
    _by_element: Mapping[str, Operation]

    def __init__(
        self,
        source: PackageSource,
        interactions: Mapping[str, Interaction],
        types: TypeModel,
        problems: tuple[ContractProblem, ...],
        _by_name: Mapping[str, tuple[Operation, ...]],
        _by_element: Mapping[str, Operation],
    ) -> None:
        setfield(self, "source", source)
        setfield(self, "interactions", interactions)
        setfield(self, "types", types)
        setfield(self, "problems", problems)
        setfield(self, "_by_name", _by_name)
        setfield(self, "_by_element", _by_element)

    @property
    def name(self) -> str:
        """Where the package came from (a path, or ``bundled ...``)."""
        return self.source.name

    @property
    def domains(self) -> tuple[str, ...]:
        """The service domains the package holds."""
        return tuple(sorted({i.domain for i in self.interactions.values()}))

    @property
    def operations(self) -> tuple[Operation, ...]:
        """Every operation, sorted by domain, contract and name."""
        ops = [op for i in self.interactions.values() for op in i.operations]
        return tuple(sorted(ops, key=lambda o: (o.domain, o.contract, o.major, o.name)))

    def operation(self, name: str) -> Operation:
        """Look up an operation by name (``AddMessage``) or qualified name
        (``infrastructure:eservicesupply:patientportal:AddMessage:2``).

        Raises :class:`~inkorg_riv.errors.UnknownOperationError` for an unknown or ambiguous name.
        """
        found = self._by_name.get(name)
        if found is None:
            raise UnknownOperationError(name, {op.name for op in self.operations})
        if len(found) > 1:
            raise UnknownOperationError(
                f"{name} (ambiguous: use a qualified name)",
                (op.qualified_name for op in found),
            )
        return found[0]

    def operation_for_element(self, element: str) -> Operation | None:
        """The operation whose request or response root is ``element`` (Clark name)."""
        return self._by_element.get(element)


def load_package(location: str | Path | None = None, *, strict: bool = False) -> ContractPackage:
    """Load a contract package; ``None`` loads the bundled patientportal 2.0 reconstruction.

    ``location`` is an official release zip (a top folder inside is fine) or an unpacked
    folder. Nothing is fetched over the network and no DTD or entity is processed.

    Raises :class:`~inkorg_riv.errors.ContractLoadError` when the location does not exist, is
    not a contract package, or no interaction of it loads. With ``strict=True`` any problem
    raises; otherwise broken interactions are left out and listed in ``problems``.
    """
    source = open_source(location)
    package = build_package(source)
    if not package.interactions or (strict and package.problems):
        raise ContractLoadError(
            f"{source.name}: "
            + ("no interaction could be loaded" if not package.interactions else "broken package"),
            problems=package.problems,
        )
    for problem in package.problems:
        get_logger("contracts").warning("contract package %s: %s", source.name, problem)
    return package


@functools.lru_cache(maxsize=1)
def bundled_package() -> ContractPackage:
    """The bundled patientportal 2.0 package, loaded once per process (thread-safe to share)."""
    return load_package(None, strict=True)


def build_package(source: PackageSource) -> ContractPackage:
    """Build the model of ``source`` (no error for partial breakage: see ``problems``)."""
    index = index_package(source)
    wsdl_paths = [p for p in source.files if p.lower().endswith(".wsdl")]
    for path in wsdl_paths:
        read_inline_schemas(source, index, path)
    def broken_type(file: str, cause: str) -> None:
        index.problems.append(ContractProblem(file, cause))
        index.broken.add(file)

    types = TypeBuilder(index).build(broken_type)

    interactions: dict[str, Interaction] = {}
    problems = list(index.problems)
    for path in sorted(wsdl_paths):
        broken = sorted(index.reachable(path) & index.broken)
        if broken:
            if path not in broken:
                problems.append(
                    ContractProblem(path, f"left out: it depends on broken {', '.join(broken)}")
                )
            continue
        try:
            root = index.document(source, path)
            interaction = read_interaction(path, root, types)
        except XmlInputError as exc:
            problems.append(ContractProblem(path, exc.cause))
            continue
        except WsdlError as exc:
            problems.append(ContractProblem(path, str(exc)))
            continue
        key = f"{interaction.domain}:{interaction.name}:{interaction.major}"
        interactions[key] = interaction

    by_name: dict[str, list[Operation]] = {}
    by_element: dict[str, Operation] = {}
    for interaction in interactions.values():
        for op in interaction.operations:
            by_name.setdefault(op.name, []).append(op)
            by_name.setdefault(op.qualified_name, []).append(op)
            by_element[op.request_element] = op
            by_element[op.response_element] = op
    return ContractPackage(
        source=source,
        interactions=MappingProxyType(dict(sorted(interactions.items()))),
        types=types,
        problems=tuple(dict.fromkeys(problems)),
        _by_name=MappingProxyType({k: tuple(v) for k, v in by_name.items()}),
        _by_element=MappingProxyType(by_element),
    )
