"""``inkorg-riv contracts list|show|diff``: look at contract packages from the command line.

Owns the ``contracts`` subcommand group: listing operations, showing one operation with its
request and response trees, and diffing two packages (exit 0 identical, 1 different).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..contracts import ContractPackage, Operation
from ..contracts.diff import diff_packages
from ..contracts.tree import ANY, ELEMENT, TreeLine, element_tree
from ._common import (
    BUNDLED,
    EXIT_FINDINGS,
    EXIT_OK,
    Handler,
    add_package_option,
    open_package,
)

_DIFF_EPILOG = """\
exit status: 0 when the packages are identical ("no differences"), 1 when they differ (each
change is printed), 2 when a package cannot be loaded or the arguments are wrong.
With one PACKAGE, the bundled package is compared with it (bundled -> PACKAGE)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``contracts`` group to the top-level parser."""
    parser = subparsers.add_parser(
        "contracts",
        help="list, show and compare contract packages",
        description="Look at the operations and message trees of a contract package.",
    )
    commands = parser.add_subparsers(dest="contracts_command", metavar="COMMAND", required=True)

    listing = commands.add_parser(
        "list",
        help="one line per operation: qualified name, version, profile, SOAP action",
        description="List the operations of a package. Package problems are warnings on stderr.",
    )
    add_package_option(listing)
    _handler(listing, run_list)

    show = commands.add_parser(
        "show",
        help="one operation: namespaces, SOAP action, headers and message trees",
        description="Show an operation: its namespaces, SOAP action, RIV profile, headers, "
        "request and response roots, and both element trees with types and cardinalities.",
    )
    show.add_argument("operation", metavar="OPERATION", help="AddMessage, or a qualified name")
    show.add_argument("--docs", action="store_true", help="print the schema documentation too")
    add_package_option(show)
    _handler(show, run_show)

    diff = commands.add_parser(
        "diff",
        help="compare two packages (exit 0 identical, 1 different)",
        description="Compare two contract packages: operations, SOAP actions, headers, and\n"
        "every element of every request and response (type, cardinality, enumeration).",
        epilog=_DIFF_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("old", metavar="PACKAGE_A", help=f"zip, folder or '{BUNDLED}'")
    diff.add_argument(
        "new", metavar="PACKAGE_B", nargs="?", help=f"zip, folder or '{BUNDLED}'"
    )
    _handler(diff, run_diff)


def _handler(parser: argparse.ArgumentParser, handler: Handler) -> None:
    parser.set_defaults(handler=handler)


# --------------------------------------------------------------------------- list


def run_list(args: argparse.Namespace) -> int:
    """Print one aligned line per operation."""
    package = open_package(args.package)
    rows = [
        (op.qualified_name, op.version, op.profile.value, op.soap_action)
        for op in package.operations
    ]
    for line in _columns(rows):
        print(line)
    return EXIT_OK


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]


# --------------------------------------------------------------------------- show


def run_show(args: argparse.Namespace) -> int:
    """Print one operation and its request and response trees."""
    package = open_package(args.package)
    op = package.operation(args.operation)
    for line in describe_operation(package, op, docs=args.docs):
        print(line)
    return EXIT_OK


def describe_operation(package: ContractPackage, op: Operation, *, docs: bool = False) -> list[str]:
    """The lines ``contracts show`` prints for ``op``."""
    facts: list[tuple[str, str]] = [
        ("operation", op.qualified_name),
        ("version", op.version),
        ("RIV profile", op.profile.value),
        ("WSDL namespace", op.wsdl_namespace),
        ("responder namespace", op.responder_namespace),
        ("SOAP action", op.soap_action),
    ]
    for header in op.headers:
        note = "" if header.declared else "  (not declared in WSDL; sent anyway)"
        facts.append(("header", f"{header.part}: {header.element}{note}"))
    facts += [
        ("request root", op.request_element),
        ("response root", op.response_element),
        ("WSDL file", op.wsdl_file),
        ("schema file", op.schema_file),
        ("package", package.name),
    ]
    width = max(len(label) for label, _ in facts)
    lines = [f"{label.ljust(width)}  {value}" for label, value in facts]
    for title, element in (("request", op.request_element), ("response", op.response_element)):
        lines += ["", f"{title}:"]
        lines += format_tree(element_tree(package, element), docs=docs, indent=1)
    return lines


def format_tree(tree: list[TreeLine], *, docs: bool = False, indent: int = 0) -> list[str]:
    """Indented, aligned lines: name, type, cardinality, then facets."""
    names = ["  " * (indent + line.depth) + _name(line) for line in tree]
    types = [_type(line) for line in tree]
    name_width = max((len(n) for n in names), default=0)
    type_width = max((len(t) for t in types), default=0)
    out: list[str] = []
    for line, name, type_label in zip(tree, names, types, strict=True):
        text = f"{name.ljust(name_width)}  {type_label.ljust(type_width)}  {line.cardinality}"
        extras = _extras(line)
        if extras:
            text += "  " + extras
        out.append(text.rstrip())
        if docs and line.doc:
            out.append("  " * (indent + line.depth + 2) + f"# {line.doc}")
    return out


def _name(line: TreeLine) -> str:
    if line.kind in (ELEMENT, ANY) or line.name.startswith("@"):
        return line.name
    return f"({line.kind})"


def _type(line: TreeLine) -> str:
    if line.kind == ANY:
        return f"{line.namespace} {line.type}"
    return line.type


def _extras(line: TreeLine) -> str:
    parts: list[str] = []
    if line.base and line.base != line.type and line.kind != ANY:
        parts.append(line.base)
    if line.length:
        parts.append(f"length {line.length}")
    if line.enumeration:
        parts.append("{" + " | ".join(line.enumeration) + "}")
    parts += [f"pattern {pattern}" for pattern in line.patterns]
    if line.recursive:
        parts.append("(recursive: expanded above)")
    return "  ".join(parts)


# --------------------------------------------------------------------------- diff


def run_diff(args: argparse.Namespace) -> int:
    """Print the changes from PACKAGE_A to PACKAGE_B; exit 1 when there are any."""
    old_location, new_location = (
        (args.old, args.new) if args.new is not None else (BUNDLED, args.old)
    )
    old = open_package(old_location)
    new = open_package(new_location)
    result = diff_packages(old, new)
    if result.identical:
        print("no differences")
        return EXIT_OK
    for change in result:
        print(change)
    count = len(result)
    print(f"{count} difference{'s' if count != 1 else ''}", file=sys.stderr)
    return EXIT_FINDINGS
