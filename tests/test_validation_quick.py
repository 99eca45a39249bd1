"""The validator's quick yes never disagrees with the issues it reports.

Each default rule carries a ``quick`` pass that the yes/no path (``is_valid``, a passing
``validate``) asks before the rule's ``check``; the validator also works out once per root tag
which rules apply. These properties hold the shortcuts to the reporting path: a rule's quick
yes means its check finds nothing, the default rules' quick yes together means each of theirs
says yes, and ``is_valid``/``validate`` say yes exactly when ``iter_issues`` finds nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import rivpackages as rp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv import ValidationError, ValidationIssue
from inkorg_riv.validation import DEFAULT_RULES, Rule, Validator, default_validator
from inkorg_riv.validation.rules import quick_together

R = rp.ADD_MESSAGE_RESPONDER
CORE = rp.PATIENTPORTAL_CORE
SUBJECTS = ["191212121212", "191212121213", "197010632326", "19121212T123", "190002291230",
            "19121212121", " 191212121212 ", "", "19121260x121", "191212601219"]  # fmt: skip
BODIES = [
    "<article><para>Välkommen</para></article>",
    "<article><para><b>x</b></para></article>",
    "<article xmlns='http://docbook.org/ns/docbook'><!-- c --><para>a</para></article>",
    "<?xml version='1.0' encoding='latin-1'?><article><para>x</para></article>",
    "<article><para>&#0;</para></article>",
    "<article/>",
    "Bara text",
    "",
    "<article><para><ulink url='https://a.se' type='_top'>a</ulink></para></article>",
]
NOTIFY = [None, "true", "1", "false", "0", " true ", "", "TRUE"]
SOURCE = [None, "", " ", "SE2321000016-SYS1"]


def _child(parent: etree._Element, local: str) -> etree._Element:
    return next(c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == local)


@st.composite
def documents(draw: st.DrawFn) -> etree._Element:
    """AddMessage requests around the edges of every default rule (not always XSD-valid)."""
    root = rp.add_message_element(draw(st.sampled_from(SUBJECTS)))
    message = _child(root, "message")
    _child(message, "messageText").text = draw(st.sampled_from(BODIES))
    for local, choices in (("notify", NOTIFY), ("sourceSystem", SOURCE)):
        element = _child(root, local)
        text = draw(st.sampled_from(choices))
        if text is None:
            root.remove(element)
        else:
            element.text = text
    if draw(st.integers(0, 3)) == 0:  # a second notify or sourceSystem: the first one counts
        tag = draw(st.sampled_from(["notify", "sourceSystem"]))
        extra = etree.SubElement(root, f"{{{R}}}{tag}")
        extra.text = draw(st.sampled_from(["true", "false", "", "SYS"]))
    if draw(st.integers(0, 3)) == 0:
        root.insert(draw(st.integers(0, len(root))), etree.Comment("c"))
    if draw(st.integers(0, 3)) == 0:  # a messageText or subjectOfCareId out of place
        where = draw(st.sampled_from([root, message, _child(message, "booking")]))
        local = draw(st.sampled_from(["messageText", "subjectOfCareId"]))
        stray = etree.SubElement(where, f"{{{draw(st.sampled_from([R, CORE, 'urn:x']))}}}{local}")
        stray.text = draw(st.sampled_from(BODIES + SUBJECTS))
    if draw(st.integers(0, 5)) == 0:  # the same request without any namespace
        root = _without_namespaces(root)
    return root


def _without_namespaces(root: etree._Element) -> etree._Element:
    bare = copy.deepcopy(root)
    for element in bare.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(bare)
    return bare


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_a_quick_yes_means_the_check_finds_nothing(root: etree._Element) -> None:
    for rule in DEFAULT_RULES:
        assert rule.quick is not None
        if not rule.applies(root):
            continue
        found = list(rule.check(root))
        if rule.quick(root):
            assert found == [], rule.name
        if rule.name != "docbook-body":  # these two decide exactly; the body scan may doubt
            assert rule.quick(root) is (found == []), rule.name
        assert rule.passes(root) is (found == [])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_the_yes_or_no_agrees_with_the_issues(root: etree._Element) -> None:
    validator = default_validator()
    issues = list(validator.iter_issues(root))
    assert validator.is_valid(root) is (issues == [])
    if issues:
        with pytest.raises(ValidationError) as info:
            validator.validate(root)
        assert list(info.value.issues) == issues
    else:
        assert validator.validate(root) is root


def test_the_quick_yes_of_the_default_message() -> None:
    root = rp.add_message_element()
    assert all(rule.quick is not None and rule.quick(root) for rule in DEFAULT_RULES)
    assert default_validator().is_valid(root)


@dataclass(frozen=True, slots=True, kw_only=True)
class _WhenMarked(Rule):
    """A rule that looks at more than the root's tag to decide whether it applies."""

    def applies(self, root: etree._Element) -> bool:
        return any(element.text == "MARKED" for element in root.iter())


def _always_an_issue(root: etree._Element) -> Iterator[ValidationIssue]:
    yield ValidationIssue(path="/", reason=f"marked {etree.QName(root).localname}")


def test_a_rule_that_applies_by_more_than_the_tag_is_asked_every_time() -> None:
    marking = _WhenMarked(name="marked", check=_always_an_issue)
    validator = Validator(rules=(*DEFAULT_RULES, marking))
    plain = rp.add_message_element()
    marked = rp.add_message_element(source_system="MARKED")
    for _ in range(2):  # the second round would hit a per-tag cache, if there were one
        assert validator.is_valid(plain)
        assert not validator.is_valid(marked)
        assert [i.rule for i in validator.iter_issues(marked)] == ["marked"]


def test_a_rule_without_a_quick_pass_is_checked() -> None:
    rule = Rule(name="always", check=_always_an_issue, roots=frozenset({"AddMessage"}))
    validator = Validator(rules=(rule,))
    assert not rule.passes(rp.add_message_element())
    assert not validator.is_valid(rp.add_message_element())
    responder = R.replace("AddMessageResponder", "IsActiveUserResponder")
    other = etree.fromstring(
        f'<IsActiveUser xmlns="{responder}"><subjectOfCareId>{rp.TOLVAN}</subjectOfCareId>'
        "</IsActiveUser>"
    )
    assert validator.is_valid(other)  # the rule is for AddMessage roots only


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_the_quick_yes_of_all_default_rules_together_means_each_says_yes(
    root: etree._Element,
) -> None:
    together = quick_together(DEFAULT_RULES)
    assert together is not None
    if together(root):
        for rule in DEFAULT_RULES:
            assert rule.quick is not None
            assert rule.quick(root), rule.name
            assert list(rule.check(root)) == [], rule.name


def test_the_rules_have_a_quick_yes_together_only_as_the_default_set() -> None:
    root = rp.add_message_element()
    together = quick_together(DEFAULT_RULES)
    assert together is not None
    assert together(root)
    assert quick_together(tuple(DEFAULT_RULES)) is together
    for other in (DEFAULT_RULES[:2], DEFAULT_RULES[::-1], (*DEFAULT_RULES, DEFAULT_RULES[0]), ()):
        assert quick_together(other) is None
    copied = tuple(Rule(name=r.name, check=r.check, roots=r.roots, quick=r.quick)
                   for r in DEFAULT_RULES)  # fmt: skip
    assert quick_together(copied) is None  # equal rules, not the same: each asked on its own


OPERATIONS = ["AddMessage", "IsActiveUser"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from(OPERATIONS), st.booleans(), st.booleans())
def test_the_yes_or_no_agrees_with_the_issues_for_a_named_operation(
    root: etree._Element, name: str, as_object: bool, rules: bool
) -> None:
    validator = default_validator()
    operation = validator.package.operation(name) if as_object else name
    issues = list(validator.iter_issues(root, operation, rules=rules))
    assert validator.is_valid(root, operation, rules=rules) is (issues == [])
    if issues:
        with pytest.raises(ValidationError) as info:
            validator.validate(root, operation, rules=rules)
        assert list(info.value.issues) == issues
    else:
        assert validator.validate(root, operation, rules=rules) is root
