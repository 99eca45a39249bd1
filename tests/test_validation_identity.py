"""``is_valid_identity_number`` decides exactly what ``parse_identity_number`` decides.

Validation asks the boolean of every ``subjectOfCareId`` (the quick yes of the
``identity-number`` rule) and builds the number, or the error with its wording, only when the
answer is no. The boolean is written out on its own, without the parser, so this property pins
the two together on numbers near and past every edge: dates, day 60, reserve letters, check
digits, and characters that look like digits.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_identity import SAMORDNING_OFFSET, _build, _dates, _near_valid, _serials

from inkorg_riv.validation.identity import (
    IdentityNumberError,
    check_digit,
    is_valid_identity_number,
    parse_identity_number,
)


def _parses(value: object) -> bool:
    try:
        parse_identity_number(value)  # type: ignore[arg-type]
    except IdentityNumberError:
        return False
    return True


_twelve = st.text(alphabet="0123456789", min_size=12, max_size=12)
# Reserve letters, other letters, separators, and digits that are not ASCII (Arabic-Indic,
# fullwidth, superscript): str.isdigit says yes to those, the contract's pattern says no.
_odd_characters = st.sampled_from(
    ["p", "T", "f", "x", "-", " ", "\u0663", "\uff13", "\u00b2", "\n", "+"]
)


@st.composite
def _almost_numbers(draw: st.DrawFn) -> str:
    """Twelve digits, a built (valid) number or a date near the edges, then perhaps altered."""
    value = draw(st.one_of(
        _twelve,
        st.builds(_build, _dates, _serials),
        st.builds(lambda d, s: _build(d, s, SAMORDNING_OFFSET), _dates, _serials),
        _near_valid,
        st.builds(lambda y, m, s: f"{y:04d}{m:02d}60{s}", st.integers(0, 9999),
                  st.integers(0, 13), st.text(alphabet="0123456789", min_size=4, max_size=4)),
    ))  # fmt: skip
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(value)))
        value = value[:at] + draw(_odd_characters) + value[at + draw(st.integers(0, 1)) :]
    return value


@given(st.one_of(_almost_numbers(), st.text(max_size=14)))
def test_is_valid_decides_exactly_what_parse_decides(value: str) -> None:
    assert is_valid_identity_number(value) is _parses(value)


@pytest.mark.parametrize("value", [None, 191212121212, b"191212121212", ["191212121212"]])
def test_is_valid_of_a_non_str_is_false(value: object) -> None:
    assert is_valid_identity_number(value) is False  # type: ignore[arg-type]
    assert _parses(value) is False


_EDGE_YEARS = [0, 1, 2, 3, 4, 100, 200, 300, 400, 1600, 1700, 1900, 1996, 2000, 2024, 2100, 9996,
               9999]  # fmt: skip


@pytest.mark.parametrize("year", _EDGE_YEARS)
def test_every_month_and_day_of_the_leap_rules_edge_years(year: int) -> None:
    # The calendar test is written out (no date object): held to the parser, which asks
    # datetime.date, on every month and day of the years where the leap rules turn.
    for month in range(14):
        for day in (*range(33), 60, 61, 89, 90, 91, 92):
            prefix = f"{year:04d}{month:02d}{day:02d}123"
            value = prefix + str(check_digit(prefix[2:]))
            assert is_valid_identity_number(value) is _parses(value), value


def test_february_the_29th_of_every_year() -> None:
    for year in range(10000):
        for day in ("29", "89"):
            prefix = f"{year:04d}02{day}123"
            value = prefix + str(check_digit(prefix[2:]))
            assert is_valid_identity_number(value) is _parses(value), value
