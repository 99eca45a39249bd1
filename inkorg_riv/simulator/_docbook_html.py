"""Render a message body in 1177's DocBook subset as safe HTML, as the inbox shows it.

The subset (contracts.md section 4): ``article`` → info, para, section, bibliography,
variablelist; ``info`` → title; ``section`` → info, title, para, bibliography, variablelist;
``para`` → text and ``ulink``; ``variablelist`` → title, varlistentry; ``varlistentry`` → term,
listitem; ``title``, ``bibliography``, ``term``, ``listitem`` and ``ulink`` hold text.
Elements may be unqualified or in the DocBook 5 namespace.

What this module decides:

* Every element outside the subset, or in a place the subset does not allow it, is replaced by
  1177's text :data:`MISMATCH` (its content is not shown; the text after it is).
* A body that is not well-formed XML, or whose root is not ``article`` (plain text included),
  is shown as :data:`MISMATCH` alone.
* Everything from the body is escaped with :func:`html.escape`. ``ulink`` becomes ``<a>`` with
  ``target`` ``_self`` or ``_blank`` (default ``_self``) and ``rel="noopener noreferrer"``, but
  only for ``http``, ``https``, ``mailto`` and ``tel`` URLs; any other URL (``javascript:``...)
  is shown as plain text.
* The body is parsed with the hardened parser (no DTD, no entities, no network).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from lxml import etree

from .._xmlparse import parse_bytes
from ..errors import XmlInputError

__all__ = ["MISMATCH", "render_docbook"]

MISMATCH = "##### Mismatched Element in Source #####"
DOCBOOK_NS = "http://docbook.org/ns/docbook"

_CHILDREN: dict[str, frozenset[str]] = {
    "article": frozenset({"info", "para", "section", "bibliography", "variablelist"}),
    "info": frozenset({"title"}),
    "section": frozenset({"info", "title", "para", "bibliography", "variablelist"}),
    "para": frozenset({"ulink"}),
    "variablelist": frozenset({"title", "varlistentry"}),
    "varlistentry": frozenset({"term", "listitem"}),
    "title": frozenset(),
    "bibliography": frozenset(),
    "term": frozenset(),
    "listitem": frozenset(),
    "ulink": frozenset(),
}
_TEXT_HOLDERS = frozenset({"para", "title", "bibliography", "term", "listitem", "ulink"})
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TITLE_TAGS = {"article": "h3", "section": "h4", "variablelist": "p"}


def render_docbook(text: str) -> str:
    """The HTML fragment (one ``div``) for a ``messageText`` in the DocBook subset."""
    try:
        root = parse_bytes(text.encode("utf-8"), source="messageText")
    except XmlInputError:
        return _wrap(_mismatch("p"))
    if _name(root) != "article":
        return _wrap(_mismatch("p"))
    return _wrap(_element(root, "article", "article"))


def _wrap(inner: str) -> str:
    return f'<div class="docbook" data-testid="docbook">{inner}</div>'


def _name(element: etree._Element) -> str | None:
    """The subset name of an element, or None for a foreign namespace."""
    qname = etree.QName(element)
    if qname.namespace not in (None, DOCBOOK_NS):
        return None
    return qname.localname


def _mismatch(tag: str) -> str:
    return f'<{tag} class="db-mismatch" data-testid="docbook-mismatch">{escape(MISMATCH)}</{tag}>'


def _content(element: etree._Element, name: str, owner: str) -> str:
    """The children of ``element`` (the subset element ``name``) with their text and tails.

    ``owner`` is the structural element (article, section, variablelist) titles belong to.
    """
    inline = name in _TEXT_HOLDERS
    parts: list[str] = []
    if element.text and (inline or element.text.strip()):
        parts.append(escape(element.text))
    allowed = _CHILDREN[name]
    for child in element:
        if isinstance(child.tag, str):
            child_name = _name(child)
            if child_name is not None and child_name in allowed:
                parts.append(_element(child, child_name, owner))
            else:
                parts.append(_mismatch("span" if inline else "p"))
        # Comments and processing instructions are skipped, their tails are kept.
        tail = child.tail
        if tail and (inline or tail.strip()):
            parts.append(escape(tail))
    return "".join(parts)


def _element(element: etree._Element, name: str, owner: str) -> str:  # noqa: PLR0911  (one branch per element of the subset)
    if name == "article":
        return f'<div class="db-article">{_content(element, name, "article")}</div>'
    if name == "section":
        return f'<section class="db-section">{_content(element, name, "section")}</section>'
    if name == "info":
        return _content(element, name, owner)
    if name == "title":
        tag = _TITLE_TAGS.get(owner, "p")
        return f'<{tag} class="db-title">{_content(element, name, owner)}</{tag}>'
    if name == "para":
        return f"<p>{_content(element, name, owner)}</p>"
    if name == "bibliography":
        return f'<p class="db-bibliography">{_content(element, name, owner)}</p>'
    if name == "variablelist":
        return f'<div class="db-variablelist">{_content(element, name, "variablelist")}</div>'
    if name == "varlistentry":
        return f'<div class="db-entry">{_content(element, name, owner)}</div>'
    if name == "term":
        return f'<div class="db-term">{_content(element, name, owner)}</div>'
    if name == "listitem":
        return f'<div class="db-listitem">{_content(element, name, owner)}</div>'
    return _ulink(element)


def _ulink(element: etree._Element) -> str:
    url = (element.get("url") or "").strip()
    text = _content(element, "ulink", "para") or escape(url)
    if not _safe_url(url):
        return f'<span class="db-link" data-testid="docbook-unsafe-link">{text}</span>'
    target = "_blank" if element.get("type") == "_blank" else "_self"
    return (
        f'<a class="db-link" href="{escape(url)}" target="{target}" '
        f'rel="noopener noreferrer">{text}</a>'
    )


def _safe_url(url: str) -> bool:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES
