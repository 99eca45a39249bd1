"""pytest plugin: the simulator as fixtures, for our tests and for integrators' own tests.

Owns three fixtures, registered through the ``pytest11`` entry point ``inkorg_riv``:

* ``inkorg_pki`` (session) -- a throwaway CA, server and client certificates in a temporary
  folder, with a random password (:class:`~inkorg_riv.simulator.certs.TestPki`);
* ``inkorg_simulator_config`` -- the :class:`~inkorg_riv.simulator.SimulatorConfig` the
  simulator starts with; override this fixture in a ``conftest.py`` to change routes, timeouts
  or injections;
* ``inkorg_simulator`` -- a running simulator on a free port of 127.0.0.1 with a fresh in-memory
  inbox, handed over as a :class:`SimulatorFixture`: URLs, the logical address, the consumer's
  HSA-id, certificate paths and password, the store and fault injection.

Nothing heavy is imported until a fixture is used, so the plugin costs nothing in test runs
that do not use it.
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .simulator import InboxStore, InjectionRule, Simulator, SimulatorConfig, TestPki


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorFixture:
    """A running simulator and everything a client needs to call it."""

    simulator: Simulator
    logical_address: str
    consumer_hsa_id: str
    client_cert: Path
    """The consumer's certificate (PEM)."""
    client_key: Path
    """The consumer's private key (PEM, encrypted with :attr:`password`)."""
    p12: Path
    """Certificate, key and CA as PKCS#12, encrypted with :attr:`password`."""
    ca_file: Path
    """The test CA: trust it to verify the simulator's server certificate."""
    password: bytes = field(repr=False)
    pki: TestPki = field(repr=False)

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``."""
        return self.simulator.url

    @property
    def store(self) -> InboxStore:
        """The inbox state: add citizens, read what arrived."""
        return self.simulator.store

    def endpoint(self, operation: str = "AddMessage") -> str:
        """The platform URL of a bundled contract (``.../AddMessage/2/rivtabp21``)."""
        return self.simulator.endpoint(operation)

    def inject(self, rule: InjectionRule) -> None:
        """Add a fault injection rule (see :class:`~inkorg_riv.simulator.InjectionRule`)."""
        self.simulator.inject(rule)

    def clear_injections(self) -> None:
        """Remove every fault injection rule."""
        self.simulator.clear_injections()

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts the test CA and presents the consumer certificate."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.load_cert_chain(str(self.client_cert), str(self.client_key), self.password)
        return context


@pytest.fixture(scope="session")
def inkorg_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """A throwaway PKI for the whole session (random password, temporary folder)."""
    from .simulator.certs import make_test_pki  # noqa: PLC0415  (lazy: see the module docstring)

    password = secrets.token_urlsafe(18).encode("ascii")
    return make_test_pki(tmp_path_factory.mktemp("inkorg-pki"), password=password)


@pytest.fixture
def inkorg_simulator_config(inkorg_pki: TestPki) -> SimulatorConfig:
    """The configuration ``inkorg_simulator`` starts with: every bundled contract at the
    default logical address, authorised for the PKI's consumer. Override it to change it."""
    from .simulator import SimulatorConfig  # noqa: PLC0415  (lazy: see the module docstring)

    hsa_id = inkorg_pki.consumer().hsa_id
    if hsa_id is None:  # pragma: no cover - make_test_pki always sets it for consumers
        raise RuntimeError("the test consumer certificate has no HSA-id")
    return SimulatorConfig.default(consumer_hsa_id=hsa_id)


@pytest.fixture
def inkorg_simulator(
    inkorg_pki: TestPki, inkorg_simulator_config: SimulatorConfig
) -> Iterator[SimulatorFixture]:
    """A running simulator on a free port with a fresh in-memory inbox; stopped (and the inbox
    closed) afterwards."""
    from .simulator import Simulator  # noqa: PLC0415  (lazy: see the module docstring)

    config = inkorg_simulator_config
    consumer = inkorg_pki.consumer()
    address = config.routes[0].logical_address if config.routes else ""
    with Simulator(config, inkorg_pki.server_tls()) as simulator:
        yield SimulatorFixture(
            simulator=simulator,
            logical_address=address,
            consumer_hsa_id=consumer.hsa_id or "",
            client_cert=consumer.cert,
            client_key=consumer.key,
            p12=consumer.p12,
            ca_file=inkorg_pki.ca,
            password=inkorg_pki.password,
            pki=inkorg_pki,
        )


__all__ = ["SimulatorFixture", "inkorg_pki", "inkorg_simulator", "inkorg_simulator_config"]
