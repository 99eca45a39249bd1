"""The ``inkorg-riv`` command line (layer L6).

Owns the top-level parser, the exit status and the error policy: every failure is one line on
stderr prefixed ``inkorg-riv: error:``, never a traceback. Each subcommand group lives in its
own module and adds itself to the parser through a ``register(subparsers)`` function listed in
:data:`REGISTRARS`; a handler stored as ``handler`` in the parsed arguments returns the exit
status.

Exit status: 0 success, 1 the command found something (an invalid document, differing
packages), 2 the command could not do its job (usage errors, missing files, unknown
operations, packages that do not load).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import InkorgError
from . import _cert, _contracts, _generate, _preview, _simulator, _validate
from ._common import EXIT_FINDINGS, EXIT_USAGE, PROG, Handler, Register, error

REGISTRARS: tuple[Register, ...] = (
    _contracts.register,
    _validate.register,
    _generate.register,
    _simulator.register,
    _cert.register,
    _preview.register,
)
"""The subcommand groups, in the order ``--help`` lists them."""


def build_parser(registrars: Sequence[Register] = REGISTRARS) -> argparse.ArgumentParser:
    """The top-level parser with every subcommand group registered."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Contracts, validation and tools for sending messages into 1177 Inkorg "
        "over NTjP (RIV-TA Basic Profile 2.1).",
        epilog="exit status: 0 success, 1 findings (invalid document, differences), "
        "2 the command could not run (usage, missing file, unknown operation, broken package).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in registrars:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    handler: Handler = args.handler
    try:
        return handler(args)
    except InkorgError as exc:
        error(str(exc))
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (``| head``): nothing left to say
        return EXIT_FINDINGS
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        error(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    return EXIT_USAGE


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


__all__ = ["REGISTRARS", "build_parser", "main"]
