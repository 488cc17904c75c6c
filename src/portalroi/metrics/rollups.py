"""Rollups of the DuckDB store: activity sets and small results, maintained inside every load.

Deduplicating raw events (into user-days, user-months, feature users, sessions) is the
expensive part of the adoption suite (FINDINGS.md in the benchmark reference), so the DuckDB
store keeps those sets, plus small result tables (DAU/WAU/MAU per day, active users and
feature users per month, retention cells, per-account activation counts), as ``_rollup_*``
tables (listed in :mod:`portalroi.metrics._rollup_sql`). An after-load hook refreshes them inside
the load's transaction. Metrics read them when they are current and fall back to the events
otherwise, so results never depend on whether the rollups exist.

Freshness: ``_rollup_state`` records how many events rows the rollups cover, the highest
``rowid`` seen, and a fingerprint of ``accounts`` (go-live dates feed activation). A load that
only appends events is folded in from the new rows alone (:func:`refresh_rollups` returns
``"appended"``); anything else (rows deleted or replaced, go-live dates changed) rebuilds.

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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import duckdb
from ibis.backends import BaseBackend

from portalroi.metrics import _rollup_sql as sql
from portalroi.metrics._query import Query
from portalroi.store import keys
from portalroi.store.hooks import register_after_load

__all__ = [
    "ROLLUP_TABLE",
    "drop_rollups",
    "freshness_scope",
    "refresh_rollups",
    "rollup_is_current",
    "rollup_table",
    "snapshot",
    "user_days",
]

ROLLUP_TABLE = sql.USER_DAY
_STATE = "_rollup_state"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _state(con: duckdb.DuckDBPyConnection) -> tuple[int, int, str] | None:
    if not {_STATE, *sql.TABLES} <= _tables(con):
        return None
    row = con.execute(f"SELECT events_rows, max_rowid, accounts_fp FROM {_STATE}").fetchall()
    return (int(row[0][0]), int(row[0][1]), str(row[0][2])) if row else None


def _events_rows(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM events").fetchall()[0][0])


_ACCOUNTS_FP = (
    "SELECT CAST(count(*) AS VARCHAR) || ':' || "
    "CAST(coalesce(sum(hash(account_id, portal_live_at)), 0) AS VARCHAR) FROM accounts"
)


def _accounts_fp(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute(_ACCOUNTS_FP).fetchall()[0][0])


#: Freshness answers memoised per connection while one metric's expression is built
#: (:func:`freshness_scope`); ``None`` outside such a scope.
_SCOPE: ContextVar[dict[int, bool] | None] = ContextVar("rollup_freshness", default=None)
#: Connections inside a :func:`snapshot` (by ``id``), with their answer once checked.
_SNAPSHOTS: ContextVar[dict[int, bool | None] | None] = ContextVar("rollup_snapshots", default=None)


@contextmanager
def freshness_scope() -> Iterator[None]:
    """Check the rollups' freshness once per connection inside this block.

    A metric reads several rollup tables; each read would otherwise count the events again
    (14-23 ms at 100M events between a commit and DuckDB's next checkpoint, when the count is
    a scan). :func:`portalroi.metrics.build` opens one scope per metric, so a write between
    two metrics is always seen (inside a :func:`snapshot` none can come).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> con = Store(":memory:").con
    >>> with freshness_scope():
    ...     rollup_is_current(con), rollup_is_current(con)
    (False, False)
    """
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` is inside an explicit transaction.

    A failed ``BEGIN`` would abort that transaction, so ask first: outside one every
    statement runs in a transaction of its own, with a new id.
    """
    first = con.execute("SELECT txid_current()").fetchall()
    return bool(first == con.execute("SELECT txid_current()").fetchall())


@contextmanager
def snapshot(source: Any) -> Iterator[bool]:
    """Compute several metrics from one state of a DuckDB store; yields whether it could.

    Opens a read-only transaction on the store's connection: the metrics computed inside see
    the same rows whatever other connections commit meanwhile (a load finishing between DAU
    and MAU cannot make them disagree), a write through this connection fails instead of
    changing the data under them, and so the rollups' freshness is checked at most once for the
    whole block (when a metric first asks) instead of once per metric. The transaction ends with
    the block: committed (it wrote nothing, and the in-memory tables Ibis registered inside must
    stay registered), or rolled back after a failure. Opening and closing it took about 1.5 ms
    on the demo store.

    Other backends (Spark, a warehouse) and a connection already inside a transaction (whose
    own writes may come between two metrics, or an enclosing snapshot) are left as they are:
    the block runs, each metric checks for itself (or the enclosing snapshot answers), and the
    context yields ``False``.

    Examples
    --------
    >>> from portalroi.metrics import compute
    >>> from portalroi.store import Store
    >>> store = Store(":memory:")
    >>> with snapshot(store) as one_state:
    ...     one_state, compute(store, "dau").empty, compute(store, "mau").empty
    (True, True, True)
    """
    backend = getattr(source, "backend", source)
    con = _duckdb_con(backend)
    if con is None or _in_transaction(con):
        yield False
        return
    # Ibis registers each in-memory table with the connection once and remembers that it did;
    # a registration made inside the transaction lasts only if the transaction commits.
    memtables = getattr(backend, "_memtables", None)
    registered = set(memtables) if memtables is not None else set()
    con.execute("BEGIN TRANSACTION READ ONLY")
    token = _SNAPSHOTS.set({**(_SNAPSHOTS.get() or {}), id(con): None})
    try:
        # DuckDB fixes a transaction's view of the data at its first read, not at BEGIN:
        # read now, so the block sees the store as it is now. The rollups' freshness is
        # checked when a metric first asks (a block that uses none pays nothing for it).
        con.execute("SELECT 1 FROM events LIMIT 1").fetchall()
        yield True
    except BaseException:
        con.execute("ROLLBACK")  # ends the transaction even when the failure aborted it
        if memtables is not None:  # undone with it: let Ibis register them again
            for op in set(memtables) - registered:
                memtables.discard(op)
        raise
    else:
        con.execute("COMMIT")  # nothing was written; keeps what Ibis registered meanwhile
    finally:
        _SNAPSHOTS.reset(token)


def rollup_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the rollups cover the rows now in ``events`` and ``accounts``, as far as a check
    cheap enough for every metric can tell.

    It compares the events row count and a hash over ``accounts`` with what the rollups
    recorded: one query, about 2 ms at 100M events when DuckDB can answer the count from its
    metadata, and 22-24 ms between a commit and the next checkpoint, when it counts the rows
    (several metrics inside one :func:`snapshot` check once). It does not see rows changed
    outside a load without changing the count (updated in place, or deleted with as many inserted);
    :func:`refresh_rollups` notices the latter (``portalroi metrics refresh``), and
    ``rebuild=True`` (``--rebuild``) covers both.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> rollup_is_current(Store(":memory:").con)
    False
    """
    pinned = _SNAPSHOTS.get() or {}
    known = pinned.get(id(con))
    if known is not None:
        return known
    memo = _SCOPE.get()
    if memo is not None and id(con) in memo:
        return memo[id(con)]
    current = False
    if {_STATE, *sql.TABLES} <= _tables(con):
        row = con.execute(
            f"SELECT s.events_rows = (SELECT count(*) FROM events) "
            f"AND s.accounts_fp = ({_ACCOUNTS_FP}) FROM {_STATE} s"
        ).fetchall()
        current = bool(row and row[0][0])
    if memo is not None:
        memo[id(con)] = current
    if id(con) in pinned:
        pinned[id(con)] = current  # the snapshot's transaction: nothing can change it
    return current


#: Rows a transaction has added but not committed carry row ids from here on (DuckDB's
#: ``MAX_ROW_ID``); at commit they are appended after the committed rows.
_LOCAL_ROWID = 36_028_797_018_960_000


def _rowid_horizon(con: duckdb.DuckDBPyConnection, after: int = -1) -> tuple[int, int | None]:
    """(rows with ``rowid > after``, the highest row id they will have once committed).

    Inside the load's transaction the new rows have transaction-local ids (from
    :data:`_LOCAL_ROWID`); recording those would make the next load look like a rewrite and
    rebuild everything. They are counted after the highest committed id instead. Should the
    committed ids come out otherwise (deleted trailing rows, another commit in between), the
    next refresh sees the row count disagree and rebuilds: slower, never wrong.
    """
    if after < 0:  # every row: when none is transaction-local, two cheap aggregates do
        # (the filtered form scans the row ids: 0.3-0.8 s at 100M events, against 0.1 s)
        total, top = con.execute("SELECT count(*), max(rowid) FROM events").fetchall()[0]
        if top is None:
            return 0, None
        if int(top) < _LOCAL_ROWID:
            return int(total), int(top)
    n, committed, local = con.execute(
        f"SELECT count(*), max(rowid) FILTER (WHERE rowid < {_LOCAL_ROWID}), "
        f"count(*) FILTER (WHERE rowid >= {_LOCAL_ROWID}) FROM events WHERE rowid > ?",
        [after],
    ).fetchall()[0]
    if not n:
        return 0, None
    return int(n), (after if committed is None else int(committed)) + int(local)


def _write_state(con: duckdb.DuckDBPyConnection, covered: tuple[int, int] | None = None) -> None:
    """Record what the rollups cover: ``covered`` = (events rows, highest row id) when the
    caller knows them (an append), else counted from ``events``."""
    con.execute(
        f"CREATE OR REPLACE TABLE {_STATE} "
        "(events_rows BIGINT, max_rowid BIGINT, accounts_fp VARCHAR)"
    )
    if covered is None:
        rows, horizon = _rowid_horizon(con)
        covered = (rows, -1 if horizon is None else horizon)
    con.execute(f"INSERT INTO {_STATE} VALUES (?, ?, ?)", [*covered, _accounts_fp(con)])


def refresh_rollups(
    con: duckdb.DuckDBPyConnection, *, rebuild: bool = False, check_keys: bool = True
) -> str:
    """Bring the rollups up to date; return ``"current"``, ``"appended"`` or ``"rebuilt"``.

    Appended rows (``rowid`` above the last one seen, and the row count grew by exactly their
    number) are folded in without reading older events; any other change rebuilds every
    rollup, and a change of go-live dates alone rebuilds the activation tables. Rows updated
    in place do not change the count: pass ``rebuild=True`` after such a change (the
    after-load hook does when a load updated events); with ``check_keys`` (the default) it
    also finds rows whose ids were edited in place and gives them their keys again
    (:func:`portalroi.store.keys.stale`, a read of every row). Loads key the rows they write
    themselves (an update clears the keys of the rows it changes), so the after-load hook
    passes ``check_keys=False``; ``portalroi metrics refresh --rebuild`` checks.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> con = Store(":memory:").con
    >>> refresh_rollups(con), refresh_rollups(con)
    ('rebuilt', 'current')
    """
    if rebuild and check_keys:
        keys.stale(con)  # ids edited by hand: their rows are keyed again by the rebuild
    state = None if rebuild else _state(con)
    total = _events_rows(con)
    if state is not None and state[0] == total and _rowid_horizon(con, state[1])[0]:
        state = None  # as many rows as covered, but some are new: others went
    if state is not None and state[0] == total:
        if state[2] == _accounts_fp(con):
            return "current"
        sql.rebuild_activation(con)
        _write_state(con)
        return "rebuilt"
    if state is not None and state[2] == _accounts_fp(con):
        new_rows, new_max = _rowid_horizon(con, state[1])
        if new_max is not None and state[0] + new_rows == total:
            sql.append(con, state[1])
            _write_state(con, (total, new_max))
            return "appended"
    sql.rebuild(con)
    _write_state(con)
    return "rebuilt"


def drop_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every rollup table (metrics then read the events until the next refresh).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> con = Store(":memory:").con
    >>> _ = refresh_rollups(con); drop_rollups(con); rollup_is_current(con)
    False
    """
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    for name in sql.VIEWS:  # tables of these names in stores made before the integer keys
        con.execute(f"DROP {'VIEW' if name in views else 'TABLE'} IF EXISTS {name}")
    for name in (_STATE, *sql.TABLES):
        con.execute(f"DROP TABLE IF EXISTS {name}")


@register_after_load
def _refresh_after_load(con: duckdb.DuckDBPyConnection, table: str, load_id: str) -> None:
    if table == "events":
        updated = con.execute(
            "SELECT coalesce(max(updated), 0) FROM _loads WHERE load_id = ?", [load_id]
        ).fetchall()[0][0]
        # the load keyed what it wrote: new rows at insert, updated ones at the refresh
        refresh_rollups(con, rebuild=bool(updated), check_keys=False)
    elif table == "accounts" and _state(con) is not None:
        refresh_rollups(con)


def _duckdb_con(backend: Any) -> duckdb.DuckDBPyConnection | None:
    con = getattr(backend, "con", None)
    return con if isinstance(con, duckdb.DuckDBPyConnection) else None


def rollup_table(q: Query, name: str) -> Any | None:
    """The Ibis table of rollup ``name`` when ``q`` runs on a DuckDB store whose rollups are
    current, else ``None`` (the caller then computes from the events).

    A source that keeps only some accounts' rows (a tenant-scoped backend, a segment filter:
    anything that is not the store's own Ibis backend) filters tables by their ``account_id``.
    Rollups without that column (per-day event-type counts, help funnels, cohorts, ...) sum
    over every account, so such a source would get them empty or whole, not its accounts'
    share: for those the answer is ``None`` and the metric is computed from the source's
    events. Rollups kept per account (``account_id`` column) are filtered like any table.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> rollup_table(Query(Store(":memory:").backend), "_rollup_cohort") is None
    True
    """
    con = _duckdb_con(q.backend)
    if con is None or not rollup_is_current(con):
        return None
    table = q.backend.table(name)
    if not isinstance(q.backend, BaseBackend) and "account_id" not in table.columns:
        return None
    return table


def user_days(q: Query) -> Any:
    """Distinct (``grp``, user_id, day) activity rows in the query's range, as an Ibis table.

    Read from the rollup when the backend is a DuckDB store whose rollup is current and the
    grouping does not need a per-event column (device); otherwise deduplicated from events.
    """
    ud = rollup_table(q, ROLLUP_TABLE) if q.by != "device" else None
    if ud is not None:
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
