"""A local NTjP service platform with a 1177 Inkorg producer behind it (layer L6).

Owns the public surface of the simulator: :class:`Simulator` (a real HTTPS server on
127.0.0.1 that requires a client certificate and answers like NTjP's VP, with VP faults in
the platform's format), its TAK-like :class:`SimulatorConfig`, fault injection
(:class:`InjectionRule`), the inbox state (:class:`InboxStore`) and throwaway certificates
(:func:`make_test_pki`). See ``docs/simulator.md``.

>>> from inkorg_riv.simulator import Simulator, SimulatorConfig, make_test_pki
>>> pki = make_test_pki(tmp, password=b"secret")  # doctest: +SKIP
>>> config = SimulatorConfig.default(consumer_hsa_id=pki.consumer().hsa_id)  # doctest: +SKIP
>>> with Simulator(config, pki.server_tls()) as sim:  # doctest: +SKIP
...     print(sim.endpoint("AddMessage"))
"""

from .certs import ClientCert, ServerTls, TestPki, make_test_pki
from .config import DEFAULT_LOGICAL_ADDRESS, Authorisation, Route, SimulatorConfig
from .injection import InjectionRule
from .producer import InboxProducer, ProducerFault
from .server import Simulator
from .store import InboxStore

__all__ = [
    "DEFAULT_LOGICAL_ADDRESS",
    "Authorisation",
    "ClientCert",
    "InboxProducer",
    "InboxStore",
    "InjectionRule",
    "ProducerFault",
    "Route",
    "ServerTls",
    "Simulator",
    "SimulatorConfig",
    "TestPki",
    "make_test_pki",
]
