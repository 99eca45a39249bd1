"""Read-only value records: the cheap base of the contract model, the binding specs and the
problem records of the errors (layer L0, stdlib only: it lives here because every layer
already imports this package).

These classes used to be ``@dataclass(frozen=True, slots=True)``. The decorator compiles six
methods from source for every class, about 0.6 ms each at import: a fifth of the cold start
for the twenty-odd records. A :class:`Record` subclass instead declares its fields as
annotations, stores them in ``__slots__`` and writes its own ``__init__`` (setting
fields with :data:`setfield`); the base gives what the dataclass did -- value equality and
hashing over the fields, the same ``Name(field=value, ...)`` repr, and
:class:`dataclasses.FrozenInstanceError` on assignment or deletion, and pickling and copying.

:func:`record` registers a class with :mod:`dataclasses` without generating any method (about
50 us), so ``dataclasses.fields``, ``replace`` and ``asdict`` keep working on model objects,
and takes the field order from there.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from typing import TYPE_CHECKING, ClassVar, dataclass_transform

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    _R = TypeVar("_R", bound="Record")

setfield = object.__setattr__
"""What an ``__init__`` sets its fields with (the class itself refuses assignment)."""


class ValueEquality:
    """Equality and hashing over :meth:`_values` (the fields, in order), as a dataclass has
    them; the base of :class:`Record` and of the generated binding classes."""

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())


class Record(ValueEquality):
    """Base of a read-only record: its fields are its annotations, stored in ``__slots__``."""

    __slots__ = ()
    _record_fields: ClassVar[tuple[str, ...]] = ()
    """The field names in declaration order (set by :func:`record`)."""

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._record_fields])

    def __getstate__(self) -> tuple[object, ...]:
        return self._values()

    def __setstate__(self, state: tuple[object, ...]) -> None:
        # pickle and copy restore slots with setattr, which the class refuses.
        for name, value in zip(self._record_fields, state, strict=True):
            setfield(self, name, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._record_fields)
        return f"{self.__class__.__qualname__}({fields})"


@dataclass_transform(frozen_default=True)  # type checkers see frozen dataclasses, as before
def record(*, kw_only: bool = False) -> Callable[[type[_R]], type[_R]]:
    """Register a :class:`Record` subclass as a dataclass (its fields only: no method is made)."""

    def register(cls: type[_R]) -> type[_R]:
        dataclass(init=False, repr=False, eq=False, kw_only=kw_only)(cls)
        fields = cls.__dataclass_fields__  # type: ignore[attr-defined]  # set just above
        names = tuple(fields)
        if set(names) != set(cls.__slots__):
            raise TypeError(f"{cls.__name__}: __slots__ must list exactly the fields {names}")
        # The defaults live in __init__ (a slot cannot have a class-level default): copy them
        # to the fields, so that dataclasses.fields() reports them as before.
        init = cls.__init__
        positional = init.__code__.co_varnames[1 : init.__code__.co_argcount]
        defaults = dict(zip(reversed(positional), reversed(init.__defaults__ or ()), strict=False))
        defaults.update(init.__kwdefaults__ or {})
        for name, value in defaults.items():
            fields[name].default = value
        cls._record_fields = names
        return cls

    return register
