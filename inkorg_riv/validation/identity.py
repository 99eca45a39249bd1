"""Validation of Swedish identity numbers carried in ``subjectOfCareId``.

This module owns the parsing and checking of the 12-character identity
numbers that the contract carries (schema pattern
``[0-9]{8}[0-9pPtTfF][0-9]{3}``):

* **personnummer** ``YYYYMMDDNNNC``: the date must be a real calendar date
  (day ``00`` is rejected) and ``C`` must be the Luhn (mod 10) check digit
  over ``YYMMDDNNN``.
* **samordningsnummer**: as a personnummer, but with 60 added to the day
  (``61``-``91``). Day ``60`` (day ``00`` + 60) is also accepted, because the
  Swedish Tax Agency issues samordningsnummer with an unknown day of birth;
  such numbers get ``birth_date=None``. The check digit is computed over
  ``YYMMDDNNN`` including the +60 day.
* **reserve / temporary numbers**: a letter ``p``, ``t`` or ``f`` (either case)
  at index 8. These only have to match the pattern; no date or check-digit
  check is made.

Privacy: the full number is never shown by ``str``/``repr`` of an
:class:`IdentityNumber` or in the text of an :class:`IdentityNumberError`;
only the redacted form (first 8 characters + ``****``) is.

Hyphens and 10-digit forms are deliberately not accepted and input is not
stripped: the contract carries exactly 12 characters.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

__all__ = [
    "IdentityKind",
    "IdentityNumber",
    "IdentityNumberError",
    "check_digit",
    "is_valid_identity_number",
    "parse_identity_number",
]

_LENGTH = 12
_SHOWN = 8
_MASK = "****"
_SAMORDNING_OFFSET = 60
_MONTHS = 12
_MAX_DAY = 31
_FEBRUARY = 2
_LEAP_DAY = 29
_PATTERN = re.compile(r"[0-9]{8}[0-9pPtTfF][0-9]{3}")
_NINE_DIGITS = re.compile(r"[0-9]{9}")
# Luhn by pairs of digits: "ab" -> digit sum of 2*a, plus b (weights 2, 1 from YYMMDDNNN on).
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February: 29 in leap years
_LUHN_PAIRS = {f"{a}{b}": (2 * a) // 10 + (2 * a) % 10 + b for a in range(10) for b in range(10)}
_PATTERN_REASON = "must be 12 digits, or 8 digits + a letter p/t/f + 3 digits"


WRONG_CHECK_DIGIT = "the check digit does not match (a mistyped or made-up number)"
"""The reason given for a wrong check digit; neither digit is named, to keep the number private."""


class IdentityKind(enum.Enum):
    """The kind of Swedish identity number."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVE = "reserve"


def _redact(value: str) -> str:
    """Return ``value`` with at least its last 4 characters masked.

    At most the first 8 characters are kept; shorter (malformed) input keeps
    fewer, so that no more than ``len(value) - 4`` characters are ever shown.
    """
    shown = max(0, min(_SHOWN, len(value) - len(_MASK)))
    return value[:shown] + _MASK


@dataclass(frozen=True, slots=True, repr=False)
class IdentityNumber:
    """A validated identity number; build it with :func:`parse_identity_number`.

    ``birth_date`` is ``None`` for reserve numbers and for samordningsnummer
    with an unknown day (day ``60``). ``str``/``repr`` show only the redacted
    form, never the full number.
    """

    value: str
    kind: IdentityKind
    birth_date: datetime.date | None

    @property
    def redacted(self) -> str:
        """The first 8 characters followed by ``****``, e.g. ``19121212****``."""
        return _redact(self.value)

    def __str__(self) -> str:
        """Return the redacted form."""
        return self.redacted

    def __repr__(self) -> str:
        """Return a representation that contains only the redacted form."""
        return f"IdentityNumber({self.redacted!r}, kind={self.kind.name})"


class IdentityNumberError(ValueError):
    """Raised when a value is not a valid identity number.

    ``reason`` is a readable English sentence naming the problem and
    ``redacted`` the redacted input; the message never holds the full number.
    """

    def __init__(self, reason: str, redacted: str) -> None:
        """Create the error from a ``reason`` and the ``redacted`` input."""
        super().__init__(f"invalid identity number {redacted}: {reason}")
        self.reason = reason
        self.redacted = redacted

    def __reduce__(self) -> tuple[type[IdentityNumberError], tuple[str, str]]:
        """Support pickling despite the two-argument constructor."""
        return (type(self), (self.reason, self.redacted))


def check_digit(nine_digits: str) -> int:
    """Return the Luhn (mod 10) check digit for ``YYMMDDNNN``.

    Digits are weighted 2, 1, 2, 1, ... from the left, the digit sums of the
    products are added, and the check digit is ``(10 - sum % 10) % 10``.
    Raises :class:`ValueError` unless given exactly 9 ASCII digits.
    """
    if not _NINE_DIGITS.fullmatch(nine_digits):
        raise ValueError("check_digit() needs exactly 9 ASCII digits")
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _parse_date(value: str, redacted: str) -> tuple[IdentityKind, datetime.date | None]:
    """Check the ``YYYYMMDD`` part; return the kind and the birth date."""

    def fail(reason: str) -> IdentityNumberError:
        return IdentityNumberError(reason, redacted)

    year, month, raw_day = int(value[0:4]), int(value[4:6]), int(value[6:8])
    if year < datetime.MINYEAR:
        raise fail(f"year {year:04d} is not valid")
    if not 1 <= month <= _MONTHS:
        raise fail(f"month {month:02d} is not valid")
    if raw_day == 0:
        raise fail("day 00 is not valid for a personnummer")
    if raw_day == _SAMORDNING_OFFSET:
        # Tax Agency samordningsnummer with an unknown day of birth.
        return IdentityKind.SAMORDNINGSNUMMER, None
    if raw_day > _SAMORDNING_OFFSET:
        kind, day = IdentityKind.SAMORDNINGSNUMMER, raw_day - _SAMORDNING_OFFSET
    else:
        kind, day = IdentityKind.PERSONNUMMER, raw_day
    if day > _MAX_DAY:
        raise fail(
            f"day {raw_day:02d} is not valid (expected 01-31, or 60-91 for a samordningsnummer)"
        )
    days_in_month = _days_in_month(year, month)
    if day > days_in_month:
        what = f"day {raw_day:02d}"
        if kind is IdentityKind.SAMORDNINGSNUMMER:
            what += f" (samordningsnummer day {day:02d})"
        note = ""
        if month == _FEBRUARY and day == _LEAP_DAY:
            note = f" ({year:04d} is not a leap year)"
        raise fail(f"{what} is not valid for {year:04d}-{month:02d}{note}")
    return kind, datetime.date(year, month, day)


def parse_identity_number(value: str) -> IdentityNumber:
    """Parse and validate a 12-character identity number.

    Accepts personnummer, samordningsnummer and reserve numbers (see the
    module docstring). Input is not stripped and hyphenated or 10-digit forms
    are rejected. Raises :class:`IdentityNumberError` on any problem,
    including non-``str`` input.
    """
    raw: object = value
    if not isinstance(raw, str):
        raise IdentityNumberError(f"must be a str, got {type(raw).__name__}", _MASK)
    redacted = _redact(raw)
    if len(raw) != _LENGTH:
        raise IdentityNumberError(f"must be {_LENGTH} characters, got {len(raw)}", redacted)
    if not _PATTERN.fullmatch(raw):
        raise IdentityNumberError(_PATTERN_REASON, redacted)
    if not raw[8].isdigit():
        return IdentityNumber(raw, IdentityKind.RESERVE, None)
    kind, birth_date = _parse_date(raw, redacted)
    expected = check_digit(raw[2:11])
    actual = int(raw[11])
    if actual != expected:
        raise IdentityNumberError(WRONG_CHECK_DIGIT, redacted)
    return IdentityNumber(raw, kind, birth_date)


def is_valid_identity_number(value: str) -> bool:
    """Return whether ``value`` is a valid identity number (never raises).

    Decides exactly what :func:`parse_identity_number` does, without building the number or an
    error (validation asks this of every ``subjectOfCareId``).
    """
    if not isinstance(value, str) or len(value) != _LENGTH:
        return False
    if not (value.isascii() and value.isdigit()):  # twelve ASCII digits fit the pattern
        # Otherwise a reserve number, a letter at index 8, is all the pattern still allows.
        return _PATTERN.fullmatch(value) is not None
    year, month_day = divmod(int(value[:8]), 10000)
    month, day = divmod(month_day, 100)
    if day == _SAMORDNING_OFFSET:
        if year < datetime.MINYEAR or not 1 <= month <= _MONTHS:
            return False
    else:
        if day > _SAMORDNING_OFFSET:
            day -= _SAMORDNING_OFFSET
        # A real calendar date, as datetime.date(year, month, day) decides (day 00 is none;
        # eight digits keep the year at most 9999): no date object made.
        if year < datetime.MINYEAR or not 1 <= month <= _MONTHS or day < 1:
            return False
        if day > _DAYS_IN_MONTH[month] and not (
            month == _FEBRUARY
            and day == _LEAP_DAY
            and year % 4 == 0
            and (year % 100 != 0 or year % 400 == 0)
        ):
            return False
    # Luhn over YYMMDDNNN plus the check digit itself: the weighted digit sum ends in 0.
    pairs = _LUHN_PAIRS
    total = (
        pairs[value[2:4]] + pairs[value[4:6]] + pairs[value[6:8]] + pairs[value[8:10]]
        + pairs[value[10:12]]
    )  # fmt: skip
    return total % 10 == 0


def _days_in_month(year: int, month: int) -> int:
    """Days in a month (what ``calendar.monthrange`` gives, without its import cost)."""
    if month == 12:
        return 31
    following = datetime.date(year, month + 1, 1)
    return (following - datetime.timedelta(days=1)).day
