"""Fixtures of the metric tests: the hand-written data set in DuckDB and in Spark local mode.

Imported by the test modules that use them (a conftest.py here would shadow tests/conftest.py
for ``from shared_paths import shared_data``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from metrics_tiny import load_duckdb

from portalroi.schema import TABLES
from portalroi.store import Store


@pytest.fixture(scope="session", name="tiny_store")
def tiny_store_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The hand-written timeline in a DuckDB store file."""
    path: Path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    with Store(path) as store:
        load_duckdb(store.con)
        yield store


@pytest.fixture(scope="session", name="spark_backend")
def spark_backend_fixture(
    tmp_path_factory: pytest.TempPathFactory, tiny_store: Store
) -> Iterator[Any]:
    """Ibis on Spark local mode (UTC, one core, no UI) holding the same canonical tables."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (extra: spark)")
    import ibis
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("portalroi-metric-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.memory", "1g")
        # tiny data: compiling generated code and adaptive re-planning cost more than they save
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    con = ibis.pyspark.connect(session)
    for name in TABLES:
        # temporary views of cached in-memory frames: nothing written to a warehouse folder
        arrow = tiny_store.backend.table(name).to_pyarrow()
        session.createDataFrame(arrow).cache().createOrReplaceTempView(name)
    yield con
    session.stop()
