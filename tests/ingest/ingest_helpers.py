"""Helpers for the ingestion tests: a full snapshot of the store to compare before and after."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalroi.ingest import LoadSummary
from portalroi.schema import TABLES
from portalroi.store import Store

ALL_TABLES = (*TABLES, "_loads", "_quarantine")


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every canonical and system table, sorted, as plain tuples."""
    out = {}
    for name in ALL_TABLES:
        rows = store.con.execute(f"SELECT * FROM {name}").fetchall()
        out[name] = sorted(rows, key=repr)
    return out


def reconciled(summary: LoadSummary) -> LoadSummary:
    """Assert nothing was silently dropped, and that the store's records agree with the summary."""
    assert summary.rows_read == (
        summary.inserted + summary.updated + summary.duplicates + summary.quarantined
    )
    return summary


def check_quarantine(store: Store, summary: LoadSummary) -> None:
    """The quarantine holds exactly ``summary.quarantined`` distinct rows of this load."""
    row = store.con.execute(
        "SELECT count(DISTINCT row_number) FROM _quarantine WHERE load_id = ?", [summary.load_id]
    ).fetchone()
    assert row is not None
    assert row[0] == summary.quarantined


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data, skipping when absent (as tests/conftest.py's helper does;
    this folder's own conftest shadows that module name)."""
    path = Path(__file__).resolve().parents[2].parent.joinpath("shared", "data", *parts)
    if not path.exists():
        pytest.skip(f"shared data set not found: {path}")
    return path
