"""Idempotency and dedupe by key: same file twice, updates, duplicates inside one file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest_helpers import reconciled, snapshot

from portalroi.ingest import ingest_file
from portalroi.schema import TABLES
from portalroi.store import Store

COSTS = "cost_id,date,category,amount\nc1,2024-01-31,hosting,90\nc2,2024-02-29,licence,1000\n"


def test_same_file_twice_changes_nothing(store: Store, write: Callable[[str, str], Path]) -> None:
    path = write("costs.csv", COSTS)
    first = reconciled(ingest_file(store, path, table="costs"))
    before = snapshot(store)
    again = reconciled(ingest_file(store, path, table="costs"))
    assert (first.inserted, again.inserted, again.updated, again.duplicates) == (2, 0, 0, 2)
    after = snapshot(store)
    for name in TABLES:
        assert after[name] == before[name]
    assert len(after["_loads"]) == 2


def test_changed_row_updates_in_place(store: Store, write: Callable[[str, str], Path]) -> None:
    ingest_file(store, write("a.csv", COSTS), table="costs")
    changed = "cost_id,date,category,amount\nc1,2024-01-31,hosting,95\nc3,2024-03-31,content,5\n"
    s = reconciled(ingest_file(store, write("b.csv", changed), table="costs"))
    assert (s.inserted, s.updated, s.duplicates) == (1, 1, 0)
    rows = store.con.execute("SELECT cost_id, amount FROM costs ORDER BY 1").fetchall()
    assert rows == [("c1", 95.0), ("c2", 1000.0), ("c3", 5.0)]


def test_duplicates_inside_one_file(store: Store, write: Callable[[str, str], Path]) -> None:
    text = (
        "cost_id,date,category,amount\n"
        "c1,2024-01-31,hosting,90\nc1,2024-01-31,hosting,90\nc1,2024-01-31,hosting,91\n"
    )
    s = reconciled(ingest_file(store, write("d.csv", text), table="costs"))
    assert (s.rows_read, s.inserted, s.duplicates, s.quarantined) == (3, 1, 1, 1)
    q = store.con.execute(
        "SELECT row_number, column_name, value, reason FROM _quarantine"
    ).fetchall()
    assert q == [(3, "cost_id", "c1", "key repeats row 1 of this file with different content")]
    assert store.con.execute("SELECT amount FROM costs").fetchall() == [(90.0,)]
