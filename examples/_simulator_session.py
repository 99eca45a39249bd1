"""Shared by the kallelse examples: a local simulator and a real client, nothing else.

:func:`simulator_session` makes throwaway certificates in a temporary folder (random password),
starts the simulator in this process on a free port of 127.0.0.1 -- the inbox view also over
plain HTTP, for a browser -- adds the citizens, and yields a :class:`Session` with an
:class:`~inkorg_riv.client.InkorgClient` that presents the consumer certificate over mutual TLS.
Everything is stopped and deleted afterwards. No example ever calls a real endpoint.

Run any example with ``--serve`` to keep the simulator running after it, and open the printed
inbox URL in a browser (Ctrl-C stops it).
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import html
from sample_messages import CARE_UNIT as UNIT
from sample_messages import SOURCE_SYSTEM, TOLVAN, VISIT

from inkorg_riv.client import InkorgClient
from inkorg_riv.settings import ClientSettings
from inkorg_riv.simulator import Simulator, SimulatorConfig, make_test_pki

__all__ = ["SOURCE_SYSTEM", "TOLVAN", "UNIT", "VISIT", "Session", "simulator_session"]
# The fictitious citizen, system, unit and visit are those of sample_messages (one set for the
# examples, the demo and the tests); the scripts import them from here with the session.


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Stop at the inbox's 303 answer instead of following it."""

    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None


# Plain HTTP to 127.0.0.1 only: no proxy from the environment may see it.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


@dataclass(frozen=True)
class Session:
    """A running simulator and a client connected to it."""

    simulator: Simulator
    client: InkorgClient

    def inbox_url(self, subject: str) -> str:
        """The citizen's inbox page over plain HTTP (open it in a browser)."""
        return f"{self.simulator.inbox_url}{subject}"

    def _page(self, subject: str) -> Any:
        with _LOCAL.open(self.inbox_url(subject), timeout=10) as answer:
            return html.fromstring(answer.read())

    def read(self, subject: str, message_id: str) -> None:
        """Do what the citizen does: press "Markera som läst" on that message in the inbox."""
        page = self._page(subject)
        [form] = page.xpath(f'//article[@data-message-id="{message_id}"]//form')
        base = self.simulator.inbox_url.removesuffix("/inbox/")
        url = base + form.get("action")
        request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310  (http://127.0.0.1, the simulator's own URL)
        try:
            _LOCAL.open(request, timeout=10)
        except urllib.error.HTTPError as answer:  # the 303 back to the inbox
            if answer.code != 303:
                raise

    def show_inbox(self, subject: str) -> None:
        """Print the citizen's inbox as the view shows it: threads, headings, read or not."""
        page = self._page(subject)
        print(f"\nInkorgen ({self.inbox_url(subject)}):")
        for thread in page.xpath('//section[@data-testid="thread"]'):
            print(f"  tråd {thread.get('data-thread-id')}")
            for message in thread.xpath('.//article[@data-testid="message"]'):
                heading = message.xpath('.//*[@data-testid="message-heading"]')[0]
                kind = message.xpath('.//*[@data-testid="message-type"]/text()')
                buttons = message.xpath('.//div[@data-testid="booking"]//button/text()')
                links = message.xpath('.//a[not(ancestor::*[@data-testid="message-body"])]/text()')
                state = "läst" if message.get("data-read") == "true" else "oläst"
                print(f"    [{state}] {(kind or [''])[0]}: {heading.text}")
                if buttons or links:
                    print(f"            knappar/länkar: {', '.join([*buttons, *links])}")


@contextmanager
def simulator_session(citizens: dict[str, dict[str, Any]] | None = None) -> Iterator[Session]:
    """Start the simulator with ``citizens`` (default: Tolvan, SMS, no paper opt-out)."""
    password = secrets.token_urlsafe(18).encode("ascii")
    with tempfile.TemporaryDirectory(prefix="inkorg-example-") as folder:
        pki = make_test_pki(Path(folder), password=password)
        config = SimulatorConfig.default(
            consumer_hsa_id=pki.consumer().hsa_id or "", inbox_http_port=0
        )
        with Simulator(config, pki.server_tls()) as simulator:
            for subject, facts in (citizens or {TOLVAN: {}}).items():
                simulator.store.add_citizen(subject, **facts)
            settings = ClientSettings(
                base_url=simulator.url,
                p12=pki.consumer().p12,
                password=lambda: password,
                ca=pki.ca,
            )
            with InkorgClient(settings) as client:
                session = Session(simulator=simulator, client=client)
                yield session
                if "--serve" in sys.argv[1:]:
                    print(f"\nThe simulator keeps running: open {session.inbox_url(TOLVAN)}")
                    print("Ctrl-C stops it.")
                    with suppress(KeyboardInterrupt):
                        threading.Event().wait()
