"""The hardened parser: DOCTYPEs are refused in every encoding, and parsing is safe across
threads and after errors (layer L0)."""

from __future__ import annotations

import threading

import pytest

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
