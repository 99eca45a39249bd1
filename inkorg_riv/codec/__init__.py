"""Typed binding objects to XML elements and back, with lxml (layer L3, pure).

Driven by the ``__xsd__`` specs the generator derives from the contract model: element names
and namespaces, document order, cardinalities, ``xsi:type`` for subtypes, wildcards.

* :func:`encode` refuses characters XML 1.0 forbids, naming the field
  (:class:`~inkorg_riv.errors.BindingError`); it never produces a partial document.
* :func:`encode_bytes` writes the same document straight to bytes, without building a tree
  (what the client sends); same refusals.
* :func:`decode` keeps unknown elements that a lax wildcard allows (in ``any_elements``) and
  refuses unknown elements elsewhere, missing required elements and unreadable values with a
  :class:`~inkorg_riv.errors.BindingError` naming the element path.

The encoders live in :mod:`._encode` (lxml) and :mod:`._write` (bytes), the decoder in
:mod:`._decode`.
"""

from __future__ import annotations

from ._decode import decode
from ._encode import encode
from ._write import encode_bytes

__all__ = ["decode", "encode", "encode_bytes"]
