"""``inkorg-riv preview FILE``: see an AddMessage as the citizen will see it in the inbox.

Owns the ``preview`` subcommand: reading an AddMessage request (bare or in a SOAP envelope),
writing the standalone page of :func:`inkorg_riv.kallelse.render.preview_html` and printing its
path, and reporting the body's issues (:func:`inkorg_riv.validation.docbook.check_body`) as
warnings. The page is written even when the body has issues: it shows what the citizen would
see, mismatch markers included.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import codec
from .._ns import SOAP11_ENV
from .._xmlparse import parse_bytes
from ..bindings import patientportal as pp
from ..errors import XmlInputError
from ..kallelse.render import preview_html
from ..validation.docbook import check_body
from ._common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, error, warning

_ADD_MESSAGE = next(name for name, cls in pp.ELEMENTS.items() if cls is pp.AddMessageType)

_EPILOG = """\
exit status:
  0  the preview was written and the body is inside the 1177 DocBook subset
  1  the preview was written, but the body has issues (printed as warnings): the inbox would
     show "##### Mismatched Element in Source #####" or no working link
  2  no preview: the file is missing or unreadable, not XML, or not an AddMessage request

FILE may hold a bare AddMessage request or a whole SOAP 1.1 envelope. The page is standalone
(inline CSS, no scripts) and shows the identity number redacted."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``preview`` command to the top-level parser."""
    parser = subparsers.add_parser(
        "preview",
        help="write an HTML preview of an AddMessage as the citizen sees it in 1177 Inkorg",
        description="Write a standalone HTML page showing an AddMessage request as the 1177\n"
        "inbox would: heading, unit, body, links, attachments, booking buttons and time.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the AddMessage XML file")
    parser.add_argument(
        "--out",
        metavar="HTML",
        type=Path,
        help="where to write the page (default: FILE with the suffix .html)",
    )
    parser.set_defaults(handler=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    """Write the preview of one file and print its path."""
    source: Path = args.file
    out: Path = args.out if args.out is not None else source.with_suffix(".html")
    if out.resolve() == source.resolve():
        error(f"{out}: the preview would overwrite FILE; name another file with --out")
        return EXIT_USAGE
    request = read_add_message(source)
    out.write_text(preview_html(request), encoding="utf-8")
    issues = check_body(request.message.message_text)
    for issue in issues:
        warning(f"{source}: messageText {issue}")
    print(out)
    return EXIT_FINDINGS if issues else EXIT_OK


def read_add_message(path: Path) -> pp.AddMessageType:
    """The AddMessage request in ``path`` (bare or in a SOAP 1.1 envelope).

    Raises :class:`OSError` for an unreadable file, :class:`XmlInputError` for one that is not
    XML or holds no AddMessage, :class:`~inkorg_riv.errors.BindingError` for an AddMessage that
    cannot be read; the command turns each into one error line and exit status 2.
    """
    root = parse_bytes(path.read_bytes(), source=str(path))
    if root.tag == f"{{{SOAP11_ENV}}}Envelope":
        body = root.find(f"{{{SOAP11_ENV}}}Body")
        payload = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
        if payload is None:
            raise XmlInputError("the SOAP envelope has no Body content", source=str(path))
        root = payload
    if root.tag != _ADD_MESSAGE:
        tag = root.tag if isinstance(root.tag, str) else "?"
        raise XmlInputError(
            f"the root element is {tag}, not an AddMessage request ({_ADD_MESSAGE})",
            source=str(path),
        )
    return codec.decode(root, pp.AddMessageType)
