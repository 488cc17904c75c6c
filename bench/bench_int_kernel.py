"""Feasibility experiment for issue 4's cold goal: one compiled pass over integer-keyed events.

The prototype that ``portalroi.metrics._kernel`` grew from, kept for the record (the store now
keeps the integer keys and rebuilds with that kernel; ``bench/bench_metrics.py`` measures it).
When it was written, the store kept ids as strings; this script measured what
the rebuild could cost if the store also kept dense integer keys for account, user, session,
event type and feature (assigned at ingest, outside the timing here as there), so that a cold
rebuild is one streamed read of six integer columns feeding a Numba kernel:

* a dense day x user grid of event counts: the (account, user, day) set, written back in day
  order, and DAU/WAU/MAU for every day;
* a month x user bitmask of the features used: the (month, feature, user) set, written back;
* per session the first search, first article view and last ticket: the help-session set,
  written back, and the ticket-after-self-help funnel.

DuckDB decodes the next batch in a thread while the kernel works on the last one. The small
derived tables (cohorts, activation, monthly actives) are not built here: they come from these
arrays in well under a second and are left out of the figure rather than guessed.

Phases, each run in a fresh process, medians over ``--repeats``, alternated run by run:
``kernel`` (this prototype; DuckDB ``memory_limit`` 256MB) and ``ref-polars`` (the reference
suite of ``../shared/bench-reference`` on the Parquet, the best reference engine in every run
of ``bench_metrics.py`` so far). After the runs the written sets and the funnel are compared
with the same sets computed by DuckDB SQL on the same table: they must be identical.

Numba is not a portalroi dependency; run this from a separate environment::

    uv venv /tmp/kvenv && VIRTUAL_ENV=/tmp/kvenv uv pip install numba duckdb==1.5.6 \\
        pyarrow polars==2.1.0
    /tmp/kvenv/bin/python bench/bench_int_kernel.py --events /tmp/bench/events_100m.parquet \\
        --db /tmp/bench/kproto.duckdb --repeats 3

The first run builds ``--db`` (the integer-keyed copy of the events; about 20 s at 100M) and
reuses it afterwards. The reference generator's account, user and session ids are dense
integers already, so they serve as keys as they are (sessions shifted to start at 0).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "bench-reference"
US_DAY = 86_400_000_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(events: Path, db: Path) -> None:
    """The integer-keyed copy of the events (what ingestion would keep), with its dictionaries."""
    import duckdb

    con = duckdb.connect(str(db))
    src = f"read_parquet('{events}')"
    con.execute(
        "CREATE TABLE types AS SELECT event_type, "
        "(row_number() OVER (ORDER BY event_type))::UTINYINT AS k "
        f"FROM (SELECT DISTINCT event_type FROM {src})"
    )
    con.execute(
        "CREATE TABLE features AS SELECT feature, "
        "(row_number() OVER (ORDER BY feature))::UTINYINT AS k "
        f"FROM (SELECT DISTINCT feature FROM {src} WHERE feature IS NOT NULL)"
    )
    con.execute(
        "CREATE TABLE events_k AS SELECT e.ts, e.account_id AS account_k, e.user_id AS user_k, "
        f"(e.session_id - (SELECT min(session_id) FROM {src}))::INTEGER AS session_k, "
        "t.k AS type_k, coalesce(f.k, 0)::UTINYINT AS feature_k "
        f"FROM {src} e JOIN types t USING (event_type) LEFT JOIN features f USING (feature)"
    )
    con.close()


def _kernels() -> dict[str, Any]:
    import numba as nb
    import numpy as np

    @nb.njit(cache=True, nogil=True)
    def one_pass(ts, acc, usr, ses, typ, fea, day0, grid, user_acc, conflict, fmask, month_of_day,
                 first_search, first_article, last_ticket, t_search, t_article, t_ticket,
                 t_feature):  # fmt: skip
        for i in range(ts.shape[0]):
            d = ts[i] // 86_400_000_000 - day0
            u = usr[i]
            c = grid[d, u]
            if c < 65535:
                grid[d, u] = c + 1
            else:
                conflict[1] = 1  # a count past the grid's range: the caller must fall back
            a = acc[i]
            if user_acc[u] < 0:
                user_acc[u] = a
            elif user_acc[u] != a:
                conflict[0] = 1  # a user in two accounts: the grid cannot hold it
            t = typ[i]
            if t == t_feature:
                f = fea[i]
                if f > 0:
                    fmask[month_of_day[d], u] |= np.uint32(1) << np.uint32(f - 1)
            elif t == t_search:
                s = ses[i]
                first_search[s] = min(first_search[s], ts[i])
            elif t == t_article:
                s = ses[i]
                first_article[s] = min(first_article[s], ts[i])
            elif t == t_ticket:
                s = ses[i]
                last_ticket[s] = max(last_ticket[s], ts[i])

    @nb.njit(cache=True)
    def user_days(grid, user_acc):
        n = 0
        for d in range(grid.shape[0]):
            for u in range(grid.shape[1]):
                n += grid[d, u] > 0
        ra = np.empty(n, np.int32)
        ru = np.empty(n, np.int32)
        rd = np.empty(n, np.int32)
        rn = np.empty(n, np.int32)
        nd = grid.shape[0]
        dau = np.zeros(nd, np.int64)
        wau = np.zeros(nd, np.int64)
        mau = np.zeros(nd, np.int64)
        last = np.full(grid.shape[1], -1_000_000, np.int64)
        k = 0
        for d in range(nd):  # day order, as portalroi keeps its user-days
            for u in range(grid.shape[1]):
                c = grid[d, u]
                if c > 0:
                    ra[k] = user_acc[u]
                    ru[k] = u
                    rd[k] = d
                    rn[k] = c
                    k += 1
                    last[u] = d
                    dau[d] += 1
                gap = d - last[u]
                wau[d] += gap < 7
                mau[d] += gap < 30
        return ra, ru, rd, rn, dau, wau, mau

    @nb.njit(cache=True)
    def feature_users(fmask):
        n = 0
        for m in range(fmask.shape[0]):
            for u in range(fmask.shape[1]):
                x = fmask[m, u]
                while x:
                    x &= x - np.uint32(1)
                    n += 1
        rm = np.empty(n, np.int16)
        rf = np.empty(n, np.int16)
        ru = np.empty(n, np.int32)
        k = 0
        for m in range(fmask.shape[0]):
            for u in range(fmask.shape[1]):
                x = fmask[m, u]
                f = 1
                while x:
                    if x & np.uint32(1):
                        rm[k] = m
                        rf[k] = f
                        ru[k] = u
                        k += 1
                    x >>= np.uint32(1)
                    f += 1
        return rm, rf, ru

    @nb.njit(cache=True)
    def help_sessions(first_search, first_article, last_ticket, none):
        n = 0
        for s in range(first_search.shape[0]):
            n += min(first_search[s], first_article[s]) < none or last_ticket[s] >= 0
        rs = np.empty(n, np.int32)
        rfs = np.empty(n, np.int64)
        rfa = np.empty(n, np.int64)
        rlt = np.empty(n, np.int64)
        sessions = 0
        converted = 0
        k = 0
        for s in range(first_search.shape[0]):
            first = min(first_search[s], first_article[s])
            if first < none or last_ticket[s] >= 0:
                rs[k] = s
                rfs[k] = first_search[s]
                rfa[k] = first_article[s]
                rlt[k] = last_ticket[s]
                k += 1
            if first < none:
                sessions += 1
                converted += last_ticket[s] > first
        return rs, rfs, rfa, rlt, sessions, converted

    return {
        "one_pass": one_pass,
        "user_days": user_days,
        "feature_users": feature_users,
        "help_sessions": help_sessions,
    }


def kernel(db: Path) -> dict[str, Any]:
    """Build the three sets and DAU/WAU/MAU from the integer-keyed events; time it all."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    k = _kernels()
    clock = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("SET memory_limit = '256MB'")
    con.execute("SET preserve_insertion_order = false")  # no order needed: the kernel is order-free
    types = dict(con.execute("SELECT event_type, k FROM types").fetchall())
    # sizes: ingestion would keep them with the dictionaries; here one small aggregate
    nu, ns, tmin, tmax = con.execute(
        "SELECT max(user_k) + 1, max(session_k) + 1, epoch_us(min(ts)), epoch_us(max(ts)) "
        "FROM events_k"
    ).fetchone()
    day0 = tmin // US_DAY
    nd = tmax // US_DAY - day0 + 1
    days = np.arange(day0, day0 + nd).astype("datetime64[D]")
    month_of_day = (days.astype("datetime64[M]") - days[0].astype("datetime64[M]")).astype(np.int64)
    none = np.iinfo(np.int64).max
    grid = np.zeros((nd, nu), np.uint16)
    user_acc = np.full(nu, -1, np.int32)
    conflict = np.zeros(2, np.int8)
    fmask = np.zeros((int(month_of_day[-1]) + 1, nu), np.uint32)
    first_search = np.full(ns, none, np.int64)
    first_article = np.full(ns, none, np.int64)
    last_ticket = np.full(ns, -1, np.int64)
    reader = con.execute(
        "SELECT epoch_us(ts), account_k, user_k, session_k, type_k, feature_k FROM events_k"
    ).to_arrow_reader(1 << 20)
    batches: queue.Queue[list[Any] | None] = queue.Queue(maxsize=2)

    def decode() -> None:  # DuckDB decodes the next batch while the kernel runs (nogil)
        for batch in reader:
            batches.put([c.to_numpy() for c in batch.columns])
        batches.put(None)

    thread = threading.Thread(target=decode)
    thread.start()
    while (cols := batches.get()) is not None:
        k["one_pass"](
            *cols, day0, grid, user_acc, conflict, fmask, month_of_day, first_search,
            first_article, last_ticket, types["search"], types["article_view"],
            types["ticket_created"], types["feature_use"],
        )  # fmt: skip
    thread.join()
    passed = time.perf_counter()
    if conflict.any():
        raise SystemExit("a user in two accounts or a count past 65,535: the grid cannot hold it")
    # each input goes as soon as its set is made: the 1.5 GiB cap holds with room to spare
    rs, rfs, rfa, rlt, sessions, converted = k["help_sessions"](
        first_search, first_article, last_ticket, none
    )
    del first_search, first_article, last_ticket
    ra, ru, rd, rn, dau, wau, mau = k["user_days"](grid, user_acc)
    del grid
    rm, rf, rfu = k["feature_users"](fmask)
    del fmask
    derived = time.perf_counter()
    ud = pa.table({"account_k": ra, "user_k": ru, "day": rd, "events": rn})  # noqa: F841
    fu = pa.table({"month": rm, "feature_k": rf, "user_k": rfu})  # noqa: F841
    hs = pa.table(  # noqa: F841
        {"session_k": rs, "first_search": rfs, "first_article": rfa, "last_ticket": rlt}
    )
    con.execute("SET disabled_compression_methods = 'dictionary,fsst'")  # as portalroi's rebuild
    con.execute("BEGIN")
    for name, frame in (("k_user_day", "ud"), ("k_feature_user", "fu"), ("k_help", "hs")):
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {frame}")
    con.execute(
        "CREATE OR REPLACE TABLE k_daily AS SELECT DATE '1970-01-01' + (? + i)::INTEGER AS day, "
        "dau[i + 1] AS dau, wau[i + 1] AS wau, mau[i + 1] AS mau FROM range(?) t(i), "
        "(SELECT ?::BIGINT[] AS dau, ?::BIGINT[] AS wau, ?::BIGINT[] AS mau)",
        [int(day0), int(nd), dau.tolist(), wau.tolist(), mau.tolist()],
    )
    con.execute("COMMIT")
    end = time.perf_counter()
    return {
        "s": end - clock,
        "pass_s": passed - clock,
        "derive_s": derived - passed,
        "write_s": end - derived,
        "user_days": len(ra),
        "feature_users": len(rm),
        "help_sessions": int(sessions),
        "converted": int(converted),
    }


def ref_polars(events: Path) -> dict[str, Any]:
    sys.path.insert(0, str(REFERENCE))
    import eng_polars

    clock = time.perf_counter()
    eng_polars.run_suite(str(events))
    return {"s": time.perf_counter() - clock}


def verify(db: Path, events: Path) -> dict[str, int]:
    """Rows that differ between the kernel's sets and DuckDB SQL on the same events, and days
    whose DAU/WAU/MAU differ from the Polars reference on the Parquet (0 = identical)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    t = dict(con.execute("SELECT event_type, k FROM types").fetchall())
    day0 = "(SELECT min(CAST(ts AS DATE)) FROM events_k)"
    checks = {
        "user_day": f"""SELECT account_k, user_k, CAST(ts AS DATE), count(*)::INTEGER
            FROM events_k GROUP BY ALL
            SYMMETRIC_DIFF SELECT account_k, user_k, {day0} + day, events FROM k_user_day""",
        "feature_user": f"""SELECT DISTINCT date_diff('month', date_trunc('month', {day0}), ts)::SMALLINT,
            feature_k::SMALLINT, user_k FROM events_k WHERE type_k = {t["feature_use"]} AND feature_k > 0
            SYMMETRIC_DIFF SELECT month, feature_k, user_k FROM k_feature_user""",
        "help": f"""SELECT session_k,
              coalesce(epoch_us(min(ts) FILTER (WHERE type_k = {t["search"]})), 9223372036854775807),
              coalesce(epoch_us(min(ts) FILTER (WHERE type_k = {t["article_view"]})), 9223372036854775807),
              coalesce(epoch_us(max(ts) FILTER (WHERE type_k = {t["ticket_created"]})), -1)
            FROM events_k WHERE type_k IN ({t["search"]}, {t["article_view"]}, {t["ticket_created"]})
            GROUP BY 1
            SYMMETRIC_DIFF SELECT * FROM k_help""",
    }
    out = {}
    for name, sql in checks.items():
        out[name] = con.execute(
            f"SELECT count(*) FROM ({sql.replace('SYMMETRIC_DIFF', 'EXCEPT')})"
        ).fetchone()[0]
        back = sql.split("SYMMETRIC_DIFF")
        out[name] += con.execute(f"SELECT count(*) FROM ({back[1]} EXCEPT {back[0]})").fetchone()[0]
    sys.path.insert(0, str(REFERENCE))
    import eng_polars

    daily = eng_polars.run_item("a", str(events)).to_arrow()  # noqa: F841
    out["daily_vs_polars"] = con.execute(
        "SELECT count(*) FROM daily FULL JOIN k_daily k USING (day) "
        "WHERE daily.dau IS DISTINCT FROM k.dau OR daily.wau IS DISTINCT FROM k.wau "
        "OR daily.mau IS DISTINCT FROM k.mau"
    ).fetchone()[0]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=Path, required=True, help="Parquet file (reference schema)")
    ap.add_argument("--db", type=Path, required=True, help="integer-keyed store (built if missing)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        out = kernel(a.db) if a.child == "kernel" else ref_polars(a.events)
        print(json.dumps({**out, "rss_mb": _rss_mb()}))
        return
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if not a.db.exists():
        t = time.perf_counter()
        build(a.events, a.db)
        print(f"built {a.db} in {time.perf_counter() - t:.1f} s (ingestion; not timed below)")
    # one untimed run compiles the kernels into Numba's cache, as an installed package would ship
    cmd = [sys.executable, __file__, "--events", str(a.events), "--db", str(a.db), "--child"]
    subprocess.run([*cmd, "kernel"], check=True, capture_output=True)
    runs: dict[str, list[dict[str, Any]]] = {"kernel": [], "ref-polars": []}
    for _ in range(a.repeats):
        for phase in runs:
            out = subprocess.run([*cmd, phase], check=True, capture_output=True, text=True)
            runs[phase].append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {p: statistics.median(r["s"] for r in rs) for p, rs in runs.items()}
    for phase, rs in runs.items():
        parts = ""
        if phase == "kernel":
            parts = "  ".join(
                f"{x} {statistics.median(r[x] for r in rs):.2f} s"
                for x in ("pass_s", "derive_s", "write_s")
            )
        times = ", ".join(f"{r['s']:.2f}" for r in rs)
        peak = max(r["rss_mb"] for r in rs)
        print(
            f"{phase:10s} median {med[phase]:6.2f} s  runs {times}  peak RSS {peak:5.0f} MB  {parts}"
        )
    last = runs["kernel"][-1]
    print(
        f"kernel / best reference: {med['kernel'] / med['ref-polars']:.2f}x; "
        f"user-days {last['user_days']:,}, (month, feature, user) {last['feature_users']:,}, "
        f"help sessions {last['help_sessions']:,} ({last['converted']:,} with a later ticket)"
    )
    print("rows differing from DuckDB SQL (must all be 0):", verify(a.db, a.events))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
