"""``make demo``: the main job end to end, against the local simulator over mutual TLS.

Makes throwaway certificates, starts the simulator (NTjP + 1177 Inkorg) in this process, and
through :class:`~inkorg_riv.InkorgClient`:

1. checks a citizen: active user, notification methods, paper opt-out (IsActiveUser);
2. sends a kallelse with booking buttons (AddMessage);
3. sends a reminder in the same thread (AddMessage);
4. marks the kallelse read the way the citizen does: a POST to the inbox view, as the page's
   "Markera som läst" button does;
5. reads the thread's read status (GetMessageThreadStatus);
6. triggers one platform fault (VP007, injected) and shows how it is reported;

then prints a short summary with the inbox view's URL and stops everything it started.
``--keep`` leaves the simulator running until you press Enter, so that you can open the inbox.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_messages import TOLVAN, reminder, timed_kallelse

from inkorg_riv import ClientSettings, Environment, InkorgClient, PlatformFaultError
from inkorg_riv._log import redact
from inkorg_riv.simulator import InjectionRule, Simulator, SimulatorConfig, make_test_pki

# Plain HTTP to 127.0.0.1 only: no proxy from the environment may see it.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def mark_read_as_the_citizen(inbox_page: str, message_id: str) -> None:
    """Open the citizen's inbox page and press "Markera som läst" on ``message_id``."""
    with _NO_PROXY.open(inbox_page, timeout=10) as answer:
        page = answer.read().decode("utf-8")
    found = re.search(
        r'data-message-key="([^"]+)" data-message-id="' + re.escape(message_id) + '"', page
    )
    if found is None:
        raise RuntimeError(f"message {message_id!r} is not on the inbox page")
    action = re.search(r'<form class="mark-read" method="post" action="([^"]*/read/'
                       + re.escape(found.group(1)) + ')"', page)  # fmt: skip
    if action is None:
        raise RuntimeError(f"message {message_id!r} has no mark-read form")
    base = inbox_page.split("/inbox/", 1)[0]
    form = urllib.request.Request(base + action.group(1), data=b"", method="POST")  # noqa: S310  (http://127.0.0.1, the simulator's own URL)
    with _NO_PROXY.open(form, timeout=10) as answer:  # follows the 303 back to the page
        answer.read()


def run(*, keep: bool) -> int:
    started = time.perf_counter()
    print("inkorg-riv demo: the main job against the local simulator (mutual TLS on 127.0.0.1)\n")
    with tempfile.TemporaryDirectory(prefix="inkorg-demo-") as folder:
        password = secrets.token_urlsafe(18).encode("ascii")
        pki = make_test_pki(Path(folder), password=password)
        consumer = pki.consumer()
        config = SimulatorConfig.default(consumer_hsa_id=consumer.hsa_id or "", inbox_http_port=0)
        with Simulator(config, pki.server_tls()) as sim:
            sim.store.add_citizen(TOLVAN, notification_methods=("SMS", "Email"),
                                  paper_opt_out=True)  # fmt: skip
            settings = ClientSettings(
                environment=Environment.SIMULATOR,
                base_url=sim.url,
                p12=consumer.p12,
                password=lambda: password,
                ca=pki.ca,
            )
            with InkorgClient(settings) as client:
                inbox_page = f"{sim.inbox_url}{TOLVAN}"
                calls = demo_calls(client, sim, inbox_page)
            print("\nsummary")
            print(f"  {calls} calls through InkorgClient over mutual TLS, "
                  f"{len(sim.store.messages(TOLVAN))} messages in the inbox")  # fmt: skip
            hint = "" if keep else "  (run with --keep to open it: make demo ARGS=--keep)"
            print(f"  inbox view: {inbox_page}{hint}")
            if keep:
                input("  the simulator keeps running: open the inbox view, then press Enter ")
    print(f"  stopped the simulator and removed the certificates "
          f"({time.perf_counter() - started:.1f} s in all)")  # fmt: skip
    return 0


def demo_calls(client: InkorgClient, sim: Simulator, inbox_page: str) -> int:
    who = redact(TOLVAN)
    print(f"simulator: {sim.url}, logical address {client.settings.logical_address}")
    print(f"client certificate: HSA-id {client.consumer_hsa_id} (a throwaway test PKI)\n")

    print(f"1. Can we reach {who} digitally? (IsActiveUser)")
    active = client.is_active_user(TOLVAN).response
    methods = ", ".join(m.value for m in active.active_notification_methods) or "none"
    print(f"   active user: {'yes' if active.status else 'no'}")
    print(f"   notification methods: {methods}")
    print(f"   paper letters declined: {'yes' if active.paper_mail_opt_out else 'no'}")
    print("   -> send to the inbox" + ("; no paper letter" if active.paper_mail_opt_out else ""))

    kallelse = timed_kallelse()
    print("2. A kallelse with booking buttons (AddMessage)")
    sent = client.add_message(kallelse)
    report_sent("sent", sent.response, sent.correlation_id)

    print("3. A reminder in the same thread (AddMessage)")
    follow_up = client.add_message(reminder(kallelse))
    report_sent("follow-up", follow_up.response, follow_up.correlation_id)

    print("4. The citizen opens the kallelse in the inbox")
    mark_read_as_the_citizen(inbox_page, kallelse.message.message_id or "")
    print("   marked read in the inbox view (POST, as the page's button does)")

    thread = kallelse.message.message_thread_id or ""
    print("5. Read status of the thread (GetMessageThreadStatus)")
    status = client.get_message_thread_status(TOLVAN, thread).response
    print(f"   read status: {', '.join(m.read_status.value for m in status.message)}")
    for message in status.message:
        read = f"read {message.read_time:%Y-%m-%d %H:%M} UTC" if message.read_time else "not read"
        print(f"     {message.message_id:<18} {message.read_status.value:<7} {read}")

    print("6. A platform fault: the consumer is not authorised (VP007 injected)")
    sim.inject(InjectionRule.vp("VP007", times=1))
    try:
        client.is_active_user(TOLVAN)
    except PlatformFaultError as fault:
        print(f"   {type(fault).__name__} {fault.code}: {fault.vp.meaning}")
        print(f"   outcome: {fault.outcome.value} ({fault.fault_class.value} problem, "
              f"{'retryable' if fault.retryable else 'not retried'})")  # fmt: skip
        print(f"   what to do: {fault.advice}")
        print(f"   correlation id: {fault.correlation_id}")
    else:  # pragma: no cover - the injected fault always fires
        raise RuntimeError("the injected VP007 did not arrive")
    return 5


def report_sent(what: str, response: object, correlation_id: str) -> None:
    code = getattr(response, "result_code", None)
    notified = ", ".join(m.value for m in getattr(response, "notification_sent", ())) or "nobody"
    print(f"   {what}: resultCode {code.value if code else '?'}, thread "
          f"{getattr(response, 'message_thread_id', '?')}, message "
          f"{getattr(response, 'message_id', '?')}, notified by {notified}")  # fmt: skip
    print(f"   correlation id: {correlation_id}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the simulator running until Enter (to open the inbox view)",
    )
    return run(keep=parser.parse_args(argv).keep)


if __name__ == "__main__":
    raise SystemExit(main())
