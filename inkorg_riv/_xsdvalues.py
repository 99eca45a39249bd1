"""XSD built-in values to text and back, for the codec (layer L3, pure: stdlib only).

:data:`TO_TEXT` and :data:`FROM_TEXT` map a built-in's local name to its converter. ``base64``
and ``decimal`` are imported, and the lexical patterns compiled, on first use: most messages
never need them, and they cost milliseconds at start-up.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import decimal


def _bool_out(value: bool) -> str:
    return "true" if value else "false"


def _b64_out(value: bytes) -> str:
    import base64  # noqa: PLC0415  (first use only: see the module docstring)

    return base64.b64encode(value).decode("ascii")


def _decimal_out(value: decimal.Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a number xs:decimal can hold")
    return format(value, "f")


def _float_out(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(value)


_MAX_OFFSET = datetime.timedelta(hours=14)


def _iso_out(value: datetime.date | datetime.time) -> str:
    offset = value.utcoffset() if isinstance(value, datetime.datetime | datetime.time) else None
    if offset is not None and (offset % datetime.timedelta(minutes=1) or abs(offset) > _MAX_OFFSET):
        raise ValueError(
            f"time zone offset {offset} is not whole minutes within -14:00..+14:00 "
            "(XML Schema allows nothing else)"
        )
    return value.isoformat()


TO_TEXT: dict[str, Callable[[Any], str]] = {
    "boolean": _bool_out,
    "dateTime": _iso_out,
    "date": _iso_out,
    "time": _iso_out,
    "base64Binary": _b64_out,
    "hexBinary": bytes.hex,
    "decimal": _decimal_out,
    "double": _float_out,
    "float": _float_out,
}


def _bool_in(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"{text!r} is not a boolean (true, false, 1, 0)")


# The lexical forms XML Schema allows (fromisoformat alone also takes "2024-01-01",
# "20240101T1000" or a space for the T). Years beyond 9999 and BC years do not fit Python.
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = "[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]+)?"
_ZONE = "(?:Z|[+-][0-9]{2}:[0-9]{2})?"
_LEXICAL_SOURCE = {
    "dateTime": f"{_DATE}T{_TIME}{_ZONE}",
    "date": _DATE,
    "time": f"{_TIME}{_ZONE}",
    "end of day": "T24:00:00(?:[.]0+)?",
}
_LEXICAL: dict[str, re.Pattern[str]] = {}
"""The compiled patterns, filled on first use."""


def _pattern(kind: str) -> re.Pattern[str]:
    found = _LEXICAL.get(kind)
    if found is None:
        found = _LEXICAL[kind] = re.compile(_LEXICAL_SOURCE[kind])
    return found


def _lexical(kind: str, text: str) -> str:
    if _pattern(kind).fullmatch(text) is None:
        raise ValueError(f"not in the lexical form of xs:{kind}")
    return text


def _datetime_in(text: str) -> datetime.datetime:
    _lexical("dateTime", text)
    end_of_day = _pattern("end of day").search(text)
    if end_of_day is not None:  # 24:00:00 is the first instant of the next day
        start = text[: end_of_day.start()] + "T00:00:00" + text[end_of_day.end() :]
        return datetime.datetime.fromisoformat(start) + datetime.timedelta(days=1)
    return datetime.datetime.fromisoformat(text)


def _date_in(text: str) -> datetime.date:
    return datetime.date.fromisoformat(_lexical("date", text))


def _time_in(text: str) -> datetime.time:
    return datetime.time.fromisoformat(_lexical("time", text))


def _b64_in(text: str) -> bytes:
    import base64  # noqa: PLC0415  (first use only: see the module docstring)

    return base64.b64decode("".join(text.split()), validate=True)


def _decimal_in(text: str) -> decimal.Decimal:
    import decimal  # noqa: PLC0415  (first use only: see the module docstring)

    return decimal.Decimal(text)


FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "boolean": _bool_in,
    "dateTime": _datetime_in,
    "date": _date_in,
    "time": _time_in,
    "base64Binary": _b64_in,
    "hexBinary": bytes.fromhex,
    "decimal": _decimal_in,
    "double": float,
    "float": float,
}
_INTEGER_NAMES = (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte",
)  # fmt: skip
for _name in _INTEGER_NAMES:
    FROM_TEXT[_name] = int
    TO_TEXT[_name] = str
