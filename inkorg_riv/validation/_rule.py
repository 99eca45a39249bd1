"""The shape of a rule beyond the XSD, and the readable element path rules report (layer L2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from ..errors import ValidationIssue

Check = Callable[[etree._Element], Iterable[ValidationIssue]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A named check; ``roots`` limits it to documents with these root local names."""

    name: str
    check: Check
    roots: frozenset[str] | None = None

    def applies(self, root: etree._Element) -> bool:
        """Whether the rule looks at a document with this root."""
        return self.roots is None or _local(root) in self.roots

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
