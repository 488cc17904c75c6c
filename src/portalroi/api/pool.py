"""Store connections for concurrent requests.

One DuckDB database is opened once per server process (:class:`StorePool`); each request borrows
its own cursor (a DuckDB connection to the same database, wrapped as a
:class:`~portalroi.store.Store`), so requests run in parallel threads without sharing a
connection, and every request sees the rows committed before it started (live ingestion).

Examples
--------
>>> import tempfile, pathlib
>>> pool = StorePool(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb")
>>> with pool.borrow() as store:
...     store.row_count("events")
0
>>> pool.close()
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis

from portalroi.store import Store

__all__ = ["StorePool"]


class StorePool:
    """Lazily opened store with a pool of per-request cursors.

    Parameters
    ----------
    path
        The DuckDB store file (created with the canonical tables if missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._base: Store | None = None
        self._free: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._lock = threading.Lock()

    def base(self) -> Store:
        """The process-wide store (opened on first use)."""
        with self._lock:
            if self._base is None:
                self._base = Store(self.path)
            return self._base

    def _new(self) -> Store:
        base = self.base()
        cursor = base.con.cursor()
        store = Store.__new__(Store)
        # A Store over a cursor: same database and tables, its own connection for this thread.
        store.path = base.path
        store.backend = ibis.duckdb.from_connection(cursor)
        store.con = cursor
        store.read_only = False
        return store

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        """A store connection for one request; given back afterwards."""
        try:
            store = self._free.get_nowait()
        except queue.Empty:
            store = self._new()
        try:
            yield store
        finally:
            self._free.put(store)

    def close(self) -> None:
        """Close every pooled cursor and the store."""
        while True:
            try:
                self._free.get_nowait().con.close()
            except queue.Empty:
                break
        with self._lock:
            if self._base is not None:
                self._base.close()
                self._base = None
