"""The simulator's lifecycle: start, stop, addresses, runtime fault injection (layer L6).

Owns :class:`Simulator`, which puts the simulated platform (:mod:`._pipeline`) in front of the
1177 Inkorg producer, serves it over HTTPS with required client certificates
(:mod:`._listener`) on 127.0.0.1 in background threads, and optionally serves the inbox web view
over plain HTTP as well; and :func:`server_context`, the TLS settings of the listener.
"""

from __future__ import annotations

import ssl
import threading
from pathlib import Path
from types import TracebackType

from .._log import get_logger
from ..contracts import bundled_package
from ..errors import CertificateError, ConfigurationError
from ._listener import CORRELATION_HEADER, PRT_HEADER, Listener
from ._pipeline import Platform, Producer
from .certs import ServerTls
from .config import SimulatorConfig
from .injection import InjectionRule
from .producer import InboxProducer
from .store import InboxStore

_log = get_logger("simulator")


class Simulator:
    """NTjP's VP and a 1177 Inkorg producer on ``https://127.0.0.1:<port>``.

    >>> with Simulator(SimulatorConfig.default(consumer_hsa_id=hsa), pki.server_tls()) as sim:
    ...     sim.url  # doctest: +SKIP

    ``store`` defaults to a fresh in-memory :class:`InboxStore`, which :meth:`stop` closes (a
    store you pass in stays yours to close); ``producer`` defaults to the built-in inbox
    producer on the store. Raises :class:`~inkorg_riv.errors.CertificateError` when the
    server certificate, key (password) or CA cannot be loaded.
    """

    def __init__(
        self,
        config: SimulatorConfig,
        tls: ServerTls,
        *,
        store: InboxStore | None = None,
        producer: Producer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._context = server_context(tls)
        self.config = config
        self._owns_store = store is None
        self.store = store if store is not None else InboxStore(None)
        self._stop = threading.Event()
        self.platform = Platform(
            config,
            producer if producer is not None else InboxProducer(self.store),
            stop=self._stop,
        )
        self._host = host
        self._wanted_port = port
        self._servers: list[Listener] = []
        self._threads: list[threading.Thread] = []

    # -- lifecycle

    def start(self) -> Simulator:
        """Listen and serve in background threads; returns self."""
        if self._servers:
            raise ConfigurationError("the simulator is already running")
        self._stop.clear()
        wanted: list[tuple[int, ssl.SSLContext | None]] = [(self._wanted_port, self._context)]
        if self.config.inbox_http_port is not None:
            wanted.append((self.config.inbox_http_port, None))
        for port, context in wanted:
            try:
                listener = Listener(
                    (self._host, port), platform=self.platform, store=self.store, context=context
                )
            except OSError as exc:
                for made in self._servers:
                    made.server_close()
                self._servers.clear()
                raise ConfigurationError(f"cannot listen on {self._host}:{port}: {exc}") from exc
            self._servers.append(listener)
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"inkorg-simulator-{server.server_address[1]}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        _log.info("simulator: listening on %s (platform %s)", self.url, self.config.platform_name)
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers and close every open connection."""
        self._stop.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses

    @property
    def port(self) -> int:
        """The HTTPS port (known once started)."""
        if not self._servers:
            raise ConfigurationError("the simulator is not running")
        return int(self._servers[0].server_address[1])

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``."""
        return f"https://{self._host}:{self.port}"

    @property
    def inbox_url(self) -> str:
        """The inbox view's base URL: plain HTTP when ``inbox_http_port`` is set, else HTTPS."""
        if len(self._servers) > 1:
            return f"http://{self._host}:{self._servers[1].server_address[1]}/inbox/"
        return f"{self.url}/inbox/"

    def endpoint(self, operation: str = "AddMessage") -> str:
        """The platform URL of a bundled contract, as NTjP writes it
        (``.../vp/infrastructure/eservicesupply/patientportal/AddMessage/2/rivtabp21``)."""
        op = bundled_package().operation(operation)
        path = f"{op.domain.replace(':', '/')}/{op.contract}/{op.major}/{op.profile.value}"
        return f"{self.url}/vp/{path}"

    # -- fault injection

    def inject(self, rule: InjectionRule) -> None:
        """Add a fault injection rule for the following calls."""
        self.platform.injections.add(rule)

    def clear_injections(self) -> None:
        """Remove every injection rule (also those from the configuration)."""
        self.platform.injections.clear()


def server_context(tls: ServerTls) -> ssl.SSLContext:
    """TLS 1.2+ server context that requires a client certificate issued by ``tls.ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_cert_chain(str(tls.cert), str(tls.key), password=tls.password)
        context.load_verify_locations(cafile=str(Path(tls.ca)))
    except (ssl.SSLError, OSError) as exc:
        raise CertificateError(
            f"cannot load the simulator's certificate {tls.cert}, key {tls.key} or CA {tls.ca} "
            f"(wrong password?): {exc}"
        ) from exc
    return context


__all__ = ["CORRELATION_HEADER", "PRT_HEADER", "Simulator", "server_context"]
