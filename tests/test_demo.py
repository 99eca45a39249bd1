"""``make demo``: ``examples/demo.py`` runs the main job end to end and says so, step by step.

The demo runs as a subprocess (as ``make demo`` runs it) against the simulator it starts itself
on 127.0.0.1. The checks are on the lines that matter for each step, not on ids or timings; and
no identity number appears in clear anywhere in the output except in the inbox view's URL.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo.py"
TOLVAN = "191212121212"
ENV = {
    **os.environ,
    "PYTHONDONTWRITEBYTECODE": "1",
    # Everything is 127.0.0.1: make sure no proxy from the environment is used.
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
# A 10- or 12-digit number standing alone, with or without the - or + before the last four
# (not a piece of a UUID, an HSA-id or a longer number).
IDENTITY_NUMBER = re.compile(r"(?<![\w-])(?:\d{8}|\d{6})[-+]?\d{4}(?![\w-])")

# Each step's heading, and lines the step must print, in this order.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    (
        "1. Throwaway certificates and the simulator",
        ("certificates: a test CA", "simulator: https://127.0.0.1:", "logical address"),
    ),
    (
        "2. The citizen 19121212****: IsActiveUser, then the channel decision",
        (
            "active user: yes; notification methods: SMS, Email; paper letters declined: yes",
            "channel: digital, because",
            "- an active user of 1177 e-tjänster",
            "- notified of new messages by SMS, Email",
            "- opted out of paper letters",
        ),
    ),
    (
        "3. A timed kallelse with booking buttons (TimedKallelse), in the episode's thread",
        (
            "thread 64628133-e4f8-5c37-ba08-fa30ce204072 = "
            "Thread.for_episode('EXEMPEL-BOKNING', 'remiss-4711')",
            "sent kallelse-4711-1: resultCode OK, 'Kallelse till hälsokontroll', "
            "buttons Boka om and Avboka; notified by SMS, Email",
            "correlation id: ",
        ),
    ),
    (
        "4. A follow-up in the same thread: information before the visit (VisitInformation)",
        (
            "sent information-4711-2: resultCode OK, 'Information inför din hälsokontroll'",
            "correlation id: ",
        ),
    ),
    (
        "5. What next while the kallelse is unread? (ReminderPolicy",
        (
            "thread: none read (2 messages)",
            "now: wait: unread; reminder 1 of 1 is due 3 days after the letter; ask again ",
            "3 days after sending, still unread: send reminder: unread 3 days after the letter; "
            "send reminder 1 of 1",
        ),
    ),
    (
        "6. The citizen opens the kallelse in the inbox view",
        ("GET the inbox page, POST its 'Markera som läst' form for kallelse-4711-1",),
    ),
    (
        "7. Read status of the thread (GetMessageThreadStatus), and what next",
        (
            "thread: partly read; last read ",
            "kallelse-4711-1      sent ",
            ", read ",
            "information-4711-2   sent ",
            ", unread",
            "now: nothing: the citizen has read the letter (",
        ),
    ),
    (
        "8. A platform fault: the consumer is not authorised (VP007 injected)",
        (
            "PlatformFaultError VP007: the consumer is not authorised",
            "outcome: sent and refused (configuration problem, not retried)",
            "what to do: ask for a TAK order authorising your HSA-id SE2321000016-SIMCONSUMER",
            "correlation id: ",
        ),
    ),
    (
        "9. Summary",
        (
            "6 calls through InkorgClient over mutual TLS",
            "2 messages in thread 64628133-e4f8-5c37-ba08-fa30ce204072, 1 unread",
            "inbox view: http://127.0.0.1:",
            "stopped the simulator and the client, deleted the certificates",
        ),
    ),
]


def _assert_in_order(out: str, expected: list[str]) -> None:
    at = 0
    for text in expected:
        found = out.find(text, at)
        assert found >= 0, f"{text!r} missing (after position {at}) from:\n{out}"
        at = found + len(text)


def _assert_no_identity_number_but_in_the_url(out: str) -> None:
    for line in out.splitlines():
        if line.strip().startswith("inbox view: http://127.0.0.1:"):
            assert f"/inbox/{TOLVAN}" in line  # the URL holds it whole: that is the address
            continue
        assert TOLVAN not in line, line
        assert not IDENTITY_NUMBER.search(line), line


def test_demo_runs_every_step_and_exits_0() -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=ENV,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    out = done.stdout
    expected: list[str] = []
    for heading, lines in STEPS:
        expected += [heading, *lines]
    _assert_in_order(out, expected)
    _assert_no_identity_number_but_in_the_url(out + done.stderr)
    assert elapsed < 60  # it takes about a second; generous for a slow CI machine


def test_the_identity_number_check_would_catch_one() -> None:
    for leaked in (TOLVAN, "121212-1212", "19121212-1212", "1212121212", "to 191212121212."):
        assert IDENTITY_NUMBER.search(leaked), leaked
    for fine in (
        "19121212****",
        "SE2321000016-SIMCONSUMER",
        "correlation id: 6c12511f-f3bb-46c9-ba8a-123456789012",
        "2026-11-25 20:58 UTC",
    ):
        assert not IDENTITY_NUMBER.search(fine), fine


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def test_keep_serves_the_inbox_view_until_ctrl_c() -> None:
    lines: queue.Queue[str | None] = queue.Queue()
    out: list[str] = []
    with subprocess.Popen(
        [sys.executable, str(DEMO), "--keep"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=ENV,
    ) as process:
        reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 60
            while not any("Ctrl-C stops it" in line for line in out):
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                assert line is not None, "".join(out)
                out.append(line)
            [url] = re.findall(r"inbox view: (http://127\.0\.0\.1:\d+/inbox/\d+)", "".join(out))
            local = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with local.open(url, timeout=10) as answer:
                assert answer.status == 200
                page = answer.read().decode("utf-8")
            assert 'data-message-id="kallelse-4711-1"' in page
            assert 'data-message-id="information-4711-2"' in page
            assert "19121212****" in page
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0, "".join(out)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            reader.join(timeout=10)
    while (line := lines.get(timeout=1)) is not None:
        out.append(line)
    text = "".join(out)
    assert "stopped the simulator and the client, deleted the certificates" in text, text
    assert "Traceback" not in text, text
