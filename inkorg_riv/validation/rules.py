"""Rules beyond the XSD (contracts.md section 3), checked before anything is sent (layer L2).

A :class:`Rule` looks at a request or response element and yields
:class:`~inkorg_riv.errors.ValidationIssue` objects. The default set:

* ``identity-number``: every ``subjectOfCareId`` is a personnummer or samordningsnummer with a
  valid date and check digit; reserve numbers (a letter in position 9) pass on the pattern only.
* ``notify-requires-sourceSystem``: an AddMessage with ``notify`` true names its ``sourceSystem``
  (without it 1177 sends no notification).
* ``docbook-body``: ``messageText`` uses only the DocBook subset the 1177 inbox shows (anything
  else would reach the citizen as "##### Mismatched Element in Source #####"); see
  :mod:`inkorg_riv.validation.docbook`.

Add your own by passing ``rules=DEFAULT_RULES + (Rule(...),)`` to the validator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from ..errors import ValidationIssue
from ._bodyscan import certainly_fine_parsed
from ._rule import Check, Rule, element_path
from .docbook import BODY_RULE
from .identity import IdentityNumberError, is_valid_identity_number, parse_identity_number

__all__ = [
    "DEFAULT_RULES",
    "IDENTITY_RULE",
    "NOTIFY_RULE",
    "Check",
    "Rule",
    "check_identity_numbers",
    "check_notify_source_system",
    "element_path",
    "quick_together",
]


def check_identity_numbers(root: etree._Element) -> Iterator[ValidationIssue]:
    """Each ``subjectOfCareId`` is a valid Swedish identity number (or a reserve number)."""
    for element in root.iter("{*}subjectOfCareId"):
        value = (element.text or "").strip()
        if is_valid_identity_number(value):
            continue
        try:
            parse_identity_number(value)
        except IdentityNumberError as exc:
            yield ValidationIssue(
                path=element_path(element),
                reason=f"not a valid identity number ({exc.redacted}): {exc.reason}",
                line=element.sourceline,
            )


def _identity_numbers_ok(root: etree._Element) -> bool:
    """The quick yes of ``identity-number``: every number valid, no issue built."""
    for element in root.iter("{*}subjectOfCareId"):
        if not is_valid_identity_number((element.text or "").strip()):
            return False
    return True


def check_notify_source_system(root: etree._Element) -> Iterator[ValidationIssue]:
    """``notify`` true requires a non-empty ``sourceSystem``."""
    notify = _notify_without_source(root)
    if notify is not None:
        yield ValidationIssue(
            path=element_path(root) + "/sourceSystem",
            reason="sourceSystem is required when notify is true "
            "(without it 1177 sends no notification)",
            line=notify.sourceline,
        )


def _notify_without_source(root: etree._Element) -> etree._Element | None:
    """The ``notify`` child when it is true and no non-empty ``sourceSystem`` child is there.

    The first child of each name counts (what ``root.find`` would give), in the namespace of
    ``root``; one pass over the children finds both.
    """
    tag = root.tag
    if not isinstance(tag, str):
        return None
    namespace = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
    notify_tag, source_tag = namespace + "notify", namespace + "sourceSystem"
    notify: etree._Element | None = None
    source: etree._Element | None = None
    for child in root:
        child_tag = child.tag
        if child_tag == notify_tag:
            notify = child if notify is None else notify
        elif child_tag == source_tag:
            source = child if source is None else source
    if notify is None or (notify.text or "").strip() not in ("true", "1"):
        return None
    if source is None or not (source.text or "").strip():
        return notify
    return None


def _notify_ok(root: etree._Element) -> bool:
    """The quick yes of ``notify-requires-sourceSystem`` (exact: no issue object is built)."""
    return _notify_without_source(root) is None


IDENTITY_RULE = Rule(
    name="identity-number", check=check_identity_numbers, quick=_identity_numbers_ok
)
NOTIFY_RULE = Rule(
    name="notify-requires-sourceSystem",
    check=check_notify_source_system,
    roots=frozenset({"AddMessage"}),
    quick=_notify_ok,
)
DEFAULT_RULES: tuple[Rule, ...] = (IDENTITY_RULE, NOTIFY_RULE, BODY_RULE)
"""The rules every validator runs unless told otherwise."""


def _defaults_ok(root: etree._Element) -> bool:
    """The quick yes of all three default rules (an AddMessage) in one walk of the tree: every
    ``subjectOfCareId`` a valid number, every ``messageText`` a body the scan vouches for (as
    their own quick yeses ask), and notify/sourceSystem as :func:`_notify_ok` asks."""
    for element in root.iter("{*}subjectOfCareId", "{*}messageText"):
        tag = element.tag
        if isinstance(tag, str) and tag.endswith("subjectOfCareId"):
            if not is_valid_identity_number((element.text or "").strip()):
                return False
        elif not certainly_fine_parsed(element.text or ""):
            return False
    return _notify_without_source(root) is None


def quick_together(rules: tuple[Rule, ...]) -> Callable[[etree._Element], bool] | None:
    """One quick yes for all of ``rules`` at once, when there is one (the default rules of an
    AddMessage): True only when each rule's own quick yes is True; None otherwise."""
    if len(rules) == len(DEFAULT_RULES) and all(
        mine is default for mine, default in zip(rules, DEFAULT_RULES, strict=True)
    ):
        return _defaults_ok
    return None
