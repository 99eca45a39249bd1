"""``inkorg-riv validate FILE.xml``: check a request or response before it is sent.

Owns the ``validate`` subcommand: reading the file, choosing the operation and pattern policy,
and printing every issue (path, line, reason, rule) with identity numbers masked. The exit
status separates "the document is invalid" (1) from "it could not be validated at all" (2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .._xmlparse import parse_bytes
from ..errors import ValidationIssue, XmlInputError
from ..validation import PatternPolicy, Validator
from ._common import EXIT_FINDINGS, EXIT_OK, add_package_option, open_package, safe

_EPILOG = """\
exit status:
  0  the document is valid ("valid: <operation>")
  1  the document is invalid: every issue is printed as "path (line N): reason [rule]".
     A file that is not usable XML -- malformed, not UTF-8 (or its declared encoding), or one
     that declares a DOCTYPE (DTDs and entities are never processed) -- is invalid too, with a
     one-line reason.
  2  the document could not be validated at all: the file is missing or unreadable, the
     operation is unknown, the package cannot be loaded or its schema does not compile, or the
     arguments are wrong.

FILE may hold a bare request or response, or a whole SOAP 1.1 envelope (then the LogicalAddress
header is checked too). Without --operation the operation is found from the root element."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` command to the top-level parser."""
    parser = subparsers.add_parser(
        "validate",
        help="validate a request or response (or a SOAP envelope) against the contracts",
        description="Validate an XML document against the XSD of its operation and the\n"
        "rules beyond the XSD (identity-number check digits, notify requires sourceSystem).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.xml", type=Path, help="the document to check")
    parser.add_argument(
        "--operation",
        metavar="NAME",
        help="the operation (AddMessage or a qualified name); default: from the root element",
    )
    add_package_option(parser)
    parser.add_argument(
        "--strict-patterns",
        action="store_true",
        help="read xs:pattern exactly as written: a leading ^ and trailing $ are literal "
        "characters (default: treat them as the anchors their authors meant)",
    )
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Validate one file and print the verdict."""
    package = open_package(args.package)
    operation = package.operation(args.operation) if args.operation else None
    path: Path = args.file
    data = path.read_bytes()
    try:
        root = parse_bytes(data, source=str(path))
    except XmlInputError as exc:
        print(f"invalid: {safe(str(exc))}")
        return EXIT_FINDINGS
    policy = PatternPolicy.STRICT if args.strict_patterns else PatternPolicy.ANCHORS
    validator = Validator(package, patterns=policy)
    issues = list(validator.iter_issues(root, operation))
    found = operation or validator.operation_of(root)
    name = found.name if found is not None else str(path)
    if not issues:
        print(f"valid: {name}")
        return EXIT_OK
    count = len(issues)
    print(f"invalid: {name}: {count} issue{'s' if count != 1 else ''}")
    for issue in issues:
        print(f"  {format_issue(issue)}")
    return EXIT_FINDINGS


def format_issue(issue: ValidationIssue) -> str:
    """``path (line N): reason [rule]`` with identity numbers masked."""
    where = issue.path or "/"
    if issue.line is not None:
        where += f" (line {issue.line})"
    return safe(f"{where}: {issue.reason} [{issue.rule}]")
