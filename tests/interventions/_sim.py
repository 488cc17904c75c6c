"""Load a simulated company straight into a store (no ingestion: the tables already fit)."""

from __future__ import annotations

from pathlib import Path

from portalroi.sim import SimConfig, SimResult, simulate
from portalroi.store import Store


def sim_store(path: Path, **overrides: object) -> tuple[Store, SimResult]:
    """A store at ``path`` holding a default-size simulated company with ``overrides``."""
    result = simulate(SimConfig.preset("default", **overrides))
    store = Store(path)
    for name, tbl in result.arrow.items():
        store.con.register("_rows", tbl)
        store.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _rows")
        store.con.unregister("_rows")
    return store, result
