"""A small time-limited cache of computed results, keyed by tenant scope and parameters.

Dashboards ask for the same metric many times; recomputing it on every request is wasted work.
Entries live ``ttl`` seconds, and :meth:`ResultCache.clear` (called after every ingestion) drops
them all, so the cache never serves results older than the data.

Examples
--------
>>> cache = ResultCache(ttl=60)
>>> cache.get_or_compute(("org-a", "dau"), lambda: 42)
42
>>> cache.get_or_compute(("org-a", "dau"), lambda: 0)
42
>>> cache.clear(); cache.get_or_compute(("org-a", "dau"), lambda: 7)
7
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["ResultCache"]

T = TypeVar("T")


class ResultCache:
    """Thread-safe TTL cache (at most ``max_entries``, oldest evicted first)."""

    def __init__(self, ttl: float, max_entries: int = 2048) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: dict[Hashable, tuple[float, int, object]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Drop every entry (and any computation started before now)."""
        with self._lock:
            self._data.clear()
            self._generation += 1

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, or ``compute()`` (stored when the TTL is positive)."""
        if self.ttl <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                return hit[2]  # type: ignore[return-value]
            generation = self._generation
        value = compute()
        with self._lock:
            if generation == self._generation:
                if len(self._data) >= self.max_entries:
                    self._data.pop(next(iter(self._data)))
                self._data[key] = (time.monotonic() + self.ttl, generation, value)
        return value
