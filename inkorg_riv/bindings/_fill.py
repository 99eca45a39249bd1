"""Compiled field setters for generated binding classes (layer L2).

A generated ``__init__`` hands its arguments to :meth:`XmlObject._fill
<inkorg_riv.bindings._runtime.XmlObject._fill>`, which runs the filler compiled here for the
class on its first construction: straight-line code that sets each field and then makes the
exact-type check of each, in the order of the class's specs -- the same checks
:meth:`~inkorg_riv.bindings._runtime.XmlObject.__post_init__` makes in a loop, at a third of
the cost. Whatever is not plainly right (a list for a tuple, a subclass, a wrong type, too
few or too many values) goes to the full check, which raises or converts exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Filler = Callable[..., None]
Check = tuple[str, type, bool, "type | None", int, int, Any]
"""(attr, exact type, optional, item type of a tuple, fewest, most, spec)."""
Slow = Callable[[Any, int, Any], None]
"""``slow(obj, index, value)``: the full check of plan entry ``index``."""


def compile_filler(cls: type, names: Sequence[str], plan: Sequence[Check], slow: Slow) -> Filler:
    """The filler of ``cls``: ``filler(obj, *values)`` with values in the order of ``names``.

    Every identifier in the generated source is a field name (a Python identifier, checked
    here) or a generated local; types and bounds are passed in the namespace, not as text.
    """
    for name in names:
        if not name.isidentifier() or name.startswith("__"):
            raise ValueError(f"{cls.__name__}: field name {name!r} cannot be compiled")
    scope: dict[str, Any] = {"_set": object.__setattr__, "_slow": slow}
    params = [f"v{index}" for index in range(len(names))]
    variable = dict(zip(names, params, strict=True))
    lines = [f"def fill(obj, {', '.join(params)}):" if params else "def fill(obj):"]
    lines += [f"    _set(obj, {name!r}, v{index})" for index, name in enumerate(names)]
    for index, (attr, exact, optional, item_type, low, high, _spec) in enumerate(plan):
        v = variable[attr]
        scope[f"T{index}"] = exact
        if item_type is None:
            test = f"type({v}) is not T{index}"
            if optional:
                test += f" and {v} is not None"
            lines += [f"    if {test}:", f"        _slow(obj, {index}, {v})"]
            continue
        scope[f"I{index}"], scope[f"L{index}"], scope[f"H{index}"] = item_type, low, high
        lines += [
            f"    if type({v}) is T{index} and L{index} <= len({v}) <= H{index}:",
            f"        for item in {v}:",
            f"            if type(item) is not I{index}:",
            f"                _slow(obj, {index}, {v})",
            "                break",
            "    else:",
            f"        _slow(obj, {index}, {v})",
        ]
    source = "\n".join(lines)
    exec(compile(source, f"<inkorg-riv filler {cls.__name__}>", "exec"), scope)  # noqa: S102  (see the docstring: names are checked identifiers)
    filler: Filler = scope["fill"]
    return filler
