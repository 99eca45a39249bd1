"""The hardened parser: DOCTYPEs are refused in every encoding, and parsing is safe across
threads and after errors (layer L0)."""

from __future__ import annotations

import threading

import pytest

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
