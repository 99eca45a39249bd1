"""The read-only records behind the contract model, the binding specs and error problems:
they behave as the frozen dataclasses they replaced (equality, hashing, repr, immutability,
``dataclasses.fields``/``replace``, pickling)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from inkorg_riv.contracts import (
    ComplexType,
    ContractPackage,
    Element,
    HeaderPart,
    Operation,
    PackageSource,
    SimpleType,
    bundled_package,
)
from inkorg_riv.errors import ContractProblem, ValidationIssue


def _records() -> list[Any]:
    package = bundled_package()
    op = package.operation("AddMessage")
    types = package.types
    element = types.elements[op.request_element]
    return [
        op,
        op.headers[0],
        next(iter(package.interactions.values())),
        element,
        types.type_of(element),
        SimpleType(name=None, base="{http://www.w3.org/2001/XMLSchema}string", patterns=("a",)),
        ContractProblem("a.xsd", "broken"),
        ValidationIssue("/a", "bad", 3),
        package.source,
    ]


@pytest.mark.parametrize("obj", _records(), ids=lambda o: type(o).__name__)
def test_records_act_as_frozen_dataclasses(obj: Any) -> None:
    cls = type(obj)
    assert dataclasses.is_dataclass(obj)
    names = [f.name for f in dataclasses.fields(obj)]
    assert names == list(cls._record_fields)
    assert set(names) == set(cls.__slots__)
    assert not hasattr(obj, "__dict__")
    copy_ = dataclasses.replace(obj)
    assert copy_ == obj
    assert copy_ is not obj
    assert (copy_ != obj) is False
    assert obj != object()
    assert obj != 1
    params = inspect.signature(cls).parameters
    assert list(params) == names
    for field in dataclasses.fields(obj):
        default = params[field.name].default
        expected = dataclasses.MISSING if default is inspect.Parameter.empty else default
        assert field.default == expected, field.name
    shown = ", ".join(f"{n}={getattr(obj, n)!r}" for n in names)
    assert repr(obj) == f"{cls.__qualname__}({shown})"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, names[0], None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(obj, names[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.extra = 1
    assert copy.copy(obj) == obj
    if not isinstance(obj, PackageSource):  # its read-only file map cannot be copied (as before)
        assert copy.deepcopy(obj) == obj


def test_hash_follows_the_fields() -> None:
    a = HeaderPart(part="p", element="{urn:x}p")
    b = HeaderPart(part="p", element="{urn:x}p")
    c = HeaderPart(part="p", element="{urn:x}p", declared=False)
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert ContractProblem("f", "c") in {ContractProblem("f", "c")}


def test_records_pickle() -> None:
    op = bundled_package().operation("AddMessage")
    assert pickle.loads(pickle.dumps(op)) == op  # noqa: S301  (our own bytes, just made)
    issue = ValidationIssue("/x", "why", None, "docbook")
    assert pickle.loads(pickle.dumps(issue)) == issue  # noqa: S301  (our own bytes, just made)


def test_replace_changes_one_field_and_keeps_the_rest() -> None:
    op = bundled_package().operation("AddMessage")
    bare = dataclasses.replace(op, headers=())
    assert bare.headers == ()
    assert bare.soap_action == op.soap_action
    assert bare != op
    package = bundled_package()
    source = PackageSource(package.source.name, "folder", package.source.files)
    moved = dataclasses.replace(package, source=source)
    assert isinstance(moved, ContractPackage)
    assert moved.operation("AddMessage") == op


def test_keyword_only_where_the_dataclasses_were() -> None:
    for cls in (Element, ComplexType, SimpleType, HeaderPart, Operation):
        assert all(f.kw_only for f in dataclasses.fields(cls))
        with pytest.raises(TypeError):
            cls("positional")
    assert SimpleType(name="n", base="b") == SimpleType(name="n", base="b")
    assert Element(name="e", type_name=None).max_occurs == 1
