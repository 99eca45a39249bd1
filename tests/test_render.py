"""The renderer, the preview page and Swedish dates (inkorg_riv.kallelse.render and .dates)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.kallelse import (
    MISMATCH,
    Body,
    Link,
    Para,
    check_body,
    preview_html,
    render_docbook,
    swedish_date,
    swedish_datetime,
    swedish_time,
)
from inkorg_riv.kallelse.dates import _EuropeStockholm
from inkorg_riv.simulator import inbox_view

TOLVAN = "191212121212"
BODY = Body(
    title="Provtagning",
    blocks=[Para("Välkommen! Läs mer på ", Link("1177", "https://www.1177.se"), ".")],
).to_docbook()


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)


def fragment(text: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(render_docbook(text))


def by_testid(doc: lxml_html.HtmlElement, name: str) -> list[lxml_html.HtmlElement]:
    return list(doc.xpath(f'.//*[@data-testid="{name}"]'))


# ---------------------------------------------------------------------------- the body


def test_every_element_becomes_its_html() -> None:
    html = render_docbook(
        "<article><info><title>Rubrik</title></info><para>a <ulink url='https://a.se' "
        "type='_blank'>länk</ulink> b</para><section><info><title>Del</title></info>"
        "<para>p</para><variablelist><title>Lista</title><varlistentry><term>T</term>"
        "<listitem>L</listitem></varlistentry></variablelist><bibliography>Källa</bibliography>"
        "</section><section><title>Två</title><para>q</para></section></article>"
    )
    assert html == (
        '<div class="docbook" data-testid="docbook"><div class="db-article">'
        '<h3 class="db-title">Rubrik</h3><p>a <a class="db-link" href="https://a.se" '
        'target="_blank" rel="noopener noreferrer">länk</a> b</p><section class="db-section">'
        '<h4 class="db-title">Del</h4><p>p</p><div class="db-variablelist">'
        '<p class="db-title">Lista</p><div class="db-entry"><div class="db-term">T</div>'
        '<div class="db-listitem">L</div></div></div><p class="db-bibliography">Källa</p>'
        '</section><section class="db-section"><h4 class="db-title">Två</h4><p>q</p></section>'
        "</div></div>"
    )


def test_link_target_defaults_to_self_and_url_is_escaped() -> None:
    link = fragment(
        "<article><para><ulink url='https://a.se/?a=1&amp;b=\"2\"'>x</ulink></para></article>"
    ).xpath(".//a")[0]
    assert (link.get("href"), link.get("target")) == ('https://a.se/?a=1&b="2"', "_self")


def test_an_empty_link_shows_its_url() -> None:
    doc = fragment("<article><para><ulink url='tel:+46771'/></para></article>")
    assert doc.xpath(".//a")[0].text == "tel:+46771"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://a.se/a b", "data:x", ""])
def test_unusable_urls_are_plain_text(url: str) -> None:
    doc = fragment(f"<article><para><ulink url='{url}'>klicka</ulink></para></article>")
    assert not doc.xpath(".//a")
    assert by_testid(doc, "docbook-unsafe-link")[0].text == "klicka"


def test_carriage_returns_survive_the_html_parser() -> None:
    body = Body(blocks=[Para("a\rb\r\nc")]).to_docbook()
    assert "&#13;" in render_docbook(body)
    assert fragment(body).text_content() == "a\rb\r\nc"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<article><para>a<emphasis>gömd</emphasis>b</para></article>", f"a{MISMATCH}b"),
        ("<article><table><tr/></table><para>x</para></article>", f"{MISMATCH}x"),
        ("<article><section><section/></section></article>", MISMATCH),
        ("<article><title>t</title></article>", MISMATCH),
        ("Bara text", MISMATCH),
        ("<para>x</para>", MISMATCH),
        ("", MISMATCH),
    ],
)
def test_what_the_checker_refuses_shows_the_mismatch_text(text: str, shown: str) -> None:
    assert fragment(text).text_content() == shown
    assert check_body(text)


# Random trees over the subset plus a few elements outside it, with odd attributes and text.
_TAGS = [
    "article", "info", "title", "para", "section", "bibliography", "variablelist",
    "varlistentry", "term", "listitem", "ulink", "emphasis", "script",
]  # fmt: skip
_ATTRS = ["", " url='https://a.se'", " url='javascript:x'", " type='_blank'", " role='x'"]
trees = st.recursive(
    st.text(alphabet="ab <>&'\"", max_size=5).map(
        lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
    ),
    lambda inner: st.builds(
        lambda tag, attr, kids: f"<{tag}{attr}>{''.join(kids)}</{tag}>",
        st.sampled_from(_TAGS),
        st.sampled_from(_ATTRS),
        st.lists(inner, max_size=3),
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(trees)
def test_checker_and_renderer_agree(text: str) -> None:
    """A body the checker passes never shows the mismatch text, and never a dead link."""
    rendered = render_docbook(text)
    assert "<script" not in rendered
    if not check_body(text):
        assert MISMATCH not in rendered
        assert "docbook-unsafe-link" not in rendered
    if MISMATCH in rendered:
        assert check_body(text)


def test_the_inbox_view_uses_this_renderer() -> None:
    names = vars(inbox_view)
    assert names["render_docbook"] is render_docbook
    assert names["swedish_datetime"] is swedish_datetime


# ---------------------------------------------------------------------------- the preview


def request(**message: object) -> pp.AddMessageType:
    fields: dict[str, object] = {
        "organisation_unit": pp.OrganisationUnitType(
            unit_id="SE2321000016-1234",
            unit_name="Vårdcentralen Tolvan",
            unit_address="Storgatan 1",
            unit_postal_code="123 45",
            unit_postal_city="Lund",
            unit_telephone="0771-11 22 33",
        ),
        "message_type": pp.MessageTypeType.TIMED_INVITATION,
        "message_description": "Kallelse till provtagning",
        "message_text": BODY,
    }
    fields.update(message)
    return pp.AddMessageType(
        subject_of_care_id=TOLVAN,
        message=pp.MessageType(**fields),  # type: ignore[arg-type]  # test helper
    )


def booking(**flags: object) -> pp.BookingType:
    return pp.BookingType(booking_id="b1", is_invitation=True, **flags)  # type: ignore[arg-type]


def test_preview_shows_the_message_as_the_citizen_sees_it() -> None:
    page = preview_html(
        request(
            booking=booking(
                start_time=utc(2026, 12, 14, 13, 0),
                rebooking_allowed=True,
                cancel_booking_allowed=True,
            ),
            sso_link=(
                pp.SSOLinkType(
                    system_id="SYS", text="Fyll i formulär", type=pp.SSOLinkTargetType("NewTarget")
                ),
            ),
            attachment=(
                pp.AttachmentType(file_name="karta.pdf", mime_type="application/pdf", content=b"x"),
            ),
        )
    )
    assert page.startswith("<!DOCTYPE html>")
    doc = lxml_html.document_fromstring(page)
    assert doc.get("lang") == "sv"
    assert not doc.xpath("//script")
    assert len(doc.xpath("//style")) == 1
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']")[0].get("content")
    assert "default-src 'none'" in csp
    assert by_testid(doc, "message-type")[0].text == "Kallelse"
    assert by_testid(doc, "message-heading")[0].text == "Kallelse till provtagning"
    assert by_testid(doc, "message-unit")[0].text == "Vårdcentralen Tolvan"
    assert by_testid(doc, "recipient")[0].text == "Till 19121212****"
    assert TOLVAN not in page
    body = by_testid(doc, "message-body")[0]
    assert body.xpath(".//h3")[0].text == "Provtagning"
    assert body.xpath(".//a")[0].get("href") == "https://www.1177.se"
    assert by_testid(doc, "booking-time")[0].text == "Tid: måndag 14 december 2026 kl. 14:00"
    buttons = [b.text for b in by_testid(doc, "booking")[0].xpath(".//button")]
    assert buttons == ["Boka om", "Avboka"]
    assert all(b.get("disabled") is not None for b in doc.xpath("//button"))
    assert [a.text for a in by_testid(doc, "sso-links")[0].xpath(".//a")] == ["Fyll i formulär"]
    assert by_testid(doc, "attachment")[0].text_content() == "karta.pdf (application/pdf, 1 byte)"
    contact = by_testid(doc, "unit-contact")[0].text
    assert contact == "Kontakt: Storgatan 1, 123 45 Lund, 0771-11 22 33"
    assert not by_testid(doc, "body-issues")
    assert not by_testid(doc, "docbook-mismatch")


@pytest.mark.parametrize(
    ("flags", "buttons"),
    [
        ({"is_open_invitation": True}, ["Boka ny tid"]),
        ({"new_booking_allowed": True, "rebooking_allowed": False}, ["Boka ny tid"]),
        ({"rebooking_allowed": True}, ["Boka om"]),
        ({"cancel_booking_allowed": True}, ["Avboka"]),
        (
            {
                "new_booking_allowed": True,
                "rebooking_allowed": True,
                "cancel_booking_allowed": True,
            },
            ["Boka ny tid", "Boka om", "Avboka"],
        ),
        ({}, []),
    ],
)
def test_booking_buttons_follow_the_flags(flags: dict[str, object], buttons: list[str]) -> None:
    doc = lxml_html.document_fromstring(preview_html(request(booking=booking(**flags))))
    assert [b.text for b in doc.xpath("//div[@data-testid='booking']//button")] == buttons
    assert not by_testid(doc, "booking-time")


def test_a_booked_time_without_offset_is_swedish_time() -> None:
    start = datetime.datetime(2026, 7, 1, 9, 30)  # as decoded from an xs:dateTime without offset
    doc = lxml_html.document_fromstring(preview_html(request(booking=booking(start_time=start))))
    assert by_testid(doc, "booking-time")[0].text == "Tid: onsdag 1 juli 2026 kl. 09:30"


def test_preview_escapes_everything_and_lists_body_issues() -> None:
    page = preview_html(
        request(
            message_description='<script>alert("x")</script>',
            message_type=None,
            message_text="<article><para>a<b>fet</b></para></article>",
            organisation_unit=pp.OrganisationUnitType(unit_id="SE1", unit_name="<i>enhet</i>"),
        )
    )
    doc = lxml_html.document_fromstring(page)
    assert not doc.xpath("//script | //i | //b")
    assert by_testid(doc, "message-heading")[0].text == '<script>alert("x")</script>'
    assert by_testid(doc, "message-unit")[0].text == "<i>enhet</i>"
    assert not by_testid(doc, "message-type")
    issues = by_testid(doc, "body-issues")[0].xpath(".//li")
    assert [li.text.split(":")[0] for li in issues] == ["/article/para/b (line 1)"]
    assert [m.text for m in by_testid(doc, "docbook-mismatch")] == [MISMATCH]
    assert not by_testid(doc, "unit-contact")
    quiet = lxml_html.document_fromstring(
        preview_html(request(message_text="x"), show_issues=False)
    )
    assert not by_testid(quiet, "body-issues")


def test_preview_without_heading() -> None:
    doc = lxml_html.document_fromstring(preview_html(request(message_description=None)))
    assert by_testid(doc, "message-heading")[0].text == "(utan rubrik)"


# ---------------------------------------------------------------------------- Swedish dates


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        # winter time, UTC+1
        (utc(2026, 12, 14, 13, 0), "måndag 14 december 2026 kl. 14:00"),
        (utc(2026, 1, 3, 23, 30), "söndag 4 januari 2026 kl. 00:30"),
        # summer time, UTC+2
        (utc(2026, 7, 1, 10, 5), "onsdag 1 juli 2026 kl. 12:05"),
        (utc(2026, 9, 24, 12, 0), "torsdag 24 september 2026 kl. 14:00"),
        # the switches
        (utc(2027, 3, 28, 0, 59), "söndag 28 mars 2027 kl. 01:59"),
        (utc(2027, 3, 28, 1, 0), "söndag 28 mars 2027 kl. 03:00"),
        (utc(2026, 10, 25, 0, 59), "söndag 25 oktober 2026 kl. 02:59"),
        (utc(2026, 10, 25, 1, 0), "söndag 25 oktober 2026 kl. 02:00"),
        # other offsets and naive (Swedish wall-clock) values
        (
            datetime.datetime(2026, 5, 1, 8, 0, tzinfo=ZoneInfo("America/New_York")),
            "fredag 1 maj 2026 kl. 14:00",
        ),
        (datetime.datetime(2026, 2, 3, 8, 5), "tisdag 3 februari 2026 kl. 08:05"),
    ],
)  # fmt: skip
def test_swedish_datetime(moment: datetime.datetime, text: str) -> None:
    assert swedish_datetime(moment) == text


def test_weekday_and_month_names() -> None:
    monday = datetime.date(2026, 9, 21)
    names = [swedish_date(monday + datetime.timedelta(days=i)).split()[0] for i in range(7)]
    assert names == ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
    months = [swedish_date(datetime.date(2026, m, 1)).split()[2] for m in range(1, 13)]
    assert months == [
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ]  # fmt: skip


def test_swedish_date_and_time() -> None:
    assert swedish_date(datetime.date(2026, 9, 24)) == "torsdag 24 september 2026"
    late = utc(2026, 9, 24, 22, 30)  # past midnight in Sweden
    assert swedish_date(late) == "fredag 25 september 2026"
    assert swedish_time(late) == "00:30"
    assert swedish_time(datetime.time(7, 5)) == "07:05"


def test_fallback_rule_matches_the_tz_database() -> None:
    fallback, real = _EuropeStockholm(), ZoneInfo("Europe/Stockholm")
    start = utc(2025, 1, 1, 0, 0)
    for hour in range(0, 3 * 366 * 24, 3):
        moment = start + datetime.timedelta(hours=hour, minutes=30)
        assert swedish_datetime(moment.astimezone(fallback)) == swedish_datetime(
            moment.astimezone(real)
        )
