"""``inkorg-riv preview FILE`` (inkorg_riv.cli._preview)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from inkorg_riv import cli, codec
from inkorg_riv._ns import SOAP11_ENV
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.cli import _preview
from inkorg_riv.kallelse import Body, Para, Section

TOLVAN = "191212121212"
GOOD = Body(title="Provtagning", blocks=[Section("Före", [Para("Fasta från midnatt.")])])


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``main`` with the preview command registered (until the lead lists it)."""
    if _preview.register not in cli.REGISTRARS:
        registrars = (*cli.REGISTRARS, _preview.register)
        build = cli.build_parser
        monkeypatch.setattr(cli, "build_parser", lambda: build(registrars))


def add_message(text: str) -> etree._Element:
    return codec.encode(
        pp.AddMessageType(
            subject_of_care_id=TOLVAN,
            message=pp.MessageType(
                organisation_unit=pp.OrganisationUnitType(
                    unit_id="SE2321000016-1234", unit_name="Vårdcentralen Tolvan"
                ),
                message_description="Kallelse till provtagning",
                message_text=text,
                booking=pp.BookingType(booking_id="b", is_invitation=True, rebooking_allowed=True),
            ),
        )
    )


def write(path: Path, element: etree._Element) -> Path:
    path.write_bytes(etree.tostring(element, xml_declaration=True, encoding="utf-8"))
    return path


def envelope(payload: etree._Element | None) -> etree._Element:
    env = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
    etree.SubElement(env, f"{{{SOAP11_ENV}}}Header")
    body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
    if payload is not None:
        body.append(payload)
    return env


def test_bare_request_writes_the_page_next_to_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "kallelse.xml", add_message(GOOD.to_docbook()))
    assert cli.main(["preview", str(source)]) == 0
    out, err = capsys.readouterr()
    page = tmp_path / "kallelse.html"
    assert out.strip() == str(page)
    assert err == ""
    doc = lxml_html.document_fromstring(page.read_text(encoding="utf-8"))
    assert doc.xpath("//*[@data-testid='message-heading']")[0].text == "Kallelse till provtagning"
    assert doc.xpath("//*[@data-testid='message-body']//h4")[0].text == "Före"
    assert [b.text for b in doc.xpath("//button")] == ["Boka om"]
    assert TOLVAN not in page.read_text(encoding="utf-8")


def test_soap_envelope_and_out_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "request.xml", envelope(add_message(GOOD.to_docbook())))
    target = tmp_path / "ut" / "förhandsvisning.html"
    target.parent.mkdir()
    assert cli.main(["preview", str(source), "--out", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert "Fasta från midnatt." in target.read_text(encoding="utf-8")


def test_body_issues_are_warnings_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "<article><para>a<emphasis>b</emphasis></para><foo/></article>"
    source = write(tmp_path / "bad.xml", add_message(text))
    assert cli.main(["preview", str(source)]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == str(tmp_path / "bad.html")
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"inkorg-riv: warning: {source}: messageText /article/para/emphasis")
    assert "/article/foo" in lines[1]
    page = (tmp_path / "bad.html").read_text(encoding="utf-8")
    assert "##### Mismatched Element in Source #####" in page
    assert 'data-testid="body-issues"' in page


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"<AddMessage>", "malformed XML"),
        (b"<IsActiveUser/>", "not an AddMessage request"),
        (etree.tostring(envelope(None)), "no Body content"),
        (
            etree.tostring(codec.encode(pp.IsActiveUserType(subject_of_care_id=TOLVAN))),
            "not an AddMessage request",
        ),
        (
            etree.tostring(
                etree.Element(_preview._ADD_MESSAGE)  # AddMessage without children
            ),
            "subjectOfCareId",
        ),
    ],
)
def test_unreadable_input_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, says: str
) -> None:
    source = tmp_path / "in.xml"
    source.write_bytes(content)
    assert cli.main(["preview", str(source)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("inkorg-riv: error: ")
    assert says in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "in.html").exists()


def test_missing_file_and_overwriting_the_input_are_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["preview", str(tmp_path / "nope.xml")]) == 2
    assert "nope.xml" in capsys.readouterr().err
    source = write(tmp_path / "page.html", add_message(GOOD.to_docbook()))
    before = source.read_bytes()
    assert cli.main(["preview", str(source)]) == 2
    assert "overwrite" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["preview", "--help"]) == 0
    assert "exit status:" in capsys.readouterr().out
