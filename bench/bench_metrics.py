"""Benchmark portalroi's adoption suite against the plain reference suites, same data, same run.

Phases (each run in a fresh subprocess; median over ``--repeats``; wall time, CPU time of the
process and its threads, and peak RSS):

* ``decode``: pyarrow reads the 6 columns the suite needs: the practical floor;
* ``ref-duckdb`` / ``ref-polars`` / ``ref-pandas``: ``run_suite(path)`` of the reference
  implementations in ``../shared/bench-reference`` (SQL / Polars / pandas on the Parquet);
* ``cold``: portalroi on a store whose events are loaded but have no rollups: build every
  rollup from the events, then compute the suite (loading is ingestion, reported apart);
* ``warm``: the suite with the rollups current (maintained at ingest);
* ``incremental``: append one more day of events (``--append`` rows) in a transaction, fold
  them into the rollups as the after-load hook does, and recompute the whole suite;
* ``spark``: the same suite on Spark local mode (all cores) over the same Parquet file
  (session start excluded; its JVM is not in the peak RSS).

The suite is the reference's items a-g: DAU/WAU/MAU, stickiness, feature utilisation,
retention cohorts, account activation, ticket-after-self-help, self-service resolution rate.
portalroi phases run DuckDB with ``SET memory_limit`` = ``--memory-limit``.

Usage::

    .venv/bin/python bench/bench_metrics.py --events /tmp/bench/events_10m.parquet --repeats 3
    .venv/bin/python bench/bench_metrics.py --events /tmp/bench/events_10m.parquet --spark

Each run of a store phase starts from a copy of the loaded store, written to disk before the
clock starts. ``--store`` reuses a store loaded by an earlier run (keep one with
``--child load --events E --db PATH``) to measure the store phases without loading again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "bench-reference"
SUITE = (
    "stickiness",  # dau, wau, mau and dau/mau in one frame (items a and b)
    "feature_utilisation",
    "retention_cohorts",
    "activation_rate",
    "ticket_after_self_help",
    "self_service_resolution_rate",
)
COLUMNS = ["ts", "user_id", "account_id", "event_type", "feature", "session_id"]
DEFAULT_PHASES = "decode,ref-duckdb,ref-polars,cold,warm,incremental"
_STORE_PHASES = ("cold", "warm", "incremental")


class _Clock:
    """Wall and CPU seconds (all threads of this process) since construction."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu_s()

    def lap(self, **extra: float) -> dict[str, float]:
        return {"s": time.perf_counter() - self.wall, "cpu_s": _cpu_s() - self.cpu, **extra}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _load_store(events: Path, db: Path, memory_limit: str) -> dict[str, float]:
    from portalroi.metrics import refresh_rollups
    from portalroi.store import Store, keys

    with Store(db) as store:
        store.con.execute(f"SET memory_limit = '{memory_limit}'")
        clock = _Clock()
        # as ingestion inserts: with the ids' integer keys (portalroi.store.keys)
        cols = "event_id, ts, account_id, user_id, session_id, event_type, feature, device"
        rows = (
            "(SELECT CAST(event_id AS VARCHAR) AS event_id, ts, "
            "CAST(account_id AS VARCHAR) AS account_id, CAST(user_id AS VARCHAR) AS user_id, "
            "CAST(session_id AS VARCHAR) AS session_id, event_type, feature, device "
            f"FROM read_parquet('{events}'))"
        )
        keys.insert(store.con, cols, rows)
        loaded = clock.lap()
        refresh_rollups(store.con)  # what the after-load hook does at ingestion
        return {**loaded, "rollups_s": clock.lap()["s"] - loaded["s"]}


def _suite(source: object) -> None:
    """The suite as a report or a dashboard page computes it: from one snapshot of the store
    (on Spark the snapshot does nothing and each metric runs as it is)."""
    from portalroi.metrics import compute, snapshot

    with snapshot(source):
        for name in SUITE:
            compute(source, name)


def _spark(events: str) -> dict[str, float]:
    import ibis
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as sf

    from portalroi.schema import TABLES
    from portalroi.store import Store

    session = (
        SparkSession.builder.master("local[*]")
        .appName("portalroi-bench")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    with Store(":memory:") as empty:
        for name in TABLES:
            arrow = empty.backend.table(name).to_pyarrow()
            session.createDataFrame(arrow).createOrReplaceTempView(name)
    clock = _Clock()
    raw = session.read.parquet(events)
    canonical = session.table("events")
    cols = []
    for field in canonical.schema.fields:
        if field.name in raw.columns:
            cols.append(sf.col(field.name).cast(field.dataType).alias(field.name))
        else:
            cols.append(sf.lit(None).cast(field.dataType).alias(field.name))
    raw.select(*cols).createOrReplaceTempView("events")
    _suite(ibis.pyspark.connect(session))
    out = clock.lap()  # CPU of the Python driver only: the JVM is another process
    session.stop()
    return out


def child(phase: str, events: str, db: str, append: int, memory_limit: str) -> dict[str, float]:
    """Run one phase in this process and return its times and peak RSS."""
    out: dict[str, float]
    if phase == "load":
        out = _load_store(Path(events), Path(db), memory_limit)
    elif phase == "decode":
        import pyarrow.parquet as pq

        clock = _Clock()
        pq.read_table(events, columns=COLUMNS)
        out = clock.lap()
    elif phase.startswith("ref-"):
        sys.path.insert(0, str(REFERENCE))
        module = __import__(f"eng_{phase[4:]}")
        clock = _Clock()
        module.run_suite(events)
        out = clock.lap()
    elif phase == "spark":
        out = _spark(events)
    elif phase in _STORE_PHASES:
        out = _store_phase(phase, db, append, memory_limit)
    else:
        raise SystemExit(f"unknown phase {phase}")
    return {**out, "rss_mb": _rss_mb()}


def _store_phase(phase: str, db: str, append: int, memory_limit: str) -> dict[str, float]:
    from portalroi.metrics import refresh_rollups
    from portalroi.metrics.rollups import drop_rollups
    from portalroi.runtime import freeze_startup_objects
    from portalroi.store import Store, keys

    if not os.environ.get("PORTALROI_BENCH_NO_FREEZE"):
        freeze_startup_objects()  # as `portalroi serve` does after its imports
    with Store(db) as store:
        store.con.execute(f"SET memory_limit = '{memory_limit}'")
        if phase == "cold":
            drop_rollups(store.con)
            clock = _Clock()
            assert refresh_rollups(store.con) == "rebuilt"
            built = clock.lap()["s"]
            _suite(store)
            return clock.lap(rollups_s=built)
        if phase == "warm":
            assert refresh_rollups(store.con) == "current"
            clock = _Clock()
            _suite(store)
            return clock.lap()
        # one more day: the last day's events shifted by one day (fresh ids), inserted as
        # ingestion inserts them: new ids keyed, then the rows with their keys
        store.con.execute(
            f"CREATE TEMP TABLE _day AS SELECT * EXCLUDE ({', '.join(keys.COLUMNS)}) "
            "REPLACE (event_id || '+' AS event_id, ts + INTERVAL 1 DAY AS ts) FROM events "
            "WHERE ts >= (SELECT max(ts) - INTERVAL 1 DAY FROM events) "
            f"ORDER BY ts DESC LIMIT {append}"
        )
        cols = ", ".join(r[0] for r in store.con.execute("DESCRIBE _day").fetchall())
        clock = _Clock()
        with store.transaction() as con:
            keys.insert(con, cols, "_day")
            assert refresh_rollups(con) == "appended"
        folded = clock.lap()["s"]
        _suite(store)
        return clock.lap(rollups_s=folded)


def _run(phase: str, a: argparse.Namespace, db: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", phase, "--events", str(a.events), "--db", str(db)]
    cmd += ["--append", str(a.append), "--memory-limit", a.memory_limit]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _copy_synced(src: Path, dst: Path) -> None:
    """Copy the store and write the copy to disk before the run: a fresh copy is dirty in the
    page cache, and the first fsync DuckDB issues (at a commit) would otherwise write the whole
    file back inside the timed phase."""
    shutil.copyfile(src, dst)
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _measure(phase: str, a: argparse.Namespace, base: Path, work: Path) -> dict[str, Any]:
    runs = []
    for _ in range(a.repeats):
        db = work / "run.duckdb"
        if phase in _STORE_PHASES:
            _copy_synced(base, db)  # every run starts from the same store
        runs.append(_run(phase, a, db))
        db.unlink(missing_ok=True)
    result: dict[str, Any] = {
        "median_s": statistics.median(r["s"] for r in runs),
        "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_rss_mb": max(r["rss_mb"] for r in runs),
        "runs_s": [r["s"] for r in runs],
    }
    if "rollups_s" in runs[0]:
        result["median_rollups_s"] = statistics.median(r["rollups_s"] for r in runs)
    extra = f"  rollups {result['median_rollups_s']:.3f} s" if "median_rollups_s" in result else ""
    print(
        f"{phase:12s} median {result['median_s']:7.3f} s  cpu {result['median_cpu_s']:7.3f} s  "
        f"runs {', '.join(f'{x:.2f}' for x in result['runs_s'])}  "
        f"peak RSS {result['peak_rss_mb']:6.0f} MB{extra}",
        flush=True,
    )
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=Path, required=True, help="Parquet file (reference schema)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--append", type=int, default=150_000, help="rows appended (incremental)")
    ap.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit of portalroi")
    ap.add_argument(
        "--phases", default=DEFAULT_PHASES, help=f"comma list (default {DEFAULT_PHASES})"
    )
    ap.add_argument("--spark", action="store_true", help="add the Spark phase (10M is plenty)")
    ap.add_argument(
        "--store",
        type=Path,
        help="reuse this store (the --events loaded, rollups current, as a previous run's load "
        "phase leaves it; it is copied, never changed) instead of loading the events again",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, str(a.events), str(a.db), a.append, a.memory_limit)))
        return
    phases = a.phases.split(",") + (["spark"] if a.spark else [])
    work = Path(tempfile.mkdtemp(prefix="portalroi-bench-"))
    base = work / "base.duckdb"
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    load: dict[str, float] = {}
    if a.store is not None:
        base = a.store
        print(f"events: {a.events}; store reused from {base} (load not measured)", flush=True)
    elif any(p in _STORE_PHASES for p in phases):
        # in a subprocess too: Linux keeps the peak-RSS mark across fork/exec, so a parent that
        # had loaded the events itself would report its own peak for every child
        load = _run("load", a, base)
        print(
            f"events: {a.events} ({a.events.stat().st_size / 1e6:.0f} MB); loaded into the store "
            f"in {load['s']:.2f} s, rollups built at ingest in {load['rollups_s']:.2f} s "
            "(ingestion, not counted below)",
            flush=True,
        )
    results = {phase: _measure(phase, a, base, work) for phase in phases}
    _report(results)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        json.dumps(
            {"events": str(a.events), "load": load, "results": results, "cpus": os.cpu_count()}
        )
    )
    shutil.rmtree(work)


def _report(results: dict[str, dict[str, Any]]) -> None:
    refs = {k: v["median_s"] for k, v in results.items() if k.startswith("ref-")}
    floor = results.get("decode", {}).get("median_s")
    best = min(refs, key=lambda k: refs[k]) if refs else None
    if best:
        print(f"best reference: {best} {refs[best]:.3f} s")
    for phase in (*_STORE_PHASES, "spark"):
        if phase not in results:
            continue
        s = results[phase]["median_s"]
        parts = [f"{phase:12s} {s:.3f} s"]
        if best:
            parts.append(f"{s / refs[best]:.3f}x best reference")
        if floor:
            parts.append(f"{s / floor:.2f}x the decode floor")
        print(", ".join(parts))


if __name__ == "__main__":
    main()
