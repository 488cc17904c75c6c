"""The streamed large generator: exact event count, row groups, canonical columns, joinable users."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

import portalroi.sim as sim
from portalroi.sim import generate_large
from portalroi.sim._arrow import arrow_schema


def test_generate_large_streams_exact_count_in_row_groups(tmp_path: Path) -> None:
    out = generate_large(
        tmp_path, n_events=120_000, seed=2, accounts_per_batch=20, row_group_rows=50_000
    )
    assert out["events"] == 120_000
    meta = pq.ParquetFile(out["paths"]["events"]).metadata
    assert meta.num_rows == 120_000
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [50_000, 50_000, 20_000]
    assert meta.row_group(0).column(0).compression == "ZSTD"
    events = pq.read_table(out["paths"]["events"])
    assert events.schema.equals(arrow_schema("events"))
    assert pc.count_distinct(events["event_id"]).as_py() == 120_000
    users = pq.read_table(out["paths"]["users"])
    assert set(events["user_id"].unique().to_pylist()) <= set(users["user_id"].to_pylist())
    assert users.num_rows == out["users"]
    assert pq.read_table(out["paths"]["accounts"]).num_rows == out["accounts"]


def test_public_api_sorted() -> None:
    assert sim.__all__ == sorted(sim.__all__)
