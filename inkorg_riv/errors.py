"""The one exception tree of inkorg-riv.

Everything the library raises on purpose derives from :class:`InkorgError`. Three families
tell a caller how to react:

* :class:`LocalError` -- nothing left this process: contract loading, invalid XML, validation,
  configuration and certificate problems. Fix the input or the setup and try again.
* :class:`TransportError` -- TLS, connect, timeout and HTTP problems between us and the platform.
* :class:`ServiceError` -- the platform or the producer answered and refused: SOAP faults,
  VP codes, ``resultCode`` ERROR.

Every error carries :attr:`InkorgError.outcome`, one of :class:`Outcome`, so that "not sent",
"sent and refused" and "outcome unknown" can always be told apart. This module is stdlib only
(layer L0).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Outcome(enum.Enum):
    """What is known about whether a request reached the producer."""

    NOT_SENT = "not sent"
    """The request never left this process (or the connection was refused): safe to retry."""

    REFUSED = "sent and refused"
    """The platform or producer answered with an error: the request was not carried out."""

    UNKNOWN = "outcome unknown"
    """The request was written but no answer came: it may have been carried out."""


class InkorgError(Exception):
    """Root of every error raised by inkorg-riv on purpose."""

    outcome: Outcome = Outcome.NOT_SENT
    retryable: bool = False

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- local family


class LocalError(InkorgError):
    """Nothing was sent: the problem is in the input, the contracts or the configuration."""

    outcome = Outcome.NOT_SENT


@dataclass(frozen=True, slots=True)
class ContractProblem:
    """One problem found while loading a contract package, naming the file and the cause."""

    file: str
    cause: str

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
        where = source or "document"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One reason a document is invalid.

    ``path`` is the element path (``/AddMessage/message/messageText``), ``line`` the line in
    the document when known, ``reason`` a readable sentence, ``rule`` names where the rule
    comes from (``xsd`` or the name of a rule beyond the schema).
    """

    path: str
    reason: str
    line: int | None = None
    rule: str = "xsd"

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


# --------------------------------------------------------------------------- transport family


class TransportError(InkorgError):
    """The request could not be carried to the platform, or no usable answer came back."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        outcome: Outcome = Outcome.UNKNOWN,
        correlation_id: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, operation=operation)
        self.outcome = outcome
        self.correlation_id = correlation_id
        self.retryable = retryable


# --------------------------------------------------------------------------- service family


class ServiceError(InkorgError):
    """The platform or the producer answered and refused the request."""

    outcome = Outcome.REFUSED

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, operation=operation)
        self.logical_address = logical_address
        self.correlation_id = correlation_id
        self.retryable = retryable


__all__ = [
    "BindingError",
    "CertificateError",
    "ConfigurationError",
    "ContractError",
    "ContractLoadError",
    "ContractProblem",
    "InkorgError",
    "LocalError",
    "Outcome",
    "ServiceError",
    "TransportError",
    "UnknownOperationError",
    "ValidationError",
    "ValidationIssue",
    "XmlInputError",
]
