"""Element trees and package diffs (inkorg_riv.contracts.tree / inkorg_riv.contracts.diff).

The changed packages are real copies of the bundled schemas folder with their text edited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rivpackages as rp

from inkorg_riv.contracts import ContractPackage, bundled_package, load_package
from inkorg_riv.contracts.diff import Change, ChangeKind, diff_packages, element_tree
from inkorg_riv.errors import ContractError

RESPONDER = "urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2"
ADD_MESSAGE = f"{{{RESPONDER}}}AddMessage"
ADD_MESSAGE_RESPONSE = f"{{{RESPONDER}}}AddMessageResponse"
CORE_XSD = "core_components/patientportal_2.0.xsd"
ADD_WSDL = "interactions/AddMessageInteraction/AddMessageInteraction_2.0_RIVTABP21.wsdl"


def element_block(name: str) -> str:
    """A regex for one ``<xs:element name=...>...</xs:element>`` block with its indentation."""
    return rf'\n[ ]*<xs:element name="{name}"[^>]*>.*?</xs:element>'


def strings(changes: tuple[Change, ...]) -> list[str]:
    return [str(change) for change in changes]


# --------------------------------------------------------------------------- trees


def test_request_tree_of_add_message() -> None:
    tree = element_tree(bundled_package(), ADD_MESSAGE)
    root = tree[0]
    assert (root.depth, root.name, root.type) == (0, "AddMessage", "AddMessageType")
    assert root.cardinality == "1..1"
    by_path = {line.path: line for line in tree}
    subject = by_path["AddMessage/subjectOfCareId"]
    assert (subject.depth, subject.type, subject.base) == (1, "SubjectOfCareIdType", "string")
    assert subject.patterns == ("[0-9]{8}[0-9pPtTfF][0-9]{3}",)
    start = by_path["AddMessage/message/booking/startTime"]
    assert (start.depth, start.type, start.cardinality) == (3, "dateTime", "0..1")
    kind = by_path["AddMessage/message/messageType"]
    assert "TimedInvitation" in kind.enumeration
    assert "Information" in kind.enumeration
    assert by_path["AddMessage/message/ssoLink"].cardinality == "0..*"
    assert by_path["AddMessage/message/organisationUnit/unitId"].length == "1..64"
    wildcard = by_path["AddMessage/any(##other)"]
    assert (wildcard.kind, wildcard.namespace, wildcard.type, wildcard.cardinality) == (
        "any",
        "##other",
        "lax",
        "0..*",
    )
    assert by_path["AddMessage/message/messageText"].doc
    # Document order: subjectOfCareId before message before notify before sourceSystem.
    top = [line.name for line in tree if line.depth == 1]
    assert top == ["subjectOfCareId", "message", "notify", "sourceSystem", "any"]


def test_response_tree_of_add_message() -> None:
    tree = element_tree(bundled_package(), ADD_MESSAGE_RESPONSE)
    by_path = {line.path: line for line in tree}
    assert by_path["AddMessageResponse/resultCode"].enumeration == ("OK", "INFO", "ERROR")
    assert by_path["AddMessageResponse/notificationSent"].cardinality == "0..*"


def test_tree_of_an_unknown_element_is_a_contract_error() -> None:
    with pytest.raises(ContractError, match="no global element"):
        element_tree(bundled_package(), "{urn:nowhere}Nothing")


def test_recursive_type_is_expanded_once(tmp_path: Path) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(
        folder,
        CORE_XSD,
        '<xs:element name="careUnitId" type="HsaIdType" minOccurs="0">',
        '<xs:element name="previous" type="BookingType" minOccurs="0"/>\n'
        '      <xs:element name="careUnitId" type="HsaIdType" minOccurs="0">',
    )
    package = load_package(folder, strict=True)
    tree = element_tree(package, ADD_MESSAGE)
    previous = [line for line in tree if line.name == "previous"]
    assert len(previous) == 1
    assert previous[0].recursive
    assert previous[0].path == "AddMessage/message/booking/previous"
    assert not any(line.path.startswith("AddMessage/message/booking/previous/") for line in tree)
    changes = strings(diff_packages(bundled_package(), package).changes)
    assert changes == ["added element AddMessage/message/booking/previous: BookingType 0..1"]


def test_choice_groups_are_shown_and_compared(tmp_path: Path) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(
        folder,
        CORE_XSD,
        element_block("unitTelephone"),
        '\n      <xs:choice minOccurs="0">'
        '\n        <xs:element name="unitTelephone" type="xs:string"/>'
        '\n        <xs:element name="unitEmail" type="xs:string"/>'
        "\n      </xs:choice>",
        regex=True,
    )
    package = load_package(folder, strict=True)
    by_path = {line.path: line for line in element_tree(package, ADD_MESSAGE)}
    choice = by_path["AddMessage/message/organisationUnit/(choice)"]
    assert (choice.kind, choice.depth, choice.cardinality) == ("choice", 3, "0..1")
    assert by_path["AddMessage/message/organisationUnit/unitEmail"].depth == 4
    changes = strings(diff_packages(bundled_package(), package).changes)
    assert "added choice AddMessage/message/organisationUnit/(choice): 0..1" in changes
    assert (
        "changed element AddMessage/message/organisationUnit/unitTelephone: "
        "cardinality 0..1 -> 1..1" in changes
    )
    assert "added element AddMessage/message/organisationUnit/unitEmail: string 1..1" in changes


# --------------------------------------------------------------------------- diffs


def test_bundled_against_itself_is_identical() -> None:
    result = diff_packages(bundled_package(), bundled_package())
    assert result.identical
    assert result.changes == ()
    assert len(result) == 0


def test_unchanged_copy_is_identical(tmp_path: Path) -> None:
    package = load_package(rp.copy_bundled(tmp_path))
    assert diff_packages(bundled_package(), package).identical


@pytest.fixture
def changed_package(tmp_path: Path) -> ContractPackage:
    """A copy of the bundled package with one change of each kind."""
    folder = rp.copy_bundled(tmp_path)
    # cardinality: messageThreadId becomes required
    rp.edit(folder, CORE_XSD, *rp.THREAD_ID_REQUIRED)
    # type: startTime becomes a string
    rp.edit(folder, CORE_XSD, *rp.START_TIME_AS_STRING)
    # removed: timeTypeId
    rp.edit(folder, CORE_XSD, element_block("timeTypeId"), "", regex=True)
    # added: bookingNote
    rp.edit(
        folder,
        CORE_XSD,
        '<xs:element name="careUnitId" type="HsaIdType" minOccurs="0">',
        '<xs:element name="bookingNote" type="xs:string" minOccurs="0"/>\n'
        '      <xs:element name="careUnitId" type="HsaIdType" minOccurs="0">',
    )
    # enumeration: Cancellation removed
    rp.edit(
        folder,
        CORE_XSD,
        r'\n[ ]*<xs:enumeration value="Cancellation">.*?</xs:enumeration>',
        "",
        regex=True,
    )
    # soapAction
    rp.edit(
        folder,
        ADD_WSDL,
        'soapAction="urn:riv-application:infrastructure:eservicesupply:patientportal:'
        'AddMessageResponder:2:AddMessage"',
        'soapAction="urn:example:AddMessage"',
    )
    # headers: the LogicalAddress soap:header is no longer declared
    rp.edit(
        folder,
        ADD_WSDL,
        '<soap:header message="tns:AddMessageRequest" part="LogicalAddress" use="literal"/>',
        "",
    )
    # a whole interaction removed
    shutil.rmtree(folder / "interactions" / "IsActiveUserInteraction")
    return load_package(folder, strict=True)


def test_every_kind_of_change_is_reported(changed_package: ContractPackage) -> None:
    result = diff_packages(bundled_package(), changed_package)
    assert not result.identical
    changes = strings(result.changes)
    prefix = "AddMessage/message"
    expected = [
        f"changed element {prefix}/messageThreadId: cardinality 0..1 -> 1..1",
        f"changed element {prefix}/booking/startTime: type dateTime -> string",
        f"removed element {prefix}/booking/timeTypeId: string 0..1",
        f"added element {prefix}/booking/bookingNote: string 0..1",
        f"changed element {prefix}/messageType: enumeration removed Cancellation",
        "changed operation AddMessage: soapAction urn:riv-application:infrastructure:"
        "eservicesupply:patientportal:AddMessageResponder:2:AddMessage -> urn:example:AddMessage",
    ]
    for line in expected:
        assert line in changes, f"{line!r} not in {changes}"
    headers = [c for c in changes if "headers" in c]
    assert len(headers) == 1
    assert "(not declared in WSDL)" in headers[0].split(" -> ")[1]
    removed_ops = [c for c in result.changes if c.subject == "operation IsActiveUser"]
    assert [c.kind for c in removed_ops] == [ChangeKind.REMOVED]
    assert "soapAction" in removed_ops[0].detail


def test_changes_come_in_tree_order(changed_package: ContractPackage) -> None:
    subjects = [c.subject for c in diff_packages(bundled_package(), changed_package)]
    booking = [s.rsplit("/", 1)[1] for s in subjects if "/booking/" in s]
    # The removed timeTypeId sits where it was, before startTime, and the added note after it.
    assert booking == ["timeTypeId", "startTime", "bookingNote"]


def test_reversed_diff_swaps_added_and_removed(changed_package: ContractPackage) -> None:
    forward = diff_packages(bundled_package(), changed_package)
    backward = diff_packages(changed_package, bundled_package())
    swap = {ChangeKind.ADDED: ChangeKind.REMOVED, ChangeKind.REMOVED: ChangeKind.ADDED}
    forward_kinds = sorted((swap.get(c.kind, c.kind).value, c.subject) for c in forward)
    backward_kinds = sorted((c.kind.value, c.subject) for c in backward)
    assert forward_kinds == backward_kinds


def test_removed_subtree_is_reported_once(tmp_path: Path) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(folder, CORE_XSD, element_block("booking"), "", regex=True)
    changes = strings(diff_packages(bundled_package(), load_package(folder, strict=True)).changes)
    assert changes == ["removed element AddMessage/message/booking: BookingType 0..1"]


def test_named_type_change_and_facets(tmp_path: Path) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(folder, CORE_XSD, '<xs:maxLength value="64"/>', '<xs:maxLength value="32"/>')
    rp.edit(
        folder,
        CORE_XSD,
        '<xs:element name="unitName" type="xs:string">',
        '<xs:element name="unitName" type="HsaIdType">',
    )
    changes = strings(diff_packages(bundled_package(), load_package(folder, strict=True)).changes)
    assert (
        "changed element AddMessage/message/organisationUnit/unitId: length 1..64 -> 1..32"
        in changes
    )
    assert (
        "changed element AddMessage/message/organisationUnit/unitName: type string -> HsaIdType"
        in changes
    )


def test_change_renders_as_one_line() -> None:
    change = Change(ChangeKind.CHANGED, "element A/b", "cardinality 0..1 -> 1..1")
    assert str(change) == "changed element A/b: cardinality 0..1 -> 1..1"
    assert str(Change(ChangeKind.ADDED, "operation X")) == "added operation X"
