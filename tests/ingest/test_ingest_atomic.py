"""A load that fails part-way, in-process or by SIGKILL, leaves the store exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import snapshot

from portalroi.errors import IngestAbortedError
from portalroi.ingest import _load, ingest_file
from portalroi.store import Store

N_BIG = 300_000  # > two DuckDB row groups, so the aborted insert has written blocks


def _events_csv(path: Path, n: int, start: int = 0) -> Path:
    duckdb.connect().execute(
        f"COPY (SELECT 'e' || (i + {start}) AS event_id, TIMESTAMP '2024-01-01' + "
        f"to_seconds(i) AS ts, 'a' || (i % 50) AS account_id, 'login' AS event_type, "
        f"'x' || (i % 7) AS colour FROM range({n}) t(i)) TO '{path}' (HEADER)"
    )
    return path


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Iterator[Store]:
    ingest_file(store, _events_csv(tmp_path / "first.csv", 1000), table="events")
    yield store
    _load._fault_hook = None


@pytest.mark.parametrize("stage", ["batch", "merge"])
def test_injected_crash_leaves_store_unchanged(loaded: Store, tmp_path: Path, stage: str) -> None:
    before = snapshot(loaded)
    path = _events_csv(tmp_path / "second.csv", 20_000, start=500)

    def crash(where: str, n: int) -> None:
        if (where == stage and n >= 2) or where == stage == "merge":
            raise RuntimeError("injected fault")

    _load._fault_hook = crash
    with pytest.raises(IngestAbortedError, match="injected fault"):
        ingest_file(loaded, path, table="events", batch_rows=1000)
    assert snapshot(loaded) == before
    _load._fault_hook = None  # the store still works afterwards
    s = ingest_file(loaded, path, table="events")
    assert (s.inserted, s.updated) == (19_500, 500)  # e500..e999 differ in content


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        ingest_file(store, _events_csv(tmp_path / "first.csv", 1000), table="events")
        before = snapshot(store)
    big = _events_csv(tmp_path / "big.csv", N_BIG, start=1000)
    marker = tmp_path / "in-transaction"
    child = textwrap.dedent(
        f"""
        import pathlib, time
        from portalroi.ingest import _load, ingest_file
        from portalroi.store import Store

        def hang(where, n):
            if where == "merge":  # inside the open transaction, rows already inserted
                pathlib.Path({str(marker)!r}).write_text(str(n))
                time.sleep(600)

        _load._fault_hook = hang
        with Store({str(db)!r}) as store:
            ingest_file(store, {str(big)!r}, table="events")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child])
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert proc.poll() is None, "the child exited before reaching the merge"
            assert time.monotonic() < deadline, "the child never reached the merge"
            time.sleep(0.05)
        assert marker.read_text() == str(N_BIG)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Store(db) as store:
        assert snapshot(store) == before
