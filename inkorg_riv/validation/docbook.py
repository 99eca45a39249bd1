"""The DocBook subset the 1177 inbox shows, and the checker that holds bodies to it (layer L6).

Owns the definition of the subset (contracts.md section 4) that the builder (:mod:`.body`) and
the renderer (:mod:`.render`) share: ``article`` → info, para, section, bibliography,
variablelist; ``info`` → title; ``section`` → info, title, para, bibliography, variablelist;
``para`` → text and ``ulink``; ``variablelist`` → title, varlistentry; ``varlistentry`` → term,
listitem; ``title``, ``bibliography``, ``term``, ``listitem``, ``ulink`` hold text. Anything else
makes the inbox show :data:`MISMATCH` to the citizen. (The tables themselves live in
:mod:`._subset`, without lxml, and are re-exported here: import them from this module.)

:func:`check_body` returns every :class:`BodyIssue` of a ``messageText`` (empty list: fine);
:func:`assert_body_ok` raises :class:`BodyError` with all of them; :data:`BODY_RULE` runs the
checker on ``AddMessage/message/messageText`` as a validation rule.

Decisions (stricter than the renderer, never looser):

* Elements may be unqualified (what the builder writes) or in the DocBook 5 namespace.
* Only ``ulink`` has attributes: ``url`` (required; http, https, mailto or tel) and ``type``
  (``_self`` or ``_blank``). An attribute anywhere else is reported too.
* Text directly inside article, section, info, variablelist or varlistentry is reported: it is
  outside the subset (put it in a ``para``). Comments are ignored, as the inbox ignores them.
* Inside an element that is not shown, nothing more is reported (its content is not shown).
* An ``article`` without any element is reported as an empty body.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from .._xmlparse import parse_bytes
from ..errors import LocalError, ValidationIssue, XmlInputError
from ._bodyscan import certainly_fine, certainly_fine_parsed
from ._rule import Rule, element_path
from ._subset import (
    ALLOWED_CHILDREN,
    DOCBOOK_NS,
    LINK_SCHEMES,
    LINK_TYPES,
    MISMATCH,
    TEXT_ELEMENTS,
    ULINK_ATTRIBUTES,
    is_link_url,
)

__all__ = [
    "ALLOWED_CHILDREN",
    "BODY_RULE",
    "DOCBOOK_NS",
    "LINK_SCHEMES",
    "LINK_TYPES",
    "MISMATCH",
    "TEXT_ELEMENTS",
    "BodyError",
    "BodyIssue",
    "assert_body_ok",
    "check_body",
    "is_link_url",
    "subset_name",
]

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_SHOWN = f"the 1177 inbox would show {MISMATCH!r} instead"
_NOT_SHOWN = f"is not shown by the 1177 inbox (it would show {MISMATCH!r})"


@dataclass(frozen=True, slots=True)
class BodyIssue:
    """One reason a body is not fit for the 1177 inbox.

    ``path`` locates it inside the body (``/article/section[2]/para/emphasis``; an index only
    where siblings share a name; ``/`` for the body as a whole), ``element`` names the element
    concerned (None for text-level problems), ``line`` is the line in the body when known.
    """

    path: str
    reason: str
    element: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} (line {self.line})"
        return f"{where}: {self.reason}"


class BodyError(LocalError):
    """A message body was refused: by the builder, or by :func:`assert_body_ok`.

    :attr:`issues` holds every issue found; ``str(error)`` lists them.
    """

    def __init__(self, issues: Sequence[BodyIssue]) -> None:
        self.issues = tuple(issues)
        count = len(self.issues)
        head = f"the message body is not fit for the 1177 inbox ({count} issue"
        head += "s)" if count != 1 else ")"
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{head}:\n{lines}" if lines else head)


def subset_name(element: etree._Element) -> str | None:
    """The local name of an element in no namespace or the DocBook one; None otherwise."""
    qname = etree.QName(element)
    if qname.namespace not in (None, DOCBOOK_NS):
        return None
    return qname.localname


def check_body(text: str) -> list[BodyIssue]:
    """Every issue of ``text`` (a ``messageText``) against the subset; empty when it is fine.

    A clean body is recognised by a quick scan of the text (:func:`._bodyscan.certainly_fine`,
    no parse); anything it is not sure of gets the full parse and walk, which words the issues.
    """
    if certainly_fine(text):
        return []
    return _check_parsed(text)


def _check_parsed(text: str) -> list[BodyIssue]:
    """:func:`check_body` without the quick scan: parse ``text`` and walk the tree."""
    try:
        root = parse_bytes(text.encode("utf-8", "surrogatepass"), source="messageText")
    except XmlInputError as exc:
        hint = ""
        if "<" not in text:
            hint = "; plain text must be wrapped: <article><para>...</para></article>"
        return [
            BodyIssue(
                path="/", reason=f"not usable XML ({exc.reason}){hint}; {_SHOWN}", line=exc.line
            )
        ]
    name = subset_name(root)
    if name != "article":
        return [
            BodyIssue(
                path=f"/{_label(root)}",
                reason=f"the body must be an article element, not {_described(root)}; {_SHOWN}",
                element=_tag(root),
                line=root.sourceline,
            )
        ]
    if _fine(root):
        return []
    issues = list(_walk(root, "article", "/article"))
    if not any(isinstance(child.tag, str) for child in root):
        issues.append(
            BodyIssue(
                path="/article",
                reason="the body is empty: an article needs at least a para",
                element="article",
                line=root.sourceline,
            )
        )
    return issues


def assert_body_ok(text: str) -> None:
    """Raise :class:`BodyError` with every issue of ``text``; return quietly when it is fine."""
    issues = check_body(text)
    if issues:
        raise BodyError(issues)


_SUBSET_TAGS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        parent: MappingProxyType(
            {tag: child for child in children for tag in (child, f"{{{DOCBOOK_NS}}}{child}")}
        )
        for parent, children in ALLOWED_CHILDREN.items()
    }
)
"""For each element of the subset: the tags allowed directly inside it, with their names."""


def _fine(root: etree._Element) -> bool:
    """Whether the ``article`` ``root`` certainly has no issue: one cheap pass without paths.

    Any doubt answers False, and :func:`_walk` then finds (and words) the issues; this only
    spares the common, clean body the work of building paths and names.
    """
    if not any(isinstance(child.tag, str) for child in root):
        return False  # the empty body
    stack: list[tuple[etree._Element, str]] = [(root, "article")]
    while stack:
        element, name = stack.pop()
        holds_text = name in TEXT_ELEMENTS
        text = element.text
        if (
            (not _fine_link(element) if name == "ulink" else len(element.attrib))
            or (not holds_text and text and text.strip())
        ):  # fmt: skip
            return False
        allowed = _SUBSET_TAGS[name]
        for child in element:
            tail = child.tail
            if not holds_text and tail and tail.strip():
                return False
            tag = child.tag
            if not isinstance(tag, str):
                continue  # a comment or processing instruction: ignored, as by the inbox
            child_name = allowed.get(tag)
            if child_name is None:
                return False
            stack.append((child, child_name))
    return True


def _fine_link(element: etree._Element) -> bool:
    """Whether a ``ulink``'s attributes certainly raise no issue (see :func:`_attributes`)."""
    if not ULINK_ATTRIBUTES.issuperset(element.attrib.keys()):
        return False
    url = element.get("url")
    if url is None or not is_link_url(url):
        return False
    kind = element.get("type")
    return kind is None or kind in LINK_TYPES


def _walk(element: etree._Element, name: str, path: str) -> Iterator[BodyIssue]:
    yield from _attributes(element, name, path)
    children = [child for child in element if isinstance(child.tag, str)]
    if name not in TEXT_ELEMENTS:
        texts = [element.text, *(child.tail for child in element)]
        if any(text and text.strip() for text in texts):
            yield BodyIssue(
                path=f"{path}/text()",
                reason=f"text directly inside {name} is outside the subset; put it in a para",
                element=name,
                line=element.sourceline,
            )
    allowed = ALLOWED_CHILDREN[name]
    totals = Counter(_tag(child) for child in children)
    seen: Counter[str] = Counter()
    for child in children:
        tag = _tag(child)
        seen[tag] += 1
        step = _label(child) if totals[tag] == 1 else f"{_label(child)}[{seen[tag]}]"
        child_name = subset_name(child)
        if child_name is not None and child_name in allowed:
            yield from _walk(child, child_name, f"{path}/{step}")
        else:
            yield _misplaced(child, child_name, name, f"{path}/{step}")


def _misplaced(child: etree._Element, child_name: str | None, parent: str, path: str) -> BodyIssue:
    if child_name is None:
        reason = f"element {_described(child)} is in a foreign namespace"
    elif child_name in ALLOWED_CHILDREN:
        allowed = ", ".join(sorted(ALLOWED_CHILDREN[parent])) or "no elements, only text"
        reason = f"element {child_name} is not allowed inside {parent} (allowed there: {allowed})"
    else:
        return BodyIssue(
            path=path,
            reason=f"element {child_name} {_NOT_SHOWN}",
            element=_tag(child),
            line=child.sourceline,
        )
    return BodyIssue(
        path=path, reason=f"{reason}; {_SHOWN}", element=_tag(child), line=child.sourceline
    )


def _attributes(element: etree._Element, name: str, path: str) -> Iterator[BodyIssue]:
    allowed = ULINK_ATTRIBUTES if name == "ulink" else frozenset()
    line = element.sourceline
    for attribute in element.attrib:
        if attribute not in allowed:
            local = _attribute_name(attribute)
            what = "only url and type" if name == "ulink" else "no attributes"
            yield BodyIssue(
                path=f"{path}/@{local}",
                reason=f"attribute {local} is not part of the subset ({name} takes {what})",
                element=name,
                line=line,
            )
    if name != "ulink":
        return
    url = element.get("url")
    if url is None:
        yield BodyIssue(path=path, reason="ulink needs a url attribute", element=name, line=line)
    elif not is_link_url(url):
        yield BodyIssue(
            path=f"{path}/@url",
            reason=f"url {url!r} is not an http(s) URL with a host, a mailto: or a tel: URL "
            "(spaces must be percent-encoded); the citizen would get no working link",
            element=name,
            line=line,
        )
    kind = element.get("type")
    if kind is not None and kind not in LINK_TYPES:
        yield BodyIssue(
            path=f"{path}/@type",
            reason=f"type {kind!r} is neither _self nor _blank",
            element=name,
            line=line,
        )


def _attribute_name(attribute: str) -> str:
    """``xml:lang`` for the XML namespace, the local name otherwise (``{ns}x`` → ``x``)."""
    if not attribute.startswith("{"):
        return attribute
    namespace, _, local = attribute[1:].partition("}")
    return f"xml:{local}" if namespace == _XML_NS else local


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def _label(element: etree._Element) -> str:
    """The path step of an element: its local name (the namespace is named in reasons)."""
    return etree.QName(element).localname


def _described(element: etree._Element) -> str:
    qname = etree.QName(element)
    if qname.namespace in (None, DOCBOOK_NS):
        return qname.localname
    return f"{qname.localname} (namespace {qname.namespace})"


# ---------------------------------------------------------------------- the validation rule


def _message_texts(root: etree._Element) -> Iterator[etree._Element]:
    """``message/messageText`` below ``root``, in any namespace, in document order."""
    for message in root.iterchildren("{*}message"):
        yield from message.iterchildren("{*}messageText")


def _check_message_text(root: etree._Element) -> Iterator[ValidationIssue]:
    for element in _message_texts(root):
        issues = check_body(element.text or "")
        where = element_path(element) if issues else ""
        for issue in issues:
            yield ValidationIssue(
                path=where,
                reason=f"body {issue}",
                line=element.sourceline,
            )


def _message_texts_fine(root: etree._Element) -> bool:
    """The quick yes of the rule: every body passes the scan (False: let the check decide).

    It scans every ``messageText`` at any depth, a superset of those the check looks at, as
    one C-level walk is cheaper than finding ``message/messageText`` step by step.
    """
    return all(
        certainly_fine_parsed(element.text or "") for element in root.iter("{*}messageText")
    )


BODY_RULE = Rule(
    name="docbook-body",
    check=_check_message_text,
    roots=frozenset({"AddMessage"}),
    quick=_message_texts_fine,
)
"""``messageText`` of an AddMessage stays inside the DocBook subset the 1177 inbox shows.

One of :data:`~inkorg_riv.validation.DEFAULT_RULES`: every validated AddMessage is checked.
"""
