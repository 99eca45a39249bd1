"""The simulator's inbox web view: a citizen's 1177 Inkorg as HTML, and "mark as read".

:func:`handle_inbox_request` answers every path under ``/inbox/`` (and None for any other path,
so the server can route): ``GET /inbox/<personnummer>`` renders the citizen's messages grouped
by thread (newest thread first, newest message first), each with heading, sending unit, sent
time in Swedish (Europe/Stockholm), the body from the DocBook subset, links, attachment names,
booking buttons and a read badge -- each piece of a message drawn by the one renderer of
:mod:`inkorg_riv.kallelse.render`, the same that ``inkorg-riv preview`` uses;
``POST /inbox/<personnummer>/read/<message key>`` marks a message read and redirects (303)
back, which GetMessageThreadStatus then reports.

Decisions: the page shows the identity number redacted (the URL holds it whole); a number the
store does not know and has no messages for gets a 404 page; a queued message to a citizen
without an account is shown too, with its last day. Booking buttons are disabled (booking is
not simulated). Everything is escaped; the page has one inline stylesheet, no scripts, and a
Content-Security-Policy that allows nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from urllib.parse import quote, unquote

from .._log import redact
from ..kallelse.dates import swedish_datetime
from ..kallelse.render import (
    MESSAGE_CSS,
    PAGE_CSS,
    TYPE_LABELS,
    attachments_html,
    booking_html,
    contact_html,
    links_html,
    render_docbook,
)
from .store import QUEUE_DAYS, InboxStore, StoredMessage

__all__ = ["handle_inbox_request"]

Response = tuple[int, dict[str, str], bytes]

_PREFIX = "/inbox/"
_SUBJECT = re.compile(r"[0-9]{8}[0-9pPtTfF][0-9]{3}")
_INBOX_CSS = """
.thread{background:#fff;border-radius:8px;margin:16px 0;padding:8px 20px;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
.thread>h2{font-size:1.05em;color:#555;border-bottom:1px solid #ddd;padding-bottom:6px}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:.8em;margin-left:6px}
.badge.unread{background:#c12143;color:#fff}.badge.read{background:#e2e2e2;color:#333}
.mark-read button{font-size:.95em;padding:6px 14px;margin:4px 6px 4px 0;border-radius:6px;
border:1px solid #396291;background:#396291;color:#fff;cursor:pointer}
"""
_CSS = PAGE_CSS + MESSAGE_CSS + _INBOX_CSS
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}


def handle_inbox_request(
    store: InboxStore, method: str, path: str, form: dict[str, str]
) -> Response | None:
    """Answer a request under ``/inbox/``; None for any other path.

    ``form`` is the decoded form of a POST (not needed by the current actions).
    """
    del form  # no action reads form fields yet
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path == "/inbox":
        path = _PREFIX
    if not path.startswith(_PREFIX):
        return None
    parts = [unquote(p) for p in path[len(_PREFIX) :].split("/")]
    method = method.upper()
    subject = parts[0]
    if len(parts) == 1 or (len(parts) == 2 and not parts[1]):  # /inbox/<id> or /inbox/<id>/
        if method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        return _inbox_page(store, subject)
    if len(parts) == 3 and parts[1] == "read":  # /inbox/<id>/read/<key>
        if method != "POST":
            return _not_allowed("POST")
        if _SUBJECT.fullmatch(subject) and store.mark_read(subject, parts[2]):
            location = f"{_PREFIX}{quote(subject)}#m-{quote(parts[2])}"
            return 303, {"Location": location, "Content-Length": "0"}, b""
    return _not_found(subject)


# ---------------------------------------------------------------------- pages


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        '<header><h1>1177 Inkorg <span class="small">(simulator)</span></h1></header>'
        f"<main>{body}</main></body></html>\n"
    ).encode()
    return status, dict(_HEADERS), html


def _not_allowed(allow: str) -> Response:
    status, headers, body = _page(
        "Metoden stöds inte", '<p data-testid="error">Metoden stöds inte här.</p>', 405
    )
    headers["Allow"] = allow
    return status, headers, body


def _not_found(subject: str) -> Response:
    shown = escape(redact(subject)) if _SUBJECT.fullmatch(subject) else "denna adress"
    return _page(
        "Inkorgen finns inte",
        f'<p data-testid="not-found">Det finns ingen inkorg för {shown}. '
        "Adressen är /inbox/&lt;personnummer med 12 siffror&gt;.</p>",
        404,
    )


def _inbox_page(store: InboxStore, subject: str) -> Response:
    if not _SUBJECT.fullmatch(subject):
        return _not_found(subject)
    store.purge_expired()
    citizen = store.citizen(subject)
    messages = store.messages(subject)
    if citizen is None and not messages:
        return _not_found(subject)
    shown = escape(redact(subject))
    if citizen is not None and citizen.has_account:
        methods = ", ".join(citizen.notification_methods) or "ingen"
        status = f"Har konto på 1177 e-tjänster. Avisering: {escape(methods)}."
    else:
        status = (
            "Inget konto på 1177 e-tjänster: meddelanden sparas i "
            f"{QUEUE_DAYS} dagar och tas sedan bort."
        )
    if citizen is not None and citizen.paper_opt_out:
        status += " Har avböjt brev på papper."
    unread = sum(1 for m in messages if not m.is_read)
    parts = [
        f'<h2>Inkorg för <span data-testid="citizen-id">{shown}</span></h2>',
        f'<p class="small" data-testid="account-status">{status}</p>',
        f'<p data-testid="counts">{len(messages)} meddelanden, {unread} olästa</p>',
    ]
    if not messages:
        parts.append('<p data-testid="empty">Inkorgen är tom.</p>')
    parts.extend(_thread(subject, thread) for thread in _threads(messages))
    return _page(f"Inkorg {redact(subject)}", "".join(parts))


def _threads(messages: Iterable[StoredMessage]) -> list[list[StoredMessage]]:
    """Messages grouped by (unit, thread); newest thread first, newest message first."""
    groups: dict[tuple[str, str], list[StoredMessage]] = {}
    for message in messages:
        groups.setdefault((message.unit_id.upper(), message.thread_id), []).append(message)
    threads = [sorted(g, key=lambda m: m.sent_at, reverse=True) for g in groups.values()]
    return sorted(threads, key=lambda t: t[0].sent_at, reverse=True)


def _thread(subject: str, messages: list[StoredMessage]) -> str:
    newest = messages[0]
    title = escape(newest.description or "Meddelande")
    count = f"{len(messages)} meddelande" + ("n" if len(messages) > 1 else "")
    return (
        f'<section class="thread" data-testid="thread" data-thread-id="{escape(newest.thread_id)}">'
        f"<h2>{title} · {escape(newest.unit_name)} · {count}</h2>"
        + "".join(_message(subject, m) for m in messages)
        + "</section>"
    )


def _message(subject: str, m: StoredMessage) -> str:
    state = "read" if m.is_read else "unread"
    key = escape(m.key)
    kind = TYPE_LABELS.get(m.message_type or "", m.message_type or "")
    badge = (
        f'<span class="badge read" data-testid="read-badge">Läst {swedish_datetime(m.read_at)}'
        "</span>"
        if m.read_at is not None
        else '<span class="badge unread" data-testid="read-badge">Oläst</span>'
    )
    out = [
        f'<article class="message {state}" id="m-{key}" data-testid="message" '
        f'data-message-key="{key}" data-message-id="{escape(m.message_id)}" data-read="'
        f'{"true" if m.is_read else "false"}">',
        f'<div class="kind" data-testid="message-type">{escape(kind)}</div>' if kind else "",
        f'<h3 data-testid="message-heading">{escape(m.description or "(utan rubrik)")}{badge}</h3>',
        f'<p class="meta">Från <span data-testid="message-unit">{escape(m.unit_name)}</span> · '
        f'<time datetime="{escape(m.sent_at.isoformat())}" data-testid="message-sent">'
        f"{swedish_datetime(m.sent_at)}</time></p>",
    ]
    if m.expires_at is not None:
        out.append(
            '<p class="notice" data-testid="queued">Sparas utan konto till '
            f"{swedish_datetime(m.expires_at)}.</p>"
        )
    out.append(f'<div class="body" data-testid="message-body">{render_docbook(m.body)}</div>')
    if m.booking is not None:
        out.append(booking_html(m.booking))
    out.append(links_html(m.sso_links))
    out.append(attachments_html(m.attachments))
    out.append(contact_html(m.unit_contact))
    if not m.is_read:
        action = escape(f"{_PREFIX}{quote(subject)}/read/{quote(m.key)}")
        out.append(
            f'<form class="mark-read" method="post" action="{action}" '
            'data-testid="mark-read-form"><button type="submit" data-testid="mark-read">'
            "Markera som läst</button></form>"
        )
    out.append("</article>")
    return "".join(out)
