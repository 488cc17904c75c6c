"""Benchmark: ingest an events Parquet file, fresh and again (all duplicates), vs a plain copy.

For each size the events are generated once (``portalroi.sim.generate_large``); then, per
repeat, three steps each run in their own child process so its peak RSS is its own
(``os.wait4`` rusage):

``baseline``
    DuckDB copying the file into a fresh DuckDB file with one
    ``CREATE TABLE AS SELECT * FROM read_parquet(...)`` (no validation, no dedupe): the floor;
``fresh``
    ``ingest_file`` into a fresh store (with the metric library's rollup hook registered);
``reload``
    ``ingest_file`` of the same file again into that store: every row a duplicate.

Figures are medians over the repeats, and ratios are to the baseline's median of the same run.

Usage::

    .venv/bin/python bench/bench_ingest.py                       # 1M and 10M, 3 repeats
    .venv/bin/python bench/bench_ingest.py --events 100000000 --repeats 1
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
out = generate_large(sys.argv[1], n_events=int(sys.argv[2]), seed=0)
print(json.dumps({"events": out["events"]}))
"""

INGEST = """
import json, sys
import portalroi.metrics  # registers the rollup hook that runs inside every events load
from portalroi.ingest import ingest_file
from portalroi.store import Store
with Store(sys.argv[2]) as store:
    s = ingest_file(store, sys.argv[1], table="events")
    rows = store.row_count("events")
print(json.dumps({"rows_read": s.rows_read, "inserted": s.inserted,
                  "duplicates": s.duplicates, "quarantined": s.quarantined, "rows": rows}))
"""

BASELINE = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE events AS SELECT * FROM read_parquet(?)", [sys.argv[1]])
print(json.dumps({"rows": con.execute("SELECT count(*) FROM events").fetchone()[0]}))
"""


def run_child(code: str, *args: str) -> tuple[float, float, dict[str, int]]:
    """Run ``code`` in a fresh Python; return (seconds, peak RSS in MiB, its JSON output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed with status {status}")
    return seconds, usage.ru_maxrss / 1024, json.loads(out.strip().splitlines()[-1])


def bench_size(n: int, repeats: int, work: Path) -> None:
    """Generate ``n`` events under ``work``, then time and check every step."""
    data = work / f"events-{n}"
    sec, _, _ = run_child(GENERATE, str(data), str(n))
    events = data / "events.parquet"
    print(
        f"\n{n:,} events, {events.stat().st_size / 2**20:,.0f} MiB Parquet (generated in {sec:.0f} s)"
    )
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "fresh": [], "reload": []}
    for _ in range(repeats):
        for key in runs:
            db = work / f"{key if key == 'baseline' else 'store'}.duckdb"
            if key != "reload":
                db.unlink(missing_ok=True)
            sec, rss, out = run_child(
                BASELINE if key == "baseline" else INGEST, str(events), str(db)
            )
            if out["rows"] != n:
                raise SystemExit(f"{key}: {out['rows']} rows stored, expected {n}")
            if key == "fresh" and out["inserted"] != n:
                raise SystemExit(f"fresh load inserted {out['inserted']} of {n}")
            if key == "reload" and (out["inserted"], out["duplicates"]) != (0, n):
                raise SystemExit(f"re-load was not all duplicates: {out}")
            runs[key].append((sec, rss))
        for db in work.glob("*.duckdb"):
            db.unlink()
    base = statistics.median(s for s, _ in runs["baseline"])
    print(f"{'step':<10}{'median s':>10}{'rows/s':>12}{'x baseline':>12}{'peak RSS MiB':>14}")
    for key, values in runs.items():
        med = statistics.median(s for s, _ in values)
        rss = max(r for _, r in values)
        print(f"{key:<10}{med:>10.1f}{n / med:>12,.0f}{med / base:>12.2f}{rss:>14,.0f}")
    shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--events", type=int, nargs="+", default=[1_000_000, 10_000_000], help="sizes"
    )
    parser.add_argument("--repeats", type=int, default=3, help="repeats (medians)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="portalroi-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"cpus: {os.cpu_count()}, repeats: {args.repeats} (medians; RSS is the maximum)")
    try:
        for n in args.events:
            bench_size(n, args.repeats, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
