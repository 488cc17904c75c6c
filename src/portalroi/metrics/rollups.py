"""Daily activity rollup: one row per (account, user, day) with the day's event count.

Most adoption metrics need only "which users were active on which day". Deduplicating the raw
events into that table is the expensive step (FINDINGS.md in the benchmark reference), so the
DuckDB store keeps it as ``_rollup_user_day`` and refreshes it inside every events load
(an after-load hook). Metrics read it when it is current and fall back to the events otherwise,
so results never depend on whether the rollup exists.

Freshness is checked by row count: ``_rollup_state`` records how many events rows the rollup
covers and the highest ``rowid`` it has seen. A load that only appends is folded in by
recomputing just the days it touched; anything else (rows deleted or replaced) rebuilds.

Examples
--------
>>> from portalroi.store import Store
>>> store = Store(":memory:")
>>> refresh_rollups(store.con)
'rebuilt'
>>> rollup_is_current(store.con)
True
"""

from __future__ import annotations

from typing import Any

import duckdb

from portalroi.metrics._query import Query
from portalroi.store.hooks import register_after_load

__all__ = ["ROLLUP_TABLE", "refresh_rollups", "rollup_is_current", "user_days"]

ROLLUP_TABLE = "_rollup_user_day"
_STATE = "_rollup_state"

_SELECT = """
    SELECT account_id, user_id, CAST(ts AS DATE) AS day, count(*) AS n_events
    FROM events WHERE user_id IS NOT NULL {where}
    GROUP BY ALL
"""


def _state(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if _STATE not in tables or ROLLUP_TABLE not in tables:
        return None
    row = con.execute(f"SELECT events_rows, max_rowid FROM {_STATE}").fetchall()
    return (int(row[0][0]), int(row[0][1])) if row else None


def _events_rows(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM events").fetchall()[0][0])


def rollup_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``_rollup_user_day`` covers exactly the rows now in ``events``."""
    state = _state(con)
    return state is not None and state[0] == _events_rows(con)


def _write_state(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {_STATE} (events_rows BIGINT, max_rowid BIGINT)")
    con.execute(f"INSERT INTO {_STATE} SELECT count(*), coalesce(max(rowid), -1) FROM events")


def refresh_rollups(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the rollup up to date; return ``"current"``, ``"appended"`` or ``"rebuilt"``.

    Appended rows (``rowid`` above the last one seen, and the row count grew by exactly their
    number) only recompute the days they touch; any other change rebuilds the whole table.
    """
    state = _state(con)
    total = _events_rows(con)
    if state is not None and state[0] == total:
        return "current"
    if state is not None:
        new_rows, lo, hi = con.execute(
            "SELECT count(*), min(ts), max(ts) FROM events WHERE rowid > ?", [state[1]]
        ).fetchall()[0]
        if state[0] + int(new_rows) == total and lo is not None:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _rollup_days AS "
                "SELECT DISTINCT CAST(ts AS DATE) AS day FROM events WHERE rowid > ?",
                [state[1]],
            )
            con.execute(f"DELETE FROM {ROLLUP_TABLE} WHERE day IN (SELECT day FROM _rollup_days)")
            where = (
                "AND ts >= CAST(? AS DATE) AND ts < CAST(? AS DATE) + INTERVAL 1 DAY "
                "AND CAST(ts AS DATE) IN (SELECT day FROM _rollup_days)"
            )
            con.execute(
                f"INSERT INTO {ROLLUP_TABLE} " + _SELECT.format(where=where),
                [lo.date(), hi.date()],
            )
            con.execute("DROP TABLE _rollup_days")
            _write_state(con)
            return "appended"
    con.execute(f"CREATE OR REPLACE TABLE {ROLLUP_TABLE} AS " + _SELECT.format(where=""))
    _write_state(con)
    return "rebuilt"


@register_after_load
def _refresh_after_load(con: duckdb.DuckDBPyConnection, table: str, load_id: str) -> None:
    if table == "events":
        refresh_rollups(con)


def _duckdb_con(backend: Any) -> duckdb.DuckDBPyConnection | None:
    con = getattr(backend, "con", None)
    return con if isinstance(con, duckdb.DuckDBPyConnection) else None


def user_days(q: Query) -> Any:
    """Distinct (``grp``, user_id, day) activity rows in the query's range, as an Ibis table.

    Read from the rollup when the backend is a DuckDB store whose rollup is current and the
    grouping does not need a per-event column (device); otherwise deduplicated from events.
    """
    con = _duckdb_con(q.backend)
    if q.by != "device" and con is not None and rollup_is_current(con):
        ud = q.backend.table(ROLLUP_TABLE)
        if q.start is not None:
            ud = ud.filter(ud.day >= q.start)
        if q.end is not None:
            ud = ud.filter(ud.day <= q.end)
        ud = q.grouped(ud)
        if q.by in (None, "account"):
            return ud.select(*q.keys, "user_id", "day")
        return ud.select(*q.keys, "user_id", "day").distinct()
    ev = q.events()
    return ev.select(*q.keys, "user_id", "day").distinct()
