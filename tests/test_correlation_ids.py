"""Correlation ids are version 4 UUIDs, never repeat across threads, and a forked child draws
its own instead of sending the ids its parent will."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from inkorg_riv.envelope.build import new_correlation_id


def test_ids_are_version_4_uuids_written_as_uuid_writes_them() -> None:
    for _ in range(300):
        made = new_correlation_id()
        parsed = uuid.UUID(made)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == made


def test_ids_never_repeat_across_threads() -> None:
    made: list[list[str]] = [[] for _ in range(16)]

    def draw(into: list[str]) -> None:
        into.extend(new_correlation_id() for _ in range(500))

    threads = [threading.Thread(target=draw, args=(into,)) for into in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    every = [one for into in made for one in into]
    assert len(every) == 16 * 500
    assert len(set(every)) == len(every)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_draws_its_own_ids() -> None:
    new_correlation_id()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(writer, ",".join(new_correlation_id() for _ in range(5)).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        child = pipe.read().split(",")
    os.waitpid(pid, 0)
    parent = [new_correlation_id() for _ in range(5)]
    assert len(child) == 5
    assert not set(child) & set(parent)
