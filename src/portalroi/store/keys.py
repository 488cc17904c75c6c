"""Dense integer keys for the event ids, kept beside the strings in ``events``.

Rebuilding the metric rollups deduplicates every event by account, user and session: with
string ids that is a hash of every id of every event, the largest part of a cold rebuild. The
store therefore keeps, for each event, dense integer keys of its account, user, session, event
type and feature (``_account_k``, ``_user_k``, ``_session_k``, ``_type_k``, ``_feature_k``),
with one dictionary table per id (``_key_account`` ... ``_key_feature``: ``k`` from 0, ``id``
the string). They are internal: the canonical columns are unchanged, and every figure is the
same with or without them (the rollup tests compare both paths).

Ingestion assigns them as it inserts (:func:`insert`: :func:`register` the new ids, then
:func:`keyed_select`);
rows written any other way (by hand, by an older version) have ``_type_k`` NULL and get their
keys at the next rollup refresh (:func:`assign`). A load that updates rows in place clears
their keys, so the refresh keys them again. A rebuild asked for by hand (``portalroi metrics
refresh --rebuild``) also finds the rows whose keys no longer name their ids, after a hand
edit of an id (:func:`stale`), and keys them again. Keys never change once given: a new id
gets the next number, in the order of its first event.

Examples
--------
>>> from portalroi.store import Store
>>> con = Store(":memory:").con
>>> _ = con.execute(
...     "INSERT INTO events (event_id, ts, account_id, user_id, session_id, event_type) "
...     "VALUES ('e1', TIMESTAMP '2024-01-01 10:00', 'A', 'u2', 's1', 'login'), "
...     "('e2', TIMESTAMP '2024-01-01 09:00', 'A', 'u1', 's1', 'search')")
>>> assign(con)
2
>>> con.execute("SELECT user_id, _user_k, _session_k FROM events ORDER BY ts").fetchall()
[('u1', 0, 0), ('u2', 1, 0)]
"""

from __future__ import annotations

import duckdb

__all__ = [
    "COLUMNS",
    "KEYS",
    "assign",
    "ensure",
    "insert",
    "keyed_select",
    "register",
    "release",
    "stale",
]

#: (string column of ``events``, its key column, its dictionary table).
KEYS: tuple[tuple[str, str, str], ...] = (
    ("account_id", "_account_k", "_key_account"),
    ("user_id", "_user_k", "_key_user"),
    ("session_id", "_session_k", "_key_session"),
    ("event_type", "_type_k", "_key_type"),
    ("feature", "_feature_k", "_key_feature"),
)
#: The key columns, in order.
COLUMNS: tuple[str, ...] = tuple(k for _, k, _ in KEYS)
#: Dictionaries small enough to join whole (a few dozen event types and features); the others
#: are joined through the entries a batch names (see :func:`register`).
_SMALL = frozenset({"_key_type", "_key_feature"})
#: Unkeyed rows :func:`assign` copies before keying them (more are read where they are).
_COPY_ROWS = 1_000_000
#: A row has its keys when ``_type_k`` is set (``event_type`` is never NULL).
_UNKEYED = "_type_k IS NULL"


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Add the key columns to ``events`` and create the dictionaries where missing."""
    for _, key, table in KEYS:
        con.execute(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {key} INTEGER")
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} (k INTEGER NOT NULL, id VARCHAR NOT NULL)")


def register(con: duckdb.DuckDBPyConnection, rows: str) -> None:
    """Give the ids in ``rows`` (a relation with the canonical event columns) that have no key
    yet the next numbers, in the order of their first event (then of the id).

    Also keeps, for :func:`keyed_select`, the entries of the account, user and session
    dictionaries that ``rows`` names in temporary tables (``_batch_key_account`` ...; replaced at
    the next call). Joined with a whole dictionary, DuckDB hashes the smaller side: for the
    sessions (millions of ids) that is the inserted rows with every column (0.2-0.3 s for
    150,000 events); joined with these entries it hashes them instead (0.01 s).
    """
    for col, _, table in KEYS:
        con.execute(
            f"INSERT INTO {table} SELECT (SELECT coalesce(max(k) + 1, 0) FROM {table}) "
            "+ CAST(row_number() OVER (ORDER BY first, id) AS INTEGER) - 1, id "
            f"FROM (SELECT {col} AS id, min(ts) AS first FROM {rows} r "
            f"WHERE {col} IS NOT NULL GROUP BY {col}) n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} d WHERE d.id = n.id)"
        )
        if table in _SMALL:
            continue
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _batch{table} AS "
            f"SELECT k, id FROM {table} WHERE id IN (SELECT {col} FROM {rows})"
        )


def insert(con: duckdb.DuckDBPyConnection, columns: str, rows: str) -> None:
    """Insert ``rows`` (its ``columns``, comma-separated canonical event columns) into
    ``events`` with their keys, as ingestion does: :func:`register`, insert with
    :func:`keyed_select`, :func:`release`."""
    register(con, rows)
    con.execute(
        f"INSERT INTO events ({columns}, {', '.join(COLUMNS)}) " + keyed_select(columns, rows)
    )
    release(con)


def release(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the entries :func:`register` kept for :func:`keyed_select` (after the insert: a
    large first load would otherwise keep millions of them for the connection's life)."""
    for _, _, table in KEYS:
        if table not in _SMALL:
            con.execute(f"DROP TABLE IF EXISTS temp.main._batch{table}")


def keyed_select(columns: str, rows: str) -> str:
    """SQL selecting ``columns`` of ``rows`` followed by the five keys (right after
    :func:`register` of the same rows: it reads the entries that call kept)."""
    joins = " ".join(
        f"LEFT JOIN {table if table in _SMALL else f'temp.main._batch{table}'} {key} "
        f"ON {key}.id = r.{col}"
        for col, key, table in KEYS
    )
    keys = ", ".join(f"{key}.k AS {key}" for _, key, _ in KEYS)
    cols = ", ".join(f"r.{c.strip()}" for c in columns.split(","))
    return f"SELECT {cols}, {keys} FROM {rows} r {joins}"


def assign(con: duckdb.DuckDBPyConnection, where: str = "") -> int:
    """Key the ``events`` rows that have no keys (and match ``where``, a further condition);
    return how many were keyed.

    Rows written by ingestion already have them; this serves rows written by hand, rows an
    update load changed (it clears their keys) and stores made before the keys existed (an
    update of every such row: slow on a large store, once). Up to :data:`_COPY_ROWS` rows are
    copied first, so that the eight statements keying them do not each scan ``events`` for
    them (on a store of 100M events that scan took 0.4 s a statement).
    """
    cond = f"{_UNKEYED} AND ({where})" if where else _UNKEYED
    n = int(con.execute(f"SELECT count(*) FROM events WHERE {cond}").fetchall()[0][0])
    if not n:
        return 0
    rows = f"(SELECT rowid AS _rid, * FROM events WHERE {cond})"
    if n <= _COPY_ROWS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _unkeyed AS SELECT * FROM {rows}")
        rows = "temp.main._unkeyed"
    register(con, rows)
    sets = ", ".join(f"{key} = x.{key}" for key in COLUMNS)
    con.execute(
        f"UPDATE events SET {sets} FROM ({keyed_select('_rid', rows)}) x "
        "WHERE events.rowid = x._rid"
    )
    release(con)
    con.execute("DROP TABLE IF EXISTS temp.main._unkeyed")
    return n


def stale(con: duckdb.DuckDBPyConnection) -> int:
    """Mark the rows whose keys do not name their ids (a hand edit of an id) as unkeyed, so
    that :func:`assign` keys them again; return how many.

    Reads every row with its five dictionaries: 10-12 s on a store of 100M events (measured), so it
    runs only when a rebuild is asked for by hand, not after loads (they key what they write).
    """
    joins = " ".join(f"LEFT JOIN {table} {key} ON {key}.k = e.{key}" for _, key, table in KEYS)
    wrong = " OR ".join(f"{key}.id IS DISTINCT FROM e.{col}" for col, key, _ in KEYS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _stale_keys AS SELECT e.rowid AS _rid FROM events e "
        f"{joins} WHERE NOT (e.{_UNKEYED}) AND ({wrong})"
    )
    n = int(con.execute("SELECT count(*) FROM _stale_keys").fetchall()[0][0])
    if n:
        nulls = ", ".join(f"{key} = NULL" for key in COLUMNS)
        con.execute(f"UPDATE events SET {nulls} WHERE rowid IN (SELECT _rid FROM _stale_keys)")
    con.execute("DROP TABLE _stale_keys")
    return n
