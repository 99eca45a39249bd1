"""Compare two contract packages: their operations and the element trees of their messages.

This module owns :func:`diff_packages` and its result types (layer L1). Operations are matched
by qualified name (``domain:Contract:major``); for each pair the SOAP action, headers, roots,
version, profile and namespaces are compared, and then the request and the response trees
(see :mod:`inkorg_riv.contracts.tree`), node by node, by path. Only the model is read.

>>> from inkorg_riv.contracts import bundled_package
>>> diff_packages(bundled_package(), bundled_package()).identical
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from .model import HeaderPart, Operation
from .package import ContractPackage
from .tree import ANY, ELEMENT, TreeLine, element_tree


class ChangeKind(enum.Enum):
    """What happened to a subject between the old and the new package."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``changed element AddMessage/message/booking/startTime: type ...``."""

    kind: ChangeKind
    subject: str
    """What changed: ``operation AddMessage``, ``element AddMessage/message/booking``..."""
    detail: str = ""
    """How it changed (``cardinality 0..1 -> 1..1``) or, when added/removed, what it is."""

    def __str__(self) -> str:
        head = f"{self.kind.value} {self.subject}"
        return f"{head}: {self.detail}" if self.detail else head


@dataclass(frozen=True, slots=True)
class PackageDiff:
    """Every difference from the ``old`` package to the ``new`` one, in reading order."""

    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        """Whether no difference was found."""
        return not self.changes

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


def diff_packages(a: ContractPackage, b: ContractPackage) -> PackageDiff:
    """The differences from package ``a`` (old) to package ``b`` (new)."""
    a_ops = {op.qualified_name: op for op in a.operations}
    b_ops = {op.qualified_name: op for op in b.operations}
    by_name: dict[str, set[str]] = {}
    for qualified, op in (a_ops | b_ops).items():
        by_name.setdefault(op.name, set()).add(qualified)
    ambiguous = {name for name, qualified in by_name.items() if len(qualified) > 1}

    def label(op: Operation) -> str:
        return op.qualified_name if op.name in ambiguous else op.name

    changes: list[Change] = []
    for key in sorted(a_ops.keys() | b_ops.keys()):
        old, new = a_ops.get(key), b_ops.get(key)
        if old is None and new is not None:
            changes.append(Change(ChangeKind.ADDED, f"operation {label(new)}", _describe_op(new)))
        elif new is None and old is not None:
            changes.append(Change(ChangeKind.REMOVED, f"operation {label(old)}", _describe_op(old)))
        elif old is not None and new is not None:
            changes.extend(_operation_changes(f"operation {label(new)}", old, new))
            for which in ("request", "response"):
                changes.extend(
                    _tree_changes(
                        element_tree(a, getattr(old, f"{which}_element")),
                        element_tree(b, getattr(new, f"{which}_element")),
                    )
                )
    return PackageDiff(old=a.name, new=b.name, changes=tuple(changes))


# --------------------------------------------------------------------------- operations


def _describe_op(op: Operation) -> str:
    return f"version {op.version}, {op.profile.value}, soapAction {op.soap_action}"


def _headers(headers: tuple[HeaderPart, ...]) -> str:
    if not headers:
        return "(none)"
    return ", ".join(
        f"{h.part}={h.element}" + ("" if h.declared else " (not declared in WSDL)")
        for h in headers
    )


def _operation_changes(subject: str, old: Operation, new: Operation) -> Iterator[Change]:
    pairs = (
        ("version", old.version, new.version),
        ("profile", old.profile.value, new.profile.value),
        ("WSDL namespace", old.wsdl_namespace, new.wsdl_namespace),
        ("responder namespace", old.responder_namespace, new.responder_namespace),
        ("soapAction", old.soap_action, new.soap_action),
        ("headers", _headers(old.headers), _headers(new.headers)),
        ("request root", old.request_element, new.request_element),
        ("response root", old.response_element, new.response_element),
    )
    for what, before, after in pairs:
        if before != after:
            yield Change(ChangeKind.CHANGED, subject, f"{what} {before} -> {after}")


# --------------------------------------------------------------------------- element trees


def _key(line: TreeLine) -> str:
    """The path below the root, so that a renamed root still lines up its children."""
    return line.path.partition("/")[2]


def _subject(line: TreeLine) -> str:
    what = {ELEMENT: "element", ANY: "wildcard"}.get(line.kind, line.kind)
    return f"{what} {line.path}"


def _describe(line: TreeLine) -> str:
    if line.kind == ANY:
        return f"{line.namespace} {line.type} {line.cardinality}"
    what = line.type or line.base or ""
    return f"{what} {line.cardinality}".strip()


def _ordered(old: list[str], new: list[str]) -> list[str]:
    """The keys of ``new`` in order, with keys only in ``old`` placed after their predecessor."""
    result = list(new)
    present = set(new)
    anchor = -1
    for key in old:
        if key in present:
            anchor = result.index(key)
        else:
            anchor += 1
            result.insert(anchor, key)
    return result


def _outermost(keys: set[str]) -> set[str]:
    """Drop keys whose ancestor is in the set too (report a removed subtree once)."""
    kept: set[str] = set()
    for key in keys:
        parts = key.split("/")
        if not any("/".join(parts[:i]) in keys for i in range(1, len(parts))):
            kept.add(key)
    return kept


def _tree_changes(old: list[TreeLine], new: list[TreeLine]) -> Iterator[Change]:
    a = {_key(line): line for line in old}
    b = {_key(line): line for line in new}
    added = _outermost(b.keys() - a.keys())
    removed = _outermost(a.keys() - b.keys())
    for key in _ordered([_key(line) for line in old], [_key(line) for line in new]):
        if key in added:
            yield Change(ChangeKind.ADDED, _subject(b[key]), _describe(b[key]))
        elif key in removed:
            yield Change(ChangeKind.REMOVED, _subject(a[key]), _describe(a[key]))
        elif key in a and key in b:
            subject = _subject(b[key])
            for detail in _line_changes(a[key], b[key]):
                yield Change(ChangeKind.CHANGED, subject, detail)


def _line_changes(old: TreeLine, new: TreeLine) -> Iterator[str]:
    if old.kind != new.kind:
        yield f"kind {old.kind} -> {new.kind}"
        return
    if old.name != new.name:
        yield f"name {old.name} -> {new.name}"
    if old.namespace != new.namespace:
        yield f"namespace {old.namespace or '(none)'} -> {new.namespace or '(none)'}"
    if old.kind == ANY:
        if old.type != new.type:
            yield f"processContents {old.type} -> {new.type}"
    elif old.type != new.type:
        detail = f"type {old.type or '(anonymous)'} -> {new.type or '(anonymous)'}"
        if old.base != new.base and (old.base, new.base) != (old.type, new.type):
            detail += f" (base {old.base or '-'} -> {new.base or '-'})"
        yield detail
    elif old.base != new.base:
        yield f"base {old.base or '-'} -> {new.base or '-'}"
    if old.cardinality != new.cardinality:
        yield f"cardinality {old.cardinality} -> {new.cardinality}"
    if old.enumeration != new.enumeration:
        yield _enumeration_change(old.enumeration, new.enumeration)
    if old.length != new.length:
        yield f"length {old.length or '(any)'} -> {new.length or '(any)'}"
    if old.patterns != new.patterns:
        yield f"pattern {_patterns(old)} -> {_patterns(new)}"


def _enumeration_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    came = [value for value in new if value not in old]
    gone = [value for value in old if value not in new]
    parts = []
    if came:
        parts.append("added " + ", ".join(came))
    if gone:
        parts.append("removed " + ", ".join(gone))
    return "enumeration " + ("; ".join(parts) if parts else "reordered")


def _patterns(line: TreeLine) -> str:
    return " & ".join(line.patterns) if line.patterns else "(none)"


__all__ = [
    "Change",
    "ChangeKind",
    "PackageDiff",
    "TreeLine",
    "diff_packages",
    "element_tree",
]
