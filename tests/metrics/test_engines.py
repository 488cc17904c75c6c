"""The same metrics on DuckDB and Spark local mode must agree: integers exactly, ratios to 1e-9.

Also: reading the DuckDB rollup gives exactly what deduplicating the events gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from metrics_fixtures import spark_backend_fixture, tiny_store_fixture  # noqa: F401 (fixtures)

from portalroi.metrics import METRICS, compute, refresh_rollups, rollup_is_current
from portalroi.store import Store

#: Metrics whose split is checked on Spark too (a compact sample of every runner kind).
SPLITS = {
    "mau": "account",
    "active_days_histogram": "role",
    "feature_utilisation": "segment",
    "ticket_after_self_help": "device",
    "first_resolution_time": "segment",
}


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as datetime64, ints as int64, booleans as bool, ordered by every key column."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if col in ("day", "month", "cohort", "go_live"):
            out[col] = pd.to_datetime(s).astype("datetime64[ns]")
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(bool)
        elif pd.api.types.is_integer_dtype(s):
            out[col] = s.astype("int64")
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.astype("float64")
    keys = [c for c in out.columns if not pd.api.types.is_float_dtype(out[c])]
    return out.sort_values(keys, na_position="last").reset_index(drop=True)


def assert_same(a: pd.DataFrame, b: pd.DataFrame, label: str) -> None:
    a, b = normalise(a), normalise(b)
    assert list(a.columns) == list(b.columns), label
    assert len(a) == len(b), label
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            np.testing.assert_allclose(
                a[col].to_numpy(),
                b[col].to_numpy(),
                rtol=1e-9,
                atol=1e-12,
                err_msg=f"{label}.{col}",
            )
        else:
            assert a[col].tolist() == b[col].tolist(), f"{label}.{col}"


@pytest.mark.spark
@pytest.mark.slow
def test_every_metric_agrees_on_duckdb_and_spark(tiny_store: Store, spark_backend: Any) -> None:
    # dau, wau and mau are columns of the stickiness frame: one rolling computation covers them
    covered = {"dau", "wau", "mau"}
    cases = [(name, None) for name in METRICS if name not in covered] + list(SPLITS.items())
    for name, by in cases:
        duck = compute(tiny_store, name, by=by)
        spark = compute(spark_backend, name, by=by)
        assert not duck.empty, name
        assert_same(duck, spark, f"{name} by {by}")


ROLLUP_NAMES = (
    "mau",
    "active_days_histogram",
    "retention_cohorts",
    "activation_rate",
    "feature_utilisation",
    "ticket_after_portal_rate",
)
ROLLUP_CASES = [
    (name, by)
    for name in ROLLUP_NAMES
    for by in (None, "account", "role")
    if by is None or by in METRICS[name].dims
]


@pytest.mark.parametrize(("name", "by"), ROLLUP_CASES)
def test_rollup_gives_the_same_answers(
    tiny_store: Store, tmp_path: Any, name: str, by: str | None
) -> None:
    from_events = compute(tiny_store, name, by=by)
    with Store(tmp_path / "r.duckdb") as store:
        from metrics_tiny import load_duckdb

        load_duckdb(store.con)
        assert refresh_rollups(store.con) == "rebuilt"
        assert rollup_is_current(store.con)
        assert_same(from_events, compute(store, name, by=by), f"{name} by {by}")
