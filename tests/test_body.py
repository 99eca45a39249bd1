"""The DocBook body builder and checker (inkorg_riv.kallelse.body, inkorg_riv.validation.docbook).

Includes the Hypothesis property of issue 6: any XML-1.0-safe text in any builder slot comes out
as a body that passes the checker, passes the XSD inside an AddMessage, and renders without loss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from inkorg_riv import codec
from inkorg_riv._xmlparse import parse_bytes
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.errors import LocalError
from inkorg_riv.kallelse import (
    BODY_RULE,
    MISMATCH,
    Bibliography,
    Body,
    BodyError,
    Link,
    Para,
    Section,
    VariableList,
    assert_body_ok,
    check_body,
    render_docbook,
)
from inkorg_riv.validation import DEFAULT_RULES, Validator, validate

TOLVAN = "191212121212"
UNIT = "SE2321000016-1234"


def request_with(text: str) -> pp.AddMessageType:
    return pp.AddMessageType(
        subject_of_care_id=TOLVAN,
        message=pp.MessageType(
            organisation_unit=pp.OrganisationUnitType(unit_id=UNIT, unit_name="Vårdcentralen"),
            message_description="Kallelse",
            message_text=text,
        ),
    )


def refused(make: Callable[[], object]) -> BodyError:
    with pytest.raises(BodyError) as caught:
        make()
    return caught.value


# ---------------------------------------------------------------------------- the builder


def test_every_element_of_the_subset() -> None:
    body = Body(
        title="Kallelse",
        blocks=[
            Para(
                "Se ",
                Link("1177", "https://www.1177.se", "_self"),
                " och ",
                Link("oss", "tel:+4646"),
            ),
            Section("Före besöket", [Para("Fasta."), VariableList([("Plats", "Plan 2")])]),
            VariableList([("Tid", "14:00"), ("Ta med", "Legitimation")], title="Praktiskt"),
            Bibliography("Källa: regionen"),
        ],
    )
    assert body.to_docbook() == (
        "<article><info><title>Kallelse</title></info>"
        '<para>Se <ulink url="https://www.1177.se" type="_self">1177</ulink> och '
        '<ulink url="tel:+4646" type="_blank">oss</ulink></para>'
        "<section><title>Före besöket</title><para>Fasta.</para><variablelist><varlistentry>"
        "<term>Plats</term><listitem>Plan 2</listitem></varlistentry></variablelist></section>"
        "<variablelist><title>Praktiskt</title>"
        "<varlistentry><term>Tid</term><listitem>14:00</listitem></varlistentry>"
        "<varlistentry><term>Ta med</term><listitem>Legitimation</listitem></varlistentry>"
        "</variablelist><bibliography>Källa: regionen</bibliography></article>"
    )
    assert check_body(body.to_docbook()) == []


def test_minimal_body_and_untitled_section() -> None:
    assert Body(blocks=[Para("Hej")]).to_docbook() == "<article><para>Hej</para></article>"
    section = Section(None, [Bibliography("b")])
    assert Body(blocks=[section]).to_docbook() == (
        "<article><section><bibliography>b</bibliography></section></article>"
    )


def test_para_with_only_a_link_and_adjacent_texts() -> None:
    para = Para(Link("länk", "mailto:a@b.se"), "x", "y", Link("två", "http://a.se"), "z")
    text = Body(blocks=[para]).to_docbook()
    root = parse_bytes(text.encode())
    ulinks = root.findall("para/ulink")
    assert [(u.text, u.tail) for u in ulinks] == [("länk", "xy"), ("två", "z")]
    assert root.find("para").text is None  # type: ignore[union-attr]  # found above


@pytest.mark.parametrize(
    "text",
    [
        "a < b & c > d",
        "citat \"x\" och 'y'",
        "]]>",
        "<![CDATA[x]]>",
        "&amp; &#10; &lt;",
        "åäö ÅÄÖ é ü",
        "rad\r\nrad\rrad\tx",
    ],
)
def test_text_is_escaped_and_comes_back_exactly(text: str) -> None:
    body = Body(
        title=text,
        blocks=[
            Para(text, Link(text, "https://a.se/?q=1&r=2")),
            VariableList([(text, text)], title=text),
            Bibliography(text),
            Section(text, [Para(text)]),
        ],
    )
    xml = body.to_docbook()
    assert "<![CDATA[" not in xml
    root = parse_bytes(xml.encode())
    texts = [t for t in root.itertext() if t]
    assert texts.count(text) == 9  # every slot; the section's title and para included
    assert [e.text for e in root.iter("title", "term", "listitem", "bibliography", "ulink")] == [
        text
    ] * 7
    assert root.find("para/ulink").get("url") == "https://a.se/?q=1&r=2"  # type: ignore[union-attr]
    assert check_body(xml) == []


def test_objects_are_immutable_and_sequences_become_tuples() -> None:
    entries = [("a", "b")]
    vlist = VariableList(entries)
    entries.append(("c", "d"))
    assert vlist.entries == (("a", "b"),)
    body = Body(blocks=[Para("x")])
    assert isinstance(body.blocks, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        body.title = "x"  # type: ignore[misc]  # the point of the test
    assert Para("a", Link("b", "https://a.se")) == Para("a", Link("b", "https://a.se"))
    assert hash(Body(blocks=[Para("x")])) == hash(body)


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("make", "where", "says"),
    [
        (lambda: Body(blocks=[]), "Body.blocks", "empty"),
        (lambda: Body(blocks=[], title="Bara rubrik"), "Body.blocks", "empty"),
        (lambda: Body(title=" ", blocks=[Para("x")]), "Body.title", "whitespace"),
        (lambda: Body(blocks=["text"]), "Body.blocks[0]", "got str"),  # type: ignore[list-item]
        (lambda: Body(blocks="text"), "Body.blocks", "sequence"),  # type: ignore[arg-type]
        (Para, "Para.parts", "needs some text"),
        (lambda: Para("  ", "\n"), "Para.parts", "needs some text"),
        (lambda: Para("ok", 3), "Para.parts[1]", "got int"),  # type: ignore[arg-type]
        (lambda: Para("a\x00b"), "Para.parts[0]", "U+0000 at position 1"),
        (lambda: Para("\x1b"), "Para.parts[0]", "U+001B"),
        (lambda: Para("\ufffe"), "Para.parts[0]", "U+FFFE"),
        (lambda: Para("x\ud800"), "Para.parts[0]", "U+D800"),
        (lambda: Bibliography(""), "Bibliography.text", "empty"),
        (lambda: Section("t", []), "Section.blocks", "empty"),
        (lambda: Section("\x0c", [Para("x")]), "Section.title", "U+000C"),
        (
            lambda: Section("t", [Section("u", [Para("x")])]),  # type: ignore[list-item]
            "Section.blocks[0]",
            "cannot be nested",
        ),
        (lambda: VariableList([]), "VariableList.entries", "at least one"),
        (lambda: VariableList([("a", "")]), "VariableList.entries[0].listitem", "empty"),
        (lambda: VariableList([("", "b")]), "VariableList.entries[0].term", "empty"),
        (lambda: VariableList([("a",)]), "VariableList.entries[0]", "pair"),  # type: ignore[list-item]
        (lambda: VariableList([("a", "b")], title=""), "VariableList.title", "empty"),
        (lambda: Link("", "https://a.se"), "Link.text", "empty"),
        (lambda: Link("x", "https://a.se", "_top"), "Link.target", "_top"),  # type: ignore[arg-type]
    ],
)
def test_builder_refusals_name_the_place(make: Callable[[], object], where: str, says: str) -> None:
    error = refused(make)
    assert isinstance(error, LocalError)
    assert error.issues[0].path == where
    assert says in error.issues[0].reason
    assert where in str(error)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "ftp://a.se",
        "//a.se/x",
        "/relative",
        "www.1177.se",
        "",
        "https://",
        "http:///path",
        "https://a.se/med mellanslag",
        " https://a.se",
        "https://a.se\n",
        "https://a.se/\x85",
        "mailto:",
        "tel:",
        "https://[::1",
    ],
)
def test_link_urls_outside_http_mailto_tel_are_refused(url: str) -> None:
    error = refused(lambda: Link("x", url))
    assert error.issues[0].path == "Link.url"


@pytest.mark.parametrize(
    "url",
    ["https://www.1177.se", "HTTP://A.SE/x?y=1&z=%20#f", "mailto:a@b.se", "tel:+46-771-11-22-33"],
)
def test_good_link_urls(url: str) -> None:
    assert Link("x", url).url == url


def test_all_issues_of_one_object_are_reported_together() -> None:
    error = refused(lambda: Link("", "javascript:x", "nej"))  # type: ignore[arg-type]
    assert [i.path for i in error.issues] == ["Link.text", "Link.url", "Link.target"]
    assert "3 issues" in str(error)


# ---------------------------------------------------------------------------- the checker


def paths(text: str) -> list[str]:
    return [issue.path for issue in check_body(text)]


@pytest.mark.parametrize(
    "element",
    ["emphasis", "bold", "itemizedlist", "table", "img", "script", "br", "link", "a", "p"],
)
def test_each_unknown_element_is_reported_with_path_and_the_mismatch_text(element: str) -> None:
    issues = check_body(f"<article><para>x<{element}>y</{element}></para></article>")
    assert [(i.path, i.element) for i in issues] == [(f"/article/para/{element}", element)]
    assert issues[0].reason == (
        f"element {element} is not shown by the 1177 inbox (it would show '{MISMATCH}')"
    )
    assert str(issues[0]) == f"/article/para/{element} (line 1): {issues[0].reason}"


@pytest.mark.parametrize(
    ("text", "path", "parent"),
    [
        ("<article><title>t</title><para>x</para></article>", "/article/title", "article"),
        ("<article><term>t</term></article>", "/article/term", "article"),
        ("<article><ulink url='https://a.se'>x</ulink></article>", "/article/ulink", "article"),
        (
            "<article><section><section><para>x</para></section></section></article>",
            "/article/section/section",
            "section",
        ),
        (
            "<article><info><para>x</para></info><para>y</para></article>",
            "/article/info/para",
            "info",
        ),
        ("<article><para><para>x</para></para></article>", "/article/para/para", "para"),
        (
            "<article><variablelist><para>x</para></variablelist></article>",
            "/article/variablelist/para",
            "variablelist",
        ),
        (
            "<article><variablelist><varlistentry><title>x</title></varlistentry></variablelist></article>",
            "/article/variablelist/varlistentry/title",
            "varlistentry",
        ),
        (
            "<article><para><ulink url='https://a.se'><ulink url='https://a.se'>x</ulink></ulink></para></article>",
            "/article/para/ulink/ulink",
            "ulink",
        ),
        (
            "<article><bibliography><para>x</para></bibliography></article>",
            "/article/bibliography/para",
            "bibliography",
        ),
    ],
)
def test_subset_elements_in_the_wrong_place(text: str, path: str, parent: str) -> None:
    issues = check_body(text)
    assert [i.path for i in issues] == [path]
    assert f"not allowed inside {parent} (allowed there: " in issues[0].reason
    assert MISMATCH in issues[0].reason


def test_sibling_indexes_and_only_the_outermost_unknown_element() -> None:
    text = (
        "<article><para>a</para><section><para>b</para><para>c<em><b>x</b></em></para>"
        "</section><section><para><i/></para></section></article>"
    )
    assert paths(text) == ["/article/section[1]/para[2]/em", "/article/section[2]/para/i"]


@pytest.mark.parametrize(
    ("text", "path", "says"),
    [
        (
            "<article><para><ulink url='https://a.se' target='x'>a</ulink></para></article>",
            "/article/para/ulink/@target",
            "only url and type",
        ),
        (
            "<article><para><ulink url='https://a.se' type='_top'>a</ulink></para></article>",
            "/article/para/ulink/@type",
            "'_top' is neither",
        ),
        ("<article><para><ulink>a</ulink></para></article>", "/article/para/ulink", "needs a url"),
        (
            "<article><para><ulink url='javascript:alert(1)'>a</ulink></para></article>",
            "/article/para/ulink/@url",
            "no working link",
        ),
        (
            "<article><para><ulink url='https://a.se/a b'>a</ulink></para></article>",
            "/article/para/ulink/@url",
            "no working link",
        ),
        (
            "<article><para role='x'>a</para></article>",
            "/article/para/@role",
            "para takes no attributes",
        ),
        (
            "<article xml:lang='sv'><para>a</para></article>",
            "/article/@xml:lang",
            "article takes no",
        ),
    ],
)
def test_attributes(text: str, path: str, says: str) -> None:
    issues = check_body(text)
    assert [i.path for i in issues] == [path]
    assert says in issues[0].reason


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not usable XML"),
        ("Bara text", "plain text must be wrapped"),
        ("<article><para>trasig</article>", "not usable XML"),
        ('<!DOCTYPE a [<!ENTITY e "x">]><article><para>&e;</para></article>', "DOCTYPE"),
        ("<para>x</para>", "must be an article element, not para"),
        ("<x:article xmlns:x='urn:other'><para>x</para></x:article>", "namespace urn:other"),
        ("<article/>", "the body is empty"),
        ("<article><!-- bara en kommentar --></article>", "the body is empty"),
    ],
)
def test_unusable_bodies(text: str, says: str) -> None:
    issues = check_body(text)
    assert len(issues) == 1
    assert says in issues[0].reason


def test_stray_text_is_reported_once_per_element() -> None:
    text = "<article>hej<para>x</para>då<section>mer<title>t</title></section></article>"
    assert paths(text) == ["/article/text()", "/article/section/text()"]


def test_foreign_namespace_elements() -> None:
    issues = check_body("<article><x:para xmlns:x='urn:other'>p</x:para></article>")
    assert [(i.path, i.element) for i in issues] == [("/article/para", "{urn:other}para")]
    assert "foreign namespace" in issues[0].reason


def test_docbook_namespace_comments_and_whitespace_are_fine() -> None:
    text = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<article xmlns='http://docbook.org/ns/docbook'>\n  <!-- c -->\n"
        "  <para>a <ulink url='https://a.se' type='_blank'>b</ulink></para>\n</article>"
    )
    assert check_body(text) == []


def test_lines_are_reported_and_everything_is_collected() -> None:
    text = "<article>\n<para>ok</para>\n<para><em>x</em></para>\n<foo/>\n</article>"
    issues = check_body(text)
    assert [(i.path, i.line) for i in issues] == [("/article/para[2]/em", 3), ("/article/foo", 4)]
    with pytest.raises(BodyError) as caught:
        assert_body_ok(text)
    assert caught.value.issues == tuple(issues)
    assert "2 issues" in str(caught.value)
    assert_body_ok("<article><para>ok</para></article>")


# ---------------------------------------------------------------------------- the validation rule


def test_body_rule_reports_through_the_validator() -> None:
    validator = Validator()  # the body rule is one of the default rules
    assert BODY_RULE in DEFAULT_RULES
    bad = codec.encode(request_with("<article><para><b>x</b></para></article>"))
    issues = list(validator.iter_issues(bad))
    assert [(i.rule, i.path) for i in issues] == [
        ("docbook-body", "/AddMessage/message/messageText")
    ]
    assert issues[0].reason.startswith("body /article/para/b")
    good = codec.encode(request_with("<article><para>x</para></article>"))
    assert validator.is_valid(good)
    assert Validator(rules=[r for r in DEFAULT_RULES if r is not BODY_RULE]).is_valid(bad)
    assert BODY_RULE.applies(bad)
    assert not BODY_RULE.applies(etree.Element("IsActiveUser"))


# ---------------------------------------------------------------------------- the property

# Any character XML 1.0 allows (no surrogates, no C0 controls but tab, LF and CR, no U+FFFE/F).
_XML_CHARS = st.characters(
    codec="utf-8",
    exclude_characters="".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
    + "\ufffe\uffff",
)
_TRICKY = st.sampled_from(["<", ">", "&", '"', "'", "\r", "\n", "\t", " ", "]]>", "å", "Ä", "ö"])
any_text = st.lists(st.one_of(st.text(_XML_CHARS, max_size=12), _TRICKY), max_size=6).map("".join)
_VISIBLE = st.one_of(_XML_CHARS.filter(str.strip), st.sampled_from(["<", "&", "]]>", "Å", "'"]))
some_text = st.builds("".join, st.tuples(any_text, _VISIBLE, any_text))  # must say something
url = st.sampled_from(
    ["https://www.1177.se/sv/", "http://a.se/?a=1&b=<2>", "mailto:x@y.se", "tel:+46771112233"]
)
link = st.builds(Link, some_text, url, st.sampled_from(["_self", "_blank"]))
para = st.builds(
    lambda first, rest, at: Para(*rest[:at], first, *rest[at:]),
    st.one_of(some_text, link),  # a para must say something ...
    st.lists(st.one_of(any_text, link), max_size=3),  # ... around it anything goes
    st.integers(0, 3),
)
vlist = st.builds(
    VariableList,
    st.lists(st.tuples(some_text, some_text), min_size=1, max_size=3),
    st.none() | some_text,
)
bibliography = st.builds(Bibliography, some_text)
leaf = st.one_of(para, vlist, bibliography)
section = st.builds(Section, st.none() | some_text, st.lists(leaf, min_size=1, max_size=3))
bodies = st.builds(
    lambda title, blocks: Body(title=title, blocks=blocks),
    st.none() | some_text,
    st.lists(st.one_of(leaf, section), min_size=1, max_size=4),
)


def texts_of(body: Body) -> list[str]:
    """Every text put into a slot of ``body``."""
    out = [] if body.title is None else [body.title]
    for block in body.blocks:
        out += texts_of_block(block)
    return out


def texts_of_block(block: object) -> list[str]:
    if isinstance(block, Para):
        return [p.text if isinstance(p, Link) else p for p in block.parts]
    if isinstance(block, VariableList):
        title = [] if block.title is None else [block.title]
        return title + [text for entry in block.entries for text in entry]
    if isinstance(block, Bibliography):
        return [block.text]
    assert isinstance(block, Section)
    out = [] if block.title is None else [block.title]
    for inner in block.blocks:
        out += texts_of_block(inner)
    return out


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(fragment: str) -> str:
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


@settings(max_examples=200, deadline=None)
@given(bodies)
def test_any_text_in_any_slot_checks_validates_and_renders_without_loss(body: Body) -> None:
    text = body.to_docbook()
    assert check_body(text) == []
    element = codec.encode(request_with(text))
    wire = etree.tostring(element, encoding="utf-8")
    validate(wire)  # the XSD and the default rules
    sent = codec.decode(parse_bytes(wire), pp.AddMessageType).message.message_text
    assert sent == text
    rendered = render_docbook(sent)
    assert MISMATCH not in rendered
    shown_stdlib = html_text(rendered)
    shown_lxml = lxml_html.fragment_fromstring(rendered).text_content()
    for piece in texts_of(body):
        assert piece in shown_stdlib
        assert piece in shown_lxml
