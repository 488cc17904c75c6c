"""Benchmark portalroi's adoption suite against the plain reference suites, same data, same run.

Phases (each measured in a fresh subprocess, median over ``--repeats``, with its peak RSS):

* ``decode``: pyarrow reads the 6 columns the suite needs: the practical floor;
* ``ref-duckdb`` / ``ref-polars`` / ``ref-pandas``: ``run_suite(path)`` of the reference
  implementations in ``../shared/bench-reference`` (SQL / Polars / pandas on the Parquet);
* ``cold``: portalroi on a store whose events are loaded but have no rollup: build the daily
  rollup, then compute the suite (load time is reported separately: it is ingestion);
* ``warm``: the suite with the rollup current (maintained at ingest);
* ``incremental``: append one more day of events (``--append`` rows), refresh the rollup as the
  after-load hook does, and recompute the whole suite.

The suite is the reference's items a-g: DAU/WAU/MAU, stickiness, feature utilisation,
retention cohorts, account activation, ticket-after-self-help, self-service resolution rate.

Usage::

    .venv/bin/python bench/bench_metrics.py --events /tmp/events_10m.parquet --repeats 3
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


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load_store(events: Path, db: Path) -> float:
    from portalroi.store import Store

    t = time.perf_counter()
    with Store(db) as store:
        store.con.execute(
            "INSERT INTO events BY NAME SELECT CAST(event_id AS VARCHAR) AS event_id, ts, "
            "CAST(account_id AS VARCHAR) AS account_id, CAST(user_id AS VARCHAR) AS user_id, "
            "CAST(session_id AS VARCHAR) AS session_id, event_type, feature, device "
            f"FROM read_parquet('{events}')"
        )
    return time.perf_counter() - t


def _suite(store: object) -> None:
    from portalroi.metrics import compute

    for name in SUITE:
        compute(store, name)


def child(phase: str, events: str, db: str, append: int) -> dict[str, float]:
    """Run one phase in this process and return its time and peak RSS."""
    if phase == "load":
        return {"s": _load_store(Path(events), Path(db)), "rss_mb": _rss_mb()}
    if phase == "decode":
        import pyarrow.parquet as pq

        t = time.perf_counter()
        pq.read_table(events, columns=COLUMNS)
        return {"s": time.perf_counter() - t, "rss_mb": _rss_mb()}
    if phase.startswith("ref-"):
        sys.path.insert(0, str(REFERENCE))
        module = __import__(f"eng_{phase[4:]}")
        t = time.perf_counter()
        module.run_suite(events)
        return {"s": time.perf_counter() - t, "rss_mb": _rss_mb()}

    from portalroi.metrics import refresh_rollups
    from portalroi.metrics.rollups import drop_rollups
    from portalroi.store import Store

    with Store(db) as store:
        if phase == "cold":
            drop_rollups(store.con)
            t = time.perf_counter()
            refresh_rollups(store.con)
            _suite(store)
        elif phase == "warm":
            refresh_rollups(store.con)
            t = time.perf_counter()
            _suite(store)
        elif phase == "incremental":
            refresh_rollups(store.con)
            # one more day: the last day's events shifted by one day (fresh ids)
            store.con.execute(
                "CREATE TEMP TABLE _day AS SELECT * REPLACE (event_id || '+' AS event_id, "
                "ts + INTERVAL 1 DAY AS ts) FROM events "
                "WHERE ts >= (SELECT max(ts) - INTERVAL 1 DAY FROM events) "
                f"ORDER BY ts DESC LIMIT {append}"
            )
            t = time.perf_counter()
            with store.transaction() as con:
                con.execute("INSERT INTO events SELECT * FROM _day")
                assert refresh_rollups(con) == "appended"
            _suite(store)
        else:
            raise SystemExit(f"unknown phase {phase}")
        return {"s": time.perf_counter() - t, "rss_mb": _rss_mb()}


def _run(phase: str, events: Path, db: Path, append: int) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            phase,
            "--events",
            str(events),
            "--db",
            str(db),
            "--append",
            str(append),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=Path, required=True, help="Parquet file (reference schema)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--append", type=int, default=150_000, help="rows appended (incremental)")
    ap.add_argument(
        "--phases", default="decode,ref-duckdb,ref-polars,ref-pandas,cold,warm,incremental"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, str(a.events), str(a.db), a.append)))
        return

    work = Path(tempfile.mkdtemp(prefix="portalroi-bench-"))
    base = work / "base.duckdb"
    # in a subprocess too: Linux keeps the peak-RSS mark across fork/exec, so a parent that had
    # loaded the events itself would report its own peak for every child
    load_s = _run("load", a.events, base, a.append)["s"]
    print(
        f"events: {a.events} ({a.events.stat().st_size / 1e6:.0f} MB); "
        f"loaded into the store in {load_s:.2f} s (ingestion, not counted below)",
        flush=True,
    )
    results: dict[str, dict[str, float]] = {}
    for phase in a.phases.split(","):
        times, rss = [], []
        for _ in range(a.repeats):
            db = work / "run.duckdb"
            shutil.copyfile(base, db)  # every run starts from the same store
            r = _run(phase, a.events, db, a.append)
            times.append(r["s"])
            rss.append(r["rss_mb"])
            db.unlink()
        results[phase] = {
            "median_s": statistics.median(times),
            "peak_rss_mb": max(rss),
            "runs": len(times),
        }
        print(
            f"{phase:12s} median {statistics.median(times):7.3f} s  "
            f"runs {', '.join(f'{x:.2f}' for x in times)}  peak RSS {max(rss):6.0f} MB",
            flush=True,
        )
    refs = {k: v["median_s"] for k, v in results.items() if k.startswith("ref-")}
    if refs:
        best = min(refs, key=lambda k: refs[k])
        print(f"best reference: {best} {refs[best]:.3f} s")
        for phase in ("cold", "warm", "incremental"):
            if phase in results:
                s = results[phase]["median_s"]
                floor = results.get("decode", {}).get("median_s")
                extra = f", {s / floor:.2f}x the decode floor" if floor else ""
                print(f"{phase:12s} {s:.3f} s = {s / refs[best]:.3f}x best reference{extra}")
    print(
        json.dumps(
            {
                "events": str(a.events),
                "load_s": load_s,
                "results": results,
                "cpu_count": os.cpu_count(),
            }
        )
    )
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
