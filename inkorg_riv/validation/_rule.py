"""The shape of a rule beyond the XSD, and the readable element path rules report (layer L2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from ..errors import ValidationIssue

Check = Callable[[etree._Element], Iterable[ValidationIssue]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A named check; ``roots`` limits it to documents with these root local names.

    ``quick``, when given, is a cheap yes: it answers True only when ``check`` would certainly
    find nothing, and may answer False whenever it is unsure (``check`` then decides). The
    validator's yes/no path (:meth:`~inkorg_riv.validation.Validator.is_valid`, a passing
    :meth:`~inkorg_riv.validation.Validator.validate`) asks it first; issues always come from
    ``check``.
    """

    name: str
    check: Check
    roots: frozenset[str] | None = None
    quick: Callable[[etree._Element], bool] | None = None

    def applies(self, root: etree._Element) -> bool:
        """Whether the rule looks at a document with this root."""
        return self.roots is None or _local(root) in self.roots

    def passes(self, root: etree._Element) -> bool:
        """Whether ``check`` finds nothing in ``root`` (asking ``quick`` first)."""
        quick = self.quick
        if quick is not None and quick(root):
            return True
        return next(iter(self.check(root)), None) is None

    def run(self, root: etree._Element) -> Iterator[ValidationIssue]:
        """Run the check; issues carry this rule's name."""
        for issue in self.check(root):
            yield ValidationIssue(
                path=issue.path, reason=issue.reason, line=issue.line, rule=self.name
            )


def element_path(element: etree._Element) -> str:
    """A readable path of local names: ``/AddMessage/message/booking/startTime``."""
    names: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        if isinstance(node.tag, str):
            names.append(etree.QName(node).localname)
        node = node.getparent()
    return "/" + "/".join(reversed(names))


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
