"""The generated patientportal bindings: up to date, strictly typed, shaped by the schemas, and
refusing wrong values when an object is made; and the ``inkorg-riv generate`` command."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import datetime
import enum
import importlib.util
import inspect
import itertools
import subprocess
import sys
import typing
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

from inkorg_riv import cli
from inkorg_riv.bindings import FieldSpec, Kind, XmlObject, generate_module
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._runtime import check_field
from inkorg_riv.cli import _generate
from inkorg_riv.contracts import (
    ComplexType,
    ContractPackage,
    Element,
    Group,
    SimpleType,
    bundled_package,
    load_package,
)
from inkorg_riv.errors import BindingError, InkorgError

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "inkorg_riv" / "bindings" / "patientportal.py"
MYPY = Path(sys.executable).parent / "mypy"
PNR = "191212121212"


@pytest.fixture(scope="module")
def package() -> ContractPackage:
    return bundled_package()


def _classes() -> list[type[XmlObject]]:
    return [
        value
        for value in vars(pp).values()
        if isinstance(value, type) and issubclass(value, XmlObject) and value is not XmlObject
    ]


def _unit() -> pp.OrganisationUnitType:
    return pp.OrganisationUnitType(unit_id="SE2321000016-1234", unit_name="Vårdcentralen Åre")


# --------------------------------------------------------------------------- up to date, typed


def test_committed_module_is_what_the_generator_writes_now() -> None:
    committed = COMMITTED.read_text(encoding="utf-8")
    fresh = generate_module(load_package())
    assert committed == fresh, (
        "inkorg_riv/bindings/patientportal.py is stale: regenerate it with "
        "generate_module(load_package())"
    )


def test_generator_output_is_deterministic(package: ContractPackage) -> None:
    assert generate_module(package) == generate_module(load_package())


def test_committed_module_passes_mypy_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(MYPY), "--strict", "--cache-dir", str(tmp_path / "cache"), str(COMMITTED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


# --------------------------------------------------------------------------- ELEMENTS and TYPES


def _reachable_types(package: ContractPackage) -> set[str]:
    """Named complex types reachable from the operations' roots, found from the model alone."""
    types = package.types
    seen: set[str] = set()
    todo = [
        types.elements[e].type_name or ""
        for op in package.operations
        for e in (op.request_element, op.response_element)
    ]

    def particles(item: Element | Group | typing.Any) -> list[str]:
        if isinstance(item, Group):
            return [t for inner in item.items for t in particles(inner)]
        if isinstance(item, Element) and item.type_name:
            return [item.type_name]
        return []

    while todo:
        name = todo.pop()
        if name in seen or name not in types.complex_types:
            continue
        seen.add(name)
        for particle in types.effective_particles(types.complex_types[name]):
            todo.extend(particles(particle))
    return seen


def test_elements_maps_every_request_and_response_root(package: ContractPackage) -> None:
    roots = {e for op in package.operations for e in (op.request_element, op.response_element)}
    assert set(pp.ELEMENTS) == roots
    assert len(roots) == 6
    for element, cls in pp.ELEMENTS.items():
        assert cls.__xsd__.type_name == package.types.elements[element].type_name
    add = package.operation("AddMessage")
    assert pp.ELEMENTS[add.request_element] is pp.AddMessageType
    assert pp.ELEMENTS[add.response_element] is pp.AddMessageResponseType


def test_types_maps_every_reachable_complex_type_to_its_class(package: ContractPackage) -> None:
    assert set(pp.TYPES) == _reachable_types(package)
    for type_name, cls in pp.TYPES.items():
        assert cls.__xsd__.type_name == type_name
    named = {cls for cls in _classes() if cls.__xsd__.type_name is not None}
    assert named == set(pp.TYPES.values())


def test_maps_are_read_only() -> None:
    with pytest.raises(TypeError):
        pp.ELEMENTS["x"] = pp.AddMessageType  # type: ignore[index]
    with pytest.raises(TypeError):
        pp.TYPES["x"] = pp.AddMessageType  # type: ignore[index]


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(pp).items()
        if isinstance(value, type)
        and value.__module__ == pp.__name__
        and (issubclass(value, XmlObject | enum.Enum))
    }
    assert set(pp.__all__) == public | {"ELEMENTS", "TYPES"}


# --------------------------------------------------------------------------- annotations

_BUILTINS: dict[str, type] = {
    "string": str,
    "boolean": bool,
    "dateTime": datetime.datetime,
    "base64Binary": bytes,
}


def _elements_of(package: ContractPackage, ctype: ComplexType) -> list[Element]:
    found: list[Element] = []

    def walk(item: typing.Any) -> None:
        if isinstance(item, Group):
            for inner in item.items:
                walk(inner)
        elif isinstance(item, Element):
            found.append(item)

    for particle in package.types.effective_particles(ctype):
        walk(particle)
    return found


def _expected_item_type(package: ContractPackage, element: Element) -> typing.Any:
    resolved = package.types.type_of(element)
    if isinstance(resolved, ComplexType):
        assert element.type_name is not None
        return pp.TYPES[element.type_name]
    assert isinstance(resolved, SimpleType)
    if resolved.enumeration:
        return resolved  # checked separately: an Enum class with exactly these values
    return _BUILTINS[resolved.builtin]


def test_field_annotations_follow_the_schema(package: ContractPackage) -> None:
    checked = 0
    for type_name, cls in pp.TYPES.items():
        hints = typing.get_type_hints(cls)
        specs = {spec.element: spec for spec in cls.__xsd__.fields}
        for element in _elements_of(package, package.types.complex_types[type_name]):
            spec = specs[element.name]
            hint = hints[spec.attr]
            expected = _expected_item_type(package, element)
            if isinstance(expected, SimpleType):
                item = typing.get_args(hint)[0] if typing.get_args(hint) else hint
                assert issubclass(item, enum.Enum), (cls, spec.attr)
                assert tuple(m.value for m in item) == expected.enumeration
                expected = item
            if element.repeated:
                assert hint == tuple[expected, ...], (cls, spec.attr)  # type: ignore[valid-type]
            elif element.optional:
                assert hint == expected | None, (cls, spec.attr, hint)
            else:
                assert hint == expected, (cls, spec.attr, hint)
            checked += 1
        assert hints["any_elements"] == tuple[etree._Element, ...]
    assert checked > 40


def test_named_examples_of_the_type_mapping() -> None:
    assert typing.get_type_hints(pp.BookingType)["start_time"] == datetime.datetime | None
    assert typing.get_type_hints(pp.BookingType)["is_invitation"] is bool
    assert typing.get_type_hints(pp.AttachmentType)["content"] is bytes
    assert typing.get_type_hints(pp.MessageType)["sso_link"] == tuple[pp.SSOLinkType, ...]
    assert typing.get_type_hints(pp.MessageType)["message_type"] == pp.MessageTypeType | None
    assert typing.get_type_hints(pp.AddMessageType)["subject_of_care_id"] is str
    assert issubclass(pp.ResultCodeEnum, enum.Enum)
    assert pp.ResultCodeEnum("INFO") is pp.ResultCodeEnum.INFO
    assert [m.value for m in pp.NotificationMethodType] == ["SMS", "Email", "Other"]


# --------------------------------------------------------------------------- class shape


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_classes_are_frozen_keyword_only_and_slotted(cls: type[XmlObject]) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen
    assert "__slots__" in vars(cls)
    assert all(f.kw_only for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def test_instances_cannot_change_and_have_no_dict() -> None:
    unit = _unit()
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.unit_name = "other"  # type: ignore[misc]
    assert not hasattr(unit, "__dict__")
    with pytest.raises(TypeError):
        pp.IsActiveUserType(PNR)  # type: ignore[call-arg]


def _full_unit() -> pp.OrganisationUnitType:
    return pp.OrganisationUnitType(
        unit_id="SE2321000016-1234",
        unit_name="Vårdcentralen Åre",
        unit_telephone="0647-123 45",
        any_elements=(etree.Element("{urn:x}extra"),),
    )


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_written_out_init_matches_the_dataclass_fields(cls: type[XmlObject]) -> None:
    # The generator writes __init__ out (the decorator gets init=False): its keyword-only
    # parameters must be the dataclass fields, in order, with the same defaults.
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    params = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in params] == [f.name for f in fields]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
    for param, field in zip(params, fields, strict=True):
        missing = field.default is dataclasses.MISSING
        assert param.default == (inspect.Parameter.empty if missing else field.default), field.name


def test_equality_hash_and_repr_are_the_dataclass_ones() -> None:
    unit = _full_unit()
    same = dataclasses.replace(unit)
    names = [f.name for f in dataclasses.fields(unit)]
    values = tuple(getattr(unit, name) for name in names)
    assert same == unit
    assert same is not unit
    assert hash(same) == hash(unit) == hash(values)
    assert dataclasses.replace(unit, unit_name="Other") != unit
    assert unit != pp.SSOLinkType  # another class compares unequal, as with dataclasses
    assert (unit == values) is False
    shown = ", ".join(f"{name}={getattr(unit, name)!r}" for name in names)
    assert repr(unit) == f"OrganisationUnitType({shown})"
    assert dataclasses.asdict(unit)["unit_telephone"] == "0647-123 45"
    assert len({unit, same, _unit()}) == 2


def test_a_field_called_self_gets_an_init_that_works() -> None:
    from inkorg_riv.bindings._render import _Field, _init  # noqa: PLC0415  (private helper)

    fields = [
        _Field("self", "", "str", None, ""),
        _Field("other", "", "int | None", "None", ""),
    ]
    source = "\n".join(["class C:", *_init(fields)])
    namespace: dict[str, typing.Any] = {}
    exec(source, namespace)  # noqa: S102  (our own generated text)
    seen: list[tuple[typing.Any, ...]] = []
    obj = object.__new__(namespace["C"])
    namespace["C"]._fill = lambda me, *values: seen.append((me, *values))
    namespace["C"].__init__(obj, self="x")
    assert seen == [(obj, "x", None)]


def _attribute_docs(source: str) -> dict[tuple[str, str], str]:
    """(class, attribute) -> the string literal written right after the annotation."""
    docs: dict[tuple[str, str], str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for first, second in itertools.pairwise(body):
            if (
                isinstance(first, ast.AnnAssign)
                and isinstance(first.target, ast.Name)
                and isinstance(second, ast.Expr)
                and isinstance(second.value, ast.Constant)
                and isinstance(second.value.value, str)
            ):
                docs[(node.name, first.target.id)] = second.value.value
    return docs


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


def test_docstrings_come_from_the_schema_documentation(package: ContractPackage) -> None:
    attribute_docs = _attribute_docs(COMMITTED.read_text(encoding="utf-8"))
    checked = 0
    for type_name, cls in pp.TYPES.items():
        ctype = package.types.complex_types[type_name]
        assert ctype.doc
        assert _flat(cls.__doc__) == _flat(ctype.doc)
        specs = {spec.element: spec for spec in cls.__xsd__.fields}
        for element in _elements_of(package, ctype):
            attr = specs[element.name].attr
            owner = next(c.__name__ for c in cls.__mro__ if attr in vars(c).get(
                "__annotations__", {}))
            assert _flat(attribute_docs[(owner, attr)]) == _flat(element.doc), (cls, attr)
            checked += 1
    for type_name, simple in package.types.simple_types.items():
        if simple.enumeration:
            enum_cls = getattr(pp, type_name.rsplit("}", 1)[-1])
            assert _flat(enum_cls.__doc__) == _flat(simple.doc)
            checked += 1
    assert checked > 45
    assert _flat(pp.BookingType.__doc__).startswith("The booking a message is about")


# --------------------------------------------------------------------------- refusing bad values


def test_wrong_type_names_the_field() -> None:
    with pytest.raises(BindingError) as info:
        pp.IsActiveUserType(subject_of_care_id=191212121212)  # type: ignore[arg-type]
    assert info.value.path == "IsActiveUserType.subject_of_care_id"
    assert "expected str" in str(info.value)


_OK = pp.ResultCodeEnum.OK
_SMS = pp.NotificationMethodType.SMS


@pytest.mark.parametrize(
    ("cls", "values", "path"),
    [
        (pp.IsActiveUserResponseType, {"status": 1}, "IsActiveUserResponseType.status"),
        (pp.AddMessageResponseType, {"result_code": "OK"}, "AddMessageResponseType.result_code"),
        (
            pp.MessageType,
            {"organisation_unit": "Vårdcentralen", "message_text": "x"},
            "MessageType.organisation_unit",
        ),
        (
            pp.MessageStatusType,
            {"sent_time": datetime.date(2024, 1, 1), "read_status": pp.ReadStatusType.READ},
            "MessageStatusType.sent_time",
        ),
        (
            pp.AttachmentType,
            {"file_name": "a.pdf", "mime_type": "application/pdf", "content": "JVBERi0="},
            "AttachmentType.content",
        ),
        (
            pp.OrganisationUnitType,
            {"unit_id": True, "unit_name": "x"},
            "OrganisationUnitType.unit_id",
        ),
        (
            pp.IsActiveUserType,
            {"subject_of_care_id": (PNR,)},
            "IsActiveUserType.subject_of_care_id",
        ),
        (
            pp.AddMessageResponseType,
            {"result_code": _OK, "notification_sent": "SMS"},
            "AddMessageResponseType.notification_sent",
        ),
        (
            pp.AddMessageResponseType,
            {"result_code": _OK, "notification_sent": (_SMS, "Email")},
            "AddMessageResponseType.notification_sent[1]",
        ),
        (
            pp.IsActiveUserType,
            {"subject_of_care_id": PNR, "any_elements": ("<x/>",)},
            "IsActiveUserType.any_elements[0]",
        ),
    ],
)
def test_wrong_values_are_refused_when_the_object_is_made(
    cls: type[XmlObject], values: dict[str, typing.Any], path: str
) -> None:
    # Only the constructor runs inside the block: the error comes before any XML exists.
    with pytest.raises(BindingError) as info:
        cls(**values)
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")


def test_none_in_a_required_field_names_it() -> None:
    with pytest.raises(BindingError) as info:
        pp.MessageType(organisation_unit=_unit(), message_text=None)  # type: ignore[arg-type]
    assert info.value.path == "MessageType.message_text"
    assert "required" in str(info.value)


def test_none_in_an_optional_field_is_fine() -> None:
    message = pp.MessageType(organisation_unit=_unit(), message_text="x", booking=None)
    assert message.booking is None
    assert message.sso_link == ()


def test_lists_become_tuples() -> None:
    link = pp.SSOLinkType(system_id="s", text="t", type=pp.SSOLinkTargetType.NEW_TARGET)
    message = pp.MessageType(
        organisation_unit=_unit(), message_text="x", sso_link=[link, link]  # type: ignore[arg-type]
    )
    assert message.sso_link == (link, link)
    assert isinstance(message.sso_link, tuple)
    replaced = dataclasses.replace(message, attachment=[])  # type: ignore[arg-type]
    assert replaced.attachment == ()
    assert isinstance(replaced.attachment, tuple)


def test_a_list_inside_a_list_is_refused_with_the_index() -> None:
    with pytest.raises(BindingError) as info:
        pp.MessageType(
            organisation_unit=_unit(), message_text="x", sso_link=[[]]  # type: ignore[arg-type]
        )
    assert info.value.path == "MessageType.sso_link[0]"


def test_too_few_and_too_many_values_are_refused() -> None:
    at_least_one = FieldSpec(
        "sso_link", "{urn:x}ssoLink", Kind.COMPLEX, "SSOLinkType", min_occurs=1, max_occurs=2
    )
    link = pp.SSOLinkType(system_id="s", text="t", type=pp.SSOLinkTargetType.WIDGET)
    with pytest.raises(BindingError, match="at least 1") as info:
        check_field(pp.MessageType, at_least_one, (), "MessageType.sso_link")
    assert info.value.path == "MessageType.sso_link"
    with pytest.raises(BindingError, match="at most 2"):
        check_field(pp.MessageType, at_least_one, (link, link, link), "MessageType.sso_link")
    assert check_field(pp.MessageType, at_least_one, [link], "p") == (link,)


def test_missing_required_keyword_is_a_type_error_naming_the_field() -> None:
    with pytest.raises(TypeError, match="subject_of_care_id"):
        pp.IsActiveUserType()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="message_text"):
        pp.MessageType(organisation_unit=_unit())  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unknown_field"):
        pp.IsActiveUserType(subject_of_care_id=PNR, unknown_field=1)  # type: ignore[call-arg]


def test_binding_error_is_a_local_inkorg_error() -> None:
    with pytest.raises(InkorgError) as info:
        pp.IsActiveUserResponseType(status="true")  # type: ignore[arg-type]
    assert isinstance(info.value, BindingError)
    assert info.value.outcome.name == "NOT_SENT"


# --------------------------------------------------------------------------- the generate command


def _run(argv: list[str]) -> int:
    """``inkorg-riv ARGV`` through main() once ``generate`` is wired in; until then through a
    parser with the ``generate`` registrar added, with main()'s error policy."""
    if _generate.register in cli.REGISTRARS:
        return cli.main(argv)
    parser = cli.build_parser((*cli.REGISTRARS, _generate.register))
    args: argparse.Namespace = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except (InkorgError, OSError) as exc:
        from inkorg_riv.cli._common import EXIT_USAGE, error  # noqa: PLC0415

        error(str(exc))
        return EXIT_USAGE
    return status


def _import(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def test_generate_writes_the_bundled_bindings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gen" / "pkg"
    assert _run(["generate", "--out", str(out)]) == 0
    written = out / "patientportal.py"
    assert capsys.readouterr().out.strip() == str(written)
    assert written.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    assert (out / "py.typed").exists()
    module = _import(written, "_inkorg_test_generated_patientportal")
    try:
        assert set(module.ELEMENTS) == set(pp.ELEMENTS)
        assert module.AddMessageType.__xsd__ == pp.AddMessageType.__xsd__
    finally:
        del sys.modules["_inkorg_test_generated_patientportal"]


def test_generate_with_a_module_name_keeps_an_existing_py_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "py.typed").write_text("partial\n", encoding="utf-8")
    status = _run(["generate", "--package", "bundled", "--out", str(tmp_path),
                   "--module", "inbox_v2"])
    assert status == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "inbox_v2.py")
    assert (tmp_path / "inbox_v2.py").read_text(encoding="utf-8").startswith('"""Typed bindings')
    assert (tmp_path / "py.typed").read_text(encoding="utf-8") == "partial\n"


def test_generate_from_a_package_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ServiceContracts_patientportal"
    for source in (ROOT / "schemas").rglob("*"):
        if source.suffix in (".xsd", ".wsdl"):
            target = folder / source.relative_to(ROOT / "schemas")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    assert _run(["generate", "--package", str(folder), "--out", str(tmp_path / "out")]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == tmp_path / "out" / "patientportal.py"
    text = written.read_text(encoding="utf-8")
    assert text == generate_module(load_package(folder))
    assert "class AddMessageType(XmlObject):" in text


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--package", "/nonexistent/contracts.zip"], "nonexistent"),
        (["--module", "not-a-name"], "not-a-name"),
        (["--module", "class"], "class"),
    ],
)
def test_generate_errors_are_one_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    status = _run(["generate", "--out", str(tmp_path / "out"), *argv])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("inkorg-riv: error: ")
    assert needle in lines[0]
    assert not (tmp_path / "out").exists()


def test_generate_into_a_file_instead_of_a_folder_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    assert _run(["generate", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("inkorg-riv: error: ")


def test_generate_needs_out(capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser((*cli.REGISTRARS, _generate.register)) if (
        _generate.register not in cli.REGISTRARS
    ) else cli.build_parser()
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["generate"])
    assert info.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_default_module_name_is_the_last_domain_segment(package: ContractPackage) -> None:
    assert _generate.default_module_name(package) == "patientportal"
