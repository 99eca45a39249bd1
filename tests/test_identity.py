"""Tests for inkorg_riv.validation.identity (Swedish identity numbers)."""

from __future__ import annotations

import copy
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inkorg_riv.validation.identity import (
    WRONG_CHECK_DIGIT,
    IdentityKind,
    IdentityNumber,
    IdentityNumberError,
    check_digit,
    is_valid_identity_number,
    parse_identity_number,
)

# Skatteverket's test number "Tolvan Tolvansson". Hand calculation of the
# check digit over YYMMDDNNN = 1 2 1 2 1 2 1 2 1 with weights 2 1 2 1 ...:
#   2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 = 18, (10 - 18 % 10) % 10 = 2.
TOLVAN = "191212121212"
# Hand calculation over 9 0 0 1 0 1 2 3 8:
#   9*2=18 -> 1+8=9, 0, 0, 1, 0, 1, 2*2=4, 3, 8*2=16 -> 1+6=7; sum 25 -> 5.
PERSON_1990 = "199001012385"
# Samordningsnummer for 1970-10-03 (day 03 + 60 = 63), serial 232.
# Hand calculation over 7 0 1 0 6 3 2 3 2:
#   7*2=14 -> 5, 0, 1*2=2, 0, 6*2=12 -> 3, 3, 2*2=4, 3, 2*2=4; sum 24 -> 6.
SAMORDNING_1970 = "197010632326"
# 2000 is a leap year (divisible by 400). Over 0 0 0 2 2 9 1 2 3:
#   0, 0, 0, 2, 2*2=4, 9, 1*2=2, 2, 3*2=6; sum 25 -> 5.
LEAP_DAY_2000 = "200002291235"

RESERVE_LETTERS = "pPtTfF"
LENGTH = 12
SAMORDNING_OFFSET = 60
# Classic Luhn lookup table: the digit sum of 2 * d for d = 0..9.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _reference_luhn_valid(ten_digits: str) -> bool:
    """Independent textbook Luhn: double every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(ten_digits)):
        digit = int(char)
        total += _DOUBLED[digit] if position % 2 == 1 else digit
    return total % 10 == 0


def _with_reference_check(eleven: str) -> str:
    """Append the check digit that makes the number pass the reference Luhn."""
    digits = [d for d in "0123456789" if _reference_luhn_valid(eleven[2:] + d)]
    assert len(digits) == 1
    return eleven + digits[0]


def _other_check(value: str) -> str:
    """Return ``value`` with its check digit changed to a different one."""
    return value[:11] + str((int(value[11]) + 1) % 10)


def _reason(value: object) -> str:
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number(value)  # type: ignore[arg-type]
    return info.value.reason


# --- check_digit --------------------------------------------------------------


@pytest.mark.parametrize(
    ("nine", "expected"),
    [("121212121", 2), ("900101238", 5), ("701063232", 6), ("000229123", 5)],
)
def test_check_digit_matches_hand_calculation(nine: str, expected: int) -> None:
    assert check_digit(nine) == expected


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digit_agrees_with_reference_luhn(nine: str) -> None:
    digit = check_digit(nine)
    assert _reference_luhn_valid(nine + str(digit))
    for other in range(10):
        if other != digit:
            assert not _reference_luhn_valid(nine + str(other))


@pytest.mark.parametrize(
    "bad", ["", "12345678", "1234567890", "12345678a", "\u0661" * 9, " 12345678"]
)
def test_check_digit_rejects_non_nine_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="9 ASCII digits"):
        check_digit(bad)


# --- personnummer -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth_date"),
    [
        (TOLVAN, datetime.date(1912, 12, 12)),
        (PERSON_1990, datetime.date(1990, 1, 1)),
        (LEAP_DAY_2000, datetime.date(2000, 2, 29)),
    ],
)
def test_valid_personnummer(value: str, birth_date: datetime.date) -> None:
    number = parse_identity_number(value)
    assert number.value == value
    assert number.kind is IdentityKind.PERSONNUMMER
    assert number.birth_date == birth_date
    assert number.redacted == value[:8] + "****"
    assert is_valid_identity_number(value)


def test_leap_day_in_2024_is_valid() -> None:
    value = _with_reference_check("20240229123")
    assert parse_identity_number(value).birth_date == datetime.date(2024, 2, 29)


def test_wrong_check_digit_names_both_digits() -> None:
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number("191212121213")
    assert info.value.reason == WRONG_CHECK_DIGIT
    assert WRONG_CHECK_DIGIT in str(info.value)
    assert "3" not in str(info.value).replace("19121212", "")
    assert not is_valid_identity_number("191212121213")


@pytest.mark.parametrize(
    ("eleven", "fragment"),
    [
        ("19121312121", "month 13 is not valid"),
        ("19120012121", "month 00 is not valid"),
        ("19121232121", "day 32 is not valid"),
        ("19121200121", "day 00 is not valid"),
        ("19120431121", "day 31 is not valid for 1912-04"),
        ("20230229121", "day 29 is not valid for 2023-02 (2023 is not a leap year)"),
        ("19000229121", "(1900 is not a leap year)"),
        ("00000101121", "year 0000 is not valid"),
        ("19121259121", "day 59 is not valid"),
    ],
)
def test_invalid_dates_rejected(eleven: str, fragment: str) -> None:
    # The check digit is correct, so only the date can be the problem.
    value = _with_reference_check(eleven)
    assert fragment in _reason(value)
    assert not is_valid_identity_number(value)


# --- samordningsnummer --------------------------------------------------------


def test_valid_samordningsnummer() -> None:
    number = parse_identity_number(SAMORDNING_1970)
    assert number.kind is IdentityKind.SAMORDNINGSNUMMER
    assert number.birth_date == datetime.date(1970, 10, 3)
    assert str(number) == "19701063****"


def test_samordningsnummer_with_unknown_day_60_is_accepted() -> None:
    number = parse_identity_number(_with_reference_check("19701060232"))
    assert number.kind is IdentityKind.SAMORDNINGSNUMMER
    assert number.birth_date is None


def test_samordningsnummer_leap_day() -> None:
    number = parse_identity_number(_with_reference_check("20000289123"))
    assert number.birth_date == datetime.date(2000, 2, 29)


@pytest.mark.parametrize(
    ("eleven", "fragment"),
    [
        ("19701092232", "day 92 is not valid"),
        ("19700491232", "day 91 (samordningsnummer day 31) is not valid"),
        ("20230289232", "(2023 is not a leap year)"),
        ("19701360232", "month 13 is not valid"),
    ],
)
def test_invalid_samordningsnummer_dates(eleven: str, fragment: str) -> None:
    value = _with_reference_check(eleven)
    assert fragment in _reason(value)


def test_samordningsnummer_wrong_check_digit() -> None:
    assert _reason("197010632327") == WRONG_CHECK_DIGIT


# --- reserve numbers ----------------------------------------------------------


@pytest.mark.parametrize("letter", list(RESERVE_LETTERS))
def test_reserve_numbers_pass_on_pattern_alone(letter: str) -> None:
    for value in ("19121212" + letter + "123", "99999999" + letter + "999"):
        number = parse_identity_number(value)
        assert number.kind is IdentityKind.RESERVE
        assert number.birth_date is None
        assert number.value == value


@pytest.mark.parametrize("letter", ["x", "X", "a", "-", " ", "R"])
def test_other_letters_at_index_8_rejected(letter: str) -> None:
    reason = _reason("19121212" + letter + "123")
    assert reason == "must be 12 digits, or 8 digits + a letter p/t/f + 3 digits"


def test_reserve_letter_elsewhere_rejected() -> None:
    assert "must be 12 digits" in _reason("1912121212T2")
    assert "must be 12 digits" in _reason("T91212121212")


# --- shape --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("", 0),
        ("1212121212", 10),  # 10-digit form
        ("121212-1212", 11),  # hyphenated 10-digit form
        ("121212+1212", 11),
        ("19121212-1212", 13),  # hyphenated 12-digit form
        ("1912121212120", 13),
        (" 191212121212", 13),  # not stripped
        ("191212121212\n", 13),
    ],
)
def test_wrong_length_rejected(value: str, length: int) -> None:
    assert _reason(value) == f"must be 12 characters, got {length}"
    assert not is_valid_identity_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "19121212121a",
        "1912121x1212",
        "19121212-121",
        "191212-12121",
        " 19121212121",
        # Arabic-Indic and full-width digits: str.isdigit(), but not [0-9].
        "".join(chr(0x0660 + int(c)) for c in TOLVAN),
        "".join(chr(0xFF10 + int(c)) for c in TOLVAN),
    ],
)
def test_non_digits_rejected(value: str) -> None:
    assert len(value) == LENGTH
    assert "must be 12 digits" in _reason(value)


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(191212121212, "int"), (None, "NoneType"), (b"191212121212", "bytes")],
)
def test_non_str_rejected(value: object, type_name: str) -> None:
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number(value)  # type: ignore[arg-type]
    assert info.value.reason == f"must be a str, got {type_name}"
    assert "191212121212" not in str(info.value)
    assert "191212121212" not in repr(info.value)
    assert not is_valid_identity_number(value)  # type: ignore[arg-type]


# --- privacy ------------------------------------------------------------------


def test_identity_number_never_prints_full_number() -> None:
    number = parse_identity_number(TOLVAN)
    for text in (str(number), repr(number), f"{number}", f"{number!r}", str([number])):
        assert TOLVAN not in text
        assert "19121212****" in text


def test_error_text_never_contains_full_number() -> None:
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number("191212121213")
    error = info.value
    assert error.redacted == "19121212****"
    for text in (str(error), repr(error), str(error.args), error.reason):
        assert "191212121213" not in text
    assert "19121212****" in str(error)


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        ("19121212-1212", "19121212****"),
        ("121212-1212", "121212-****"),
        ("1212121212", "121212****"),
    ],
)
def test_error_redacts_malformed_input(value: str, redacted: str) -> None:
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number(value)
    assert info.value.redacted == redacted
    assert redacted in str(info.value)
    assert value not in str(info.value)


def test_error_redacts_very_short_input_completely() -> None:
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number("19")
    assert info.value.redacted == "****"


def test_error_survives_reduce_round_trip() -> None:
    # deepcopy goes through __reduce__, as pickling (e.g. multiprocessing) does.
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number("191212121213")
    clone = copy.deepcopy(info.value)
    assert isinstance(clone, IdentityNumberError)
    assert clone.reason == info.value.reason
    assert clone.redacted == info.value.redacted
    assert str(clone) == str(info.value)


def test_identity_number_is_frozen() -> None:
    number = parse_identity_number(TOLVAN)
    with pytest.raises(AttributeError):
        number.value = "191212121212"  # type: ignore[misc]
    assert isinstance(number, IdentityNumber)


# --- properties ---------------------------------------------------------------

_dates = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
_serials = st.text(alphabet="0123456789", min_size=3, max_size=3)


def _build(date: datetime.date, serial: str, day_offset: int = 0) -> str:
    prefix = f"{date.year:04d}{date.month:02d}{date.day + day_offset:02d}{serial}"
    return prefix + str(check_digit(prefix[2:]))


@given(_dates, _serials)
def test_built_personnummer_parses_and_other_check_digits_fail(
    date: datetime.date, serial: str
) -> None:
    value = _build(date, serial)
    number = parse_identity_number(value)
    assert number.kind is IdentityKind.PERSONNUMMER
    assert number.birth_date == date
    actual = int(value[11])
    for other in range(10):
        if other != actual:
            bad = value[:11] + str(other)
            assert _reason(bad) == WRONG_CHECK_DIGIT


@given(_dates, _serials)
def test_built_samordningsnummer_parses_and_other_check_digits_fail(
    date: datetime.date, serial: str
) -> None:
    value = _build(date, serial, day_offset=SAMORDNING_OFFSET)
    number = parse_identity_number(value)
    assert number.kind is IdentityKind.SAMORDNINGSNUMMER
    assert number.birth_date == date
    assert not is_valid_identity_number(_other_check(value))


def _oracle(value: str) -> bool:
    """Independent validity oracle for 12-digit strings."""
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    if day >= SAMORDNING_OFFSET:
        day -= SAMORDNING_OFFSET
        if day == 0:
            day = 1  # unknown day: only year and month must be valid
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return _reference_luhn_valid(value[2:])


_near_valid = st.builds(
    lambda y, m, d, s, c: f"{y:04d}{m:02d}{d:02d}{s}{c}",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 99),
    _serials,
    st.integers(0, 9),
)


@given(_near_valid)
def test_validity_matches_independent_oracle(value: str) -> None:
    assert is_valid_identity_number(value) == _oracle(value)


@given(st.text(max_size=20))
def test_arbitrary_text_never_leaks_or_crashes(value: str) -> None:
    if is_valid_identity_number(value):
        number = parse_identity_number(value)
        assert value not in repr(number)
        assert value not in str(number)
        return
    with pytest.raises(IdentityNumberError) as info:
        parse_identity_number(value)
    error = info.value
    assert str(error) == f"invalid identity number {error.redacted}: {error.reason}"
    shown = error.redacted.removesuffix("****")
    assert error.redacted == shown + "****"
    assert value.startswith(shown)
    assert len(shown) <= min(8, max(0, len(value) - 4))
