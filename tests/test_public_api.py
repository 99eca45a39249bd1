"""The curated public surface: ``__all__`` is honest, sorted, and names only our own objects."""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

import inkorg_riv

PACKAGES = ["inkorg_riv", "inkorg_riv.errors", "inkorg_riv.contracts", "inkorg_riv.validation"]


def _all_of(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    assert isinstance(names, list | tuple), f"{module_name} has no __all__"
    return list(names)


@pytest.mark.parametrize("module_name", PACKAGES)
def test_all_names_exist_are_sorted_and_unique(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = _all_of(module_name)
    assert names, f"{module_name}.__all__ is empty"
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == []
    assert names == sorted(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("module_name", PACKAGES)
def test_no_private_names_are_exported(module_name: str) -> None:
    private = [
        name for name in _all_of(module_name)
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
    ]
    assert private == []


@pytest.mark.parametrize("module_name", PACKAGES)
def test_every_public_object_is_our_own(module_name: str) -> None:
    module = importlib.import_module(module_name)
    foreign: list[str] = []
    for name in _all_of(module_name):
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            origin = obj.__name__
        elif inspect.isclass(obj) or inspect.isroutine(obj):
            origin = obj.__module__
        else:
            continue  # constants (``__version__``, rule tuples) carry no module
        if not (origin == "inkorg_riv" or origin.startswith("inkorg_riv.")):
            foreign.append(f"{name} ({origin})")
    assert foreign == []


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from inkorg_riv import *", namespace)  # noqa: S102 - the point of the test
    namespace.pop("__builtins__", None)
    assert sorted(namespace) == sorted(inkorg_riv.__all__)


def test_exceptions_share_one_root() -> None:
    exported = [getattr(inkorg_riv, name) for name in inkorg_riv.__all__]
    errors = [obj for obj in exported if inspect.isclass(obj) and issubclass(obj, Exception)]
    assert inkorg_riv.InkorgError in errors
    assert len(errors) > 5
    assert all(issubclass(error, inkorg_riv.InkorgError) for error in errors)


def test_version_is_exported() -> None:
    assert "__version__" in inkorg_riv.__all__
    parts = inkorg_riv.__version__.split(".")
    assert len(parts) >= 2
    assert all(part.isdigit() for part in parts[:2])
