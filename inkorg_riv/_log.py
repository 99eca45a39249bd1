"""The library's logger and the redaction of identity numbers (layer L0, stdlib only).

All logging goes through the ``inkorg_riv`` logger, which has a :class:`logging.NullHandler`
so that an application without logging configured sees nothing. Anything that may contain a
personal identity number passes through :func:`redact` first.

:mod:`logging` (4 ms with what it imports) is loaded by the first :func:`get_logger` call, not
on import: contract loading, validation and encoding log nothing on their way. The redaction
patterns are compiled on first use too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

LOGGER_NAME = "inkorg_riv"

# 12-character subjectOfCareId forms (YYYYMMDD + digit or reserve letter + 3 digits) and the
# 10/12-digit forms written with a separator (YYMMDD-NNNC, YYYYMMDD-NNNC).
_IDENTITY = r"(?<![0-9A-Za-z])((?:19|20)?[0-9]{6})(?:[0-9pPtTfF][0-9]{3}|[-+][0-9]{4})(?![0-9])"
_QUOTED = r"'([^'\s]{9,20})'"
_compiled: dict[str, re.Pattern[str]] = {}


def _pattern(source: str) -> re.Pattern[str]:
    found = _compiled.get(source)
    if found is None:
        found = _compiled[source] = re.compile(source)
    return found


_loggers: dict[str, logging.Logger] = {}


def _root() -> logging.Logger:
    found = _loggers.get(LOGGER_NAME)
    if found is None:
        import logging  # noqa: PLC0415  (first use only: see the module docstring)

        found = logging.getLogger(LOGGER_NAME)
        found.addHandler(logging.NullHandler())  # once (a race adds a second: harmless)
        _loggers[LOGGER_NAME] = found
    return found


def __getattr__(name: str) -> logging.Logger:
    # ``logger``, as this module used to define it on import.
    if name == "logger":
        return _root()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def redact(text: str) -> str:
    """Replace the last four characters of every identity number in ``text`` with ``****``.

    >>> redact("subjectOfCareId 191212121212")
    'subjectOfCareId 19121212****'
    """
    return _pattern(_IDENTITY).sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    whole = match.group(0)
    keep = match.group(1)
    if len(keep) == 6 and len(whole) == 12:
        # A 12-character run that starts with a non-century year: still 8 kept, 4 masked.
        return whole[:8] + "****"
    if len(whole) == 12 and whole[8] not in "-+":
        return whole[:8] + "****"
    return keep + whole[len(keep)] + "****"


def get_logger(child: str | None = None) -> logging.Logger:
    """The ``inkorg_riv`` logger, or one of its children (``inkorg_riv.<child>``)."""
    root = _root()
    return root.getChild(child) if child else root


def redact_quoted(text: str) -> str:
    """:func:`redact`, and also mask quoted values that look like a mistyped identity number.

    Validator messages quote the offending value (``The value '19121212121X' is not ...``); a
    value with nine or more digits keeps its first eight characters only.
    """

    def mask(match: re.Match[str]) -> str:
        value = match.group(1)
        if sum(ch.isdigit() for ch in value) >= 9:
            return f"'{value[:8]}****'"
        return match.group(0)

    return _pattern(_QUOTED).sub(mask, redact(text))
