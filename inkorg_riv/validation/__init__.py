"""Validate request and response XML of an operation (layer L2).

Three forms, as in xmlschema: :meth:`Validator.validate` raises one
:class:`~inkorg_riv.errors.ValidationError` holding *every* issue, :meth:`Validator.iter_issues`
yields them, :meth:`Validator.is_valid` answers yes or no. Each takes bytes or an lxml element,
a bare request/response or a whole SOAP 1.1 envelope.

Invalid input: bytes that are not well-formed XML, not decodable, or that declare a DTD raise
:class:`~inkorg_riv.errors.XmlInputError` from all three forms (there is nothing to validate);
an unknown operation raises :class:`~inkorg_riv.errors.UnknownOperationError`; a root element
that belongs to no operation (or not to the one named) is reported as an issue.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

from lxml import etree

from .._ns import RIV_REGISTRY, SOAP11_ENV
from .._xmlparse import parse_bytes
from ..contracts import ContractPackage, Operation, RivProfile, bundled_package
from ..errors import ValidationError, ValidationIssue
from .rules import DEFAULT_RULES, Rule, element_path, quick_together
from .schema import PatternPolicy, SchemaSet, strip_anchors

Document = bytes | etree._Element

_ENVELOPE = f"{{{SOAP11_ENV}}}Envelope"


class Validator:
    """Validates documents against one contract package. Thread-safe; reuse one per package."""

    def __init__(
        self,
        package: ContractPackage | None = None,
        *,
        patterns: PatternPolicy = PatternPolicy.ANCHORS,
        rules: Sequence[Rule] = DEFAULT_RULES,
    ) -> None:
        self.package = package if package is not None else bundled_package()
        self.rules = tuple(rules)
        self._schemas = SchemaSet(self.package, patterns)
        # Rule.applies looks at the root's tag only (unless a subclass says otherwise), so the
        # rules that apply are worked out once per root tag. Only the tags of operations reach
        # the rules, so the cache stays as small as the package.
        self._by_tag: dict[
            str, tuple[tuple[Rule, ...], Callable[[etree._Element], bool] | None]
        ] = {}
        self._tag_only = all(type(rule).applies is Rule.applies for rule in self.rules)

    @property
    def patterns(self) -> PatternPolicy:
        """The pattern policy in force."""
        return self._schemas.policy

    def iter_issues(
        self, document: Document, operation: str | Operation | None = None, *, rules: bool = True
    ) -> Iterator[ValidationIssue]:
        """Yield every issue of ``document``; nothing when it is valid."""
        root, envelope_issues = self._body(document)
        return self._issues(root, envelope_issues, operation, rules)

    def validate(
        self, document: Document, operation: str | Operation | None = None, *, rules: bool = True
    ) -> etree._Element:
        """Return the validated request/response element, or raise :class:`ValidationError`."""
        root = parse_bytes(document) if isinstance(document, bytes) else document
        tag = root.tag  # read once: lxml builds the string on every read
        envelope_issues: Sequence[ValidationIssue] = ()
        if isinstance(operation, Operation) and tag in (
            operation.request_element,
            operation.response_element,
        ):  # the client's case, in one piece: a bare request or response of the operation
            if self._schemas.schema_for(operation.schema_file).validate(root) and (
                not rules or self._rules_pass(root, tag)
            ):
                return root
        else:  # an envelope, an operation by name or none: the general way
            found, envelope_issues = self._unwrapped(root)
            if found is None:
                raise ValidationError(list(envelope_issues), operation=_name(operation))
            if not envelope_issues and self._passes(found, operation, rules):
                return found
            root = found
        issues = list(self._issues(root, envelope_issues, operation, rules))
        if issues:
            raise ValidationError(issues, operation=_name(operation))
        return root  # pragma: no cover - the yes path and _issues agree

    def is_valid(
        self, document: Document, operation: str | Operation | None = None, *, rules: bool = True
    ) -> bool:
        """Whether ``document`` has no issue at all."""
        root, envelope_issues = self._body(document)
        return root is not None and not envelope_issues and self._passes(root, operation, rules)

    def operation_of(self, document: Document) -> Operation | None:
        """The operation a document belongs to, by its root (or body) element."""
        root, _ = self._body(document)
        return None if root is None else self.package.operation_for_element(_tag(root))

    # -- internals

    def _passes(
        self, root: etree._Element, operation: str | Operation | None, rules: bool
    ) -> bool:
        """The fast yes: XSD valid and no rule objects; builds no issue objects on success."""
        tag = root.tag  # read once: lxml builds the string on every read
        if isinstance(operation, Operation) and tag in (
            operation.request_element,
            operation.response_element,
        ):
            op = operation  # what _operation_of would answer
        else:
            found = self._operation_of(root, operation)
            if not isinstance(found, Operation):
                return False
            op = found
        if not self._schemas.schema_for(op.schema_file).validate(root):
            return False
        return not rules or self._rules_pass(root, tag)

    def _rules_pass(self, root: etree._Element, tag: object) -> bool:
        """Whether no rule that applies to ``root`` (whose tag is ``tag``) finds an issue."""
        applicable, together = self._plan(root, tag)
        if together is not None and together(root):
            return True
        for rule in applicable:
            quick = rule.quick  # Rule.passes, inlined: this is the hot path
            if (quick is None or not quick(root)) and next(
                iter(rule.check(root)), None
            ) is not None:
                return False
        return True

    def _rules_for(self, root: etree._Element) -> tuple[Rule, ...]:
        """The rules that apply to ``root``."""
        return self._plan(root, root.tag)[0]

    def _plan(
        self, root: etree._Element, tag: object
    ) -> tuple[tuple[Rule, ...], Callable[[etree._Element], bool] | None]:
        """The rules that apply to ``root`` (whose tag is ``tag``), and their quick yes together
        (if they have one)."""
        found = self._by_tag.get(tag) if isinstance(tag, str) else None
        if found is None:
            applicable = tuple(rule for rule in self.rules if rule.applies(root))
            found = (applicable, quick_together(applicable))
            if self._tag_only and isinstance(tag, str):
                self._by_tag[tag] = found
        return found

    def _issues(
        self,
        root: etree._Element | None,
        envelope_issues: Sequence[ValidationIssue],
        operation: str | Operation | None,
        rules: bool,
    ) -> Iterator[ValidationIssue]:
        yield from envelope_issues
        if root is None:
            return
        op = self._operation_of(root, operation)
        if isinstance(op, ValidationIssue):
            yield op
            return
        yield from self._schemas.issues(op.schema_file, root)
        if rules:
            for rule in self._rules_for(root):
                yield from rule.run(root)

    def _body(
        self, document: Document
    ) -> tuple[etree._Element | None, Sequence[ValidationIssue]]:
        return self._unwrapped(parse_bytes(document) if isinstance(document, bytes) else document)

    def _unwrapped(
        self, root: etree._Element
    ) -> tuple[etree._Element | None, Sequence[ValidationIssue]]:
        """The request or response in ``root`` (itself, or the Body's child of an envelope),
        and the envelope's issues."""
        if root.tag != _ENVELOPE:
            return root, ()
        body = root.find(f"{{{SOAP11_ENV}}}Body")
        payload = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
        if payload is None:
            return None, [ValidationIssue(path="/Envelope/Body", reason="the SOAP Body is empty")]
        issues: list[ValidationIssue] = []
        op = self.package.operation_for_element(_tag(payload))
        if op is not None and op.request_element == payload.tag:
            issues.extend(self._header_issues(root, op))
        return payload, issues

    @staticmethod
    def _header_issues(envelope: etree._Element, op: Operation) -> list[ValidationIssue]:
        header = envelope.find(f"{{{SOAP11_ENV}}}Header")
        wanted = op.headers[0].element if op.headers else None
        if wanted is None:
            return []
        found = None if header is None else header.find(wanted)
        if found is None or not (found.text or "").strip():
            what = "LogicalAddress" if op.profile is RivProfile.BP21 else "wsa:To"
            return [
                ValidationIssue(
                    path="/Envelope/Header",
                    reason=f"the {what} header is missing or empty (the platform answers "
                    + ("VP003" if wanted.startswith(f"{{{RIV_REGISTRY}}}") else "VP001")
                    + ")",
                )
            ]
        return []

    def _operation_of(
        self, root: etree._Element, operation: str | Operation | None
    ) -> Operation | ValidationIssue:
        if operation is None:
            found = self.package.operation_for_element(_tag(root))
            if found is None:
                return ValidationIssue(
                    path=element_path(root),
                    reason=f"root element {_tag(root)} is not the request or response of any "
                    f"operation in {self.package.name}",
                    line=root.sourceline,
                )
            return found
        op = operation if isinstance(operation, Operation) else self.package.operation(operation)
        if root.tag not in (op.request_element, op.response_element):
            return ValidationIssue(
                path=element_path(root),
                reason=f"root element {_tag(root)} is neither {op.request_element} nor "
                f"{op.response_element} of operation {op.name}",
                line=root.sourceline,
            )
        return op


def _name(operation: str | Operation | None) -> str | None:
    return operation.name if isinstance(operation, Operation) else operation


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else ""


@functools.lru_cache(maxsize=1)
def default_validator() -> Validator:
    """The validator of the bundled package with the default policy (shared, thread-safe)."""
    return Validator()


def validate(document: Document, operation: str | Operation | None = None) -> etree._Element:
    """Validate against the bundled package; see :meth:`Validator.validate`."""
    return default_validator().validate(document, operation)


def iter_issues(
    document: Document, operation: str | Operation | None = None
) -> Iterator[ValidationIssue]:
    """Issues against the bundled package; see :meth:`Validator.iter_issues`."""
    return default_validator().iter_issues(document, operation)


def is_valid(document: Document, operation: str | Operation | None = None) -> bool:
    """Validity against the bundled package; see :meth:`Validator.is_valid`."""
    return default_validator().is_valid(document, operation)


__all__ = [
    "DEFAULT_RULES",
    "PatternPolicy",
    "Rule",
    "Validator",
    "default_validator",
    "is_valid",
    "iter_issues",
    "strip_anchors",
    "validate",
]
