"""Fixtures: a simulated company loaded into a real DuckDB store (shared by the module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portalroi.sim import SimConfig, simulate
from portalroi.store import Store


@pytest.fixture(scope="session")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny simulated company (with portal events) written straight into a store file."""
    path = tmp_path_factory.mktemp("health") / "sim.duckdb"
    result = simulate(SimConfig.preset("tiny", seed=3, n_accounts=300))
    with Store(path) as store:
        for name, table in result.arrow.items():
            store.con.register("_src", table)
            store.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _src")
            store.con.unregister("_src")
    return path


@pytest.fixture
def sim_store(sim_db: Path) -> Iterator[Store]:
    """The simulated store, read-only."""
    with Store(sim_db, read_only=True) as store:
        yield store
