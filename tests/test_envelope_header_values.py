"""``check_header_value`` lets a plain value through at once (printable, no white space at the
ends); that shortcut accepts only what the full checks accept, and everything else still gets
the full checks' answer and wording."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from inkorg_riv.envelope.build import check_header_value
from inkorg_riv.errors import ConfigurationError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _accepted(value: str, *, ascii_only: bool) -> bool:
    """The full checks, as written before the shortcut."""
    return (
        bool(value.strip())
        and _CONTROL.search(value) is None
        and value == value.strip()
        and (value.isascii() or not ascii_only)
    )


_CHARACTERS = st.sampled_from(
    ["a", "Å", "€", "-", " ", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\xa0",
     "\u2028", "\u3000", "😀", "\ufeff", "\u200b"]
)  # fmt: skip


@given(st.text(alphabet=_CHARACTERS, max_size=6), st.booleans())
@example("SE2321000016-INKORG", False)
@example(" SE1", True)
@example("SE1\xa0", True)
@example("\u3000", False)
def test_the_shortcut_accepts_only_what_the_checks_accept(value: str, ascii_only: bool) -> None:
    if _accepted(value, ascii_only=ascii_only):
        assert check_header_value("value", value, ascii_only=ascii_only) is value
    else:
        with pytest.raises(ConfigurationError):
            check_header_value("value", value, ascii_only=ascii_only)


class _Text(str):
    """A str subclass: not taken by the shortcut, judged by the full checks."""


def test_a_str_subclass_and_a_non_str_get_the_full_checks() -> None:
    assert check_header_value("value", _Text("SE1")) == "SE1"
    with pytest.raises(ConfigurationError, match="empty"):
        check_header_value("value", 5)  # type: ignore[arg-type]  # the point of the test
