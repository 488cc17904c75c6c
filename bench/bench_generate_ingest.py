"""Benchmark: generate the large event set, then ingest it; rows/second and peak memory.

Each step runs in its own child process so its peak RSS is its own (``os.wait4`` rusage).
Baseline measured in the same run: DuckDB copying the same Parquet file into a fresh DuckDB
table with one ``CREATE TABLE AS SELECT`` (no validation, no dedupe) — the floor ingestion
is compared against.

Usage::

    .venv/bin/python bench/bench_generate_ingest.py --events 10000000
    .venv/bin/python bench/bench_generate_ingest.py            # 100 million (many minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GENERATE = """
import json, sys
from portalroi.sim import generate_large
out = generate_large(sys.argv[1], n_events=int(sys.argv[2]), seed=int(sys.argv[3]))
print(json.dumps({"events": out["events"], "accounts": out["accounts"], "users": out["users"],
                  "row_groups": out["row_groups"]}))
"""

INGEST = """
import json, sys
from portalroi.ingest import ingest_file
from portalroi.store import Store
with Store(sys.argv[2]) as store:
    s = ingest_file(store, sys.argv[1], table="events")
print(json.dumps({"rows_read": s.rows_read, "inserted": s.inserted,
                  "quarantined": s.quarantined}))
"""

RAW_COPY = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE events AS SELECT * FROM read_parquet(?)", [sys.argv[1]])
print(json.dumps({"rows": con.execute("SELECT count(*) FROM events").fetchone()[0]}))
"""


def run_child(code: str, *args: str) -> tuple[float, float, dict[str, object]]:
    """Run ``code`` in a fresh Python; return (seconds, peak RSS in MiB, its JSON output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed with exit code {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000_000, help="events to generate")
    parser.add_argument("--repeats", type=int, default=1, help="repeats of each step (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="data folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--generate-only", action="store_true", help="skip ingestion and the baseline copy"
    )
    args = parser.parse_args()

    work = args.out or Path(tempfile.mkdtemp(prefix="portalroi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "large"
    results: dict[str, list[tuple[float, float]]] = {"generate": [], "ingest": [], "raw": []}
    info: dict[str, object] = {}
    try:
        for _ in range(args.repeats):
            shutil.rmtree(data, ignore_errors=True)
            sec, rss, info = run_child(GENERATE, str(data), str(args.events), str(args.seed))
            results["generate"].append((sec, rss))
        events = data / "events.parquet"
        size_mib = events.stat().st_size / 2**20
        for _ in range(0 if args.generate_only else args.repeats):
            for key, code in (("raw", RAW_COPY), ("ingest", INGEST)):
                db = work / f"{key}.duckdb"
                db.unlink(missing_ok=True)
                sec, rss, _ = run_child(code, str(events), str(db))
                results[key].append((sec, rss))
                db.unlink(missing_ok=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    n = args.events
    print(f"events: {n:,}  ({info})  parquet: {size_mib:,.0f} MiB, zstd")
    print(f"repeats: {args.repeats} (medians)")
    med = {
        k: (statistics.median(s for s, _ in v), max(r for _, r in v))
        for k, v in results.items()
        if v
    }
    for key, label in (
        ("generate", "generate (portalroi.sim.generate_large)"),
        ("ingest", "ingest (portalroi.ingest.ingest_file)"),
        ("raw", "baseline: DuckDB CREATE TABLE AS read_parquet"),
    ):
        if key not in med:
            continue
        sec, rss = med[key]
        print(f"{label:48s} {sec:8.1f} s  {n / sec:12,.0f} rows/s  peak RSS {rss:7,.0f} MiB")
    if "ingest" in med:
        print(f"ingest time / raw copy time: {med['ingest'][0] / med['raw'][0]:.2f}x")


if __name__ == "__main__":
    main()
