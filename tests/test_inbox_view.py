"""The simulator's inbox web view and its DocBook renderer (inkorg_riv.simulator.inbox_view)."""

from __future__ import annotations

import datetime
import html
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from inkorg_riv import codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.contracts import bundled_package
from inkorg_riv.kallelse.dates import _EuropeStockholm, swedish_datetime
from inkorg_riv.kallelse.render import render_docbook
from inkorg_riv.simulator.inbox_view import handle_inbox_request
from inkorg_riv.simulator.producer import InboxProducer
from inkorg_riv.simulator.store import InboxStore, StoredAttachment, StoredBooking, StoredLink
from inkorg_riv.validation.docbook import MISMATCH

TOLVAN = "191212121212"
NO_ACCOUNT = "199001012385"
UNKNOWN = "200002291235"
UNIT = "SE2321000016-1234"
T0 = datetime.datetime(2026, 12, 14, 13, 0, tzinfo=datetime.UTC)  # 14:00 in Stockholm
BODY = (
    "<article><info><title>Provtagning</title></info>"
    "<para>Välkommen! Läs mer på "
    "<ulink url='https://www.1177.se' type='_blank'>1177</ulink>.</para>"
    "<section><title>Förberedelser</title><para>Fasta från midnatt.</para></section>"
    "<variablelist><title>Praktiskt</title><varlistentry><term>Plats</term>"
    "<listitem>Plan 2</listitem></varlistentry></variablelist>"
    "<bibliography>Källa: regionen</bibliography></article>"
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> InboxStore:
    inbox = InboxStore(clock=clock)
    inbox.add_citizen(TOLVAN, notification_methods=("SMS",))
    inbox.add_citizen(NO_ACCOUNT, has_account=False, paper_opt_out=True)
    return inbox


def get(store: InboxStore, path: str) -> tuple[int, dict[str, str], str]:
    answer = handle_inbox_request(store, "GET", path, {})
    assert answer is not None
    status, headers, body = answer
    return status, headers, body.decode("utf-8")


def tree(page: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(page)


def by_testid(doc: lxml_html.HtmlElement, name: str) -> list[lxml_html.HtmlElement]:
    return list(doc.xpath(f'//*[@data-testid="{name}"]'))


def add(store: InboxStore, **fields: object) -> str:
    values: dict[str, object] = {
        "unit_id": UNIT,
        "unit_name": "Vårdcentralen Tolvan",
        "body": BODY,
        "description": "Kallelse till provtagning",
        "thread_id": "thread-1",
        "message_type": "TimedInvitation",
    }
    values.update(fields)
    subject = str(values.pop("subject", TOLVAN))
    return store.add_message(subject, **values).key  # type: ignore[arg-type]  # test helper


# ---------------------------------------------------------------------------- routing


def test_other_paths_are_not_handled(store: InboxStore) -> None:
    assert handle_inbox_request(store, "GET", "/vp/x", {}) is None
    assert handle_inbox_request(store, "GET", "/inboxes", {}) is None
    assert handle_inbox_request(store, "GET", "/", {}) is None


@pytest.mark.parametrize(
    "path", ["/inbox", "/inbox/", f"/inbox/{UNKNOWN}", "/inbox/<script>", "/inbox/x/y/z/w"]
)
def test_unknown_inbox_is_404(store: InboxStore, path: str) -> None:
    status, headers, page = get(store, path)
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<script>" not in page
    assert UNKNOWN not in page
    assert by_testid(tree(page), "not-found")


def test_wrong_methods_are_405(store: InboxStore) -> None:
    key = add(store)
    answer = handle_inbox_request(store, "POST", f"/inbox/{TOLVAN}", {})
    assert answer is not None
    assert (answer[0], answer[1]["Allow"]) == (405, "GET, HEAD")
    answer = handle_inbox_request(store, "GET", f"/inbox/{TOLVAN}/read/{key}", {})
    assert answer is not None
    assert (answer[0], answer[1]["Allow"]) == (405, "POST")


# ---------------------------------------------------------------------------- page


def test_page_shows_the_message_as_the_citizen_sees_it(store: InboxStore) -> None:
    add(
        store,
        unit_contact=("Storgatan 1", "0771-11 22 33"),
        sso_links=(StoredLink(system_id="SYS", text="Fyll i hälsodeklaration", type="NewTarget"),),
        attachments=(
            StoredAttachment(file_name="karta.pdf", mime_type="application/pdf", size=2048),
        ),
    )
    status, headers, page = get(store, f"/inbox/{TOLVAN}?x=1")
    assert status == 200
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert page.startswith("<!DOCTYPE html>")
    doc = tree(page)
    assert doc.get("lang") == "sv"
    assert not doc.xpath("//script | //link | //img | //iframe")
    assert by_testid(doc, "citizen-id")[0].text == "19121212****"
    assert TOLVAN not in "".join(doc.xpath("//text()"))  # only URLs hold the whole number
    [heading] = by_testid(doc, "message-heading")
    assert heading.text_content().startswith("Kallelse till provtagning")
    assert by_testid(doc, "message-unit")[0].text == "Vårdcentralen Tolvan"
    assert by_testid(doc, "message-sent")[0].text == "måndag 14 december 2026 kl. 14:00"
    assert by_testid(doc, "message-type")[0].text == "Kallelse"
    assert by_testid(doc, "read-badge")[0].text == "Oläst"
    body = by_testid(doc, "message-body")[0]
    assert body.xpath(".//h3")[0].text == "Provtagning"
    assert body.xpath(".//section/h4")[0].text == "Förberedelser"
    [link] = body.xpath(".//a")
    assert (link.get("href"), link.get("target"), link.get("rel")) == (
        "https://www.1177.se",
        "_blank",
        "noopener noreferrer",
    )
    assert body.xpath('.//*[@class="db-term"]')[0].text == "Plats"
    assert not by_testid(doc, "docbook-mismatch")
    assert [a.text for a in by_testid(doc, "sso-links")[0].xpath(".//a")] == [
        "Fyll i hälsodeklaration"
    ]
    assert by_testid(doc, "attachment")[0].text_content() == "karta.pdf (application/pdf, 2 kB)"
    assert by_testid(doc, "unit-contact")[0].text == "Kontakt: Storgatan 1, 0771-11 22 33"
    assert "Avisering: SMS" in by_testid(doc, "account-status")[0].text_content()


def test_everything_is_escaped(store: InboxStore) -> None:
    add(
        store,
        description='<script>alert("rubrik")</script>',
        unit_name='Enhet "<b>fet</b>"',
        thread_id='t"><script>',
        body="<article><para>&lt;script&gt;alert(1)&lt;/script&gt; &amp; mer</para>"
        "<script>alert(2)</script></article>",
    )
    _, _, page = get(store, f"/inbox/{TOLVAN}")
    doc = tree(page)
    assert not doc.xpath("//script | //b")
    assert by_testid(doc, "message-heading")[0].text == '<script>alert("rubrik")</script>'
    assert by_testid(doc, "message-unit")[0].text == 'Enhet "<b>fet</b>"'
    assert by_testid(doc, "thread")[0].get("data-thread-id") == 't"><script>'
    para = by_testid(doc, "message-body")[0].xpath(".//p")[0]
    assert para.text == "<script>alert(1)</script> & mer"
    assert [m.text for m in by_testid(doc, "docbook-mismatch")] == [MISMATCH]
    assert "alert(2)" not in page


def test_threads_newest_first_and_messages_newest_first(store: InboxStore, clock: Clock) -> None:
    add(store, thread_id="old", description="Första", message_id="a")
    clock.now += datetime.timedelta(hours=1)
    add(store, thread_id="new", description="Annan tråd")
    clock.now += datetime.timedelta(hours=1)
    add(store, thread_id="old", description="Påminnelse", message_id="b", message_type="Reminder")
    doc = tree(get(store, f"/inbox/{TOLVAN}")[2])
    threads = by_testid(doc, "thread")
    assert [t.get("data-thread-id") for t in threads] == ["old", "new"]
    headings = [h.text for h in threads[0].xpath('.//*[@data-testid="message-heading"]')]
    assert headings == ["Påminnelse", "Första"]
    assert by_testid(doc, "counts")[0].text == "3 meddelanden, 3 olästa"


def test_queued_citizen_without_account_and_unknown_with_messages(store: InboxStore) -> None:
    add(store, subject=NO_ACCOUNT)
    doc = tree(get(store, f"/inbox/{NO_ACCOUNT}")[2])
    status_text = by_testid(doc, "account-status")[0].text_content()
    assert "Inget konto" in status_text
    assert "avböjt brev på papper" in status_text
    assert (
        by_testid(doc, "queued")[0].text == "Sparas utan konto till söndag 14 mars 2027 kl. 14:00."
    )
    # A number the store does not know, but with queued messages, has an inbox page.
    add(store, subject=UNKNOWN)
    assert get(store, f"/inbox/{UNKNOWN}")[0] == 200
    # An empty inbox of a known citizen is a page too.
    empty_store = InboxStore()
    empty_store.add_citizen(TOLVAN)
    doc = tree(get(empty_store, f"/inbox/{TOLVAN}")[2])
    assert by_testid(doc, "empty")


@pytest.mark.parametrize(
    ("booking", "buttons"),
    [
        (StoredBooking(booking_id="b", is_invitation=True), []),
        (
            StoredBooking(booking_id="b", is_invitation=True, is_open_invitation=True),
            ["booking-new"],
        ),
        (
            StoredBooking(booking_id="b", is_invitation=True, new_booking_allowed=True),
            ["booking-new"],
        ),
        (
            StoredBooking(
                booking_id="b",
                is_invitation=True,
                rebooking_allowed=True,
                cancel_booking_allowed=True,
                time_type_id="TT",
            ),
            ["booking-rebook", "booking-cancel"],
        ),
    ],
)
def test_booking_buttons_follow_the_flags(
    store: InboxStore, booking: StoredBooking, buttons: list[str]
) -> None:
    add(store, booking=booking)
    doc = tree(get(store, f"/inbox/{TOLVAN}")[2])
    shown = [b.get("data-testid") for b in by_testid(doc, "booking")[0].xpath(".//button")]
    assert shown == buttons
    labels = {"booking-new": "Boka ny tid", "booking-rebook": "Boka om", "booking-cancel": "Avboka"}
    for button in by_testid(doc, "booking")[0].xpath(".//button"):
        assert button.text == labels[button.get("data-testid")]
        assert button.get("disabled") is not None


def test_booking_time_is_swedish(store: InboxStore) -> None:
    start = datetime.datetime(2027, 6, 3, 7, 15, tzinfo=datetime.UTC)
    add(store, booking=StoredBooking(booking_id="b", is_invitation=True, start_time=start))
    doc = tree(get(store, f"/inbox/{TOLVAN}")[2])
    assert by_testid(doc, "booking-time")[0].text == "Tid: torsdag 3 juni 2027 kl. 09:15"


# ---------------------------------------------------------------------------- mark as read


def test_mark_read_flow_reaches_get_message_thread_status(store: InboxStore, clock: Clock) -> None:
    key = add(store, message_id="m-1")
    doc = tree(get(store, f"/inbox/{TOLVAN}")[2])
    [form] = by_testid(doc, "mark-read-form")
    assert (form.get("method"), form.get("action")) == ("post", f"/inbox/{TOLVAN}/read/{key}")
    assert by_testid(doc, "mark-read")[0].text == "Markera som läst"

    clock.now = T0 + datetime.timedelta(minutes=42)
    answer = handle_inbox_request(store, "POST", str(form.get("action")), {})
    assert answer is not None
    status, headers, body = answer
    assert (status, headers["Location"], body) == (303, f"/inbox/{TOLVAN}#m-{key}", b"")

    doc = tree(get(store, f"/inbox/{TOLVAN}")[2])
    assert not by_testid(doc, "mark-read-form")
    assert by_testid(doc, "read-badge")[0].text == "Läst måndag 14 december 2026 kl. 14:42"
    assert by_testid(doc, "message")[0].get("data-read") == "true"

    operation = bundled_package().operation("GetMessageThreadStatus")
    request = codec.encode(
        pp.GetMessageThreadStatusType(subject_of_care_id=TOLVAN, message_thread_id="thread-1")
    )
    response = codec.decode(
        InboxProducer(store).handle(operation, request), pp.GetMessageThreadStatusResponseType
    )
    [message] = response.message
    assert (message.message_id, message.read_status) == ("m-1", pp.ReadStatusType.READ)
    assert message.read_time == clock.now


def test_mark_read_of_unknown_key_or_other_citizen_is_404(store: InboxStore) -> None:
    key = add(store)
    for path in (f"/inbox/{TOLVAN}/read/nope", f"/inbox/{NO_ACCOUNT}/read/{key}"):
        answer = handle_inbox_request(store, "POST", path, {})
        assert answer is not None
        assert answer[0] == 404
    assert not store.messages(TOLVAN)[0].is_read


# ---------------------------------------------------------------------------- DocBook


def body_of(text: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(render_docbook(text))


@pytest.mark.parametrize(
    "text",
    [
        "<article><table><tr/></table></article>",  # not in the subset
        "<article><para><emphasis>x</emphasis></para></article>",  # not allowed in para
        "<article><section><section/></section></article>",  # nested section
        "<article><title>t</title></article>",  # title belongs in info
        "<article><x:para xmlns:x='urn:other'>p</x:para></article>",  # foreign namespace
    ],
)
def test_elements_outside_the_subset_show_the_mismatch_text(text: str) -> None:
    fragment = body_of(text)
    marks = fragment.xpath('.//*[@data-testid="docbook-mismatch"]')
    assert [m.text for m in marks] == [MISMATCH]


def test_a_mismatched_element_hides_its_content_but_not_its_tail() -> None:
    fragment = body_of(
        "<article><para>a<emphasis>hidden</emphasis>b</para><foo>gömd</foo></article>"
    )
    assert fragment.text_content() == f"a{MISMATCH}b{MISMATCH}"


@pytest.mark.parametrize(
    "text", ["Bara text", "<para>inte article</para>", "<article><para>trasig", ""]
)
def test_unusable_bodies_show_only_the_mismatch_text(text: str) -> None:
    assert body_of(text).text_content() == MISMATCH


def test_docbook_namespace_and_tails_and_comments() -> None:
    fragment = body_of(
        "<article xmlns='http://docbook.org/ns/docbook'><para>före <!-- c -->mitt "
        "<ulink url='https://a.se/?a=1&amp;b=2'>länk</ulink> efter<bold>x</bold>slut"
        "</para></article>"
    )
    para = fragment.xpath(".//p")[0]
    assert para.text_content() == f"före mitt länk efter{MISMATCH}slut"
    link = para.xpath(".//a")[0]
    assert (link.get("href"), link.get("target")) == ("https://a.se/?a=1&b=2", "_self")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:x", "data:text/html,x", "x"],
)
def test_unsafe_link_urls_are_not_links(url: str) -> None:
    text = f"<article><para><ulink url='{html.escape(url)}'>klicka</ulink></para></article>"
    fragment = body_of(text)
    assert not fragment.xpath(".//a")
    assert fragment.xpath('.//*[@data-testid="docbook-unsafe-link"]')[0].text == "klicka"


def test_doctype_bodies_are_refused() -> None:
    text = '<!DOCTYPE a [<!ENTITY e "boom">]><article><para>&e;</para></article>'
    assert body_of(text).text_content() == MISMATCH


# ---------------------------------------------------------------------------- Swedish time


@pytest.mark.parametrize(
    ("utc", "text"),
    [
        (T0, "måndag 14 december 2026 kl. 14:00"),
        (datetime.datetime(2026, 7, 1, 10, 5, tzinfo=datetime.UTC), "onsdag 1 juli 2026 kl. 12:05"),
        (
            datetime.datetime(2027, 3, 28, 0, 59, tzinfo=datetime.UTC),
            "söndag 28 mars 2027 kl. 01:59",
        ),
        (
            datetime.datetime(2027, 3, 28, 1, 0, tzinfo=datetime.UTC),
            "söndag 28 mars 2027 kl. 03:00",
        ),
        (
            datetime.datetime(2026, 1, 3, 23, 30, tzinfo=datetime.UTC),
            "söndag 4 januari 2026 kl. 00:30",
        ),
    ],
)
def test_swedish_datetime(utc: datetime.datetime, text: str) -> None:
    assert swedish_datetime(utc) == text


def test_fallback_rule_matches_the_tz_database() -> None:
    fallback, real = _EuropeStockholm(), ZoneInfo("Europe/Stockholm")
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for hour in range(0, 4 * 366 * 24, 1):
        moment = start + datetime.timedelta(hours=hour, minutes=30)
        mine, theirs = moment.astimezone(fallback), moment.astimezone(real)
        assert mine.replace(tzinfo=None) == theirs.replace(tzinfo=None), moment
    assert fallback.tzname(datetime.datetime(2026, 7, 1, 12)) == "CEST"
    assert fallback.tzname(datetime.datetime(2026, 1, 1, 12)) == "CET"


# ---------------------------------------------------------------------------- garbage in


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "DELETE", "get"]),
    tail=st.text(max_size=60),
)
def test_any_inbox_path_gets_an_answer(store: InboxStore, method: str, tail: str) -> None:
    answer = handle_inbox_request(store, method, "/inbox/" + tail, {"x": tail})
    assert answer is not None
    status, headers, body = answer
    assert status in (200, 303, 404, 405)
    assert b"<script" not in body
    assert headers


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.text(alphabet="ab<>&'\" /=:", max_size=8),
        lambda inner: st.builds(
            lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
            st.sampled_from(
                [
                    "article",
                    "para",
                    "section",
                    "info",
                    "title",
                    "ulink",
                    "script",
                    "variablelist",
                    "varlistentry",
                    "term",
                    "listitem",
                    "bibliography",
                    "img",
                ]
            ),
            st.lists(inner, max_size=3),
        ),
        max_leaves=12,
    )
)
def test_render_docbook_never_fails_and_never_emits_markup_from_the_body(text: str) -> None:
    rendered = render_docbook(text)
    assert rendered.startswith('<div class="docbook"')
    assert "<script" not in rendered
    assert "<img" not in rendered
