"""A simulated company loaded through the ingestion API into a real DuckDB store (built once)."""

from __future__ import annotations

import pandas as pd
import pytest
from analytics_sim import SimStore

from portalroi.ingest import ingest_file
from portalroi.sim import SimConfig, simulate, write_dataset
from portalroi.store import Store


@pytest.fixture(scope="session")
def sim_store(tmp_path_factory: pytest.TempPathFactory) -> SimStore:
    """150 accounts over three years, with portal events (searches) and articles."""
    root = tmp_path_factory.mktemp("analytics-sim")
    result = simulate(SimConfig.preset("tiny", seed=7, n_accounts=150))
    paths = write_dataset(result, root / "data")
    db = root / "sim.duckdb"
    with Store(db) as store:
        for name in ("accounts", "tickets", "articles", "events"):
            summary = ingest_file(store, paths[name], table=name)
            assert summary.quarantined == 0
    truth = pd.read_parquet(root / "data" / "truth" / "tickets.parquet")
    first = pd.Timestamp(result.truth["roll_out"]["first_go_live"])
    return SimStore(db=db, truth=truth, first_go_live=first)
