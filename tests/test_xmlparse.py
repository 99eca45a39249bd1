"""The hardened parser: DOCTYPEs are refused in every encoding, and parsing is safe across
threads and after errors (layer L0)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv import _xmlparse
from inkorg_riv._xmlparse import parse_bytes
from inkorg_riv.errors import XmlInputError

LAUGHS = '<!DOCTYPE a [<!ENTITY x "y"><!ENTITY y "&x;&x;">]><a>&y;</a>'


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"]
)
def test_a_doctype_is_refused_in_any_encoding(encoding: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding.removesuffix("-sig")}"?>'
    data = (declaration + LAUGHS).encode(encoding)
    with pytest.raises(XmlInputError, match="DOCTYPE"):
        parse_bytes(data)


@pytest.mark.parametrize("data", [b"", b"   \n\t", b"\r\n"])
def test_empty_documents_are_refused(data: bytes) -> None:
    with pytest.raises(XmlInputError, match="empty"):
        parse_bytes(data)


def test_parsing_recovers_after_an_error_and_works_across_threads() -> None:
    with pytest.raises(XmlInputError):
        parse_bytes(b"<a><b></a>")
    assert parse_bytes(b"<a><b/></a>")[0].tag == "b"
    results: list[str] = []

    def work(index: int) -> None:
        for round_ in range(50):
            root = parse_bytes(f"<r{index}><c>{round_}</c></r{index}>".encode())
            results.append(f"{root.tag}:{root[0].text}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted(f"r{i}:{n}" for i in range(4) for n in range(50))


def test_a_doctype_hidden_by_a_declared_utf7_encoding_is_refused() -> None:
    # "<!DOCTYPE a [<!ENTITY x "y">]><a>x</a>" in UTF-7: no "<!DOCTYPE" among the bytes.
    data = (
        b'<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE a +AFs-+ADwAIQ-ENTITY x '
        b"+ACI-y+ACIAPgBd-+AD4APA-a+AD4-x+ADw-/a+AD4-"
    )
    assert b"<!DOCTYPE" not in data
    with pytest.raises(XmlInputError, match="DOCTYPE"):
        parse_bytes(data)


def test_a_doctype_in_utf16_without_a_byte_order_mark_is_refused() -> None:
    data = ('<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS).encode("utf-16-le")
    with pytest.raises(XmlInputError, match="DOCTYPE"):
        parse_bytes(data)


@pytest.mark.parametrize(
    ("data", "utf8"),
    [
        (b'<?xml version="1.0" encoding="UTF-8"?><a/>', True),
        (b"<?xml version='1.0'?><a/>", True),
        (b"<a/>", True),
        (b'<?xml version="1.0" encoding="UTF-7"?><a/>', False),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', False),
        (b'<?xml version="1.0"  encoding="UTF-8"?><a/>', False),
        (b"\xef\xbb\xbf<a/>", False),
        ("<a/>".encode("utf-16-le"), False),
        ("<a/>".encode("utf-16"), False),
        (b" <a/>", False),
    ],
)
def test_only_documents_read_as_utf8_skip_the_check_after_parsing(data: bytes, utf8: bool) -> None:
    assert _xmlparse._read_as_utf8(data) is utf8


def test_each_thread_reuses_its_own_parser() -> None:
    mine = _xmlparse._thread_parser()
    assert _xmlparse._thread_parser() is mine
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(_xmlparse._thread_parser()))
    thread.start()
    thread.join()
    assert len(theirs) == 1
    assert theirs[0] is not mine


# The feed (push) interface: small UTF-8 documents take it; it must parse exactly as
# etree.fromstring does, and refuse exactly what fromstring refuses (whose error is reported).

_TOKENS = [
    "<a>", "</a>", "<b x='1'>", "</b>", "<b/>", "<p:c xmlns:p='urn:u'>", "</p:c>",
    "<d xmlns='urn:d' y=\"2\" z='&amp;'>", "</d>", "x", "Åby ", "&amp;", "&#65;", "&#x1F600;",
    "&#0;", "&foo;", "&lt;", "<!-- c -->", "<!--", "-->", "<?pi d?>", "<![CDATA[ z ]]>",
    "<![CDATA[", "]]>", "\n", " ", "\r\n", "\t", "\u2028", "\U0001f600", "<", ">", "&", "'",
    '"', "=", "/", "<?xml version='1.0'?>", "<?xml version='1.1'?>", "<!DOCTYPE x>", "\x01",
    "\x00", "\x7f",
]  # fmt: skip
_NAMES = st.sampled_from(["a", "b", "p:c", "e-f", "_g"])


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_NAMES)
    declare = " xmlns:p='urn:p'" if name == "p:c" else ""
    attrs = draw(st.sampled_from(["", " x='1'", " xml:lang='sv' y='&lt;é'"]))
    inner = st.one_of(st.sampled_from(_TOKENS[9:37]), st.text(max_size=5))
    if depth < 3:
        inner = st.one_of(inner, _element(depth + 1))
    kids = "".join(draw(st.lists(inner, max_size=4)))
    return f"<{name}{declare}{attrs}>{kids}</{name}>"


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        head = draw(
            st.sampled_from(
                ["", '<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>\n"]
            )
        )
        tail = draw(st.sampled_from(["", "\n", "<!-- x -->", " <?p?>", "junk", "<a/>"]))
        data = (head + draw(_element()) + tail).encode("utf-8", "surrogatepass")
    else:
        tokens = draw(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=20))
        data = "".join(tokens).encode("utf-8", "surrogatepass")
    cut = draw(st.integers(0, len(data)))
    if draw(st.integers(0, 5)) == 0:  # truncated
        data = data[:cut]
    elif draw(st.integers(0, 5)) == 0:  # a byte that is not UTF-8 (or ends a sequence early)
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[cut:]
    return data


def _tree(root: etree._Element) -> tuple[object, ...]:
    tree = root.getroottree()
    info = tree.docinfo
    nodes = [(str(node.tag), node.text, node.tail, node.sourceline) for node in root.iter()]
    return (etree.tostring(tree), info.xml_version, info.encoding, info.standalone, info.URL,
            info.root_name, info.doctype, nodes)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(_documents())
def test_the_feed_interface_parses_and_refuses_as_fromstring_does(data: bytes) -> None:
    assume(data and _xmlparse._read_as_utf8(data))
    try:
        expected: tuple[object, ...] | None = _tree(etree.fromstring(data, _xmlparse.make_parser()))
    except etree.XMLSyntaxError:
        expected = None
    pushed = _xmlparse._push(data)
    assert (None if pushed is None else _tree(pushed)) == expected


@pytest.mark.parametrize(
    "data", [b"<a><b></a>", b"<a>&foo;</a>", b"<a\x01/>", b"<a>\xff</a>", b"<a>"]
)
def test_a_refused_push_leaves_the_error_to_fromstring_and_a_fresh_parser(data: bytes) -> None:
    before = _xmlparse._thread_parser()
    with pytest.raises(XmlInputError) as info:
        parse_bytes(data)
    with pytest.raises(etree.XMLSyntaxError) as plain:
        etree.fromstring(data, _xmlparse.make_parser())
    assert info.value.reason == _xmlparse._syntax_reason(plain.value)  # fromstring's words
    assert _xmlparse._thread_parser() is not before
    assert parse_bytes(b"<a><b/></a>")[0].tag == "b"


class _Interrupted:
    """A parser whose feed is interrupted (as by Ctrl-C) mid-document."""

    def feed(self, data: bytes) -> None:  # noqa: ARG002  (the parser's signature)
        raise KeyboardInterrupt


def test_an_interrupted_push_drops_the_parser_and_is_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_xmlparse._LOCAL, "parser", _Interrupted())
    with pytest.raises(KeyboardInterrupt):
        parse_bytes(b"<a/>")
    assert isinstance(_xmlparse._thread_parser(), etree.XMLParser)
    assert not _xmlparse.LOADER_LOCK._is_owned()  # type: ignore[attr-defined]  # RLock has it
    assert parse_bytes(b"<a/>").tag == "a"


@pytest.mark.parametrize(
    ("data", "base_url", "pushed"),
    [
        (b"<a/>", None, True),
        (b'<?xml version="1.0" encoding="UTF-8"?><a/>', None, True),
        (b"<a/>", "file:///x.xml", False),  # a base URL: the ordinary parse sets it
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', None, False),
        (b"<a>" + b"x" * (1024 * 1024) + b"</a>", None, False),  # above _MAX_PUSHED
    ],
)
def test_which_documents_are_pushed(
    data: bytes, base_url: str | None, pushed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bytes] = []
    push = _xmlparse._push
    monkeypatch.setattr(_xmlparse, "_push", lambda raw: calls.append(raw) or push(raw))
    root = parse_bytes(data, base_url=base_url)
    assert root.tag == "a"
    assert bool(calls) is pushed
    if base_url is not None:
        assert base_url == root.getroottree().docinfo.URL


@given(
    st.one_of(
        st.binary(max_size=12),
        st.sampled_from((*_xmlparse._UTF8_STARTS, b"<?xml", b"<", b"<a", b"<\x00")).flatmap(
            lambda start: st.binary(max_size=6).map(lambda rest: start + rest)
        ),
    )
)
def test_read_as_utf8_decides_as_first_written(data: bytes) -> None:
    if data.startswith(b"<?xml"):
        expected = data.startswith(_xmlparse._UTF8_STARTS)
    else:
        expected = data.startswith(b"<") and b"\x00" not in data[:4]
    assert _xmlparse._read_as_utf8(data) is expected
