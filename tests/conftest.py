"""Shared test setup: no test may reach the network.

For the whole session ``socket.socket.connect`` (and ``connect_ex``) refuse every address that
is not loopback (``127.0.0.0/8``, ``::1``, ``localhost``) or a Unix socket. A refused attempt
raises :class:`NetworkBlockedError` -- deliberately not an ``OSError``, so that no library code
can mistake it for an ordinary connection failure and carry on quietly.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Any

import pytest

from inkorg_riv import ClientSettings, RetryPolicy
from inkorg_riv.testing import SimulatorFixture

# The plugin's fixtures (inkorg_simulator...): through its pytest11 entry point once installed,
# else loaded here, for every test module.
_INSTALLED = any(ep.value == "inkorg_riv.testing" for ep in entry_points(group="pytest11"))
pytest_plugins = [] if _INSTALLED else ["inkorg_riv.testing"]

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlockedError(RuntimeError):
    """A test tried to open a connection to a non-loopback address."""


def is_loopback(family: int, address: Any) -> bool:
    """Whether a ``connect`` to ``address`` stays on this machine."""
    if family == getattr(socket, "AF_UNIX", object()):
        return True
    if family not in (socket.AF_INET, socket.AF_INET6):
        return False
    if not isinstance(address, tuple) or not address or not isinstance(address[0], str):
        return False
    host = address[0]
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a host name: refused, it would need a DNS look-up first
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _guard(sock: socket.socket, address: Any) -> None:
    if not is_loopback(sock.family, address):
        raise NetworkBlockedError(f"network access blocked in tests: connect to {address!r}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _guard(self, address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _guard(self, address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Block every non-loopback connection for the whole test session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _guarded_connect)
        patch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
        yield


def _simulator_settings(sim: SimulatorFixture, **changes: Any) -> ClientSettings:
    values: dict[str, Any] = {
        "base_url": sim.url,
        "logical_address": sim.logical_address,
        "p12": sim.p12,
        "password": lambda: sim.password,
        "ca": sim.ca_file,
        "retry": RetryPolicy(sleep=lambda _s: None),
        **changes,
    }
    return ClientSettings(**values)


@pytest.fixture
def sim_settings() -> Callable[..., ClientSettings]:
    """Makes the settings of a client of the simulator ``sim``: its URL, logical address,
    certificate and CA, retries without back-off sleeps; keyword ``changes`` win."""
    return _simulator_settings
