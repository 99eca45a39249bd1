"""The inbox web view in a real headless Chromium (Debian's ``chromium`` package).

The view is served over plain HTTP on 127.0.0.1 by a tiny stdlib server in this test, so the
test does not depend on the simulator's TLS server. Chromium renders the page twice with
``--dump-dom`` (before and after "mark as read") and once with ``--screenshot``. Chromium
cannot click without a script or the DevTools protocol, so the test checks that the form
targets the right URL and then sends that POST itself, as the browser would.

Skipped, with the reason, when ``/usr/bin/chromium`` is missing. Set ``INKORG_RIV_SCREENSHOT``
to a file path to keep the screenshot (docs/img/inbox.png is made this way).
"""

from __future__ import annotations

import datetime
import http.client
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qsl

import pytest
from lxml import html as lxml_html

from inkorg_riv.simulator.inbox_view import handle_inbox_request
from inkorg_riv.simulator.store import InboxStore, StoredAttachment, StoredBooking, StoredLink

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
TOLVAN = "191212121212"
UNIT = "SE2321000016-1234"
T0 = datetime.datetime(2026, 12, 14, 13, 0, tzinfo=datetime.UTC)
INVITATION = (
    "<article><info><title>Välkommen på provtagning</title></info>"
    "<para>Du är välkommen till Vårdcentralen Tolvan för provtagning. Kom 10 minuter innan. "
    "Mer om provtagning finns på <ulink url='https://www.1177.se' type='_blank'>1177.se</ulink>."
    "</para><variablelist><title>Praktiskt</title>"
    "<varlistentry><term>Plats</term><listitem>Storgatan 1, plan 2</listitem></varlistentry>"
    "<varlistentry><term>Ta med</term><listitem>Legitimation</listitem></varlistentry>"
    "</variablelist><section><title>Om du inte kan komma</title><para>Boka om eller avboka "
    "senast 24 timmar innan, annars kan du få betala en avgift.</para></section></article>"
)
OPEN_INVITATION = (
    "<article><para>Det är dags för din årliga kontroll. Välj en tid som passar dig.</para>"
    "<para>Frågor? Ring oss på 0771-11 22 33.</para></article>"
)


class _Handler(BaseHTTPRequestHandler):
    store: ClassVar[InboxStore]

    def do_GET(self) -> None:
        self._answer("GET", {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8")))
        self._answer("POST", form)

    def _answer(self, method: str, form: dict[str, str]) -> None:
        answer = handle_inbox_request(self.store, method, self.path, form)
        status, headers, body = answer or (404, {"Content-Type": "text/plain"}, b"not found")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def store() -> InboxStore:
    clock_time = [T0 - datetime.timedelta(days=30)]
    inbox = InboxStore(clock=lambda: clock_time[0])
    inbox.add_citizen(TOLVAN, notification_methods=("SMS", "Email"))
    old = inbox.add_message(
        TOLVAN,
        unit_id=UNIT,
        unit_name="Vårdcentralen Tolvan",
        thread_id="kontroll",
        message_id="k1",
        message_type="OpenInvitation",
        description="Dags för årlig kontroll",
        body=OPEN_INVITATION,
        booking=StoredBooking(
            booking_id="B-77", is_invitation=True, is_open_invitation=True, time_type_id="TT-3"
        ),
    )
    inbox.mark_read(TOLVAN, old.key, now=T0 - datetime.timedelta(days=29))
    clock_time[0] = T0
    inbox.add_message(
        TOLVAN,
        unit_id=UNIT,
        unit_name="Vårdcentralen Tolvan",
        thread_id="provtagning",
        message_id="p1",
        message_type="TimedInvitation",
        description="Kallelse till provtagning",
        body=INVITATION,
        unit_contact=("Storgatan 1, 123 45 Tolvby", "0771-11 22 33"),
        booking=StoredBooking(
            booking_id="B-42",
            is_invitation=True,
            rebooking_allowed=True,
            cancel_booking_allowed=True,
            time_type_id="TT-1",
            start_time=datetime.datetime(2027, 1, 11, 7, 30, tzinfo=datetime.UTC),
        ),
        sso_links=(
            StoredLink(system_id="SYS", text="Fyll i hälsodeklarationen", type="NewTarget"),
        ),
        attachments=(
            StoredAttachment(
                file_name="vägbeskrivning.pdf", mime_type="application/pdf", size=48_213
            ),
        ),
    )
    return inbox


@pytest.fixture
def base_url(store: InboxStore) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"store": store})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1000,1400",
        *args,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(  # args are ours: the Chromium path and options above
        command, capture_output=True, text=True, timeout=90, check=True, env=env
    )


def dump_dom(tmp_path: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(chromium(tmp_path, "--dump-dom", url).stdout)


def by_testid(doc: lxml_html.HtmlElement, name: str) -> list[lxml_html.HtmlElement]:
    return list(doc.xpath(f'//*[@data-testid="{name}"]'))


def test_inbox_in_headless_chromium(base_url: str, store: InboxStore, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    page_url = f"{base_url}/inbox/{TOLVAN}"

    doc = dump_dom(tmp_path, page_url)
    messages = by_testid(doc, "message")
    assert [m.get("data-message-id") for m in messages] == ["p1", "k1"]
    newest, older = messages
    heading = newest.xpath('.//*[@data-testid="message-heading"]')[0]
    assert heading.text == "Kallelse till provtagning"
    buttons = [b.text for b in doc.xpath('//*[@data-testid="booking"]//button')]
    assert buttons == ["Boka om", "Avboka", "Boka ny tid"]
    assert by_testid(doc, "citizen-id")[0].text == "19121212****"
    [form] = newest.xpath('.//*[@data-testid="mark-read-form"]')
    key = newest.get("data-message-key")
    assert (form.get("method"), form.get("action")) == ("post", f"/inbox/{TOLVAN}/read/{key}")
    assert not older.xpath('.//*[@data-testid="mark-read-form"]')  # already read

    shot = tmp_path / "inbox.png"
    chromium(tmp_path, f"--screenshot={shot}", page_url)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000
    keep = os.environ.get("INKORG_RIV_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)

    # The browser would POST the form; send exactly that request.
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(
        "POST",
        str(form.get("action")),
        body=b"",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 303
    assert response.getheader("Location") == f"/inbox/{TOLVAN}#m-{key}"

    doc = dump_dom(tmp_path, page_url)
    newest = by_testid(doc, "message")[0]
    assert newest.get("data-read") == "true"
    badge = newest.xpath('.//*[@data-testid="read-badge"]')[0]
    assert badge.text.startswith("Läst ")
    assert not by_testid(doc, "mark-read-form")
    assert all(m.is_read for m in store.messages(TOLVAN))
