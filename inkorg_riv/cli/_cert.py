"""``inkorg-riv cert inspect FILE``: describe a SITHS function certificate, never its key.

Owns the ``cert`` subcommand group. ``inspect`` reads a PEM/DER certificate (.pem/.crt/.cer,
no key needed) or a PKCS#12 file (.p12/.pfx, password from ``--password-file`` or the
environment variable named by ``--password-env``) and prints subject, issuer, HSA-id, validity
window and days left, key usage, the SHA-256 fingerprint and warnings. Exit status: 0 usable,
1 expired, not yet valid or without HSA-id (the platform would refuse it), 2 unreadable
(missing file, wrong password, damaged file).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import CertificateError, ConfigurationError
from ._common import EXIT_FINDINGS, EXIT_OK

_LABEL_WIDTH = 21


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cert`` group to the top-level parser."""
    parser = subparsers.add_parser(
        "cert",
        help="inspect client certificates (SITHS function certificates)",
        description="Client certificates for mutual TLS with the service platform.",
    )
    commands = parser.add_subparsers(dest="cert_command", metavar="COMMAND", required=True)
    inspect = commands.add_parser(
        "inspect",
        help="print subject, HSA-id, validity, key usage and fingerprint (never the key)",
        description="Describe a certificate: PEM/DER (.pem/.crt/.cer) or PKCS#12 (.p12/.pfx, "
        "needs its password). Exit status: 0 usable, 1 expired, not yet valid or no HSA-id, "
        "2 unreadable.",
    )
    inspect.add_argument("file", type=Path, metavar="FILE", help="the certificate or .p12 file")
    source = inspect.add_mutually_exclusive_group()
    source.add_argument(
        "--password-file",
        type=Path,
        metavar="F",
        help="read the PKCS#12 password from the first line of F",
    )
    source.add_argument(
        "--password-env",
        metavar="VAR",
        help="read the PKCS#12 password from the environment variable VAR",
    )
    inspect.add_argument(
        "--warn-days",
        type=_days,
        default=30,
        metavar="N",
        help="warn when the certificate expires within N days (default: %(default)s)",
    )
    inspect.set_defaults(handler=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    """Print the description of ``args.file``; the exit status says whether it is usable."""
    from ..tls import certificate_warnings, inspect_certificate, validity_problem  # noqa: PLC0415  (lazy: keeps --help fast)

    path: Path = args.file
    password = _password(args.password_file, args.password_env)
    try:
        info = inspect_certificate(path, password)
    except CertificateError as exc:
        if password is None and str(exc).startswith("no password given"):
            raise CertificateError(f"{exc} (--password-file F or --password-env VAR)") from exc
        raise
    problem = validity_problem(info)
    warnings = certificate_warnings(info, expiry_warning_days=args.warn_days)
    left = info.days_left()
    lines = [
        ("file", str(path)),
        ("subject", info.subject),
        ("issuer", info.issuer),
        ("HSA-id", info.hsa_id or "(none: the subject has no serialNumber)"),
        ("serial number", info.serial_number),
        ("valid from", _when(info.not_before.isoformat(" "))),
        ("valid until", f"{_when(info.not_after.isoformat(' '))} ({_left(left)})"),
        ("key usage", ", ".join(info.key_usage) or "(no key usage extension: any)"),
        ("extended key usage", ", ".join(info.extended_key_usage) or "(none: any)"),
        ("SHA-256 fingerprint", info.fingerprint_sha256),
    ]
    if problem:
        status = f"NOT USABLE: {problem}"
    elif info.hsa_id is None:
        status = "NOT USABLE: no HSA-id (subject serialNumber); the platform will answer VP002"
    else:
        status = "OK"
    lines.append(("status", status))
    for label, value in lines:
        print(f"{label + ':':<{_LABEL_WIDTH}}{value}")
    for text in warnings:
        print(f"warning: {text}")
    return EXIT_FINDINGS if problem or info.hsa_id is None else EXIT_OK


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _when(iso: str) -> str:
    """``2026-12-07 10:00:00+00:00`` as ``2026-12-07 10:00:00 UTC``."""
    return iso.removesuffix("+00:00") + " UTC"


def _left(days: float) -> str:
    if days < 0:
        return f"expired {-days:.1f} days ago"
    return f"{days:.1f} days left"


def _password(file: Path | None, variable: str | None) -> bytes | None:
    """The password from ``--password-file`` or ``--password-env`` (None when neither)."""
    if file is not None:
        try:
            text = file.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"cannot read password file {file}: {exc.strerror}") from exc
        first = text.splitlines()[0] if text.strip() else b""
        if not first:
            raise ConfigurationError(f"{file}: the first line (the password) is empty")
        return first
    if variable is not None:
        value = os.environ.get(variable)
        if not value:
            raise ConfigurationError(f"environment variable {variable} is not set or empty")
        return value.encode("utf-8")
    return None
