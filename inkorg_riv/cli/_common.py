"""Shared pieces of the ``inkorg-riv`` command: exit codes, output, package loading.

Owns what every subcommand needs the same way: the exit code constants, the one-line error and
warning format (``inkorg-riv: error: ...``), the redaction applied to anything printed that may
come from a document, and turning a ``--package`` argument into a loaded package.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable

from .._log import redact
from ..contracts import ContractPackage, bundled_package, load_package

PROG = "inkorg-riv"

EXIT_OK = 0
"""Success: the document is valid, the packages are identical, the listing was printed."""
EXIT_FINDINGS = 1
"""The command worked and found something: an invalid document, differences between packages."""
EXIT_USAGE = 2
"""The command could not do its job: bad arguments, missing file, unknown operation, broken
package."""

BUNDLED = "bundled"
"""The word that names the bundled package wherever a package path is expected."""

Handler = Callable[[argparse.Namespace], int]
Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# A quoted token from a libxml2 message that looks like an identity (or phone) number even when
# it is malformed: 10-13 characters without spaces or colons, at least 9 of them digits.
_QUOTED = re.compile(r"'([^'\s:]{10,13})'")


def safe(text: str) -> str:
    """``text`` with identity numbers masked, also malformed ones quoted by the XSD validator."""

    def mask(match: re.Match[str]) -> str:
        value = match.group(1)
        if sum(ch.isdigit() for ch in value) >= 9:
            return f"'{value[:8]}****'"
        return match.group(0)

    return redact(_QUOTED.sub(mask, text))


def one_line(text: str) -> str:
    """A message on one line: continuation lines (``  - problem``) joined with ``; ``."""
    lines = [line.strip().removeprefix("- ").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    head, rest = lines[0], lines[1:]
    if rest:
        head = head.rstrip(":")
        return f"{head}: {'; '.join(rest)}"
    return head


def error(message: str) -> None:
    """Print ``inkorg-riv: error: <message>`` as one line on stderr."""
    print(f"{PROG}: error: {safe(one_line(message))}", file=sys.stderr)


def warning(message: str) -> None:
    """Print ``inkorg-riv: warning: <message>`` as one line on stderr."""
    print(f"{PROG}: warning: {safe(one_line(message))}", file=sys.stderr)


def open_package(location: str | None) -> ContractPackage:
    """The package at ``location``; ``None`` or ``bundled`` for the bundled one.

    Problems of a package that loaded in part are printed as warnings.
    """
    if location is None or location == BUNDLED:
        return bundled_package()
    package = load_package(location)
    for problem in package.problems:
        warning(f"{package.name}: {problem}")
    return package


def add_package_option(parser: argparse.ArgumentParser) -> None:
    """The ``--package PATH`` option shared by subcommands."""
    parser.add_argument(
        "--package",
        metavar="PATH",
        help="an official contract zip or an unpacked folder (default: the bundled package; "
        "the word 'bundled' also names it)",
    )
