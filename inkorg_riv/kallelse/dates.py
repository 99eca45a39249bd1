"""Dates and times written the Swedish way, in Swedish time (layer L6, stdlib only).

Owns Europe/Stockholm (:data:`STOCKHOLM`) and the two formats the citizen reads in the 1177
inbox and in our previews: :func:`swedish_datetime` (``måndag 14 december 2026 kl. 14:00``) and
:func:`swedish_date` (``måndag 14 december 2026``).

Decisions:

* Aware values are converted to Swedish time; a naive value is taken to be Swedish wall-clock
  time already (as an ``xs:dateTime`` without an offset is read by the producer and by 1177).
* The time zone comes from ``zoneinfo`` (the system tz database or the ``tzdata`` package);
  without either, :class:`_EuropeStockholm` applies the EU rule for CET/CEST, which has
  governed Sweden since 1996.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["STOCKHOLM", "swedish_date", "swedish_datetime", "swedish_time"]

_HOUR = datetime.timedelta(hours=1)
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
"""Swedish weekday names, Monday first (``date.weekday()`` order)."""
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
"""Swedish month names, January first."""


class _EuropeStockholm(datetime.tzinfo):
    """CET/CEST by the EU rule (summer time from the last Sunday of March to the last Sunday
    of October, 01:00 UTC): used only when the tz database is missing."""

    def fromutc(self, dt: datetime.datetime) -> datetime.datetime:
        offset = self._offset(dt.replace(tzinfo=datetime.UTC))
        return (dt + offset).replace(tzinfo=self)

    def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta:
        if dt is None:
            return _HOUR
        return self._offset(dt.replace(tzinfo=datetime.UTC) - _HOUR)

    def dst(self, dt: datetime.datetime | None) -> datetime.timedelta:
        return self.utcoffset(dt) - _HOUR

    def tzname(self, dt: datetime.datetime | None) -> str:
        return "CEST" if self.dst(dt) else "CET"

    @staticmethod
    def _offset(utc: datetime.datetime) -> datetime.timedelta:
        def last_sunday(month: int) -> datetime.datetime:
            day = datetime.datetime(utc.year, month, 31, 1, tzinfo=datetime.UTC)
            return day - datetime.timedelta(days=(day.weekday() + 1) % 7)

        return 2 * _HOUR if last_sunday(3) <= utc < last_sunday(10) else _HOUR


def _stockholm() -> datetime.tzinfo:
    try:
        return ZoneInfo("Europe/Stockholm")
    except ZoneInfoNotFoundError:  # no system tz database and no tzdata package
        return _EuropeStockholm()


STOCKHOLM = _stockholm()
"""Swedish time: ``zoneinfo`` Europe/Stockholm, or the EU CET/CEST rule without a tz database."""


def _local(value: datetime.datetime) -> datetime.datetime:
    """``value`` on the Swedish wall clock (naive values already are)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value
    return value.astimezone(STOCKHOLM)


def swedish_date(value: datetime.date) -> str:
    """``måndag 14 december 2026``; a datetime is first converted to Swedish time."""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def swedish_time(value: datetime.datetime | datetime.time) -> str:
    """``14:00``: hours and minutes on the Swedish clock (a ``time`` is shown as it is)."""
    if isinstance(value, datetime.datetime):
        value = _local(value).time()
    return f"{value:%H:%M}"


def swedish_datetime(value: datetime.datetime) -> str:
    """``måndag 14 december 2026 kl. 14:00`` in Swedish time (naive values are Swedish time)."""
    local = _local(value)
    return f"{swedish_date(local)} kl. {swedish_time(local)}"
