"""The SQL that builds and extends the DuckDB rollups (see :mod:`portalroi.metrics.rollups`).

Two kinds of table, all prefixed ``_rollup_``:

* deduplicated activity sets: ``user_day`` (account, user, day, events), ``day_type`` (day,
  event type, events), ``feature_user`` (month, feature, user), ``user_month`` (user, month),
  ``user_first`` (user, first active month), ``session_help`` (session, first search, first
  article view, last ticket), ``account_first``
  (account, first active day) and ``account_user`` (account, user, active days in the 90-day
  window after go-live), all but ``day_type`` kept by the events' integer keys
  (:mod:`portalroi.store.keys`) in tables named ``..._k``, read through views of the names
  above that give the string ids (:data:`VIEWS`);
* small results: ``daily_active`` (day, DAU, WAU, MAU over the whole calendar),
  ``month_active`` (month, active users), ``feature_month`` (month, feature, users),
  ``cohort`` (first-active month, offset, users) and ``help_month`` (funnel kind ``help`` =
  search or article view, or ``search``; month of the session's first such event; sessions;
  sessions with a ticket strictly later).

:func:`rebuild` derives everything from ``events``, in one compiled pass
(:mod:`portalroi.metrics._kernel`) or, where that cannot hold the data, in SQL (each statement
reading only the columns it needs);
:func:`append` folds in rows appended since ``rowid`` ``after``, reading only those rows and the
parts of the sets they touch, and updating the results only for the days, months, cohorts and
accounts the new rows change.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from portalroi.store import keys

__all__ = [
    "DDL",
    "TABLES",
    "VIEWS",
    "append",
    "create_tables",
    "create_views",
    "rebuild",
    "rebuild_activation",
]

USER_DAY = "_rollup_user_day"
DAY_TYPE = "_rollup_day_type"
FEATURE_USER = "_rollup_feature_user"
FEATURE_MONTH = "_rollup_feature_month"
USER_MONTH = "_rollup_user_month"
USER_FIRST = "_rollup_user_first"
MONTH_ACTIVE = "_rollup_month_active"
COHORT = "_rollup_cohort"
SESSION_HELP = "_rollup_session_help"
HELP_MONTH = "_rollup_help_month"
DAILY = "_rollup_daily_active"
ACCOUNT_FIRST = "_rollup_account_first"
ACCOUNT_USER = "_rollup_account_user"

#: The sets keyed by the events' integer keys (:mod:`portalroi.store.keys`); each is read
#: through a view of the name without ``_k`` that gives the ids as strings.
USER_DAY_K = USER_DAY + "_k"
FEATURE_USER_K = FEATURE_USER + "_k"
USER_MONTH_K = USER_MONTH + "_k"
USER_FIRST_K = USER_FIRST + "_k"
SESSION_HELP_K = SESSION_HELP + "_k"
ACCOUNT_FIRST_K = ACCOUNT_FIRST + "_k"
ACCOUNT_USER_K = ACCOUNT_USER + "_k"

#: Every rollup table with its columns, in build order.
DDL: dict[str, str] = {
    USER_DAY_K: "account_k INTEGER, user_k INTEGER, day DATE, n_events BIGINT",
    DAY_TYPE: "day DATE, event_type VARCHAR, n_events BIGINT",
    FEATURE_USER_K: "month DATE, feature_k INTEGER, user_k INTEGER",
    FEATURE_MONTH: "month DATE, feature VARCHAR, users BIGINT",
    SESSION_HELP_K: (
        "session_k INTEGER, first_search TIMESTAMP, first_article TIMESTAMP, last_ticket TIMESTAMP"
    ),
    HELP_MONTH: "kind VARCHAR, month DATE, sessions BIGINT, converted BIGINT",
    USER_MONTH_K: "user_k INTEGER, month DATE",
    USER_FIRST_K: "user_k INTEGER, cohort DATE",
    MONTH_ACTIVE: "month DATE, active_users BIGINT",
    COHORT: 'cohort DATE, "offset" BIGINT, users BIGINT',
    DAILY: "day DATE, dau BIGINT, wau BIGINT, mau BIGINT",
    ACCOUNT_FIRST_K: "account_k INTEGER, first_day DATE",
    ACCOUNT_USER_K: "account_k INTEGER, user_k INTEGER, window_days BIGINT",
}
#: Every rollup table, in build order.
TABLES: tuple[str, ...] = tuple(DDL)

_A = "JOIN _key_account ka ON ka.k = t.account_k"
_U = "JOIN _key_user ku ON ku.k = t.user_k"
#: The views that give the integer-keyed sets with string ids, as the metrics read them.
VIEWS: dict[str, str] = {
    USER_DAY: f"SELECT ka.id AS account_id, ku.id AS user_id, t.day, t.n_events "
    f"FROM {USER_DAY_K} t {_A} {_U}",
    FEATURE_USER: f"SELECT t.month, kf.id AS feature, ku.id AS user_id FROM {FEATURE_USER_K} t "
    f"JOIN _key_feature kf ON kf.k = t.feature_k {_U}",
    USER_MONTH: f"SELECT ku.id AS user_id, t.month FROM {USER_MONTH_K} t {_U}",
    USER_FIRST: f"SELECT ku.id AS user_id, t.cohort FROM {USER_FIRST_K} t {_U}",
    SESSION_HELP: "SELECT ks.id AS session_id, t.first_search, t.first_article, t.last_ticket "
    f"FROM {SESSION_HELP_K} t JOIN _key_session ks ON ks.k = t.session_k",
    ACCOUNT_FIRST: f"SELECT ka.id AS account_id, t.first_day FROM {ACCOUNT_FIRST_K} t {_A}",
    ACCOUNT_USER: "SELECT ka.id AS account_id, ku.id AS user_id, t.window_days "
    f"FROM {ACCOUNT_USER_K} t {_A} {_U}",
}


def create_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = TABLES) -> None:
    """(Re)create the rollup tables ``names`` empty, with their columns (:data:`DDL`)."""
    for name in names:
        con.execute(f"CREATE OR REPLACE TABLE {name} ({DDL[name]})")


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the views of the integer-keyed sets (:data:`VIEWS`), replacing the tables of
    the same names that stores made before the keys kept."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for name, select in VIEWS.items():
        if name in tables:
            con.execute(f"DROP TABLE {name}")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")


_MONTH = "CAST(date_trunc('month', {}) AS DATE)"
_OFFSET = "(year(m) - year(cohort)) * 12 + month(m) - month(cohort)"
_HELP = "event_type IN ('search', 'article_view', 'ticket_created')"
_SESSION_COLS = (
    "min(ts) FILTER (WHERE event_type = 'search') AS first_search, "
    "min(ts) FILTER (WHERE event_type = 'article_view') AS first_article, "
    "max(ts) FILTER (WHERE event_type = 'ticket_created') AS last_ticket"
)
_HELP_KINDS = (
    "SELECT 'help' AS kind, least(first_search, first_article) AS first_ts, last_ticket FROM {0} "
    "UNION ALL SELECT 'search', first_search, last_ticket FROM {0}"
)
_FEATURE = "event_type = 'feature_use' AND {} IS NOT NULL"
_LIVE = f"""
    SELECT f.account_k, coalesce(CAST(a.portal_live_at AS DATE), f.first_day) AS live
    FROM {ACCOUNT_FIRST_K} f JOIN _key_account ka ON ka.k = f.account_k
    LEFT JOIN (SELECT account_id, min(portal_live_at) AS portal_live_at FROM accounts
               GROUP BY account_id) a ON a.account_id = ka.id
"""
#: Days after go-live in which activation and engagement are measured.
ACTIVATION_DAYS = 90
_WINDOW = f"count(*) FILTER (WHERE day >= live AND day < live + {ACTIVATION_DAYS})"


def _lagged_sql(where: str = "") -> str:
    """User-days with the user's previous active day ``p`` (a user seen in two accounts on a
    day has two rows; the second gets ``p = day``, which every use below neutralises)."""
    return (
        "SELECT user_k, day, lag(day) OVER (PARTITION BY user_k ORDER BY day) AS p "
        f"FROM {USER_DAY_K} {where}"
    )


def _daily_sql(lo: str, hi: str, lagged: str) -> str:
    """DAU/WAU/MAU for the days ``[lo, hi]`` by coverage intervals over ``lagged`` user-days.

    ``lagged`` must hold every user-day from ``lo - 29`` (a 30-day window never looks further
    back) to ``hi``, so the running sums are exact from ``lo`` on.
    """
    parts = ["SELECT day, CASE WHEN p = day THEN 0 ELSE 1 END AS dau, 0 AS wau, 0 AS mau FROM l"]
    for w, cols in ((7, ("1", "0")), (30, ("0", "1"))):
        on = ", ".join(cols)
        off = ", ".join("-1" if c == "1" else "0" for c in cols)
        parts.append(
            f"SELECT CASE WHEN p IS NULL OR p + {w} <= day THEN day ELSE p + {w} END, 0, {on} "
            "FROM l"
        )
        parts.append(f"SELECT day + {w}, 0, {off} FROM l")
    return f"""
    WITH l AS ({lagged}),
    agg AS (SELECT day, sum(dau) AS dau, sum(wau) AS wau, sum(mau) AS mau
            FROM ({" UNION ALL ".join(parts)}) GROUP BY day),
    cal AS (SELECT CAST(range AS DATE) AS day
            FROM range(CAST({lo} - 29 AS TIMESTAMP), CAST({hi} + 1 AS TIMESTAMP),
                       INTERVAL 1 DAY)),
    run AS (SELECT cal.day, CAST(coalesce(agg.dau, 0) AS BIGINT) AS dau,
                   CAST(sum(coalesce(agg.wau, 0)) OVER (ORDER BY cal.day) AS BIGINT) AS wau,
                   CAST(sum(coalesce(agg.mau, 0)) OVER (ORDER BY cal.day) AS BIGINT) AS mau
            FROM cal LEFT JOIN agg USING (day))
    SELECT * FROM run WHERE day >= {lo}
    """


def _daily_range_sql(lo: str, hi: str) -> str:
    return _daily_sql(lo, hi, _lagged_sql(f"WHERE day >= {lo} - 29 AND day <= {hi}"))


#: Up to this many days, an append recomputes DAU/WAU/MAU day by day (:func:`_daily_days_sql`)
#: rather than by coverage intervals, which sort the 30 days before by user.
DAILY_DIRECT_DAYS = 7


def _daily_days_sql(lo: str, hi: str) -> str:
    """DAU/WAU/MAU for the days ``[lo, hi]``: each user's last active day in the 30 days up to
    each day is that day (DAU), within its last 7 days (WAU), or earlier (MAU only).

    Same result as :func:`_daily_range_sql`; it joins every day with the 30 days before it, so
    it is the cheaper form only for a few days (an append of the latest day).
    """
    return f"""
    WITH l AS (SELECT user_k, day FROM {USER_DAY_K} WHERE day >= {lo} - 29 AND day <= {hi}),
    cal AS (SELECT CAST(range AS DATE) AS day
            FROM range(CAST({lo} AS TIMESTAMP), CAST({hi} + 1 AS TIMESTAMP), INTERVAL 1 DAY)),
    last AS (SELECT cal.day, max(l.day) AS last FROM cal JOIN l
             ON l.day <= cal.day AND l.day > cal.day - 30 GROUP BY cal.day, l.user_k),
    agg AS (SELECT day, count(*) FILTER (WHERE last = day) AS dau,
                   count(*) FILTER (WHERE last > day - 7) AS wau, count(*) AS mau
            FROM last GROUP BY day)
    SELECT cal.day, CAST(coalesce(dau, 0) AS BIGINT) AS dau,
           CAST(coalesce(wau, 0) AS BIGINT) AS wau, CAST(coalesce(mau, 0) AS BIGINT) AS mau
    FROM cal LEFT JOIN agg USING (day) ORDER BY cal.day
    """


def _date(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def _rebuild_cohorts(con: duckdb.DuckDBPyConnection) -> None:
    create_tables(con, (USER_FIRST_K, COHORT))
    con.execute(
        f"INSERT INTO {USER_FIRST_K} "
        f"SELECT user_k, min(month) AS cohort FROM {USER_MONTH_K} GROUP BY user_k"
    )
    con.execute(
        f'INSERT INTO {COHORT} SELECT cohort, {_OFFSET} AS "offset", '
        f"count(*) AS users FROM (SELECT user_k, month AS m FROM {USER_MONTH_K}) "
        f"JOIN {USER_FIRST_K} USING (user_k) GROUP BY ALL"
    )


def _help_month_sql(sessions: str) -> str:
    """Sessions and converted sessions per funnel kind and month, of the rows of ``sessions``."""
    return (
        f"SELECT kind, {_MONTH.format('first_ts')} AS month, count(*) AS sessions, "
        "count(*) FILTER (WHERE last_ticket > first_ts) AS converted "
        f"FROM ({_HELP_KINDS.format(sessions)}) WHERE first_ts IS NOT NULL GROUP BY ALL"
    )


def rebuild_activation(con: duckdb.DuckDBPyConnection) -> None:
    """Per account: first active day; per (account, user): active days in the window."""
    create_tables(con, (ACCOUNT_FIRST_K, ACCOUNT_USER_K))
    con.execute(
        f"INSERT INTO {ACCOUNT_FIRST_K} "
        f"SELECT account_k, min(day) AS first_day FROM {USER_DAY_K} GROUP BY account_k"
    )
    con.execute(
        f"INSERT INTO {ACCOUNT_USER_K} SELECT account_k, user_k, {_WINDOW} AS window_days "
        f"FROM {USER_DAY_K} JOIN ({_LIVE}) USING (account_k) GROUP BY ALL"
    )


def _rebuild_daily(con: duckdb.DuckDBPyConnection, lagged: str | None = None) -> None:
    lo, hi = con.execute(f"SELECT min(day), max(day) FROM {USER_DAY_K}").fetchall()[0]
    create_tables(con, (DAILY,))
    if lo is not None:
        source = f"SELECT * FROM {lagged}" if lagged else _lagged_sql()
        con.execute(f"INSERT INTO {DAILY} " + _daily_sql(_date(lo), _date(hi), source))


#: Events per piece when a set is built a few months at a time: enough that each statement's
#: fixed cost is small, few enough that a piece's hash table stays small (100M events over 24
#: months: one month per piece; 10M: ten months per piece, since 24 pieces cost 0.5 s more).
PIECE_EVENTS = 4_000_000


def _pieces(con: duckdb.DuckDBPyConnection) -> list[tuple[date, int]]:
    """(first day, months) of consecutive pieces of whole calendar months covering the events,
    each about :data:`PIECE_EVENTS` events on average."""
    lo, hi, n = con.execute(
        "SELECT CAST(min(ts) AS DATE), CAST(max(ts) AS DATE), count(*) FROM events"
    ).fetchall()[0]
    if lo is None:
        return []
    months = [lo.replace(day=1)]
    while months[-1] < hi.replace(day=1):
        last = months[-1]
        months.append(date(last.year + last.month // 12, last.month % 12 + 1, 1))
    step = max(1, min(len(months), round(PIECE_EVENTS * len(months) / max(int(n), 1))))
    return [(months[i], step) for i in range(0, len(months), step)]


#: Events of the piece starting at the first ``?`` (given twice) and lasting the months of the
#: third.
_IN_PIECE = "ts >= ? AND ts < CAST(? AS TIMESTAMP) + to_months(CAST(? AS INTEGER))"


def rebuild(con: duckdb.DuckDBPyConnection, *, kernel: bool = True) -> str:
    """Build every rollup from ``events``; return how: ``"kernel"`` (one compiled pass over
    the integer keys, :mod:`portalroi.metrics._kernel`) or ``"sql"`` (DuckDB statements: when
    ``kernel`` is false or the data do not fit the kernel's grid). Both give the same tables.
    """
    keys.assign(con)
    how = "kernel" if kernel and _kernel_rebuild(con) else "sql"
    if how == "sql":
        _rebuild(con)
    create_views(con)
    return how


def _kernel_rebuild(con: duckdb.DuckDBPyConnection) -> bool:
    from portalroi.metrics import _kernel  # Numba loads only when a rebuild needs it

    return _kernel.rebuild(con)


def _rebuild(con: duckdb.DuckDBPyConnection) -> None:
    ev = "FROM events WHERE _user_k IS NOT NULL"
    pieces = _pieces(con)
    create_tables(con)
    # a few months at a time (see PIECE_EVENTS), each piece's rows in day order: a piece's hash
    # table fits in cache where the whole history's does not, and the day ranges that appends,
    # DAU/WAU/MAU of recent days and ranged metrics read then skip the row groups of other days
    # (a 30-day range of 9.2M user-days: 2 ms instead of 40-60 ms)
    for start, months in pieces:
        con.execute(
            f"INSERT INTO {USER_DAY_K} SELECT _account_k, _user_k, CAST(ts AS DATE) AS day, "
            f"count(*) AS n_events {ev} AND {_IN_PIECE} GROUP BY ALL ORDER BY day",
            [start, start, months],
        )
    con.execute(
        f"INSERT INTO {DAY_TYPE} SELECT CAST(ts AS DATE) AS day, event_type, "
        f"count(*) AS n_events {ev} GROUP BY ALL"
    )
    # in the same pieces: the month is part of the key, and at 100M events ~24 hash tables of
    # one month's (feature, user) pairs each fit in cache where one of the whole history does
    # not (2.9 s instead of 4.5 s)
    for start, months in pieces:
        con.execute(
            f"INSERT INTO {FEATURE_USER_K} SELECT DISTINCT {_MONTH.format('ts')} AS month, "
            f"_feature_k, _user_k {ev} AND {_FEATURE.format('_feature_k')} AND {_IN_PIECE}",
            [start, start, months],
        )
    con.execute(
        f"INSERT INTO {FEATURE_MONTH} SELECT month, kf.id AS feature, count(*) AS users "
        f"FROM {FEATURE_USER_K} JOIN _key_feature kf ON kf.k = feature_k GROUP BY ALL"
    )
    # stored in session order: a fold-in looks up the sessions its rows touch by a join whose
    # key range DuckDB pushes into this table's scan; session keys are numbered in the order of
    # the sessions' first events, so only the row groups of recent sessions are read
    con.execute(
        f"INSERT INTO {SESSION_HELP_K} SELECT _session_k, {_SESSION_COLS} "
        f"{ev} AND _session_k IS NOT NULL AND {_HELP} GROUP BY _session_k ORDER BY _session_k"
    )
    con.execute(f"INSERT INTO {HELP_MONTH} " + _help_month_sql(SESSION_HELP_K))
    # one sort of the user-days serves both the rolling actives and the (user, month) set:
    # a user-day starts a new user-month exactly when the previous active day is in another
    # month (or there is none)
    con.execute("CREATE OR REPLACE TEMP TABLE _lagged AS " + _lagged_sql())
    con.execute(
        f"INSERT INTO {USER_MONTH_K} SELECT user_k, {_MONTH.format('day')} AS "
        f"month FROM _lagged WHERE p IS NULL OR {_MONTH.format('p')} <> {_MONTH.format('day')}"
    )
    con.execute(
        f"INSERT INTO {MONTH_ACTIVE} SELECT month, count(*) AS active_users "
        f"FROM {USER_MONTH_K} GROUP BY month"
    )
    _rebuild_cohorts(con)
    _rebuild_daily(con, "_lagged")
    con.execute("DROP TABLE _lagged")
    rebuild_activation(con)


def _upsert(
    con: duckdb.DuckDBPyConnection, table: str, delta: str, keys: str, cols: str, where: str = ""
) -> None:
    """Add ``delta``'s ``cols`` to ``table`` rows with the same ``keys``; insert the others.

    ``where`` (a condition on ``d``) limits the update to delta rows that change something:
    updated rows stay slower to read until the next checkpoint, so adding zeros is skipped.
    """
    on = " AND ".join(f"t.{k} = d.{k}" for k in keys.split(", "))
    sets = ", ".join(f"{c} = t.{c} + d.{c}" for c in cols.split(", "))
    con.execute(f"UPDATE {table} t SET {sets} FROM {delta} d WHERE {on}{where}")
    con.execute(f"INSERT INTO {table} SELECT d.* FROM {delta} d ANTI JOIN {table} t ON {on}")


def append(con: duckdb.DuckDBPyConnection, after: int) -> None:
    """Fold the events rows with ``rowid > after`` into every rollup."""
    keys.assign(con, f"rowid > {int(after)}")  # rows written other than by ingestion
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r AS SELECT _account_k AS account_k, _user_k AS user_k, "
        "_session_k AS session_k, ts, CAST(ts AS DATE) AS day, event_type, "
        "_feature_k AS feature_k FROM events WHERE rowid > ? AND _user_k IS NOT NULL",
        [after],
    )
    lo, hi = con.execute("SELECT min(day), max(day) FROM _r").fetchall()[0]
    if lo is None:
        return
    old_lo, old_hi = con.execute(f"SELECT min(day), max(day) FROM {USER_DAY_K}").fetchall()[0]
    days = f"day >= {_date(lo)} AND day <= {_date(hi)}"
    months = f"month >= {_date(lo.replace(day=1))} AND month <= {_date(hi)}"

    # activity sets; _new_ud holds only the (account, user, day) rows that did not exist yet
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_ud AS "
        "SELECT account_k, user_k, day, count(*) AS n_events FROM _r GROUP BY ALL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _new_ud AS SELECT r.account_k, r.user_k, r.day "
        f"FROM _r_ud r ANTI JOIN (SELECT account_k, user_k, day FROM {USER_DAY_K} "
        f"WHERE {days}) u ON r.account_k = u.account_k AND r.user_k = u.user_k "
        "AND r.day = u.day"
    )
    con.execute(
        f"UPDATE {USER_DAY_K} t SET n_events = t.n_events + d.n_events FROM _r_ud d "
        "WHERE t.account_k = d.account_k AND t.user_k = d.user_k AND t.day = d.day "
        f"AND t.day >= {_date(lo)} AND t.day <= {_date(hi)}"
    )
    con.execute(
        f"INSERT INTO {USER_DAY_K} SELECT d.* FROM _r_ud d SEMI JOIN _new_ud n "
        "ON d.account_k = n.account_k AND d.user_k = n.user_k AND d.day = n.day"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_dt AS "
        "SELECT day, event_type, count(*) AS n_events FROM _r GROUP BY ALL"
    )
    _upsert(con, DAY_TYPE, "_r_dt", "day, event_type", "n_events")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_fu AS SELECT r.* FROM (SELECT DISTINCT "
        f"{_MONTH.format('ts')} AS month, feature_k, user_k FROM _r "
        f"WHERE {_FEATURE.format('feature_k')}) r "
        f"ANTI JOIN (SELECT month, feature_k, user_k FROM {FEATURE_USER_K} WHERE {months}) f "
        "ON r.month = f.month AND r.feature_k = f.feature_k AND r.user_k = f.user_k"
    )
    con.execute(f"INSERT INTO {FEATURE_USER_K} SELECT * FROM _r_fu")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_fm AS SELECT month, kf.id AS feature, count(*) AS users "
        "FROM _r_fu JOIN _key_feature kf ON kf.k = feature_k GROUP BY ALL"
    )
    _upsert(con, FEATURE_MONTH, "_r_fm", "month, feature", "users")
    _append_sessions(con)
    _append_months(con, months)
    _append_daily(con, (lo, hi), old_lo, old_hi)
    _append_activation(con)
    for temp in ("_r", "_r_ud", "_new_ud", "_r_dt", "_r_fu", "_r_fm"):
        con.execute(f"DROP TABLE IF EXISTS {temp}")


def _append_sessions(con: duckdb.DuckDBPyConnection) -> None:
    """Sessions that span loads keep their earliest help event and latest ticket; the funnel
    results change by the touched sessions' new contribution minus their old one."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _r_s AS SELECT session_k, {_SESSION_COLS} FROM _r "
        f"WHERE session_k IS NOT NULL AND {_HELP} GROUP BY session_k"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _old_s AS "
        f"SELECT t.* FROM {SESSION_HELP_K} t SEMI JOIN _r_s d ON t.session_k = d.session_k"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _new_s AS SELECT d.session_k, "
        "least(o.first_search, d.first_search) AS first_search, "
        "least(o.first_article, d.first_article) AS first_article, "
        "greatest(o.last_ticket, d.last_ticket) AS last_ticket "
        "FROM _r_s d LEFT JOIN _old_s o ON o.session_k = d.session_k"
    )
    con.execute(
        f"UPDATE {SESSION_HELP_K} t SET first_search = d.first_search, "
        "first_article = d.first_article, last_ticket = d.last_ticket "
        "FROM _new_s d WHERE t.session_k = d.session_k"
    )
    con.execute(
        f"INSERT INTO {SESSION_HELP_K} SELECT d.* FROM _new_s d "
        "ANTI JOIN _old_s o ON o.session_k = d.session_k"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_hm AS SELECT kind, month, "
        "sum(sessions) AS sessions, sum(converted) AS converted FROM ("
        f"{_help_month_sql('_new_s')} UNION ALL SELECT kind, month, -sessions, -converted "
        f"FROM ({_help_month_sql('_old_s')})) GROUP BY ALL"
    )
    _upsert(con, HELP_MONTH, "_r_hm", "kind, month", "sessions, converted")
    con.execute(f"DELETE FROM {HELP_MONTH} WHERE sessions = 0")
    for temp in ("_r_s", "_old_s", "_new_s", "_r_hm"):
        con.execute(f"DROP TABLE {temp}")


def _append_months(con: duckdb.DuckDBPyConnection, months: str) -> None:
    """New (user, month) pairs: monthly actives and retention cells grow by their count."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _new_um AS SELECT n.* FROM (SELECT DISTINCT user_k, "
        f"{_MONTH.format('day')} AS month FROM _new_ud) n ANTI JOIN (SELECT user_k, month "
        f"FROM {USER_MONTH_K} WHERE {months}) u ON n.user_k = u.user_k AND n.month = u.month"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _firsts AS "
        f"SELECT * FROM {USER_FIRST_K} SEMI JOIN _new_um USING (user_k)"
    )
    earlier = con.execute(
        "SELECT count(*) FROM _new_um JOIN _firsts USING (user_k) WHERE month < cohort"
    ).fetchall()[0][0]
    con.execute(f"INSERT INTO {USER_MONTH_K} SELECT * FROM _new_um")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_ma AS "
        "SELECT month, count(*) AS active_users FROM _new_um GROUP BY month"
    )
    _upsert(con, MONTH_ACTIVE, "_r_ma", "month", "active_users")
    if earlier:  # a user's first month moved back: every cell of that user shifts
        _rebuild_cohorts(con)
    else:
        con.execute(
            f"INSERT INTO {USER_FIRST_K} SELECT user_k, min(month) FROM _new_um "
            "ANTI JOIN _firsts USING (user_k) GROUP BY user_k"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _r_co AS "
            f'SELECT cohort, {_OFFSET} AS "offset", count(*) AS users '
            "FROM (SELECT n.user_k, n.month AS m, coalesce(f.cohort, min(n.month) OVER "
            "(PARTITION BY n.user_k)) AS cohort FROM _new_um n LEFT JOIN _firsts f "
            "USING (user_k)) GROUP BY ALL"
        )
        _upsert(con, COHORT, "_r_co", 'cohort, "offset"', "users")
        con.execute("DROP TABLE _r_co")
    for temp in ("_new_um", "_firsts", "_r_ma"):
        con.execute(f"DROP TABLE {temp}")


def _append_daily(
    con: duckdb.DuckDBPyConnection,
    new: tuple[date, date],
    old_lo: date | None,
    old_hi: date | None,
) -> None:
    """Recompute DAU/WAU/MAU from the first changed day (or the first new calendar day) on.

    ``new`` is the first and last day of the appended rows; ``old_lo`` and ``old_hi`` the
    first and last active day before them.
    """
    lo = new[0]
    first_new = con.execute("SELECT min(day) FROM _new_ud").fetchall()[0][0]
    if old_lo is None or old_hi is None or (first_new is not None and first_new < old_lo):
        _rebuild_daily(con)
        return
    hi = max(old_hi, new[1])  # every appended day is a user-day now
    start = min(first_new or lo, old_hi + timedelta(days=1))
    if first_new is None and hi <= old_hi:
        return
    con.execute(f"DELETE FROM {DAILY} WHERE day >= {_date(start)}")
    days = _daily_days_sql if (hi - start).days < DAILY_DIRECT_DAYS else _daily_range_sql
    con.execute(f"INSERT INTO {DAILY} " + days(_date(start), _date(hi)))


def _append_activation(con: duckdb.DuckDBPyConnection) -> None:
    """New user-days add to their user's window count; an earlier first day rebuilds."""
    moved = con.execute(
        "SELECT count(*) FROM (SELECT account_k, min(day) AS d FROM _new_ud GROUP BY ALL) n "
        f"JOIN {ACCOUNT_FIRST_K} f USING (account_k) WHERE n.d < f.first_day"
    ).fetchall()[0][0]
    if moved:
        rebuild_activation(con)
        return
    con.execute(
        f"INSERT INTO {ACCOUNT_FIRST_K} SELECT account_k, min(day) FROM _new_ud n "
        f"ANTI JOIN {ACCOUNT_FIRST_K} f USING (account_k) GROUP BY account_k"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _r_au AS "
        f"SELECT account_k, user_k, {_WINDOW} AS window_days FROM _new_ud "
        f"JOIN ({_LIVE} SEMI JOIN _new_ud n ON n.account_k = f.account_k) "
        "USING (account_k) GROUP BY ALL"
    )
    # most new days fall outside their account's 90-day window: no update for those
    _upsert(
        con, ACCOUNT_USER_K, "_r_au", "account_k, user_k", "window_days", " AND d.window_days > 0"
    )
    con.execute("DROP TABLE _r_au")
