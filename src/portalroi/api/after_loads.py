"""Work after live loads, off the request: risk scores and alerts.

A load posted to ``/api/v1/ingest/{table}`` answers as soon as its rows are committed; what
follows a load (:func:`portalroi.alerts.after_refresh`: record risk scores, evaluate the alert
rules, deliver what fires) runs afterwards in the background, so the client's request does not
wait for every rule to be evaluated. One run at a time per server: loads that commit while a
run is going are covered by one more run after it, not one run each, so a client posting a
batch every second does not queue an evaluation per batch. Each run holds the same write lock
as the loads (one writer at a time) and clears the result cache when it is done, since it adds
alert firings and risk scores that pages show.

Examples
--------
>>> import tempfile, threading, pathlib
>>> from portalroi.api.cache import ResultCache
>>> from portalroi.api.pool import StorePool
>>> from portalroi.settings import Settings
>>> pool = StorePool(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb")
>>> runner = AfterLoads(pool, Settings(), ResultCache(0), threading.Lock())
>>> runner(); runner.runs
1
>>> pool.close()
"""

from __future__ import annotations

import threading

from portalroi.alerts import after_refresh
from portalroi.api.cache import ResultCache
from portalroi.api.pool import StorePool
from portalroi.settings import Settings

__all__ = ["AfterLoads"]


class AfterLoads:
    """Runs :func:`~portalroi.alerts.after_refresh` after loads, coalescing the runs.

    Parameters
    ----------
    pool
        The server's store pool (a run borrows its own cursor).
    settings
        Server settings (SMTP, webhook secret, ...).
    cache
        The result cache, cleared after each run.
    write_lock
        The lock loads hold while they write; a run holds it too.
    """

    def __init__(
        self,
        pool: StorePool,
        settings: Settings,
        cache: ResultCache,
        write_lock: threading.Lock,
    ) -> None:
        self._pool = pool
        self._settings = settings
        self._cache = cache
        self._write_lock = write_lock
        self._guard = threading.Lock()
        self._running = False
        self._again = False
        #: Runs completed since the server started.
        self.runs = 0

    def __call__(self) -> None:
        """After a load has committed: run now, or have the run in progress go once more."""
        with self._guard:
            if self._running:
                self._again = True  # that run may have read the store before this load
                return
            self._running = True
        try:
            while True:
                with self._write_lock, self._pool.borrow() as store:
                    after_refresh(store, self._settings)  # logs its own failures
                self._cache.clear()
                with self._guard:
                    self.runs += 1
                    if not self._again:
                        self._running = False
                        return
                    self._again = False
        except BaseException:
            with self._guard:
                self._running = self._again = False
            raise
