"""The contract loader and its read-only model: the bundled package and synthetic packages."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from pathlib import Path

import pytest
import rivpackages as rp

from inkorg_riv import ContractPackage, UnknownOperationError, bundled_package, load_package
from inkorg_riv.contracts import (
    Any,
    ComplexType,
    Element,
    Group,
    HeaderPart,
    RivProfile,
    SimpleType,
)

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "infrastructure:eservicesupply:patientportal"
BASE = f"urn:riv-application:{DOMAIN}"
CORE = f"{BASE}:2"
XS = "{http://www.w3.org/2001/XMLSchema}"
LOGICAL_ADDRESS = "{urn:riv:itintegration:registry:1}LogicalAddress"
WSA_TO = "{http://www.w3.org/2005/08/addressing}To"
CONTRACT_NAMES = ("AddMessage", "GetMessageThreadStatus", "IsActiveUser")


def _items(group: Group | None) -> list[Element | Any | Group]:
    assert group is not None
    return list(group.items)


def _names(group: Group | None) -> list[str]:
    return [item.name if isinstance(item, Element) else type(item).__name__ for item in
            _items(group)]


# --------------------------------------------------------------------------- bundled package


def test_bundled_package_is_loaded_once_and_clean() -> None:
    package = bundled_package()
    assert package is bundled_package()
    assert package.problems == ()
    assert package.domains == (DOMAIN,)
    assert [op.name for op in package.operations] == list(CONTRACT_NAMES)
    assert len(package.interactions) == 3


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_bundled_operation_follows_the_riv_naming_rules(name: str) -> None:
    op = bundled_package().operation(name)
    responder = f"{BASE}:{name}Responder:2"
    assert op.name == name
    assert op.contract == name
    assert op.domain == DOMAIN
    assert (op.major, op.minor, op.version) == (2, 0, "2.0")
    assert op.profile is RivProfile.BP21
    assert op.wsdl_namespace == f"{BASE}:{name}:2:rivtabp21"
    assert op.responder_namespace == responder
    assert op.soap_action == f"{responder}:{name}"
    assert op.request_element == f"{{{responder}}}{name}"
    assert op.response_element == f"{{{responder}}}{name}Response"
    assert op.headers[0] == HeaderPart(part="LogicalAddress", element=LOGICAL_ADDRESS)
    assert op.headers[0].declared is True
    assert op.wsdl_file == f"interactions/{name}Interaction/{name}Interaction_2.0_RIVTABP21.wsdl"
    assert op.schema_file == f"interactions/{name}Interaction/{name}Responder_2.0.xsd"
    assert op.qualified_name == f"{DOMAIN}:{name}:2"
    assert bundled_package().operation(op.qualified_name) is op
    assert bundled_package().operation_for_element(op.request_element) is op
    assert bundled_package().operation_for_element(op.response_element) is op


def test_bundled_add_message_type_model_matches_the_contract() -> None:
    package = bundled_package()
    op = package.operation("AddMessage")
    request = package.types.elements[op.request_element]
    request_type = package.types.type_of(request)
    assert isinstance(request_type, ComplexType)
    responder = op.responder_namespace
    assert _names(request_type.content) == [
        f"{{{responder}}}subjectOfCareId",
        f"{{{responder}}}message",
        f"{{{responder}}}notify",
        f"{{{responder}}}sourceSystem",
        "Any",
    ]
    wildcard = _items(request_type.content)[-1]
    assert wildcard == Any(namespace="##other", process_contents="lax", min_occurs=0,
                           max_occurs=None)
    subject, message = _items(request_type.content)[:2]
    assert isinstance(subject, Element)
    assert isinstance(message, Element)
    assert subject.type_name == f"{{{CORE}}}SubjectOfCareIdType"
    id_type = package.types.resolve(subject.type_name)
    assert isinstance(id_type, SimpleType)
    assert id_type.patterns == ("[0-9]{8}[0-9pPtTfF][0-9]{3}",)
    message_type = package.types.type_of(message)
    assert isinstance(message_type, ComplexType)
    assert message_type.name == f"{{{CORE}}}MessageType"
    names = _names(message_type.content)
    # Everything inside `message` is in the core namespace, in contract order.
    assert names[:-1] == [
        f"{{{CORE}}}{local}"
        for local in (
            "organisationUnit", "messageThreadId", "messageId", "messageType",
            "messageDescription", "messageText", "ssoLink", "attachment", "booking",
        )
    ]
    ssolink = next(i for i in _items(message_type.content)
                   if isinstance(i, Element) and i.local == "ssoLink")
    assert ssolink.cardinality() == "0..*"
    result = package.types.resolve(f"{{{CORE}}}ResultCodeEnum")
    assert isinstance(result, SimpleType)
    assert result.enumeration == ("OK", "INFO", "ERROR")


def test_bundled_source_folder_and_official_style_zip_give_the_same_operations(
    tmp_path: Path,
) -> None:
    from_folder = load_package(REPO / "schemas", strict=True)
    assert from_folder.operations == bundled_package().operations
    top = "ServiceContracts_infrastructure_eservicesupply_patientportal_2.0"
    archive = tmp_path / f"{top}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((REPO / "schemas").rglob("*")):
            if path.is_file():
                zf.write(path, f"{top}/schemas/{path.relative_to(REPO / 'schemas').as_posix()}")
    from_zip = load_package(archive, strict=True)
    assert from_zip.operations == bundled_package().operations
    assert from_zip.source.origin == "zip"


def test_bundled_model_is_read_only() -> None:
    package = bundled_package()
    op = package.operation("AddMessage")
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.soap_action = "urn:evil"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.headers[0].declared = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        package.problems = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        package.interactions["x"] = package.interactions[  # type: ignore[index]
            next(iter(package.interactions))
        ]
    with pytest.raises(TypeError):
        del package.types.elements[op.request_element]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        package.types.complex_types["x"] = None  # type: ignore[index]
    ctype = package.types.complex_types[f"{{{CORE}}}MessageType"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctype.abstract = True  # type: ignore[misc]
    assert isinstance(op.headers, tuple)
    assert isinstance(ctype.content, Group)
    assert isinstance(ctype.content.items, tuple)
    # Nothing above changed the shared package.
    assert bundled_package().operation("AddMessage").soap_action.endswith(":AddMessage")


# --------------------------------------------------------------------------- synthetic packages

ALL_INTERACTIONS = {
    f"{c.domain}:{c.name}Interaction:{c.major}" for c in rp.CONTRACTS
}


def _load_kind(kind: str, tmp_path: Path) -> ContractPackage:
    files = rp.multi_domain_files()
    if kind == "folder":
        return load_package(rp.write_folder(files, tmp_path / "contracts"))
    name = rp.zip_name(rp.DESCRIPTION, "2.1")
    tmp_path.mkdir(parents=True, exist_ok=True)
    top = name.removesuffix(".zip") if kind == "zip-top-folder" else None
    return load_package(rp.write_zip(files, tmp_path / name, top_folder=top))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> ContractPackage:
    return _load_kind("folder", tmp_path_factory.mktemp("synthetic"))


@pytest.mark.parametrize("kind", ["folder", "zip-top-folder", "zip-flat"])
def test_multi_domain_package_loads_every_interaction(kind: str, tmp_path: Path) -> None:
    package = _load_kind(kind, tmp_path)
    assert package.problems == ()
    assert set(package.interactions) == ALL_INTERACTIONS
    assert package.domains == tuple(sorted({rp.DESCRIPTION, rp.SCHEDULING, rp.MONITORING}))
    assert package.source.origin == ("folder" if kind == "folder" else "zip")
    for contract in rp.CONTRACTS:
        op = package.operation(f"{contract.domain}:{contract.name}:{contract.major}")
        assert op.wsdl_file == contract.wsdl_path
        assert op.schema_file == contract.responder_path
        assert op.soap_action == contract.soap_action
        assert op.responder_namespace == contract.responder_ns
        assert op.wsdl_namespace == contract.wsdl_ns
        assert (op.major, op.minor) == (contract.major, contract.minor)
        assert op.request_element == f"{{{contract.responder_ns}}}{contract.name}"


def test_zip_and_folder_models_are_equal(tmp_path: Path) -> None:
    folder = _load_kind("folder", tmp_path / "a")
    zipped = _load_kind("zip-top-folder", tmp_path / "b")
    assert folder.operations == zipped.operations
    assert folder.types.complex_types == zipped.types.complex_types


def test_lookup_by_name_and_qualified_name(synthetic: ContractPackage) -> None:
    op = synthetic.operation("GetCareDocumentation")
    assert op.qualified_name == f"{rp.DESCRIPTION}:GetCareDocumentation:2"
    assert synthetic.operation(op.qualified_name) is op
    assert op.domain == rp.DESCRIPTION
    assert op.version == "2.1"
    assert synthetic.operation_for_element(op.response_element) is op
    assert synthetic.operation_for_element("{urn:nowhere}GetCareDocumentation") is None


def test_ambiguous_name_needs_a_qualified_name(synthetic: ContractPackage) -> None:
    with pytest.raises(UnknownOperationError, match="ambiguous") as info:
        synthetic.operation("GetBookingDetails")
    assert info.value.known == (
        f"{rp.SCHEDULING}:GetBookingDetails:1",
        f"{rp.SCHEDULING}:GetBookingDetails:2",
    )
    one = synthetic.operation(f"{rp.SCHEDULING}:GetBookingDetails:1")
    two = synthetic.operation(f"{rp.SCHEDULING}:GetBookingDetails:2")
    assert (one.major, one.minor, two.major, two.minor) == (1, 1, 2, 0)
    assert one.request_element != two.request_element


def test_unknown_operation_lists_what_is_known(synthetic: ContractPackage) -> None:
    with pytest.raises(UnknownOperationError) as info:
        synthetic.operation("AddMessage")
    assert "PingForConfiguration" in info.value.known
    assert "GetCareDocumentation" in str(info.value)
    with pytest.raises(UnknownOperationError):
        synthetic.operation(f"{rp.SCHEDULING}:GetBookingDetails:3")


def test_missing_logical_address_part_is_still_sent_first(synthetic: ContractPackage) -> None:
    op = synthetic.operation(f"{rp.SCHEDULING}:GetBookingDetails:1")
    assert op.profile is RivProfile.BP21
    assert op.headers == (
        HeaderPart(part="LogicalAddress", element=LOGICAL_ADDRESS, declared=False),
    )
    declared = synthetic.operation(f"{rp.SCHEDULING}:GetBookingDetails:2")
    assert declared.headers == (HeaderPart(part="LogicalAddress", element=LOGICAL_ADDRESS),)


def test_logical_address_goes_first_even_when_declared_second(
    synthetic: ContractPackage,
) -> None:
    op = synthetic.operation("GetCareDocumentation")
    assert [h.element for h in op.headers] == [
        LOGICAL_ADDRESS,
        f"{{{rp.DATATYPES}}}ActingOnBehalfOf",
    ]
    assert all(h.declared for h in op.headers)


def test_bp20_interaction_uses_the_ws_addressing_to_header(synthetic: ContractPackage) -> None:
    op = synthetic.operation("PingForConfiguration")
    assert op.profile is RivProfile.BP20
    assert op.domain == rp.MONITORING
    assert op.wsdl_namespace.endswith(":PingForConfiguration:1:rivtabp20")
    assert op.headers == (HeaderPart(part="To", element=WSA_TO),)
    assert op.soap_action == rp.PING_FOR_CONFIGURATION.soap_action


def test_bp20_without_declared_to_header_gets_an_undeclared_one(tmp_path: Path) -> None:
    contract = dataclasses.replace(rp.PING_FOR_CONFIGURATION, declare_header=False)
    package = load_package(rp.write_folder(rp.multi_domain_files([contract]), tmp_path))
    op = package.operation("PingForConfiguration")
    assert op.headers == (HeaderPart(part="To", element=WSA_TO, declared=False),)


def test_abstract_type_and_its_extensions(synthetic: ContractPackage) -> None:
    core = f"{{{rp.DESCRIPTION_CORE}}}"
    types = synthetic.types
    abstract = types.complex_types[f"{core}AbstractPartyType"]
    assert abstract.abstract is True
    subtypes = types.subtypes(f"{core}AbstractPartyType")
    assert [t.name for t in subtypes] == [f"{core}OrganisationPartyType", f"{core}PersonPartyType"]
    person = types.complex_types[f"{core}PersonPartyType"]
    assert (person.base, person.derivation, person.abstract) == (
        f"{core}AbstractPartyType", "extension", False
    )
    base_group, own_group = types.effective_particles(person)
    assert isinstance(base_group, Group)
    assert isinstance(own_group, Group)
    assert _names(base_group) == [f"{core}partyId"]
    assert _names(own_group) == [f"{core}personName", f"{core}role"]
    role = _items(own_group)[1]
    assert isinstance(role, Element)
    assert role.type_name == f"{core}PartyRoleEnum"
    assert types.subtypes(f"{core}PersonPartyType") == ()
    documentation = types.complex_types[f"{core}CareDocumentationType"]
    author = next(i for i in _items(documentation.content)
                  if isinstance(i, Element) and i.local == "author")
    assert author.type_name == f"{core}AbstractPartyType"


def test_choice_groups(synthetic: ContractPackage) -> None:
    core = f"{{{rp.DESCRIPTION_CORE}}}"
    documentation = synthetic.types.complex_types[f"{core}CareDocumentationType"]
    choices = [i for i in _items(documentation.content) if isinstance(i, Group)]
    assert len(choices) == 1
    assert choices[0].kind == "choice"
    assert _names(choices[0]) == [f"{core}text", f"{core}multimedia"]

    op = synthetic.operation("GetCareDocumentation")
    request_type = synthetic.types.type_of(synthetic.types.elements[op.request_element])
    assert isinstance(request_type, ComplexType)
    choice = next(i for i in _items(request_type.content) if isinstance(i, Group))
    assert choice.kind == "choice"
    period, contact = _items(choice)
    assert isinstance(period, Element)
    assert isinstance(contact, Element)
    assert period.type_name == f"{{{rp.DATATYPES}}}DatePeriodType"
    assert (contact.local, contact.cardinality(), contact.repeated) == ("careContactId", "1..*",
                                                                       True)


def test_included_and_chameleon_types_take_the_including_namespace(
    synthetic: ContractPackage,
) -> None:
    core = f"{{{rp.DESCRIPTION_CORE}}}"
    status = synthetic.types.simple_types[f"{core}DocumentStatusEnum"]
    assert status.enumeration == ("Draft", "Signed", "Revoked")
    assert status.file == "core_components/clinicalprocess_healthcond_description_enum_2.1.xsd"
    for name in ("AbstractPartyType", "PersonPartyType", "OrganisationPartyType"):
        assert synthetic.types.complex_types[f"{core}{name}"].file == (
            "core_components/party_1.0.xsd"
        )
    role = synthetic.types.simple_types[f"{core}PartyRoleEnum"]
    assert role.enumeration == ("Author", "Signer")


def test_circular_import_between_core_schemas(synthetic: ContractPackage) -> None:
    types = synthetic.types
    coded = types.complex_types[f"{{{rp.CODES}}}CodedValueType"]
    result = types.complex_types[f"{{{rp.DATATYPES}}}ResultType"]
    coded_code = _items(coded.content)[0]
    result_code = _items(result.content)[0]
    assert isinstance(coded_code, Element)
    assert isinstance(result_code, Element)
    assert coded_code.type_name == f"{{{rp.DATATYPES}}}NonEmptyStringType"
    assert result_code.type_name == f"{{{rp.CODES}}}ResultCodeEnum"
    assert types.resolve(result_code.type_name) == types.simple_types[result_code.type_name]


def test_the_model_keeps_patterns_as_written(synthetic: ContractPackage) -> None:
    person_id = synthetic.types.simple_types[f"{{{rp.DESCRIPTION_CORE}}}PersonIdType"]
    assert person_id.patterns == (rp.ANCHORED_PATTERN,)
    assert person_id.builtin == "string"
    stamp = synthetic.types.simple_types[f"{{{rp.DATATYPES}}}TimeStampType"]
    assert stamp.patterns[0].startswith("(19|20)[0-9]{2}")


def test_simple_content_extension(synthetic: ContractPackage) -> None:
    to_type = synthetic.types.complex_types[
        "{http://www.w3.org/2005/08/addressing}AttributedURIType"
    ]
    assert to_type.simple_content == f"{XS}anyURI"
    assert to_type.content is None


def test_synthetic_model_is_read_only(synthetic: ContractPackage) -> None:
    op = synthetic.operation("PingForConfiguration")
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.profile = RivProfile.BP21  # type: ignore[misc]
    interaction = next(iter(synthetic.interactions.values()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        interaction.operations = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        synthetic.types.simple_types["x"] = synthetic.types.simple_types[  # type: ignore[index]
            f"{{{rp.DATATYPES}}}HSAIdType"
        ]
    with pytest.raises(TypeError):
        synthetic.source.files["x.xsd"] = b""  # type: ignore[index]


def test_loaded_package_does_not_read_the_files_again(tmp_path: Path) -> None:
    folder = rp.write_folder(rp.multi_domain_files(), tmp_path / "contracts")
    package = load_package(folder)
    shutil.rmtree(folder)
    op = package.operation("GetCareDocumentation")
    assert package.source.files[op.schema_file].startswith(b"<?xml")
    assert package.types.elements[op.request_element].local == "GetCareDocumentation"


def _rglob_reference(folder: Path) -> dict[str, bytes]:
    """What the folder reader returned when it walked with pathlib (before os.walk)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.suffix.lower() in (".xsd", ".wsdl") and path.is_file()
    }


def test_folder_reader_takes_the_files_pathlib_took(tmp_path: Path) -> None:
    from inkorg_riv.contracts.source import bundled_folder, from_folder  # noqa: PLC0415

    root = tmp_path / "pkg"
    shutil.copytree(bundled_folder(), root)
    (root / "interactions" / "Upper.XSD").write_bytes(b"<upper/>")
    (root / "deep" / "er" / "x.xsd").parent.mkdir(parents=True)
    (root / "deep" / "er" / "x.xsd").write_bytes(b"<x/>")
    (root / "folder.xsd").mkdir()
    (root / ".xsd").write_bytes(b"hidden, no suffix")
    (root / "notes.txt").write_bytes(b"skip")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.xsd").write_bytes(b"<linked/>")
    (root / "linked_folder").symlink_to(outside, target_is_directory=True)
    (root / "linked_file.wsdl").symlink_to(outside / "linked.xsd")
    source = from_folder(root)
    assert dict(source.files) == _rglob_reference(root)
    assert "linked_file.wsdl" in source.files
    assert not any(name.startswith("linked_folder/") for name in source.files)
    assert source.name == str(root)
    assert from_folder(str(root)).files == source.files
    assert load_package(str(root) + "/").source.name == str(root)
