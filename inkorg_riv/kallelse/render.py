"""A message as the citizen sees it in the 1177 inbox, as safe HTML (layer L6).

Owns the one renderer of inkorg-riv: the simulator's inbox page and ``inkorg-riv preview`` both
use it. :func:`render_docbook` turns a ``messageText`` into an HTML fragment; the pieces around
it (:func:`booking_html`, :func:`links_html`, :func:`attachments_html`, :func:`contact_html`,
:data:`TYPE_LABELS`, :data:`PAGE_CSS`, :data:`MESSAGE_CSS`) are shared with the inbox view;
:func:`preview_html` writes one AddMessage request as a standalone page.

Decisions:

* Elements outside the subset (:mod:`.check`), or in a place the subset does not allow them,
  become 1177's text :data:`~.check.MISMATCH`; their content is not shown, the text after them
  is. A body that is not well-formed XML, or whose root is not ``article``, is shown as
  :data:`~.check.MISMATCH` alone. Comments are skipped.
* Everything is escaped (carriage returns too, as ``&#13;``, so no text is lost to the HTML
  parser's line-end normalisation). ``ulink`` becomes ``<a>`` with ``target`` ``_self`` or
  ``_blank`` (default ``_self``) and ``rel="noopener noreferrer"`` only for the URLs the
  checker accepts; any other URL is shown as plain text.
* The preview page has ``lang="sv"``, one inline stylesheet, no scripts and a
  Content-Security-Policy that allows nothing else. The identity number is shown redacted.
  Booking buttons are shown disabled, as booking happens in 1177. Body issues found by
  :func:`~.check.check_body` are listed above the message, outside what the citizen sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from types import MappingProxyType
from typing import Protocol

from lxml import etree

from .._log import redact
from .._xmlparse import parse_bytes
from ..bindings import patientportal as pp
from ..errors import XmlInputError
from ..validation.docbook import (
    ALLOWED_CHILDREN,
    MISMATCH,
    TEXT_ELEMENTS,
    check_body,
    is_link_url,
    subset_name,
)
from .dates import swedish_datetime

__all__ = [
    "MESSAGE_CSS",
    "PAGE_CSS",
    "TYPE_LABELS",
    "AttachmentLike",
    "BookingLike",
    "LinkLike",
    "attachments_html",
    "booking_html",
    "contact_html",
    "escape_text",
    "links_html",
    "preview_html",
    "render_docbook",
    "unit_contact",
]

TYPE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "TimedInvitation": "Kallelse",
        "OpenInvitation": "Kallelse, boka tid",
        "BookingUpdate": "Ändrad bokning",
        "BookingConfirmation": "Bokningsbekräftelse",
        "Reminder": "Påminnelse",
        "Information": "Information",
        "Cancellation": "Avbokning",
    }
)
"""The Swedish label shown for each ``messageType``."""

PAGE_CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:0;background:#f3f1ee;color:#1a1a1a}
header{background:#396291;color:#fff;padding:16px 24px}header h1{margin:0;font-size:1.4em}
header .small{color:#dce6f2;font-weight:400}
main{max-width:860px;margin:0 auto;padding:16px 24px}
"""
"""The page frame shared by the inbox view and the preview."""

MESSAGE_CSS = """
.message{border-left:4px solid #ccc;padding:4px 14px;margin:14px 0}
.message.unread{border-left-color:#c12143}.message h3{margin:4px 0}
.meta{color:#555;font-size:.9em;margin:2px 0}
.kind{font-size:.8em;text-transform:uppercase;color:#396291;letter-spacing:.04em}
.db-mismatch{color:#a00;font-family:monospace}.db-title{margin:10px 0 4px;font-size:1.05em}
p.db-title{font-weight:600}
.db-term{font-weight:600}.db-listitem{margin:0 0 6px 16px}
.booking button{font-size:.95em;padding:6px 14px;margin:4px 6px 4px 0;
border-radius:6px;border:1px solid #396291;background:#fff;color:#396291}
.booking button[disabled]{cursor:not-allowed}
.notice{background:#fff6d6;border:1px solid #e8d48a;padding:6px 10px;border-radius:6px}
.contact,.small{font-size:.85em;color:#555}
"""
"""Styles of one message (body, booking, links, attachments), shared with the inbox view."""

_PREVIEW_CSS = """
.card{background:#fff;border-radius:8px;margin:16px 0;padding:8px 20px;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
.issues{background:#fde8ec;border:1px solid #c12143}
"""
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; "
    "base-uri 'none'"
)
_TITLE_TAGS = {"article": "h3", "section": "h4", "variablelist": "p"}


class BookingLike(Protocol):
    """What the booking panel reads (``BookingType`` and the simulator's stored booking)."""

    @property
    def start_time(self) -> datetime.datetime | None: ...
    @property
    def is_open_invitation(self) -> bool | None: ...
    @property
    def new_booking_allowed(self) -> bool | None: ...
    @property
    def rebooking_allowed(self) -> bool | None: ...
    @property
    def cancel_booking_allowed(self) -> bool | None: ...


class LinkLike(Protocol):
    """What a single sign-on link shows (``type`` may be an enum or its text)."""

    @property
    def system_id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def type(self) -> object: ...


class AttachmentLike(Protocol):
    """What an attachment line shows."""

    @property
    def file_name(self) -> str: ...
    @property
    def mime_type(self) -> str: ...
    @property
    def size(self) -> int: ...


def escape_text(text: str) -> str:
    """``text`` escaped for HTML text and attribute values, carriage returns included."""
    return escape(text).replace("\r", "&#13;")


# ---------------------------------------------------------------------- the body


def render_docbook(text: str) -> str:
    """The HTML fragment (one ``div``) for a ``messageText`` in the DocBook subset."""
    try:
        root = parse_bytes(text.encode("utf-8", "surrogatepass"), source="messageText")
    except XmlInputError:
        return _wrap(_mismatch("p"))
    if subset_name(root) != "article":
        return _wrap(_mismatch("p"))
    return _wrap(_element(root, "article", "article"))


def _wrap(inner: str) -> str:
    return f'<div class="docbook" data-testid="docbook">{inner}</div>'


def _mismatch(tag: str) -> str:
    return f'<{tag} class="db-mismatch" data-testid="docbook-mismatch">{escape(MISMATCH)}</{tag}>'


def _content(element: etree._Element, name: str, owner: str) -> str:
    """The children of ``element`` (the subset element ``name``) with their text and tails.

    ``owner`` is the structural element (article, section, variablelist) titles belong to.
    """
    inline = name in TEXT_ELEMENTS
    parts: list[str] = []
    if element.text and (inline or element.text.strip()):
        parts.append(escape_text(element.text))
    allowed = ALLOWED_CHILDREN[name]
    for child in element:
        if isinstance(child.tag, str):
            child_name = subset_name(child)
            if child_name is not None and child_name in allowed:
                parts.append(_element(child, child_name, owner))
            else:
                parts.append(_mismatch("span" if inline else "p"))
        # Comments and processing instructions are skipped, their tails are kept.
        tail = child.tail
        if tail and (inline or tail.strip()):
            parts.append(escape_text(tail))
    return "".join(parts)


_WRAPPERS = {
    "article": ('<div class="db-article">', "</div>"),
    "section": ('<section class="db-section">', "</section>"),
    "info": ("", ""),
    "para": ("<p>", "</p>"),
    "bibliography": ('<p class="db-bibliography">', "</p>"),
    "variablelist": ('<div class="db-variablelist">', "</div>"),
    "varlistentry": ('<div class="db-entry">', "</div>"),
    "term": ('<div class="db-term">', "</div>"),
    "listitem": ('<div class="db-listitem">', "</div>"),
}


def _element(element: etree._Element, name: str, owner: str) -> str:
    if name == "ulink":
        return _ulink(element)
    if name == "title":
        tag = _TITLE_TAGS.get(owner, "p")
        return f'<{tag} class="db-title">{_content(element, name, owner)}</{tag}>'
    if name in _TITLE_TAGS:  # a new owner for the titles inside
        owner = name
    start, end = _WRAPPERS[name]
    return f"{start}{_content(element, name, owner)}{end}"


def _ulink(element: etree._Element) -> str:
    url = element.get("url") or ""
    text = _content(element, "ulink", "para") or escape_text(url)
    if not is_link_url(url):
        return f'<span class="db-link" data-testid="docbook-unsafe-link">{text}</span>'
    target = "_blank" if element.get("type") == "_blank" else "_self"
    return (
        f'<a class="db-link" href="{escape_text(url)}" target="{target}" '
        f'rel="noopener noreferrer">{text}</a>'
    )


# ---------------------------------------------------------------------- around the body


def booking_html(booking: BookingLike, *, disabled_reason: str = "Bokning simuleras inte") -> str:
    """The booked time (in Swedish) and the buttons the flags allow, disabled."""
    parts = ['<div class="booking" data-testid="booking">']
    if booking.start_time is not None:
        parts.append(
            f'<p data-testid="booking-time">Tid: {swedish_datetime(booking.start_time)}</p>'
        )
    buttons = (
        ("booking-new", "Boka ny tid", booking.new_booking_allowed or booking.is_open_invitation),
        ("booking-rebook", "Boka om", booking.rebooking_allowed),
        ("booking-cancel", "Avboka", booking.cancel_booking_allowed),
    )
    title = escape_text(disabled_reason)
    parts.extend(
        f'<button type="button" disabled title="{title}" data-testid="{testid}">{label}</button>'
        for testid, label, shown in buttons
        if shown
    )
    parts.append("</div>")
    return "".join(parts)


def links_html(links: Iterable[LinkLike]) -> str:
    """The single sign-on links by their texts (1177 resolves them; here they go nowhere)."""
    items = "".join(
        f'<li><a href="#" data-system-id="{escape_text(link.system_id)}" '
        f'data-link-type="{escape_text(str(getattr(link.type, "value", link.type)))}">'
        f"{escape_text(link.text)}</a></li>"
        for link in links
    )
    return f'<ul data-testid="sso-links">{items}</ul>' if items else ""


def attachments_html(attachments: Iterable[AttachmentLike]) -> str:
    """The attachments by name, media type and size."""
    items = "".join(
        f'<li data-testid="attachment">{escape_text(a.file_name)} '
        f'<span class="small">({escape_text(a.mime_type)}, {_size(a.size)})</span></li>'
        for a in attachments
    )
    if not items:
        return ""
    return f'<p class="small">Bilagor:</p><ul data-testid="attachments">{items}</ul>'


def contact_html(parts: Sequence[str]) -> str:
    """``Kontakt: address, postal code and city, telephone`` of the sending unit."""
    if not parts:
        return ""
    contact = escape_text(", ".join(parts))
    return f'<p class="contact" data-testid="unit-contact">Kontakt: {contact}</p>'


def _size(size: int) -> str:
    return f"{size} byte" if size < 1024 else f"{(size + 1023) // 1024} kB"


# ---------------------------------------------------------------------- the preview page


@dataclass(frozen=True, slots=True)
class _Attachment:
    file_name: str
    mime_type: str
    size: int


def unit_contact(unit: pp.OrganisationUnitType) -> list[str]:
    """The contact lines of a sending unit: address, postal code and city, telephone."""
    city = " ".join(p for p in (unit.unit_postal_code, unit.unit_postal_city) if p)
    return [p for p in (unit.unit_address, city, unit.unit_telephone) if p]


def preview_html(request: pp.AddMessageType, *, show_issues: bool = True) -> str:
    """A standalone HTML page showing ``request`` as the citizen will see it in the inbox.

    With ``show_issues`` the page lists the body's issues (:func:`~.check.check_body`) above
    the message.
    """
    message = request.message
    heading = message.message_description or "(utan rubrik)"
    kind = TYPE_LABELS.get(message.message_type.value, "") if message.message_type else ""
    out = [
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Förhandsvisning: {escape_text(heading)}</title>",
        f"<style>{PAGE_CSS}{MESSAGE_CSS}{_PREVIEW_CSS}</style></head><body>",
        '<header><h1>1177 Inkorg <span class="small">(förhandsvisning)</span></h1></header>',
        "<main>",
    ]
    issues = check_body(message.message_text) if show_issues else []
    if issues:
        items = "".join(f"<li>{escape_text(redact(str(issue)))}</li>" for issue in issues)
        out.append(
            '<section class="card issues" data-testid="body-issues"><p>Meddelandetexten följer '
            "inte det som 1177 Inkorg visar; invånaren ser felet i texten nedan:</p>"
            f"<ul>{items}</ul></section>"
        )
    out.append(
        f'<p class="small" data-testid="recipient">Till '
        f"{escape_text(redact(request.subject_of_care_id))}</p>"
        '<section class="card"><article class="message unread" data-testid="message">'
    )
    if kind:
        out.append(f'<div class="kind" data-testid="message-type">{escape_text(kind)}</div>')
    out.append(
        f'<h3 data-testid="message-heading">{escape_text(heading)}</h3><p class="meta">Från '
        f'<span data-testid="message-unit">{escape_text(message.organisation_unit.unit_name)}'
        "</span></p>"
        f'<div class="body" data-testid="message-body">{render_docbook(message.message_text)}'
        "</div>"
    )
    if message.booking is not None:
        out.append(booking_html(message.booking, disabled_reason="Bokning görs i 1177"))
    out.append(links_html(message.sso_link))
    out.append(
        attachments_html(
            _Attachment(a.file_name, a.mime_type, len(a.content)) for a in message.attachment
        )
    )
    out.append(contact_html(unit_contact(message.organisation_unit)))
    out.append("</article></section></main></body></html>\n")
    return "".join(out)
