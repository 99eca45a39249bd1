"""``inkorg-riv generate``: write typed bindings for a contract package.

Owns the ``generate`` subcommand: loading the package (the bundled one, an official zip or an
unpacked folder), choosing the module name, writing ``<DIR>/<module>.py`` with the binding
generator, and adding the ``py.typed`` marker that type checkers look for.
"""

from __future__ import annotations

import argparse
import keyword
import re
from pathlib import Path

from ..bindings.generator import generate_module
from ..contracts import ContractPackage
from ..errors import ConfigurationError
from ._common import EXIT_OK, add_package_option, open_package

_EPILOG = """\
The module is named after the last part of the package's service domain (patientportal for
infrastructure:eservicesupply:patientportal) unless --module says otherwise. An existing module
file of that name is replaced; an existing py.typed is left alone.

exit status: 0 the module was written (its path is printed), 2 the package could not be loaded,
the module name is not usable, or the file could not be written."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``generate`` command to the top-level parser."""
    parser = subparsers.add_parser(
        "generate",
        help="write typed dataclass bindings for a contract package",
        description="Generate a Python module of frozen, typed dataclasses (one per complex "
        "type, one enum per enumeration) for the requests and responses of a package.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_package_option(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        required=True,
        help="the folder to write the module into (created when missing)",
    )
    parser.add_argument(
        "--module",
        metavar="NAME",
        help="the module name, without .py (default: from the package's service domain)",
    )
    parser.set_defaults(handler=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    """Generate the bindings module and print where it was written."""
    package = open_package(args.package)
    name = args.module if args.module is not None else default_module_name(package)
    path = write_bindings(package, args.out, name)
    print(path)
    return EXIT_OK


def default_module_name(package: ContractPackage) -> str:
    """The last segment of the package's single service domain, as a module name.

    Raises :class:`~inkorg_riv.errors.ConfigurationError` when the package holds several
    domains (then a name must be given).
    """
    domains = package.domains
    if len(domains) != 1:
        raise ConfigurationError(
            f"{package.name} holds {len(domains)} service domains ({', '.join(domains)}): "
            "pass --module NAME"
        )
    last = domains[0].rsplit(":", 1)[-1]
    name = re.sub(r"\W+", "_", last).strip("_").lower() or "bindings"
    if name[0].isdigit():
        name = f"contracts_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def write_bindings(package: ContractPackage, out: Path, module: str) -> Path:
    """Write ``<out>/<module>.py`` (and ``py.typed`` when absent); return the module's path.

    Raises :class:`~inkorg_riv.errors.ConfigurationError` for a module name that is not a
    Python identifier, :class:`~inkorg_riv.errors.BindingError` for a schema construct the
    generator does not support, and :class:`OSError` when the files cannot be written.
    """
    if not module.isidentifier() or keyword.iskeyword(module):
        raise ConfigurationError(f"--module {module!r} is not a valid Python module name")
    source = generate_module(package)  # before touching the disk: nothing half-written
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{module}.py"
    path.write_text(source, encoding="utf-8")
    marker = out / "py.typed"
    if not marker.exists():
        marker.write_text("", encoding="utf-8")
    return path
