"""A quick scan that recognises a clean DocBook body without parsing it (layer L6).

:func:`certainly_fine` answers True only when the full checker
(:func:`inkorg_riv.validation.docbook.check_body`: parse with lxml, then walk the tree) would
certainly find no issue. Any doubt answers False and the caller runs the full check, which
words the issues; so the scan decides nothing on its own and a False costs only the scan.

The subset is not recursive (no element may hold itself, however deep), so the bodies it
allows form a regular language: one regular expression, built from ``ALLOWED_CHILDREN``,
recognises the tags, their nesting and their places in one C-level match. Around it, a few
whole-text checks and the ``ulink`` attributes' values. It models only what well-formed bodies
in the subset are made of, and is stricter than XML everywhere else:

* characters: no character XML 1.0 forbids, no ``]]>`` anywhere, and every ``&`` one of the
  five predefined entities or a decimal/hex character reference to an allowed character;
* an optional ``<?xml version="1.0" encoding="UTF-8"?>`` at the very start, then one
  ``article`` with at least one element inside, white space (space, tab, CR, LF) around it;
* unprefixed start, end and empty-element tags of the subset, nested as ``ALLOWED_CHILDREN``
  says, comments inside the article, and nothing else (no CDATA, processing instruction,
  DOCTYPE or prefixed name);
* only white space (and comments) between the tags of elements that hold no text;
* at most an ``xmlns`` of exactly ``""`` or the DocBook namespace on any element, and on
  ``ulink`` only ``url`` (required, :func:`is_link_url` of its value as the parser would
  deliver it), ``type`` (one of ``LINK_TYPES``) and that ``xmlns``, none repeated.

``tests/test_docbook_fast_path.py`` holds the scan to the full check on random bodies.
"""

from __future__ import annotations

import functools
import re

from ._subset import ALLOWED_CHILDREN, DOCBOOK_NS, LINK_TYPES, TEXT_ELEMENTS, is_link_url

__all__ = ["certainly_fine", "certainly_fine_parsed"]

_MAX_CHARS = 1 << 20  # far below the parser's limits (64 MiB documents, 10 MB text nodes)
_S = "[ \t\r\n]"  # XML's white space, not str.isspace's
_NAME = "[A-Za-z_:][-.A-Za-z0-9_:]*"
_VALUE = "\"[^\"<]*\"|'[^'<]*'"
_ATTRIBUTE = re.compile(f"{_S}+({_NAME}){_S}*={_S}*(?:\"([^\"<]*)\"|'([^'<]*)')")
_DECLARATION = (
    rf"<\?xml{_S}+version{_S}*={_S}*(?:\"1\.0\"|'1\.0')"
    rf"(?:{_S}+encoding{_S}*={_S}*(?:\"(?:UTF|utf)-8\"|'(?:UTF|utf)-8'))?{_S}*\?>"
)
_COMMENT = "<!--(?:[^-<]|-[^-<])*+-->"  # XML's production, without "<" inside
_TEXT = f"(?:[^<]++|{_COMMENT})*+"  # what a text element holds between its elements
_GAP = f"(?:{_S}++|{_COMMENT})*+"  # ... and any other element
_DB = re.escape(DOCBOOK_NS)
_XMLNS = f"(?:{_S}+xmlns{_S}*={_S}*(?:\"(?:{_DB})?\"|'(?:{_DB})?'))?"
_ULINK_ATTRIBUTES = f"(?:{_S}+(?:url|type|xmlns){_S}*={_S}*(?:{_VALUE}))*+"  # values: later


def _element(name: str, links: bool) -> str:
    """The expression of one subset element: its tags, attributes and (recursively) content;
    without ``ulink`` unless ``links``."""
    between = _TEXT if name in TEXT_ELEMENTS else _GAP
    content = between
    allowed = ALLOWED_CHILDREN[name] if links else ALLOWED_CHILDREN[name] - {"ulink"}
    if allowed:
        children = "|".join(_element(child, links) for child in sorted(allowed))
        content = f"{between}(?:(?:{children}){between})*+"
    attributes = _ULINK_ATTRIBUTES if name == "ulink" else _XMLNS
    return f"(?:<{name}{attributes}{_S}*+(?:/>|>{content}</{name}{_S}*+>))"


def _body(links: bool) -> re.Pattern[str]:
    inside = "|".join(_element(child, links) for child in sorted(ALLOWED_CHILDREN["article"]))
    return re.compile(
        f"(?:{_DECLARATION})?{_S}*+<article{_XMLNS}{_S}*+>{_GAP}"
        f"(?:(?:{inside}){_GAP})++"  # at least one element: an empty article is an issue
        f"</article{_S}*+>{_S}*+"
    )


@functools.cache
def _bodies() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The body expressions without and with ``ulink``, compiled on first use: each is ~5 KB
    and takes ~5 ms to compile, which would otherwise be paid by every ``import``.

    Two expressions: whether a body has links is known only from the one without them, as
    ``"<ulink" in text`` costs as much as the match (a multi-character search of the text).
    """
    return _body(links=False), _body(links=True)

_ULINK = re.compile(f"<ulink((?:{_S}+{_NAME}{_S}*={_S}*(?:{_VALUE}))*)")
_UNSURE_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_CHARACTER_REFERENCE = re.compile(r"&#(x?)([0-9a-fA-F]+);")
_REFERENCE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([a-z]+));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_C0 = bytes(code for code in range(0x20) if code not in (0x09, 0x0A, 0x0D))
_NORMALISED = str.maketrans("\t\n\r", "   ")


def certainly_fine(text: str) -> bool:
    """True only if ``check_body(text)`` certainly finds no issue; False when unsure."""
    if not isinstance(text, str) or len(text) > _MAX_CHARS or not _characters_ok(text):
        return False
    return _recognised(text)


def certainly_fine_parsed(text: str) -> bool:
    """:func:`certainly_fine` of the text of a parsed element (lxml's ``.text``, a str).

    lxml holds no character that XML 1.0 forbids (its parser refuses them, its setters raise),
    so the scan's test of every character (a copy and a pass over the text) is left out; the
    rest is :func:`certainly_fine`'s.
    """
    if len(text) > _MAX_CHARS or not _references_ok(text):
        return False
    return _recognised(text)


def _recognised(text: str) -> bool:
    """Whether the body expressions (and the ``ulink`` checks) recognise ``text``."""
    without_links, with_links = _bodies()
    if without_links.fullmatch(text) is not None:
        return True
    if with_links.fullmatch(text) is None:
        return False
    # Every "<ulink" of a body that matched starts a ulink tag ("<" occurs nowhere else).
    return all(_link_ok(found[1]) for found in _ULINK.finditer(text))


def _characters_ok(text: str) -> bool:
    """Only characters XML 1.0 allows, no ``]]>``, and references the scan can vouch for."""
    return _xml_characters(text) and _references_ok(text)


def _xml_characters(text: str) -> bool:
    """Whether ``text`` holds only characters XML 1.0 allows."""
    data = _encoded(text)
    # No C0 control character other than tab, LF and CR, nor worse (surrogates, U+FFFE/F).
    return data is not None and len(data.translate(None, _C0)) == len(data)


def _references_ok(text: str) -> bool:
    """No ``]]>``, and every ``&`` a reference the scan can vouch for."""
    if "]" in text and "]]>" in text:
        return False
    if "&" not in text:
        return True
    if _UNSURE_REFERENCE.search(text):
        return False
    return all(
        _xml_char(int(digits, 16 if hexadecimal else 10))
        for hexadecimal, digits in _CHARACTER_REFERENCE.findall(text)
    )


def _encoded(text: str) -> bytes | None:
    """``text`` as bytes, or None if it holds a surrogate, U+FFFE or U+FFFF."""
    try:
        return text.encode("latin-1")  # the common case, and a plain copy
    except UnicodeEncodeError:
        pass
    if "\ufffe" in text or "\uffff" in text:
        return None
    try:
        return text.encode("utf-8")  # refuses lone surrogates
    except UnicodeEncodeError:
        return None


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _link_ok(attributes: str) -> bool:
    """Whether a ``ulink``'s attributes (as written in its tag) raise no issue."""
    values: dict[str, str] = {}
    for found in _ATTRIBUTE.finditer(attributes):
        key, double, single = found.groups()
        if key in values:
            return False  # a repeated attribute is not well-formed
        values[key] = double if double is not None else single
    if values.pop("xmlns", DOCBOOK_NS) not in ("", DOCBOOK_NS):
        return False
    url = values.pop("url", None)
    kind = values.pop("type", None)
    return (
        not values
        and url is not None
        and is_link_url(_delivered(url))
        and (kind is None or _delivered(kind) in LINK_TYPES)
    )


def _delivered(raw: str) -> str:
    """An attribute value as the parser delivers it: white space normalised, then references
    expanded (XML 1.0 section 3.3.3; every reference was vouched for by
    :func:`_characters_ok`)."""
    value = raw.replace("\r\n", " ").translate(_NORMALISED)
    return _REFERENCE.sub(_expand, value) if "&" in value else value


def _expand(reference: re.Match[str]) -> str:
    hexadecimal, decimal, entity = reference.groups()
    if entity is not None:
        return _ENTITIES[entity]
    return chr(int(hexadecimal, 16) if hexadecimal is not None else int(decimal))
