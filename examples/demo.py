"""``make demo``: the main job end to end, against the local simulator over mutual TLS.

Everything goes through :class:`~inkorg_riv.InkorgClient` and the kallelse builders of
:mod:`inkorg_riv.kallelse`, in this order:

1. make throwaway certificates and start the simulator (NTjP + 1177 Inkorg) in this process;
2. check the citizen -- active user, notification methods, paper opt-out (IsActiveUser) -- and
   decide the channel with its reasons (``decide_channel``);
3. send a timed kallelse with booking buttons (``TimedKallelse``: "Boka om", "Avboka") in the
   care episode's thread (``Thread.for_episode``);
4. send a follow-up in the same thread: information before the visit (``VisitInformation``);
5. ask the reminder policy what to do while the kallelse is unread (``ReminderPolicy``);
6. mark the kallelse read the way the citizen does: open the inbox page and press its
   "Markera som läst" button (a GET, then a POST of the page's form);
7. read the thread's status (``thread_status``, GetMessageThreadStatus) and ask the reminder
   policy again;
8. trigger one platform fault (VP007, injected) and show how it is reported;
9. print a summary with the inbox view's URL, and stop everything it started.

``--keep`` leaves the simulator running after the summary until Ctrl-C, so that you can open
the inbox view in a browser (``make demo ARGS=--keep``).
"""

from __future__ import annotations

import argparse
import datetime
import secrets
import signal
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_messages import EPISODE, SOURCE_SYSTEM, TOLVAN, kallelse, visit_information

from inkorg_riv import ClientSettings, Environment, InkorgClient, PlatformFaultError
from inkorg_riv.kallelse import (
    Decision,
    ReminderPolicy,
    SentMessage,
    Thread,
    ThreadSender,
    ThreadStatus,
    decide_channel,
    thread_status,
)
from inkorg_riv.simulator import InjectionRule, Simulator, SimulatorConfig, make_test_pki
from inkorg_riv.validation.identity import parse_identity_number

KALLELSE_ID = "kallelse-4711-1"
FOLLOW_UP_ID = "information-4711-2"
POLICY = ReminderPolicy(
    remind_after=datetime.timedelta(days=3),
    max_reminders=1,
    paper_fallback_after=datetime.timedelta(days=4),
)
"""Remind once if the kallelse is unread after three days, then paper four days later."""

# Plain HTTP to 127.0.0.1 only: no proxy from the environment may see it.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def step(number: int, title: str) -> None:
    print(f"\n{number}. {title}")


def say(text: str) -> None:
    print(f"   {text}")


def utc(moment: datetime.datetime | None) -> str:
    return f"{moment.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC" if moment else "-"


def mark_read_as_the_citizen(inbox_page: str, message_id: str) -> None:
    """Open the citizen's inbox page and press "Markera som läst" on ``message_id``."""
    with _NO_PROXY.open(inbox_page, timeout=10) as answer:
        page = html.fromstring(answer.read())
    forms = page.xpath(
        '//article[@data-message-id=$id]//form[@data-testid="mark-read-form"]', id=message_id
    )
    if len(forms) != 1:
        raise RuntimeError(f"message {message_id!r} has no 'Markera som läst' button on the page")
    base = inbox_page.split("/inbox/", 1)[0]
    form = urllib.request.Request(base + forms[0].get("action"), data=b"", method="POST")  # noqa: S310  (http://127.0.0.1, the simulator's own URL)
    with _NO_PROXY.open(form, timeout=10) as answer:  # follows the 303 back to the page
        answer.read()


@dataclass
class Demo:
    """The running simulator, a client connected to it, and what the demo has sent so far."""

    simulator: Simulator
    client: InkorgClient
    thread: Thread = field(default_factory=lambda: Thread.for_episode(SOURCE_SYSTEM, EPISODE))
    sent: list[SentMessage] = field(default_factory=list)

    @property
    def inbox_page(self) -> str:
        """The citizen's inbox page (plain HTTP on 127.0.0.1; the URL holds the personnummer)."""
        return f"{self.simulator.inbox_url}{TOLVAN}"

    @property
    def sender(self) -> ThreadSender:
        return ThreadSender(self.client, source_system=SOURCE_SYSTEM)

    def status(self) -> ThreadStatus:
        return thread_status(self.client, TOLVAN, self.thread)

    def decide(self, status: ThreadStatus, now: datetime.datetime) -> Decision:
        # The follow-up is not what we follow up: name the kallelse as the letter.
        return POLICY.decide(status, now, letter_id=KALLELSE_ID)

    # -- the steps, in order

    def check_citizen(self) -> None:
        step(2, f"The citizen {parse_identity_number(TOLVAN).redacted}: IsActiveUser, "
                "then the channel decision")  # fmt: skip
        active = self.client.is_active_user(TOLVAN).response
        methods = ", ".join(m.value for m in active.active_notification_methods) or "none"
        say(f"active user: {'yes' if active.status else 'no'}; notification methods: {methods}; "
            f"paper letters declined: {'yes' if active.paper_mail_opt_out else 'no'}")  # fmt: skip
        decision = decide_channel(TOLVAN, activity=active)
        say(f"channel: {decision.channel.value}, because")
        for reason in decision.reasons:
            say(f"  - {reason}")
        if not decision.channel.digital:  # pragma: no cover - Tolvan is an active user
            raise RuntimeError(f"the demo citizen cannot be reached digitally: {decision}")

    def send_kallelse(self) -> None:
        message = kallelse()
        step(3, "A timed kallelse with booking buttons (TimedKallelse), in the episode's thread")
        say(f"thread {self.thread.id} = Thread.for_episode({SOURCE_SYSTEM!r}, {EPISODE!r})")
        sent = self.sender.start(message, TOLVAN, thread=self.thread, message_id=KALLELSE_ID)
        buttons = [b for b, ok in (("Boka om", message.rebooking_allowed),
                                   ("Avboka", message.cancel_allowed)) if ok]  # fmt: skip
        self.report(sent, f"{message.title!r}, buttons {' and '.join(buttons)}")

    def send_follow_up(self) -> None:
        message = visit_information()
        step(4, "A follow-up in the same thread: information before the visit (VisitInformation)")
        sent = self.sender.send(message, TOLVAN, thread=self.thread, message_id=FOLLOW_UP_ID)
        self.report(sent, repr(message.title))

    def report(self, sent: SentMessage, what: str) -> None:
        notified = ", ".join(m.value for m in sent.notification_sent) or "nobody"
        say(f"sent {sent.message_id}: resultCode {sent.result_code.value}, {what}; "
            f"notified by {notified}")  # fmt: skip
        if sent.info_text:  # pragma: no cover - Tolvan has an account
            say(f"INFO from the inbox: {sent.info_text}")
        say(f"correlation id: {sent.correlation_id}")
        self.sent.append(sent)

    def remind_before_reading(self) -> None:
        step(5, "What next while the kallelse is unread? (ReminderPolicy: remind once after "
                "3 days, then paper 4 days later)")  # fmt: skip
        status = self.status()
        say(f"thread: {status.state.value} ({len(status.messages)} messages)")
        now = datetime.datetime.now(datetime.UTC)
        decision = self.decide(status, now)
        say(f"now: {decision}; ask again {utc(decision.at)}")
        letter = status.message(KALLELSE_ID)
        if letter is None:  # pragma: no cover - it was just sent
            raise RuntimeError(f"{KALLELSE_ID} is not in the thread")
        later = self.decide(status, letter.sent_time + POLICY.remind_after)
        say(f"3 days after sending, still unread: {later}")

    def citizen_reads(self) -> None:
        step(6, "The citizen opens the kallelse in the inbox view")
        mark_read_as_the_citizen(self.inbox_page, KALLELSE_ID)
        say(f"GET the inbox page, POST its 'Markera som läst' form for {KALLELSE_ID}")

    def status_after_reading(self) -> None:
        step(7, "Read status of the thread (GetMessageThreadStatus), and what next")
        status = self.status()
        say(f"thread: {status.state.value}; last read {utc(status.last_read_time)}")
        for message in status.messages:
            read = f"read {utc(message.read_time)}" if message.read else "unread"
            say(f"  {message.message_id:<20} sent {utc(message.sent_time)}, {read}")
        decision = self.decide(status, datetime.datetime.now(datetime.UTC))
        reason = decision.reason
        if decision.at is not None:  # "... read the letter at <ISO time>": shown shorter
            reason = f"{reason.removesuffix(' at ' + decision.at.isoformat())} ({utc(decision.at)})"
        say(f"now: {decision.action.value}: {reason}")

    def platform_fault(self) -> None:
        step(8, "A platform fault: the consumer is not authorised (VP007 injected)")
        self.simulator.inject(InjectionRule.vp("VP007", times=1))
        try:
            self.client.is_active_user(TOLVAN)
        except PlatformFaultError as fault:
            say(f"{type(fault).__name__} {fault.code}: {fault.vp.meaning}")
            say(f"outcome: {fault.outcome.value} ({fault.fault_class.value} problem, "
                f"{'retryable' if fault.retryable else 'not retried'})")  # fmt: skip
            say(f"what to do: {fault.advice}")
            say(f"correlation id: {fault.correlation_id}")
        else:  # pragma: no cover - the injected fault always fires
            raise RuntimeError("the injected VP007 did not arrive")

    def summary(self, *, keep: bool) -> None:
        step(9, "Summary")
        stats = getattr(self.client.transport, "stats", None)
        if stats is not None:
            handshakes = stats.connections_opened
            say(f"{stats.responses} calls through InkorgClient over mutual TLS, {handshakes} "
                f"TLS handshake{'' if handshakes == 1 else 's'} (keep-alive)")  # fmt: skip
        stored = self.simulator.store.messages(TOLVAN)
        unread = sum(1 for m in stored if not m.is_read)
        say(f"{len(stored)} messages in thread {self.thread.id}, {unread} unread")
        hint = "" if keep else "  (make demo ARGS=--keep to open it)"
        say(f"inbox view: {self.inbox_page}{hint}")


@contextmanager
def demo_session() -> Iterator[Demo]:
    """Step 1: throwaway certificates, the simulator, and a client; all gone afterwards."""
    step(1, "Throwaway certificates and the simulator (in this process, on 127.0.0.1)")
    password = secrets.token_urlsafe(18).encode("ascii")
    with tempfile.TemporaryDirectory(prefix="inkorg-demo-") as folder:
        pki = make_test_pki(Path(folder), password=password)
        consumer = pki.consumer()
        say(f"certificates: a test CA, a server certificate, a client function certificate "
            f"(HSA-id {consumer.hsa_id}), random password")  # fmt: skip
        config = SimulatorConfig.default(consumer_hsa_id=consumer.hsa_id or "", inbox_http_port=0)
        with Simulator(config, pki.server_tls()) as simulator:
            simulator.store.add_citizen(TOLVAN, notification_methods=("SMS", "Email"),
                                        paper_opt_out=True)  # fmt: skip
            settings = ClientSettings(
                environment=Environment.SIMULATOR,
                base_url=simulator.url,
                p12=consumer.p12,
                password=lambda: password,
                ca=pki.ca,
            )
            with InkorgClient(settings) as client:
                say(f"simulator: {simulator.url} (NTjP + 1177 Inkorg), "
                    f"logical address {settings.logical_address}")  # fmt: skip
                yield Demo(simulator=simulator, client=client)


def wait_for_ctrl_c() -> None:
    """Keep the simulator running until Ctrl-C (or SIGTERM), then return normally."""

    def stop(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: a shell that starts a background job may have set SIGINT to "ignore".
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    say("the simulator keeps running: open the inbox view; Ctrl-C stops it")
    sys.stdout.flush()
    with suppress(KeyboardInterrupt):
        threading.Event().wait()


def run(*, keep: bool) -> int:
    started = time.perf_counter()
    print("inkorg-riv demo: the main job against the local simulator, over mutual TLS")
    with demo_session() as demo:
        demo.check_citizen()
        demo.send_kallelse()
        demo.send_follow_up()
        demo.remind_before_reading()
        demo.citizen_reads()
        demo.status_after_reading()
        demo.platform_fault()
        demo.summary(keep=keep)
        if keep:
            wait_for_ctrl_c()
    say(f"stopped the simulator and the client, deleted the certificates "
        f"({time.perf_counter() - started:.1f} s in all)")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the simulator running after the demo until Ctrl-C (to open the inbox view)",
    )
    return run(keep=parser.parse_args(argv).keep)


if __name__ == "__main__":
    raise SystemExit(main())
