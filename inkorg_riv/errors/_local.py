"""The local family: nothing left this process (contracts, XML, validation, settings)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._base import InkorgError, Outcome
from ._record import Record, record, setfield


class LocalError(InkorgError):
    """Nothing was sent: the problem is in the input, the contracts or the configuration."""

    outcome = Outcome.NOT_SENT


@record()
class ContractProblem(Record):
    """One problem found while loading a contract package, naming the file and the cause."""

    __slots__ = ("cause", "file")

    file: str
    cause: str

    def __init__(self, file: str, cause: str) -> None:
        setfield(self, "file", file)
        setfield(self, "cause", cause)

    def __str__(self) -> str:
        return f"{self.file}: {self.cause}"


class ContractError(LocalError):
    """A contract package or contract file could not be used."""


class ContractLoadError(ContractError):
    """A contract package could not be loaded at all (or a required part of it is broken).

    :attr:`problems` lists every problem found, each naming a file and its cause.
    """

    def __init__(self, message: str, *, problems: Sequence[ContractProblem] = ()) -> None:
        self.problems = tuple(problems)
        if self.problems:
            details = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{message}\n{details}"
        super().__init__(message)


class UnknownOperationError(ContractError):
    """The operation name is not in the loaded contract package."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.known = tuple(sorted(known))
        hint = ", ".join(self.known) if self.known else "none"
        super().__init__(f"unknown operation {name!r}; the package has: {hint}", operation=name)


class XmlInputError(LocalError):
    """A document is not usable XML: unparsable, not UTF-8, or unsafe (DTD, entities)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = source or "document"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")

    @property
    def cause(self) -> str:
        """The reason with the line, without the source name (for per-file problem reports)."""
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"


@record()
class ValidationIssue(Record):
    """One reason a document is invalid.

    ``path`` is the element path (``/AddMessage/message/messageText``), ``line`` the line in
    the document when known, ``reason`` a readable sentence, ``rule`` names where the rule
    comes from (``xsd`` or the name of a rule beyond the schema).
    """

    __slots__ = ("line", "path", "reason", "rule")

    path: str
    reason: str
    line: int | None
    rule: str

    def __init__(self, path: str, reason: str, line: int | None = None, rule: str = "xsd") -> None:
        setfield(self, "path", path)
        setfield(self, "reason", reason)
        setfield(self, "line", line)
        setfield(self, "rule", rule)

    def __str__(self) -> str:
        where = self.path or "/"
        if self.line is not None:
            where = f"{where} (line {self.line})"
        return f"{where}: {self.reason}"


class ValidationError(LocalError):
    """A document failed validation. :attr:`issues` holds every issue found, not only the first."""

    def __init__(self, issues: Sequence[ValidationIssue], *, operation: str | None = None) -> None:
        self.issues = tuple(issues)
        what = f"{operation} " if operation else ""
        count = len(self.issues)
        head = f"{what}document is invalid ({count} issue{'s' if count != 1 else ''})"
        body = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{head}:\n{body}" if body else head, operation=operation)


class BindingError(LocalError):
    """A typed object cannot be turned into XML (or XML into a typed object).

    ``path`` names the field or element, for example ``AddMessage.message.booking.startTime``.
    """

    def __init__(self, message: str, *, path: str = "", operation: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message, operation=operation)


class ConfigurationError(LocalError):
    """Settings are missing or contradictory."""


class CertificateError(ConfigurationError):
    """A certificate, key or trust store cannot be used (wrong password, expired, no HSA-id...)."""


class KallelseError(LocalError):
    """A kallelse or other inbox message lacks data its kind requires, or has contradictory data.

    Raised by the builders in :mod:`inkorg_riv.kallelse` before anything is sent: a timed kallelse
    without a start time, booking buttons without a booking id or time type id, a form link
    without a system id, a unit without contact details. :attr:`field` names the field.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)
