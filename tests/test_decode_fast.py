"""The decoder's per-class plans, on small hand-written bindings: a subclass gets its own plan,
values are read across comments and PIs, and every error still names its element path."""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.bindings._runtime import FieldSpec, Kind, TypeSpec, XmlObject
from inkorg_riv.codec import _decode, decode
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


# --------------------------------------------------------------------------- compiled decoders
# Dataclass bindings get their plan compiled (_decode._compile). Every
# compiled decoder must answer as the plan's general decoder: the same object (values and
# exact types) or the same error (message and path), on any children.

PAIR_SPEC = FieldSpec("pair", f"{{{NS}}}pair", Kind.SIMPLE, "string", 2, 3)


@dataclass(frozen=True, kw_only=True, slots=True, init=False, repr=False, eq=False)
class WBase(XmlObject):
    """Base, as the generator writes a class."""

    __xsd__: ClassVar[TypeSpec] = TypeSpec(f"{{{NS}}}WBase", NS, _BASE_FIELDS)
    name: str
    count: int | None = None
    colours: tuple[Colour, ...] = ()

    def __init__(
        self, *, name: str, count: int | None = None, colours: tuple[Colour, ...] = ()
    ) -> None:
        self._fill(name, count, colours)


@dataclass(frozen=True, kw_only=True, slots=True, init=False, repr=False, eq=False)
class Every(XmlObject):
    """Every kind the compiled decoders write: values read by converters, an enumeration, a
    required repeated field with a maximum, a nested object, xs:anyType, a choice without
    wrappers, and two wildcards (the second never takes anything)."""

    __xsd__: ClassVar[TypeSpec] = TypeSpec(f"{{{NS}}}Every", NS, (
        FieldSpec("text", f"{{{NS}}}text", Kind.SIMPLE, "string"),
        FieldSpec("flag", f"{{{NS}}}flag", Kind.SIMPLE, "boolean", 0, 1),
        FieldSpec("day", f"{{{NS}}}day", Kind.SIMPLE, "date", 0, 1),
        FieldSpec("colours", f"{{{NS}}}colour", Kind.ENUM, "Colour", 0, None),
        PAIR_SPEC,
        FieldSpec("inner", f"{{{NS}}}inner", Kind.COMPLEX, "WBase", 0, 1),
        FieldSpec("raw", f"{{{NS}}}raw", Kind.RAW, "anyType", 0, 1),
        FieldSpec("pick", "", Kind.CHOICE, "", 0, 1, choices=(
            FieldSpec("pick", f"{{{NS}}}base", Kind.COMPLEX, "WBase"),
            FieldSpec("pick", f"{{{NS}}}tint", Kind.ENUM, "Colour"),
        )),
        FieldSpec("any_elements", "##other", Kind.ANY, "lax", 0, None),
        FieldSpec("more", "##any", Kind.ANY, "lax", 0, None),
    ))  # fmt: skip
    text: str
    flag: bool | None = None
    day: object = None
    colours: tuple[Colour, ...] = ()
    pair: tuple[str, ...]
    inner: WBase | None = None
    raw: etree._Element | None = None
    pick: WBase | Colour | None = None
    any_elements: tuple[etree._Element, ...] = ()
    more: tuple[etree._Element, ...] = ()

    def __init__(self, *, text: str, flag: bool | None = None, day: object = None,
                 colours: tuple[Colour, ...] = (), pair: tuple[str, ...],
                 inner: WBase | None = None, raw: etree._Element | None = None,
                 pick: WBase | Colour | None = None,
                 any_elements: tuple[etree._Element, ...] = (),
                 more: tuple[etree._Element, ...] = ()) -> None:  # fmt: skip
        self._fill(text, flag, day, colours, pair, inner, raw, pick, any_elements, more)


COMPILED = [
    *(c for c in vars(pp).values() if isinstance(c, type) and issubclass(c, XmlObject)),
    WBase,
    Every,
    Base,  # hand-written dataclasses compile too: the class is called with keywords
    Derived,
]
COMPILED.remove(XmlObject)
_TEXTS = st.sampled_from(["", " ", "x", " 7 ", "-2", "1.5", "true", "2024-02-30", "green", "Åby"])
_VALID = {
    "boolean": ["true", " 0 ", "false"], "date": ["2024-02-29"], "time": ["07:45:00"],
    "dateTime": ["2024-01-01T08:00:00", " 2024-01-01T08:00:00+01:00 "], "int": ["1", " -2 "],
    "base64Binary": ["AAE=", ""], "double": ["1.5", "INF"], "decimal": ["12.50"],
}  # fmt: skip
_STRANGERS = st.sampled_from([f"{{{NS}}}stranger", "{urn:other}x", "plain", f"{{{NS}}}Derived"])


def _text(draw: st.DrawFn, entry: typing.Any) -> str:
    """Mostly a value the entry reads, sometimes one it refuses."""
    mode, read, spec = entry[1], entry[2], entry[4]
    if draw(st.integers(0, 15)) == 0:
        return draw(_TEXTS)
    if mode == _decode._ENUM:
        return draw(st.sampled_from([*read, f" {next(iter(read))}\n"]))
    return draw(st.sampled_from(_VALID.get(spec.xsd, ["", "x", "Åby & co"])))


@st.composite
def _children(draw: st.DrawFn, cls: type[XmlObject], depth: int = 0) -> list[etree._Element]:
    """Children for ``cls``: its elements in order (each absent, once or repeated), with now
    and then a stranger, a comment, a duplicate, or markup inside a simple value."""
    plan = _decode._build_plan(cls)
    required = {spec.attr for action, spec, _ in plan.post if action == _decode._REQUIRED}
    made: list[etree._Element] = []
    for tag, entry in plan.by_tag.items():
        counts = [1, 1, 2, 2, 3, 0] if entry[3] else [1, 1, 1, 0]
        if entry[0] in {e[0] for e in map(plan.by_tag.get, (m.tag for m in made)) if e}:
            counts = [0, 0, 0, 1]  # another alternative of a choice is there already
        elif entry[0] in required:
            counts = counts[:-1] * 6 + counts
        for _ in range(draw(st.sampled_from(counts))):
            child = etree.Element(tag)
            if entry[1] == _decode._OBJECT and depth < 3:
                child.extend(draw(_children(entry[2], depth + 1)))
            else:
                child.text = _text(draw, entry)
            made.append(child)
    for _ in range(draw(st.sampled_from([0] * (5 + 20 * depth) + [1, 2]))):
        spoil = draw(st.integers(0, 4))
        where = draw(st.integers(0, len(made)))
        last = next((m for m in reversed(made) if isinstance(m.tag, str)), None)
        if spoil == 0:
            made.insert(where, etree.Element(draw(_STRANGERS)))
        elif spoil == 1:
            made.insert(where, etree.Comment("c"))
        elif last is not None and spoil == 2:
            made.insert(where, etree.Element(last.tag))
        elif last is not None and last.text is not None:
            inner = etree.Element(f"{{{NS}}}b") if spoil == 3 else etree.Comment("x")
            last.append(inner)
            inner.tail = "y"
    return made


def _outcome(make: typing.Callable[[], XmlObject]) -> object:
    try:
        obj = make()
    except BindingError as exc:
        return ("error", exc.message, exc.path)
    return (type(obj), obj, [type(value) for value in obj._values()])


@pytest.mark.parametrize("cls", COMPILED, ids=lambda cls: cls.__name__)
def test_every_generated_class_gets_a_compiled_decoder(cls: type[XmlObject]) -> None:
    assert _decode._build_plan(cls).fast is not None


@pytest.mark.parametrize("cls", COMPILED, ids=lambda cls: cls.__name__)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_compiled_decoders_answer_as_the_general_one(
    cls: type[XmlObject], data: st.DataObject
) -> None:
    element = etree.Element(f"{{{NS}}}item")
    element.extend(data.draw(_children(cls)))
    plan = _decode._build_plan(cls)
    fast = plan.fast
    assert fast is not None
    general = _outcome(lambda: _decode._general(element, cls, plan, "/item"))
    assert _outcome(lambda: fast(element, "/item")) == general


def test_a_compiled_decoder_reads_every_kind() -> None:
    element = xml(
        "<d:text>t</d:text><d:flag> true </d:flag><d:day>2024-02-29</d:day><d:colour>red</d:colour>"
        "<d:pair>a</d:pair><d:pair>b</d:pair><d:inner><d:name>n</d:name></d:inner><d:raw>r</d:raw>"
        "<d:tint>blue</d:tint><o:x xmlns:o='urn:o'/>"
    )
    got = decode(element, Every)
    assert (got.text, got.flag, got.colours, got.pair, got.pick) == (
        "t", True, (Colour.RED,), ("a", "b"), Colour.BLUE
    )  # fmt: skip
    assert got.inner == WBase(name="n")
    assert got.raw is not None
    assert got.raw.text == "r"
    assert [e.tag for e in got.any_elements] == ["{urn:o}x"]
    assert got.more == ()
    with pytest.raises(BindingError, match="at most 3") as info:
        decode(xml("<d:text/>" + "<d:pair/>" * 4), Every)
    assert info.value.path == "/item"
