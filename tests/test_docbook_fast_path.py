"""The body checker's quick pass never waves through a body the full walk would fault.

``validation.docbook`` first runs a cheap pass (``_fine``) and only walks the tree with paths
and wording when that pass has any doubt. The two encode the same subset rules, so this
property pins them together: whenever the quick pass says "fine", the full walk finds nothing.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from inkorg_riv.validation.docbook import _fine, _walk

TAGS = ["article", "info", "title", "para", "section", "bibliography", "variablelist",
        "varlistentry", "term", "listitem", "ulink", "emphasis", "b"]  # fmt: skip
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["url", "type", "role", "id"]),
    st.sampled_from(["https://www.1177.se", "_blank", "_self", "javascript:x", "x"]),
    max_size=2,
)
TEXT = st.one_of(st.none(), st.sampled_from(["", " ", "\n", "text", "å & <"]))


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    element = etree.Element(draw(st.sampled_from(TAGS)), draw(ATTRIBUTES))
    element.text = draw(TEXT)
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            child = draw(trees(depth + 1))
            child.tail = draw(TEXT)
            element.append(child)
    return element


@settings(max_examples=400, deadline=None)
@given(st.builds(list, st.lists(trees(1), max_size=4)), TEXT)
def test_quick_pass_fine_implies_no_issue(children: list[etree._Element], text: str | None) -> None:
    root = etree.Element("article")
    root.text = text
    root.extend(children)
    if _fine(root):
        assert list(_walk(root, "article", "/article")) == []
