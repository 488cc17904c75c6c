"""JSON Lines, JSON documents, Parquet, zipped CSV and in-memory frames."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import check_quarantine, reconciled

from portalroi.errors import ConfigError, SchemaError
from portalroi.ingest import __all__ as public
from portalroi.ingest import ingest_file, ingest_frame
from portalroi.store import Store


def test_public_api_is_sorted() -> None:
    assert list(public) == sorted(public)


def test_jsonl_with_a_broken_line(store: Store, write: Callable[[str, str], Path]) -> None:
    lines = [
        json.dumps(
            {
                "order_id": "o1",
                "account_id": "a1",
                "ts": "2024-05-01T08:00:00Z",
                "amount": 12.5,
                "channel": "portal",
                "basket": {"items": 2},
            }
        ),
        "",
        "{not json",
        json.dumps(
            {
                "order_id": "o2",
                "account_id": "a1",
                "ts": "2024-05-02",
                "amount": -1,
                "channel": "portal",
            }
        ),
    ]
    s = reconciled(ingest_file(store, write("o.jsonl", "\n".join(lines) + "\n"), table="orders"))
    assert (s.rows_read, s.inserted, s.quarantined) == (3, 1, 2)
    check_quarantine(store, s)
    q = store.con.execute(
        "SELECT row_number, column_name, reason FROM _quarantine ORDER BY 1"
    ).fetchall()
    assert q == [(3, None, "not a valid JSON object"), (4, "amount", "below the minimum 0")]
    props = store.con.execute("SELECT properties FROM orders").fetchone()
    assert props is not None
    assert json.loads(props[0]) == {"basket": {"items": 2}}


def test_json_document(store: Store, write: Callable[[str, str], Path]) -> None:
    doc = {"costs": [{"cost_id": "c1", "date": "2024-01-31", "category": "hosting", "amount": 9}]}
    s = reconciled(ingest_file(store, write("c.json", json.dumps(doc, indent=2)), table="costs"))
    assert s.inserted == 1


def test_parquet_keeps_types_and_streams(store: Store, tmp_path: Path) -> None:
    n = 5000
    table = pa.table(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ts": pa.array(pd.date_range("2024-01-01", periods=n, freq="min")),
            "account_id": ["a"] * n,
            "event_type": ["search"] * (n - 1) + ["dance"],
            "result_count": pa.array(range(n), pa.int64()),
        }
    )
    path = tmp_path / "e.parquet"
    pq.write_table(table, path, row_group_size=1000)
    s = reconciled(ingest_file(store, path, table="events", batch_rows=1000))
    assert (s.inserted, s.quarantined) == (n - 1, 1)
    q = store.con.execute("SELECT row_number, column_name, value FROM _quarantine").fetchall()
    assert q == [(n, "event_type", "dance")]
    row = store.con.execute("SELECT max(ts), sum(result_count) FROM events").fetchone()
    assert row == (pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=n - 2), sum(range(n - 1)))


def test_zipped_csv(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("inner/c.csv", "cost_id,date,category,amount\nc1,2024-01-31,hosting,9\n")
    assert ingest_file(store, path, table="costs").inserted == 1


def test_frame(store: Store) -> None:
    frame = pd.DataFrame(
        {"user_id": ["u1", "u2"], "account_id": ["a", None], "role": ["admin", "end_user"]}
    )
    s = reconciled(ingest_frame(store, frame, table="users", source_name="users.py"))
    assert (s.inserted, s.quarantined) == (1, 1)


def test_unusable_inputs(store: Store, write: Callable[[str, str], Path]) -> None:
    path = write("c.csv", "cost_id\n")
    with pytest.raises(ConfigError, match="name the target table"):
        ingest_file(store, path)
    with pytest.raises(SchemaError, match="cannot tell the format"):
        ingest_file(store, write("c.xyz", "a"), table="costs")
    with pytest.raises(ConfigError, match="unknown format"):
        ingest_file(store, path, table="costs", fmt="xml")
