"""``inkorg-riv simulator serve|certs``: run the local platform simulator, make test certificates.

Owns the ``simulator`` subcommand group: ``certs DIR`` writes a throwaway PKI (test CA, server
certificate, client function certificates with an HSA-id); ``serve`` starts the simulator on
127.0.0.1 (making certificates first when the folder holds none), prints its URL and a curl
example, and runs until Ctrl-C or SIGTERM. The key password comes from ``--password-file``, the
``INKORG_SIM_PASSWORD`` environment variable, or is generated and printed once; it is never
written to disk by us.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ..errors import ConfigurationError
from ._common import EXIT_OK, PROG

if TYPE_CHECKING:  # the simulator is imported when a command runs, keeping --help fast
    from ..simulator import Simulator
    from ..simulator.certs import TestPki

PASSWORD_ENV = "INKORG_SIM_PASSWORD"  # noqa: S105  (the variable's name, not a password)
_DEFAULT_PORT = 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``simulator`` group to the top-level parser."""
    parser = subparsers.add_parser(
        "simulator",
        help="run the local NTjP + 1177 Inkorg simulator, make test certificates",
        description="A local service platform (NTjP) with a 1177 Inkorg producer behind it, "
        "over HTTPS with client certificates.",
    )
    commands = parser.add_subparsers(dest="simulator_command", metavar="COMMAND", required=True)

    serve = commands.add_parser(
        "serve",
        help="start the simulator on 127.0.0.1 and run until Ctrl-C",
        description="Start the simulator. Without --certs, throwaway certificates are made in a "
        "temporary folder; with --certs DIR they are made there when DIR holds none.",
    )
    serve.add_argument("--port", type=int, default=_DEFAULT_PORT, help="HTTPS port (default: any)")
    serve.add_argument("--config", type=Path, metavar="FILE", help="TAK-like TOML configuration")
    serve.add_argument("--db", type=Path, metavar="FILE", help="SQLite file (default: in memory)")
    serve.add_argument("--certs", type=Path, metavar="DIR", help="certificate folder")
    serve.add_argument(
        "--logical-address",
        metavar="HSA-ID",
        help="logical address of the inbox when no --config is given (default: %(default)s)",
        default=None,
    )
    serve.add_argument(
        "--inbox-port",
        type=int,
        metavar="PORT",
        help="also serve the inbox web view over plain HTTP on this port (0: any free port)",
    )
    serve.add_argument(
        "--citizen",
        action="append",
        default=[],
        metavar="PERSONNUMMER",
        help="add a citizen with a 1177 account (SMS notifications); may be repeated",
    )
    serve.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING"), help="on stderr"
    )
    _password_option(serve)
    serve.set_defaults(handler=run_serve)

    certs = commands.add_parser(
        "certs",
        help="write a test CA, a server certificate and client function certificates",
        description="Write ca.pem, server.pem/server-key.pem and, per consumer, <name>.pem, "
        "<name>-key.pem and <name>.p12 (plus no-serial.* and expired.* for negative tests). "
        "Keys and .p12 files are encrypted with the password.",
    )
    certs.add_argument("directory", metavar="DIR", type=Path, help="folder to write into")
    certs.add_argument(
        "--consumer",
        action="append",
        default=[],
        metavar="NAME=HSA-ID",
        help="a client certificate NAME whose serialNumber is HSA-ID; may be repeated "
        "(default: consumer=SE2321000016-SIMCONSUMER)",
    )
    _password_option(certs)
    certs.set_defaults(handler=run_certs)


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help=f"read the key password from FILE's first line (else ${PASSWORD_ENV}, "
        "else a new one is generated and printed once)",
    )


def run_certs(args: argparse.Namespace) -> int:
    """Write a fresh PKI into DIR."""
    from ..simulator.certs import make_test_pki  # noqa: PLC0415  (lazy: keeps other commands fast)

    directory: Path = args.directory
    if (directory / "ca.pem").exists():
        raise ConfigurationError(f"{directory} already holds certificates; choose another DIR")
    consumers = _consumers(args.consumer)
    password, generated = _password(args.password_file, generate=True)
    pki = make_test_pki(directory, consumers=consumers, password=password)
    print(f"wrote a test PKI to {directory}:")
    print(f"  CA (trust it to verify the simulator): {pki.ca}")
    print(f"  server certificate for 127.0.0.1/localhost: {pki.server_cert}")
    for cert in pki.consumers.values():
        print(f"  client {cert.name} (serialNumber {cert.hsa_id}):")
        print(f"    {cert.cert}, {cert.key}, {cert.p12}")
    print(f"  negative tests: {pki.no_serial.p12.name} (no serialNumber), {pki.expired.p12.name}")
    if generated:
        print(f"key and PKCS#12 password (shown once, not stored): {password.decode()}")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    """Run the simulator until interrupted."""
    # Lazy imports: the simulator (http.server, sqlite3, cryptography) only when serving.
    from ..simulator import InboxStore, Simulator, SimulatorConfig  # noqa: PLC0415
    from ..simulator.certs import existing_pki, make_test_pki  # noqa: PLC0415

    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    temporary: tempfile.TemporaryDirectory[str] | None = None
    directory: Path | None = args.certs
    if directory is None:
        temporary = tempfile.TemporaryDirectory(prefix="inkorg-sim-certs-")
        directory = Path(temporary.name)
    try:
        made = not (directory / "ca.pem").exists()
        password, generated = _password(args.password_file, generate=made)
        if made:
            pki = make_test_pki(directory, password=password)
        else:
            pki = existing_pki(directory, password=password)
        if args.config is not None:
            overrides = {} if args.inbox_port is None else {"inbox_http_port": args.inbox_port}
            config = SimulatorConfig.from_toml(args.config, **overrides)
        else:
            hsa_ids = [c.hsa_id for c in pki.consumers.values() if c.hsa_id]
            extra = (
                {} if args.logical_address is None else {"logical_address": args.logical_address}
            )
            config = SimulatorConfig.default(
                consumer_hsa_id=hsa_ids, inbox_http_port=args.inbox_port, **extra
            )
        store = InboxStore(None if args.db is None else str(args.db))
        try:
            for citizen in args.citizen:
                try:
                    store.add_citizen(citizen)
                except ValueError as exc:
                    raise ConfigurationError(f"--citizen: {exc}") from exc
            simulator = Simulator(config, pki.server_tls(), store=store, port=args.port)
            with simulator:
                _announce(simulator, pki, password if generated else None, made)
                _wait_for_stop()
        finally:
            store.close()
        print("simulator stopped", flush=True)
        return EXIT_OK
    finally:
        if temporary is not None:
            temporary.cleanup()


def _announce(simulator: Simulator, pki: TestPki, password: bytes | None, made: bool) -> None:
    consumer = pki.consumer()
    address = simulator.config.routes[0].logical_address if simulator.config.routes else "-"
    lines = [
        f"{PROG} simulator listening on {simulator.url} "
        f"(platform {simulator.config.platform_name})",
        f"  AddMessage endpoint: {simulator.endpoint('AddMessage')}",
        f"  logical address:     {address}",
        f"  inbox web view:      {simulator.inbox_url}<personnummer>",
        f"  certificates:        {pki.directory}{' (made now)' if made else ''}",
        f"  client certificate:  {consumer.cert} (HSA-id {consumer.hsa_id})",
    ]
    if password is not None:
        lines.append(f"  key password (shown once, not stored): {password.decode()}")
    lines += [
        "try it (with the password in $INKORG_SIM_PASSWORD and an envelope in addmessage.xml):",
        f"  curl --cacert {pki.ca} --cert {consumer.cert} --key {consumer.key} "
        f'--pass "${PASSWORD_ENV}" -H "Content-Type: text/xml; charset=UTF-8" '
        f"--data-binary @addmessage.xml {simulator.endpoint('AddMessage')}",
        "stop with Ctrl-C",
    ]
    print("\n".join(lines), flush=True)


def _wait_for_stop() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001  (signal API)
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def _password(path: Path | None, *, generate: bool) -> tuple[bytes, bool]:
    """The key password and whether it was generated now."""
    if path is not None:
        lines = path.read_text(encoding="utf-8").splitlines()
        value = lines[0].strip() if lines else ""
        if not value:
            raise ConfigurationError(f"{path}: the first line (the password) is empty")
        return value.encode("utf-8"), False
    from_env = os.environ.get(PASSWORD_ENV, "")
    if from_env:
        return from_env.encode("utf-8"), False
    if not generate:
        raise ConfigurationError(
            f"the keys are encrypted: give --password-file FILE or set {PASSWORD_ENV}"
        )
    return secrets.token_urlsafe(18).encode("ascii"), True


def _consumers(specs: list[str]) -> dict[str, str] | None:
    if not specs:
        return None
    found: dict[str, str] = {}
    for spec in specs:
        name, sep, hsa_id = spec.partition("=")
        if not sep or not name.strip() or not hsa_id.strip():
            raise ConfigurationError(f"--consumer {spec!r}: write NAME=HSA-ID")
        found[name.strip()] = hsa_id.strip()
    return found


__all__ = ["PASSWORD_ENV", "register", "run_certs", "run_serve"]
