"""The transport's value types and protocol: what crosses the line between client and HTTP.

Owns :class:`Timeouts`, :class:`Headers`, :class:`HttpRequest`, :class:`HttpResponse`,
:class:`TransportStats` and the one-method :class:`Transport` protocol. No IO.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self, TypeVar, overload

from ..errors import ConfigurationError
from ..errors._record import Record, record, setfield

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    """Seconds to wait: ``connect`` (TCP connect and TLS handshake), ``read`` (for each piece of
    the answer; above the platform's 30 s so that its VP009 arrives instead of an abandoned
    call) and ``pool`` (for a free connection while ``pool_size`` calls are in flight)."""

    connect: float = 5.0
    read: float = 35.0
    pool: float = 60.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "pool"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigurationError(f"Timeouts.{name} must be positive, got {value!r}")


DEFAULT_TIMEOUTS = Timeouts()
"""Connect 5 s, read 35 s, pool 60 s."""


class Headers(Mapping[str, str]):
    """Read-only HTTP headers with case-insensitive lookup; keys are kept in lower case."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = {str(key).lower(): str(value) for key, value in pairs}

    @classmethod
    def _lowered(cls, items: dict[str, str]) -> Headers:
        """Headers over ``items``, whose keys are lower case already (the transport's own)."""
        made = cls.__new__(cls)
        made._items = items
        return made

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    @overload
    def get(self, key: str, /) -> str | None: ...

    @overload
    def get(self, key: str, /, default: str | T) -> str | T: ...

    def get(self, key: str, /, default: object = None) -> object:
        """The value of ``key`` (any case), else ``default``: Mapping.get without its raise and
        catch of KeyError for a missing header."""
        return self._items.get(key.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    """One HTTP request: an ``https://`` ``url``, the ``body`` bytes and the ``headers``."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    method: str = "POST"


@record(kw_only=True)
class HttpResponse(Record):
    """One HTTP answer, whatever its status. ``headers`` look up case-insensitively (keys are
    lower case); ``elapsed`` is seconds from sending to the last byte of the body.

    A slotted record with one plain ``__init__`` rather than a dataclass with a generated
    ``__init__`` and ``__post_init__``: it is the first thing a call makes when its answer
    arrives, when every extra frame costs several times what it costs later."""

    __slots__ = ("body", "elapsed", "headers", "status")

    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float

    def __init__(
        self, *, status: int, headers: Mapping[str, str], body: bytes, elapsed: float = 0.0
    ) -> None:
        setfield(self, "status", status)
        setfield(self, "headers", headers if isinstance(headers, Headers) else Headers(headers))
        setfield(self, "body", body)
        setfield(self, "elapsed", elapsed)


@dataclass(frozen=True, slots=True)
class TransportStats:
    """Counters of a :class:`RequestsTransport`: connections opened (each one a full TLS
    handshake) and answers received. At steady state with keep-alive only ``responses`` grows."""

    connections_opened: int
    responses: int


class ClosesOnExit:
    """``with obj:`` gives ``obj`` and calls its ``close()`` on the way out."""

    __slots__ = ()

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Transport(Protocol):
    """What the client needs from HTTP: send one request; close the connections."""

    def send(self, request: HttpRequest, *, timeouts: Timeouts) -> HttpResponse: ...

    def close(self) -> None: ...
