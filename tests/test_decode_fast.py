"""The decoder's per-class plans, on small hand-written bindings: a subclass gets its own plan,
values are read across comments and PIs, and every error still names its element path."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

import pytest
from lxml import etree

from inkorg_riv.bindings._runtime import FieldSpec, Kind, TypeSpec, XmlObject
from inkorg_riv.codec import decode
from inkorg_riv.errors import BindingError

NS = "urn:example:decode"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class Colour(enum.Enum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


_BASE_FIELDS = (
    FieldSpec("name", f"{{{NS}}}name", Kind.SIMPLE, "string"),
    FieldSpec("count", f"{{{NS}}}count", Kind.SIMPLE, "int", 0, 1),
    FieldSpec("colours", f"{{{NS}}}colour", Kind.ENUM, "Colour", 0, None),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Base(XmlObject):
    """A base type."""

    __xsd__: ClassVar[TypeSpec] = TypeSpec(f"{{{NS}}}Base", NS, _BASE_FIELDS)
    name: str
    count: int | None = None
    colours: tuple[Colour, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Derived(Base):
    """An extension of Base."""

    __xsd__: ClassVar[TypeSpec] = TypeSpec(
        f"{{{NS}}}Derived",
        NS,
        (*_BASE_FIELDS, FieldSpec("extra", f"{{{NS}}}extra", Kind.SIMPLE, "boolean")),
    )
    extra: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Lacking(XmlObject):
    """Names an enumeration the module does not define."""

    __xsd__: ClassVar[TypeSpec] = TypeSpec(
        f"{{{NS}}}Lacking", NS, (FieldSpec("odd", f"{{{NS}}}odd", Kind.ENUM, "Missing", 0, 1),)
    )
    odd: object = None


TYPES = {f"{{{NS}}}Base": Base, f"{{{NS}}}Derived": Derived}


def xml(inner: str, attrs: str = "") -> etree._Element:
    return etree.fromstring(f'<d:item xmlns:d="{NS}" xmlns:xsi="{XSI}" {attrs}>{inner}</d:item>')


def test_a_subclass_decodes_with_its_own_plan_before_and_after_its_base() -> None:
    derived = xml("<d:name>a</d:name><d:extra>true</d:extra>", 'xsi:type="d:Derived"')
    plain = xml("<d:name>b</d:name><d:count>2</d:count>")
    assert decode(plain, Base) == Base(name="b", count=2)
    assert decode(derived, Base) == Derived(name="a", extra=True)
    assert decode(plain, Base) == Base(name="b", count=2)
    with pytest.raises(BindingError, match="unexpected element") as info:
        decode(xml("<d:name>c</d:name><d:extra>true</d:extra>"), Base)
    assert info.value.path == "/item/extra"


def test_values_are_read_across_comments_and_processing_instructions() -> None:
    element = xml(
        "<!--c--><d:name>Al<!--x-->ice<?pi y?>!</d:name><?pi z?>"
        "<d:count> 7 </d:count><d:colour> red </d:colour><d:colour>blue</d:colour>"
    )
    assert decode(element, Base) == Base(name="Alice!", count=7, colours=(Colour.RED, Colour.BLUE))
    assert decode(xml("<d:name/>"), Base) == Base(name="")


@pytest.mark.parametrize(
    ("inner", "message", "path"),
    [
        ("<d:name>a</d:name><d:colour>green</d:colour>", "is not one of red, blue", "/item/colour"),
        ("<d:name>a</d:name><d:count>x</d:count>", "cannot read 'x' as xs:int", "/item/count"),
        ("<d:name>a</d:name><d:count>1</d:count><d:count>2</d:count>", "more than once",
         "/item/count"),
        ("<d:count>1</d:count>", "required element name is missing", "/item"),
        ("<d:name>a<d:b/></d:name>", "inside a simple value", "/item/name/b"),
        ("<d:name>a</d:name><d:other/>", "unexpected element", "/item/other"),
    ],
)  # fmt: skip
def test_errors_name_the_element_path(inner: str, message: str, path: str) -> None:
    with pytest.raises(BindingError, match=message) as info:
        decode(xml(inner), Base)
    assert info.value.path == path


def test_a_class_the_module_lacks_fails_only_when_its_element_is_met() -> None:
    assert decode(xml(""), Lacking) == Lacking()
    with pytest.raises(BindingError, match="no class Missing"):
        decode(xml("<d:odd>x</d:odd>"), Lacking)
