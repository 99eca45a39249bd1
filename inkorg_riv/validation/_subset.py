"""The definition of the DocBook subset the 1177 inbox shows (layer L6).

Pure data and one URL predicate, without lxml, so that both the full checker
(:mod:`inkorg_riv.validation.docbook`, which re-exports every name here and is where callers
import them from) and its quick text scan (:mod:`inkorg_riv.validation._bodyscan`) read the
same tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

MISMATCH = "##### Mismatched Element in Source #####"
"""What the 1177 inbox shows the citizen in place of an element outside the subset."""

DOCBOOK_NS = "http://docbook.org/ns/docbook"
"""The DocBook 5 namespace; subset elements may be in it or in no namespace."""

ALLOWED_CHILDREN: Mapping[str, frozenset[str]] = MappingProxyType(
    {
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
)
"""Each element of the subset and the elements allowed directly inside it."""

TEXT_ELEMENTS = frozenset({"para", "title", "bibliography", "term", "listitem", "ulink"})
"""The elements that hold text; text anywhere else is outside the subset."""

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
"""URL schemes a ``ulink`` may use."""

LINK_TYPES = ("_self", "_blank")
"""The values of ``ulink/@type``: open in the inbox's own window, or in a new one."""

ULINK_ATTRIBUTES = frozenset({"url", "type"})
"""The attributes a ``ulink`` may carry; no other element of the subset takes any."""


def is_link_url(url: str) -> bool:
    """Whether ``url`` is a usable link: http(s) with a host, mailto or tel with a target.

    Surrounding or embedded whitespace and control characters are refused: a URL that needs
    them must percent-encode them.
    """
    if not url or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return False
    from urllib.parse import urlsplit  # noqa: PLC0415  (~2 ms with ipaddress: only bodies with links need it)

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return False
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return bool(parts.path)
