"""freeze_startup_objects: startup objects leave the collector's view, later garbage does not."""

from __future__ import annotations

import gc
import weakref

from portalroi.runtime import freeze_startup_objects


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_frozen_objects_are_not_walked_and_later_cycles_are_still_freed() -> None:
    try:
        frozen = freeze_startup_objects()
        assert frozen > 1000  # the imports of a test process
        # frozen objects still die by reference counting (other threads of the test process,
        # e.g. a server thread of an earlier test winding down, may free a few meanwhile);
        # nothing enters the frozen generation without another freeze
        assert frozen - 100 <= gc.get_freeze_count() <= frozen
        walked = sum(len(gc.get_objects(generation)) for generation in range(3))
        assert walked < frozen  # what a full collection walks now excludes the frozen ones
        node = _Node()
        ref = weakref.ref(node)
        del node
        gc.collect()
        assert ref() is None  # a cycle made after the freeze is collected as usual
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
