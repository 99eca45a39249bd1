"""The ``inkorg-riv`` command: contracts list/show/diff and validate, with their exit codes.

The command runs in-process through ``main([...])`` (output captured with capsys) and once as a
real subprocess through ``python -m inkorg_riv.cli``. Every document is a real file in tmp_path.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rivpackages as rp

from inkorg_riv import __version__
from inkorg_riv.cli import main

RESPONDER = "urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2"
CORE = "urn:riv-application:infrastructure:eservicesupply:patientportal:2"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
REGISTRY = "urn:riv:itintegration:registry:1"
WSDL_NS = "urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessage:2:rivtabp21"
CORE_XSD = "core_components/patientportal_2.0.xsd"
ADD_WSDL = "interactions/AddMessageInteraction/AddMessageInteraction_2.0_RIVTABP21.wsdl"
PERSONNUMMER = rp.TOLVAN  # the subject of rp.add_message_text()

Capture = pytest.CaptureFixture[str]


# --------------------------------------------------------------------------- helpers


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("inkorg-riv: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], err


def envelope(body: str, *, logical_address: str | None = "SE2321000016-1177") -> str:
    header = (
        f'<soap:Header><LogicalAddress xmlns="{REGISTRY}">{logical_address}</LogicalAddress>'
        "</soap:Header>"
        if logical_address is not None
        else ""
    )
    return (
        f'<soap:Envelope xmlns:soap="{SOAP}">{header}<soap:Body>{body}</soap:Body>'
        "</soap:Envelope>"
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        content = ('<?xml version="1.0" encoding="UTF-8"?>\n' + content).encode("utf-8")
    path.write_bytes(content)
    return str(path)


# --------------------------------------------------------------------------- top level


def test_version(capsys: Capture) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"inkorg-riv {__version__}"


def test_no_command_is_a_usage_error(capsys: Capture) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "usage: inkorg-riv" in err


def test_unknown_option_is_a_usage_error(capsys: Capture) -> None:
    code, _, err = run(capsys, "validate", "--no-such-option", "x.xml")
    assert code == 2
    assert "unrecognized arguments" in err


def test_help_lists_the_exit_codes(capsys: Capture) -> None:
    code, out, _ = run(capsys, "validate", "--help")
    assert code == 0
    assert "exit status" in out
    assert "DOCTYPE" in out


# --------------------------------------------------------------------------- contracts


def test_list_bundled(capsys: Capture) -> None:
    code, out, err = run(capsys, "contracts", "list")
    assert code == 0
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 3
    first = lines[0].split()
    assert first == [
        "infrastructure:eservicesupply:patientportal:AddMessage:2",
        "2.0",
        "rivtabp21",
        f"{RESPONDER}:AddMessage",
    ]
    assert any("IsActiveUser:2" in line for line in lines)


def test_list_warns_about_package_problems(tmp_path: Path, capsys: Capture) -> None:
    folder = rp.copy_bundled(tmp_path)
    broken = folder / "interactions/IsActiveUserInteraction/IsActiveUserResponder_2.0.xsd"
    broken.write_text("<xs:schema this is not xml", encoding="utf-8")
    code, out, err = run(capsys, "contracts", "list", "--package", str(folder))
    assert code == 0
    assert "IsActiveUser" not in out
    assert "AddMessage:2" in out
    warnings = err.strip().splitlines()
    assert warnings
    assert all(line.startswith("inkorg-riv: warning: ") for line in warnings)
    assert any("IsActiveUserResponder_2.0.xsd" in line for line in warnings)


def test_list_missing_package_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "contracts", "list", "--package", str(tmp_path / "nowhere.zip"))
    assert code == 2
    assert out == ""
    assert_one_error_line(err, "no such file or folder")


def test_list_of_a_folder_without_contracts_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    code, _, err = run(capsys, "contracts", "list", "--package", str(tmp_path))
    assert code == 2
    assert_one_error_line(err, "no WSDL files found")


def test_show_add_message(capsys: Capture) -> None:
    code, out, _ = run(capsys, "contracts", "show", "AddMessage")
    assert code == 0
    assert f"{RESPONDER}:AddMessage" in out  # SOAP action
    assert f"{WSDL_NS}\n" in out
    assert re.search(r"RIV profile\s+rivtabp21", out)
    assert re.search(rf"header\s+LogicalAddress: \{{{REGISTRY}\}}LogicalAddress\n", out)
    assert "not declared" not in out
    assert f"request root         {{{RESPONDER}}}AddMessage" in out
    assert f"response root        {{{RESPONDER}}}AddMessageResponse" in out
    request, _, response = out.partition("\nresponse:\n")
    assert "\nrequest:\n" in request
    assert re.search(r"\n  AddMessage\s+AddMessageType\s+1\.\.1\n", request)
    assert re.search(
        r"\n    subjectOfCareId\s+SubjectOfCareIdType\s+1\.\.1\s+string\s+pattern", request
    )
    assert re.search(r"\n        startTime\s+dateTime\s+0\.\.1\n", request)
    assert re.search(r"\n      ssoLink\s+SSOLinkType\s+0\.\.\*\n", request)
    assert "{TimedInvitation | OpenInvitation" in request
    assert re.search(r"\n    any\s+##other lax\s+0\.\.\*", request)
    assert re.search(
        r"\n    resultCode\s+ResultCodeEnum\s+1\.\.1\s+string\s+\{OK \| INFO \| ERROR\}", response
    )


def test_show_with_docs(capsys: Capture) -> None:
    code, out, _ = run(capsys, "contracts", "show", "IsActiveUser", "--docs")
    assert code == 0
    assert "# " in out


def test_show_notes_an_undeclared_header(tmp_path: Path, capsys: Capture) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(
        folder,
        ADD_WSDL,
        '<soap:header message="tns:AddMessageRequest" part="LogicalAddress" use="literal"/>',
        "",
    )
    code, out, _ = run(capsys, "contracts", "show", "AddMessage", "--package", str(folder))
    assert code == 0
    assert "LogicalAddress" in out
    assert "(not declared in WSDL; sent anyway)" in out


def test_show_unknown_operation_is_exit_2(capsys: Capture) -> None:
    code, out, err = run(capsys, "contracts", "show", "SendLetter")
    assert code == 2
    assert out == ""
    assert_one_error_line(err, "unknown operation 'SendLetter'", "AddMessage")


def test_diff_bundled_against_itself(capsys: Capture) -> None:
    code, out, _ = run(capsys, "contracts", "diff", "bundled", "bundled")
    assert code == 0
    assert out.strip() == "no differences"


def test_diff_with_one_package_compares_with_bundled(tmp_path: Path, capsys: Capture) -> None:
    code, out, _ = run(capsys, "contracts", "diff", str(rp.copy_bundled(tmp_path)))
    assert code == 0
    assert out.strip() == "no differences"


def test_diff_reports_every_change(tmp_path: Path, capsys: Capture) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(folder, CORE_XSD, *rp.THREAD_ID_REQUIRED)
    rp.edit(folder, CORE_XSD, *rp.START_TIME_AS_STRING)
    rp.edit(
        folder,
        CORE_XSD,
        '<xs:element name="timeTypeId" type="xs:string" minOccurs="0">',
        '<xs:element name="timeTypeName" type="xs:string" minOccurs="0">',
    )
    rp.edit(
        folder,
        ADD_WSDL,
        f'soapAction="{RESPONDER}:AddMessage"',
        'soapAction="urn:example:AddMessage"',
    )
    code, out, err = run(capsys, "contracts", "diff", "bundled", str(folder))
    assert code == 1
    lines = out.strip().splitlines()
    assert "changed element AddMessage/message/messageThreadId: cardinality 0..1 -> 1..1" in lines
    assert "changed element AddMessage/message/booking/startTime: type dateTime -> string" in lines
    assert "removed element AddMessage/message/booking/timeTypeId: string 0..1" in lines
    assert "added element AddMessage/message/booking/timeTypeName: string 0..1" in lines
    assert (
        f"changed operation AddMessage: soapAction {RESPONDER}:AddMessage -> urn:example:AddMessage"
        in lines
    )
    assert len(lines) == 5
    assert "5 differences" in err


def test_diff_missing_package_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    code, _, err = run(capsys, "contracts", "diff", "bundled", str(tmp_path / "missing"))
    assert code == 2
    assert_one_error_line(err, "missing")


# --------------------------------------------------------------------------- validate


def test_validate_valid_request(tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "validate", write(tmp_path, "req.xml", rp.add_message_text()))
    assert (code, out.strip(), err) == (0, "valid: AddMessage", "")


def test_validate_valid_response(tmp_path: Path, capsys: Capture) -> None:
    response = (
        f'<AddMessageResponse xmlns="{RESPONDER}"><resultCode>OK</resultCode></AddMessageResponse>'
    )
    code, out, _ = run(capsys, "validate", write(tmp_path, "resp.xml", response))
    assert (code, out.strip()) == (0, "valid: AddMessage")


def test_validate_with_named_operation(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "req.xml", rp.add_message_text())
    code, out, _ = run(capsys, "validate", path, "--operation", "AddMessage")
    assert (code, out.strip()) == (0, "valid: AddMessage")


def test_validate_invalid_request_lists_every_issue(tmp_path: Path, capsys: Capture) -> None:
    document = rp.add_message_text("191212121213", start_time="soon", source_system=None)
    code, out, err = run(capsys, "validate", write(tmp_path, "bad.xml", document))
    assert code == 1
    assert err == ""
    lines = out.strip().splitlines()
    assert lines[0] == "invalid: AddMessage: 3 issues"
    issues = lines[1:]
    assert len(issues) == 3
    assert any(
        line.strip().startswith("/AddMessage/message/booking/startTime (line ")
        and "dateTime" in line
        and line.endswith("[xsd]")
        for line in issues
    ), issues
    assert any(
        line.strip().startswith("/AddMessage/subjectOfCareId (line 3): ")
        and line.endswith("[identity-number]")
        for line in issues
    ), issues
    assert any(line.endswith("[notify-requires-sourceSystem]") for line in issues), issues
    assert "191212121213" not in out
    assert "19121212****" in out


def test_validate_masks_malformed_identity_numbers(tmp_path: Path, capsys: Capture) -> None:
    document = rp.add_message_text("19121212121X")
    code, out, _ = run(capsys, "validate", write(tmp_path, "bad.xml", document))
    assert code == 1
    assert "19121212121X" not in out
    assert "[xsd]" in out


def test_validate_envelope(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "env.xml", envelope(rp.add_message_text()))
    code, out, _ = run(capsys, "validate", path)
    assert (code, out.strip()) == (0, "valid: AddMessage")


def test_validate_envelope_without_logical_address(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "env.xml", envelope(rp.add_message_text(), logical_address=None))
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert "/Envelope/Header" in out
    assert "LogicalAddress" in out


def test_validate_envelope_issue_has_readable_path(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "env.xml", envelope(rp.add_message_text(start_time="soon")))
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert "/AddMessage/message/booking/startTime (line " in out


def test_validate_wrong_root(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "other.xml", '<Letter xmlns="urn:example:letters"><to>x</to></Letter>')
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert "is not the request or response of any operation" in out


def test_validate_root_of_another_operation(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "req.xml", rp.add_message_text())
    code, out, _ = run(capsys, "validate", path, "--operation", "IsActiveUser")
    assert code == 1
    assert "invalid: IsActiveUser" in out
    assert "neither" in out


def test_validate_unknown_operation_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "req.xml", rp.add_message_text())
    code, out, err = run(capsys, "validate", path, "--operation", "SendLetter")
    assert code == 2
    assert out == ""
    assert_one_error_line(err, "unknown operation 'SendLetter'")


def test_validate_missing_file_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "missing.xml"))
    assert code == 2
    assert out == ""
    assert_one_error_line(err, "missing.xml", "No such file")


def test_validate_directory_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2
    assert_one_error_line(err)


def test_validate_malformed_xml_is_exit_1(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "broken.xml", f'<AddMessage xmlns="{RESPONDER}"><message></AddMessage>')
    code, out, err = run(capsys, "validate", path)
    assert code == 1
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("invalid: ")
    assert "malformed XML" in lines[0]
    assert "broken.xml" in lines[0]


def test_validate_empty_file_is_exit_1(tmp_path: Path, capsys: Capture) -> None:
    code, out, _ = run(capsys, "validate", write(tmp_path, "empty.xml", b""))
    assert code == 1
    assert "empty" in out


def test_validate_not_utf8_is_exit_1(tmp_path: Path, capsys: Capture) -> None:
    latin1 = rp.add_message_text().encode("latin-1")  # "Vårdcentralen" becomes a lone 0xE5 byte
    path = write(tmp_path, "latin1.xml", b'<?xml version="1.0" encoding="UTF-8"?>\n' + latin1)
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert len(out.strip().splitlines()) == 1
    assert "UTF-8" in out


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<IsActiveUser xmlns="urn:riv-application:infrastructure:eservicesupply:patientportal:\
IsActiveUserResponder:2">
  <subjectOfCareId>&lol9;</subjectOfCareId>
</IsActiveUser>
"""


def test_validate_billion_laughs_is_refused(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path, "lol.xml", BILLION_LAUGHS.encode("utf-8"))
    started = time.monotonic()
    code, out, _ = run(capsys, "validate", path)
    assert time.monotonic() - started < 10
    assert code == 1
    assert "DOCTYPE" in out
    assert "lollol" not in out
    assert len(out.strip().splitlines()) == 1


def test_validate_external_entity_is_refused(tmp_path: Path, capsys: Capture) -> None:
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE AddMessage [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<AddMessage xmlns="{RESPONDER}"><subjectOfCareId>&secret;</subjectOfCareId></AddMessage>
"""
    code, out, err = run(capsys, "validate", write(tmp_path, "xxe.xml", document.encode("utf-8")))
    assert code == 1
    assert "DOCTYPE" in out
    assert "root:" not in out + err


def test_strict_patterns_reject_anchored_pattern(tmp_path: Path, capsys: Capture) -> None:
    folder = rp.copy_bundled(tmp_path)
    rp.edit(
        folder,
        CORE_XSD,
        '<xs:pattern value="[0-9]{8}[0-9pPtTfF][0-9]{3}"/>',
        '<xs:pattern value="^[0-9]{8}[0-9pPtTfF][0-9]{3}$"/>',
    )
    document = write(tmp_path, "req.xml", rp.add_message_text())
    code, out, _ = run(capsys, "validate", document, "--package", str(folder))
    assert (code, out.strip()) == (0, "valid: AddMessage")
    code, out, _ = run(
        capsys, "validate", document, "--package", str(folder), "--strict-patterns"
    )
    assert code == 1
    assert "/AddMessage/subjectOfCareId (line 3)" in out
    assert "[xsd]" in out
    assert PERSONNUMMER not in out


# --------------------------------------------------------------------------- subprocess


def test_runs_as_a_real_process(tmp_path: Path) -> None:
    valid = write(tmp_path, "req.xml", rp.add_message_text())
    done = subprocess.run(
        [sys.executable, "-m", "inkorg_riv.cli", "validate", valid],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "valid: AddMessage"
    failed = subprocess.run(
        [sys.executable, "-m", "inkorg_riv.cli", "validate", str(tmp_path / "missing.xml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 2
    assert_one_error_line(failed.stderr, "missing.xml")
