"""A small, safe builder for the DocBook subset of the 1177 inbox (layer L6).

Owns the typed, immutable body objects and their one serialisation, :meth:`Body.to_docbook`:
the XML text that goes into ``messageText`` (the codec escapes it once more into the element,
which is the "entity-encoded string" of the contract)::

    Body(
        title="Kallelse till provtagning",
        blocks=[
            Para("Välkommen till ", Link("1177", "https://www.1177.se"), "."),
            Section("Förberedelser", [Para("Fasta från midnatt.")]),
            VariableList([("Plats", "Plan 2"), ("Ta med", "Legitimation")], title="Praktiskt"),
            Bibliography("Källa: Region Exempel"),
        ],
    ).to_docbook()

Decisions: every text is escaped by lxml (``<``, ``&``, ``>``, carriage returns), never pasted
into markup; each object checks itself when it is made and raises
:class:`~inkorg_riv.validation.docbook.BodyError` naming where (``VariableList.entries[1].term``)
for characters XML 1.0 forbids, blank texts (titles, terms, list items, link texts and
bibliography must say something; a para needs some text or a link), links that are not http(s),
mailto or tel, and an empty body. Sections cannot be nested (the subset has no section inside
a section). Elements are written without a namespace, as the 1177 examples do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from lxml import etree

from ..validation.docbook import LINK_TYPES, BodyError, BodyIssue, is_link_url

__all__ = [
    "Bibliography",
    "Block",
    "Body",
    "Link",
    "LinkTarget",
    "Para",
    "Section",
    "SectionBlock",
    "VariableList",
]

LinkTarget: TypeAlias = Literal["_self", "_blank"]

# Characters outside XML 1.0's Char production: C0 controls except tab, LF and CR; lone
# surrogates; U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text_issues(value: object, where: str, *, blank_ok: bool = False) -> list[BodyIssue]:
    if not isinstance(value, str):
        return [BodyIssue(path=where, reason=f"expected text, got {type(value).__name__}")]
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        return [
            BodyIssue(
                path=where,
                reason=f"character U+{ord(bad.group()):04X} at position {bad.start()} is not "
                "allowed in XML 1.0",
            )
        ]
    if not blank_ok and not value.strip():
        return [BodyIssue(path=where, reason="must not be empty or only whitespace")]
    return []


def _raise(issues: list[BodyIssue]) -> None:
    if issues:
        raise BodyError(issues)


@dataclass(frozen=True, slots=True)
class Link:
    """A link in a para (``ulink``): ``target`` ``_blank`` opens a new window, ``_self`` not."""

    text: str
    url: str
    target: LinkTarget = "_blank"

    def __post_init__(self) -> None:
        issues = _text_issues(self.text, "Link.text")
        if not isinstance(self.url, str) or not is_link_url(self.url):
            issues.append(
                BodyIssue(
                    path="Link.url",
                    reason=f"{self.url!r} is not an http(s) URL with a host, a mailto: or a "
                    "tel: URL (without spaces; percent-encode them)",
                )
            )
        if self.target not in LINK_TYPES:
            issues.append(
                BodyIssue(path="Link.target", reason=f"{self.target!r} is neither _self nor _blank")
            )
        _raise(issues)


@dataclass(frozen=True, slots=True, init=False)
class Para:
    """A paragraph: texts and links in reading order (``Para("Se ", Link(...), ".")``)."""

    parts: tuple[str | Link, ...]

    def __init__(self, *parts: str | Link) -> None:
        issues: list[BodyIssue] = []
        for index, part in enumerate(parts):
            if not isinstance(part, Link):
                issues += _text_issues(part, f"Para.parts[{index}]", blank_ok=True)
        if not issues and not any(isinstance(p, Link) or p.strip() for p in parts):
            issues.append(BodyIssue(path="Para.parts", reason="a para needs some text or a link"))
        _raise(issues)
        object.__setattr__(self, "parts", tuple(parts))


@dataclass(frozen=True, slots=True)
class Bibliography:
    """A source note (``bibliography``), shown as a small paragraph."""

    text: str

    def __post_init__(self) -> None:
        _raise(_text_issues(self.text, "Bibliography.text"))


@dataclass(frozen=True, slots=True)
class VariableList:
    """Term and description pairs (``variablelist``), with an optional title."""

    entries: Sequence[tuple[str, str]]
    title: str | None = None

    def __post_init__(self) -> None:
        issues: list[BodyIssue] = []
        if self.title is not None:
            issues += _text_issues(self.title, "VariableList.title")
        entries = tuple(self.entries) if isinstance(self.entries, Sequence) else ()
        if not entries:
            issues.append(BodyIssue(path="VariableList.entries", reason="needs at least one entry"))
        for index, entry in enumerate(entries):
            where = f"VariableList.entries[{index}]"
            if not isinstance(entry, tuple) or len(entry) != 2:
                issues.append(BodyIssue(path=where, reason="expected a (term, description) pair"))
                continue
            issues += _text_issues(entry[0], f"{where}.term")
            issues += _text_issues(entry[1], f"{where}.listitem")
        _raise(issues)
        object.__setattr__(self, "entries", entries)


SectionBlock: TypeAlias = Para | VariableList | Bibliography
"""What a section holds."""

_SECTION_BLOCKS = (Para, VariableList, Bibliography)


def _block_issues(blocks: object, where: str, kinds: tuple[type, ...]) -> list[BodyIssue]:
    if not isinstance(blocks, Sequence) or isinstance(blocks, str):
        return [BodyIssue(path=where, reason="expected a sequence of blocks")]
    if not blocks:
        return [BodyIssue(path=where, reason="is empty: add at least one para")]
    names = ", ".join(kind.__name__ for kind in kinds)
    return [
        BodyIssue(
            path=f"{where}[{index}]",
            reason=(
                "sections cannot be nested in the 1177 subset"
                if isinstance(block, Section)
                else f"expected one of {names}, got {type(block).__name__}"
            ),
        )
        for index, block in enumerate(blocks)
        if not isinstance(block, kinds)
    ]


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the body, holding paras, variable lists and bibliographies."""

    title: str | None
    blocks: Sequence[SectionBlock]

    def __post_init__(self) -> None:
        issues = [] if self.title is None else _text_issues(self.title, "Section.title")
        issues += _block_issues(self.blocks, "Section.blocks", _SECTION_BLOCKS)
        _raise(issues)
        object.__setattr__(self, "blocks", tuple(self.blocks))


Block: TypeAlias = Para | Section | VariableList | Bibliography
"""What a body holds."""

_BLOCKS = (Para, Section, VariableList, Bibliography)


@dataclass(frozen=True, slots=True, kw_only=True)
class Body:
    """A whole message body (``article``): an optional title and at least one block."""

    blocks: Sequence[Block]
    title: str | None = None

    def __post_init__(self) -> None:
        issues = [] if self.title is None else _text_issues(self.title, "Body.title")
        issues += _block_issues(self.blocks, "Body.blocks", _BLOCKS)
        _raise(issues)
        object.__setattr__(self, "blocks", tuple(self.blocks))

    def to_element(self) -> etree._Element:
        """The body as a new lxml ``article`` element (unqualified names)."""
        article = etree.Element("article")
        if self.title is not None:
            _text_child(etree.SubElement(article, "info"), "title", self.title)
        for block in self.blocks:
            _write(article, block)
        return article

    def to_docbook(self) -> str:
        """The XML text for ``messageText`` (no XML declaration, no namespace)."""
        return etree.tostring(self.to_element(), encoding="unicode")


def _text_child(parent: etree._Element, tag: str, text: str) -> etree._Element:
    child = etree.SubElement(parent, tag)
    child.text = text
    return child


def _write(parent: etree._Element, block: Block) -> None:
    if isinstance(block, Para):
        para = etree.SubElement(parent, "para")
        last: etree._Element | None = None
        for part in block.parts:
            if isinstance(part, Link):
                last = _text_child(para, "ulink", part.text)
                last.set("url", part.url)
                last.set("type", part.target)
            elif last is None:
                para.text = (para.text or "") + part
            else:
                last.tail = (last.tail or "") + part
    elif isinstance(block, Section):
        section = etree.SubElement(parent, "section")
        if block.title is not None:
            _text_child(section, "title", block.title)
        for inner in block.blocks:
            _write(section, inner)
    elif isinstance(block, VariableList):
        variablelist = etree.SubElement(parent, "variablelist")
        if block.title is not None:
            _text_child(variablelist, "title", block.title)
        for term, description in block.entries:
            entry = etree.SubElement(variablelist, "varlistentry")
            _text_child(entry, "term", term)
            _text_child(entry, "listitem", description)
    else:
        _text_child(parent, "bibliography", block.text)
