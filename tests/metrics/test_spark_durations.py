"""Durations keep their sub-second part on Spark as on DuckDB (whole microseconds on both).

Spark's ``UNIX_TIMESTAMP`` has whole seconds, so durations are computed as microsecond
differences (``DATE_DIFF`` / ``DATEDIFF(MICROSECOND, ...)``) on every engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from metrics_fixtures import spark_backend_fixture, tiny_store_fixture  # noqa: F401 (fixtures)
from metrics_tiny import DATA, frame, load_duckdb
from test_engines import assert_same

from portalroi.metrics import compute
from portalroi.store import Store

DURATIONS = ("session_length", "first_reply_time", "full_resolution_time", "time_to_go_live")


def _sub_second() -> dict[str, list[dict[str, Any]]]:
    """The hand-written data with a fraction of a second added to every other timestamp."""
    data = {table: [dict(row) for row in rows] for table, rows in DATA.items()}
    shift = pd.Timedelta(microseconds=250_125)
    for table, cols in (
        ("events", ("ts",)),
        ("tickets", ("first_reply_at", "resolved_at")),
        ("accounts", ("portal_live_at",)),
    ):
        for i, row in enumerate(data[table]):
            for col in cols:
                if i % 2 == 0 and row.get(col) is not None and not pd.isna(row[col]):
                    row[col] = pd.Timestamp(row[col]) + shift
    return data


@pytest.mark.spark
@pytest.mark.slow
def test_durations_agree_to_the_microsecond(spark_backend: Any, tmp_path: Path) -> None:
    import ibis

    data = _sub_second()
    session = spark_backend._session.newSession()  # own temporary views, same Spark context
    for table, rows in data.items():
        session.createDataFrame(frame(table, rows)).createOrReplaceTempView(table)
    spark = ibis.pyspark.connect(session)
    with Store(tmp_path / "s.duckdb") as store:
        load_duckdb(store.con, data)
        for name in DURATIONS:
            duck = compute(store, name)
            assert_same(duck, compute(spark, name), name)
        minutes = compute(store, "session_length")["value"]
        # the fraction survived: some session lengths are not whole seconds
        assert ((minutes * 60) % 1 > 1e-6).any()
