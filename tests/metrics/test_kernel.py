"""The compiled rebuild (``portalroi.metrics._kernel``) against an independent pandas oracle.

Every one of the 13 integer-keyed rollup tables is read back, its keys mapped to the ids
through the dictionaries, and compared as a multiset of rows with the same table computed in
pandas from the events (hand-written timelines with the answers written out, and random data).
Each fallback condition must return False and write nothing.
"""

from __future__ import annotations

import shutil
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from portalroi.metrics import _kernel, _rollup_sql
from portalroi.store import Store, keys

T = pd.Timestamp
KEYS = (
    ("account", "account_id"),
    ("user", "user_id"),
    ("session", "session_id"),
    ("type", "event_type"),
    ("feature", "feature"),
)


# -- building stores ----------------------------------------------------------------------------


def _ev(ts: str, acc: str, user: str | None, sess: str | None, etype: str, feature: Any = None):
    return {
        "ts": T(ts),
        "account_id": acc,
        "user_id": user,
        "session_id": sess,
        "event_type": etype,
        "feature": feature,
    }


def _store(
    events: list[dict[str, Any]], accounts: list[dict[str, Any]], *, own_keys: bool = False
) -> Store:
    """An in-memory store with ``events`` and ``accounts``, keyed by the store's key assignment
    (or, ``own_keys``, by dictionaries in hash order made here)."""
    store = Store(":memory:")
    ev = pd.DataFrame(events, columns=["ts", "account_id", "user_id", "session_id",
                                       "event_type", "feature"])  # fmt: skip
    ev["event_id"] = [f"e{i}" for i in range(len(ev))]
    store.con.register("_ev", ev)
    store.con.execute("INSERT INTO events BY NAME SELECT * FROM _ev")
    store.con.unregister("_ev")
    if accounts:
        ac = pd.DataFrame(accounts, columns=["account_id", "portal_live_at"])
        ac["created_at"] = T("2020-01-01")
        store.con.register("_ac", ac)
        store.con.execute("INSERT INTO accounts BY NAME SELECT * FROM _ac")
        store.con.unregister("_ac")
    if own_keys:
        _key(store.con)
    else:
        keys.assign(store.con)
    return store


def _key(con: Any) -> None:
    """Dictionaries and key columns as the rollup refresh keeps them (keys in hash order, so
    nothing may rely on keys sorting like their ids)."""
    for name, col in KEYS:
        con.execute(
            f"CREATE OR REPLACE TABLE _key_{name} AS SELECT CAST(row_number() OVER "
            f"(ORDER BY md5(id)) - 1 AS INTEGER) AS k, id FROM "
            f"(SELECT DISTINCT {col} AS id FROM events WHERE {col} IS NOT NULL)"
        )
        con.execute(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS _{name}_k INTEGER")
        con.execute(
            f"UPDATE events SET _{name}_k = d.k FROM _key_{name} d WHERE events.{col} = d.id"
        )


def _tables(con: Any) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


# -- the oracle ---------------------------------------------------------------------------------


def _month(d: date) -> date:
    return d.replace(day=1)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def oracle(events: list[dict[str, Any]], accounts: list[dict[str, Any]]) -> dict[str, list[tuple]]:
    """Every rollup table from the events, in plain Python: rows with ids, sorted."""
    ev = [e for e in events if e["user_id"] is not None]
    out: dict[str, list[tuple]] = {}

    ud: dict[tuple, int] = {}
    dt: dict[tuple, int] = {}
    fu: set[tuple] = set()
    sess: dict[str, list[Any]] = {}
    for e in ev:
        day = e["ts"].date()
        ud[(e["account_id"], e["user_id"], day)] = (
            ud.get((e["account_id"], e["user_id"], day), 0) + 1
        )
        dt[(day, e["event_type"])] = dt.get((day, e["event_type"]), 0) + 1
        if e["event_type"] == "feature_use" and e["feature"] is not None:
            fu.add((_month(day), e["feature"], e["user_id"]))
        kind = {"search": 0, "article_view": 1, "ticket_created": 2}.get(e["event_type"])
        if kind is not None and e["session_id"] is not None:
            s = sess.setdefault(e["session_id"], [None, None, None])
            ts = e["ts"].to_pydatetime()
            if kind < 2:
                s[kind] = ts if s[kind] is None else min(s[kind], ts)
            else:
                s[2] = ts if s[2] is None else max(s[2], ts)
    out["_rollup_user_day_k"] = sorted((*k, n) for k, n in ud.items())
    out["_rollup_day_type"] = sorted((*k, n) for k, n in dt.items())
    out["_rollup_feature_user_k"] = sorted(fu)
    fm: dict[tuple, int] = {}
    for m, f, _u in fu:
        fm[(m, f)] = fm.get((m, f), 0) + 1
    out["_rollup_feature_month"] = sorted((*k, n) for k, n in fm.items())
    out["_rollup_session_help_k"] = sorted((s, *v) for s, v in sess.items())
    hm: dict[tuple, list[int]] = {}
    for fs, fa, lt in sess.values():
        for kind, first in (("help", min((x for x in (fs, fa) if x), default=None)),
                            ("search", fs)):  # fmt: skip
            if first is not None:
                cell = hm.setdefault((kind, _month(first.date())), [0, 0])
                cell[0] += 1
                cell[1] += lt is not None and lt > first
    out["_rollup_help_month"] = sorted((*k, *v) for k, v in hm.items())

    user_days: dict[str, set[date]] = {}
    acc_of: dict[str, str] = {}
    for a, u, d in ud:
        user_days.setdefault(u, set()).add(d)
        acc_of[u] = a
    um = sorted({(u, _month(d)) for u, ds in user_days.items() for d in ds})
    out["_rollup_user_month_k"] = um
    first = {u: min(_month(d) for d in ds) for u, ds in user_days.items()}
    out["_rollup_user_first_k"] = sorted(first.items())
    ma: dict[date, int] = {}
    co: dict[tuple, int] = {}
    for u, m in um:
        ma[m] = ma.get(m, 0) + 1
        key = (first[u], _months_between(first[u], m))
        co[key] = co.get(key, 0) + 1
    out["_rollup_month_active"] = sorted(ma.items())
    out["_rollup_cohort"] = sorted((*k, n) for k, n in co.items())

    all_days = {d for ds in user_days.values() for d in ds}
    daily = []
    day = min(all_days)
    while day <= max(all_days):
        counts = [
            sum(
                any(day - timedelta(days=w - 1) <= d <= day for d in ds)
                for ds in user_days.values()
            )
            for w in (1, 7, 30)
        ]
        daily.append((day, *counts))
        day += timedelta(days=1)
    out["_rollup_daily_active"] = daily

    first_day: dict[str, date] = {}
    for a, _u, d in ud:
        first_day[a] = min(first_day.get(a, d), d)
    out["_rollup_account_first_k"] = sorted(first_day.items())
    live_at: dict[str, Any] = {}
    for row in accounts:
        if row["portal_live_at"] is not None:
            at = row["portal_live_at"]
            live_at[row["account_id"]] = min(live_at.get(row["account_id"], at), at)
    au = []
    for u, ds in user_days.items():
        a = acc_of[u]
        live = live_at[a].date() if a in live_at else first_day[a]
        au.append((a, u, sum(live <= d < live + timedelta(days=90) for d in ds)))
    out["_rollup_account_user_k"] = sorted(au)
    return out


# -- reading the kernel's tables back -------------------------------------------------------------

#: per table, its key columns and which dictionary maps each
_KEYED = {
    "account_k": "account",
    "user_k": "user",
    "session_k": "session",
    "feature_k": "feature",
}


def _norm(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.integer):
        return int(v)
    return v


def read_back(con: Any) -> dict[str, list[tuple]]:
    out = {}
    for table in _rollup_sql.DDL:
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        sel = []
        joins = []
        for i, c in enumerate(cols):
            if c in _KEYED:
                joins.append(f"LEFT JOIN _key_{_KEYED[c]} j{i} ON j{i}.k = t.{c}")
                sel.append(f"j{i}.id")
            else:
                sel.append(f't."{c}"')
        rows = con.execute(f"SELECT {', '.join(sel)} FROM {table} t {' '.join(joins)}").fetchall()
        out[table] = sorted(tuple(_norm(v) for v in r) for r in rows)
    return out


def _check(
    events: list[dict[str, Any]], accounts: list[dict[str, Any]], *, own_keys: bool = False
) -> Store:
    store = _store(events, accounts, own_keys=own_keys)
    _compare(store, events, accounts)
    return store


def _compare(store: Store, events: list[dict[str, Any]], accounts: list[dict[str, Any]]) -> None:
    assert _kernel.rebuild(store.con) is True
    got = read_back(store.con)
    want = oracle(events, accounts)
    assert set(got) == set(_rollup_sql.DDL)
    for table in _rollup_sql.DDL:
        assert got[table] == want[table], table
    # the orders the readers rely on: user-days by day, help sessions by key
    days = [r[0] for r in store.con.execute("SELECT day FROM _rollup_user_day_k").fetchall()]
    assert days == sorted(days)
    ks = [
        r[0] for r in store.con.execute("SELECT session_k FROM _rollup_session_help_k").fetchall()
    ]
    assert ks == sorted(ks)


# -- hand-written timelines --------------------------------------------------------------------

HAND = [
    _ev("2024-01-30 23:50", "A1", "u1", "s1", "search"),
    _ev("2024-01-31 00:10", "A1", "u1", "s1", "article_view"),  # session spans midnight
    _ev("2024-02-01 00:20", "A1", "u1", "s1", "ticket_created"),  # and a month
    _ev("2024-01-31 08:00", "A1", "u2", "s2", "ticket_created"),  # a ticket only
    _ev("2024-01-31 09:00", "A1", "u2", None, "search"),  # no session
    _ev("2024-02-02 10:00", "A1", "u2", "s3", "feature_use", "invoices"),
    _ev("2024-02-02 10:05", "A1", "u2", "s3", "feature_use", None),  # no feature
    _ev("2024-02-02 10:06", "A1", "u2", "s3", "feature_use", "invoices"),
    _ev("2024-02-02 10:07", "A1", "u1", "s4", "feature_use", "orders"),
    _ev("2024-03-05 12:00", "A2", "u3", "s5", "article_view"),
    _ev("2024-03-05 12:30", "A2", "u3", "s5", "ticket_created"),
    _ev("2024-03-05 12:31", "A2", None, "s5", "ticket_created"),  # anonymous: ignored
    _ev("2024-03-06 12:00", "A2", None, "s9", "login"),  # anonymous only session
]
HAND_ACCOUNTS = [
    {"account_id": "A1", "portal_live_at": T("2024-02-01 15:00")},
    {"account_id": "A1", "portal_live_at": T("2024-03-01")},  # two rows: the earlier counts
    {"account_id": "A2", "portal_live_at": None},
]


@pytest.mark.parametrize("own_keys", [False, True])
def test_hand_timeline_with_the_answers_written_out(own_keys: bool) -> None:
    store = _check(HAND, HAND_ACCOUNTS, own_keys=own_keys)
    got = read_back(store.con)
    D = date
    assert got["_rollup_user_day_k"] == [
        ("A1", "u1", D(2024, 1, 30), 1),
        ("A1", "u1", D(2024, 1, 31), 1),
        ("A1", "u1", D(2024, 2, 1), 1),
        ("A1", "u1", D(2024, 2, 2), 1),
        ("A1", "u2", D(2024, 1, 31), 2),
        ("A1", "u2", D(2024, 2, 2), 3),
        ("A2", "u3", D(2024, 3, 5), 2),
    ]
    assert got["_rollup_feature_user_k"] == [
        (D(2024, 2, 1), "invoices", "u2"),
        (D(2024, 2, 1), "orders", "u1"),
    ]
    ts = pd.Timestamp
    assert got["_rollup_session_help_k"] == [
        ("s1", ts("2024-01-30 23:50"), ts("2024-01-31 00:10"), ts("2024-02-01 00:20")),
        ("s2", None, None, ts("2024-01-31 08:00")),
        ("s5", None, ts("2024-03-05 12:00"), ts("2024-03-05 12:30")),
    ]
    assert got["_rollup_help_month"] == [
        ("help", D(2024, 1, 1), 1, 1),
        ("help", D(2024, 3, 1), 1, 1),
        ("search", D(2024, 1, 1), 1, 1),
    ]
    assert got["_rollup_cohort"] == [
        (D(2024, 1, 1), 0, 2),
        (D(2024, 1, 1), 1, 2),
        (D(2024, 3, 1), 0, 1),
    ]
    assert got["_rollup_account_first_k"] == [("A1", D(2024, 1, 30)), ("A2", D(2024, 3, 5))]
    # A1 live 02-01: u1 active 02-01 and 02-02, u2 02-02; A2 has no go-live: its first day
    assert got["_rollup_account_user_k"] == [("A1", "u1", 2), ("A1", "u2", 1), ("A2", "u3", 1)]
    daily = {r[0]: r[1:] for r in got["_rollup_daily_active"]}
    assert len(daily) == 36  # 01-30 .. 03-05, every calendar day
    assert daily[D(2024, 2, 2)] == (2, 2, 2)
    assert daily[D(2024, 2, 9)] == (0, 0, 2)
    assert daily[D(2024, 3, 5)] == (1, 1, 1)  # u1 and u2 last active 02-02: 32 days before
    store.close()


# -- random data ---------------------------------------------------------------------------------

TYPES = ("login", "search", "article_view", "ticket_created", "feature_use", "page_view")


def random_events(seed: int, n: int = 3000) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    n_users = 40
    accounts = [f"A{i}" for i in range(6)]
    acc_of = {f"u{i}": accounts[int(rng.integers(len(accounts)))] for i in range(n_users)}
    start = T("2023-11-20")
    events = []
    s = 0
    while len(events) < n:
        s += 1
        user = f"u{int(rng.integers(n_users))}" if rng.random() > 0.05 else None
        acc = acc_of[user] if user else accounts[int(rng.integers(len(accounts)))]
        sess = f"s{s}" if rng.random() > 0.1 else None
        # sessions start at any minute; some run past midnight
        t = start + pd.Timedelta(minutes=int(rng.integers(0, 150 * 24 * 60)))
        for _ in range(int(rng.integers(1, 8))):
            etype = TYPES[int(rng.integers(len(TYPES)))]
            feature = None
            if etype == "feature_use" and rng.random() > 0.2:
                feature = f"f{int(rng.integers(5))}"
            events.append(_ev(str(t), acc, user, sess, etype, feature))
            t += pd.Timedelta(minutes=int(rng.integers(0, 180)))
    acc_rows = [
        {"account_id": "A0", "portal_live_at": T("2023-12-01")},
        {"account_id": "A0", "portal_live_at": T("2024-01-15 10:00")},
        {"account_id": "A1", "portal_live_at": None},
        {"account_id": "A2", "portal_live_at": T("2024-02-10 23:59")},
        {"account_id": "A3", "portal_live_at": T("2023-10-01")},  # before any event
        {"account_id": "A4", "portal_live_at": None},
        {"account_id": "A4", "portal_live_at": T("2024-01-01")},
        # A5: no accounts row at all
    ]
    return events, acc_rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_data_matches_the_oracle(seed: int) -> None:
    events, accounts = random_events(seed)
    _check(events, accounts).close()


def test_anonymous_events_and_deleted_rows_outside_the_active_days() -> None:
    """The grid spans every event's day (DuckDB's statistics give the range, and deletes do
    not narrow them); DAU/WAU/MAU still run from the first to the last active day."""
    anonymous = [
        _ev("2023-12-01 10:00", "A1", None, "s8", "search"),
        _ev("2024-05-31 23:59", "A2", None, None, "login"),
    ]
    early = _ev("2024-01-02 10:00", "A1", "u2", "s7", "login")
    store = _store([*HAND, *anonymous, early], HAND_ACCOUNTS)
    store.con.execute("DELETE FROM events WHERE ts < TIMESTAMP '2024-01-03' AND user_id = 'u2'")
    _compare(store, [*HAND, *anonymous], HAND_ACCOUNTS)
    days = store.con.execute("SELECT min(day), max(day) FROM _rollup_daily_active").fetchall()
    assert days == [(date(2024, 1, 30), date(2024, 3, 5))]
    store.close()


def test_times_before_1970() -> None:
    """Days are floored (epoch microseconds are negative before 1970)."""
    events = [
        _ev("1969-12-30 23:30", "A1", "u1", "s1", "search"),
        _ev("1969-12-31 23:59:59.999999", "A1", "u1", "s1", "ticket_created"),
        _ev("1970-01-01 00:00", "A1", "u2", "s2", "article_view"),
    ]
    _check(events, [{"account_id": "A1", "portal_live_at": T("1969-12-31 12:00")}]).close()


def test_inside_a_transaction() -> None:
    """As a load's after-load hook runs it: the read in a thread, the writes, one commit."""
    store = _store(HAND, HAND_ACCOUNTS)
    with store.transaction() as con:
        assert _kernel.rebuild(con) is True
    assert read_back(store.con) == oracle(HAND, HAND_ACCOUNTS)
    store.con.execute("BEGIN TRANSACTION")
    store.con.execute("DELETE FROM events WHERE user_id = 'u3'")
    assert _kernel.rebuild(store.con) is True
    store.con.execute("ROLLBACK")
    assert read_back(store.con) == oracle(HAND, HAND_ACCOUNTS)
    store.close()


def test_settings_are_restored() -> None:
    store = _store(HAND, HAND_ACCOUNTS)
    con = store.con
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET preserve_insertion_order = true")
    setting = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    before = con.execute(setting).fetchall()
    for _ in range(3):  # no drift from one rebuild to the next
        assert _kernel.rebuild(con) is True
        assert con.execute(setting).fetchall() == before
    con.execute("SET memory_limit = '-1'")  # no limit: capped, and restored as no limit
    before = con.execute(setting).fetchall()
    assert _kernel.rebuild(con) is True
    assert con.execute(setting).fetchall() == before
    con.execute("SET memory_limit = '100MB'")  # below the kernel's cap: left as it is
    before = con.execute(setting).fetchall()
    assert _kernel.rebuild(con) is True
    assert con.execute(setting).fetchall() == before
    store.close()


# -- fallbacks --------------------------------------------------------------------------------


_SETTINGS = (
    "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order'), "
    "current_setting('disabled_compression_methods')"
)


def _snapshot(con: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"settings": con.execute(_SETTINGS).fetchall()}
    for table in sorted(_tables(con)):
        out[table] = sorted(map(repr, con.execute(f"FROM {table}").fetchall()))
    return out


def _fallback(store: Store, *, rollups: bool = False) -> None:
    """The kernel declines and leaves every table and setting as it was."""
    before = _snapshot(store.con)
    assert any(t.startswith("_rollup") for t in before) == rollups
    assert _kernel.rebuild(store.con) is False
    assert _snapshot(store.con) == before
    store.close()


def test_user_in_two_accounts_falls_back() -> None:
    events = [*HAND, _ev("2024-03-07 10:00", "A2", "u1", "s7", "login")]
    _fallback(_store(events, HAND_ACCOUNTS))


def test_fallback_after_a_rebuild_keeps_the_tables() -> None:
    store = _store(HAND, HAND_ACCOUNTS)
    assert _kernel.rebuild(store.con) is True
    store.con.execute(
        "INSERT INTO events (event_id, ts, account_id, user_id, event_type) "
        "VALUES ('x', TIMESTAMP '2024-03-07 10:00', 'A2', 'u1', 'login')"
    )
    keys.assign(store.con)
    _fallback(store, rollups=True)


def test_count_past_the_grid_falls_back() -> None:
    events = [_ev("2024-01-01 10:00", "A1", "u1", "s1", "login")] * 65_536
    store = _store(events, [])
    _fallback(store)


def test_count_at_the_grid_limit_is_kept() -> None:
    events = [_ev("2024-01-01 10:00", "A1", "u1", "s1", "login")] * 65_535
    store = _store(events, [])
    assert _kernel.rebuild(store.con) is True
    assert store.con.execute("SELECT n_events FROM _rollup_user_day_k").fetchall() == [(65_535,)]
    store.close()


def test_more_than_64_features_falls_back() -> None:
    events = [_ev("2024-01-01 10:00", "A1", "u1", "s1", "feature_use", f"f{i}") for i in range(65)]
    _fallback(_store(events, []))


def test_64_features_fit() -> None:
    events = [_ev("2024-01-01 10:00", "A1", "u1", "s1", "feature_use", f"f{i}") for i in range(64)]
    _check(events, []).close()


def test_features_of_other_event_types_do_not_count_against_the_64() -> None:
    """100 pages in ``feature`` of page views, and 5 features used (in an order unlike their
    keys, over two months and users): the bitmask holds only the 5."""
    pages = [_ev("2024-01-01 09:00", "A1", "u1", "s1", "page_view", f"p{i}") for i in range(100)]
    used = [
        _ev(f"2024-0{1 + i % 2}-0{1 + i % 3} 10:00", "A1", f"u{i % 3}", f"s{i}", "feature_use",
            f"f{(7 * i) % 5}")
        for i in range(20)
    ]  # fmt: skip
    _check(pages + used, []).close()
    _check(used[::-1] + pages, [], own_keys=True).close()  # keys in hash order
    too_many = [_ev("2024-01-01 10:00", "A1", "u1", "s1", "feature_use", f"f{i}")
                for i in range(65)]  # fmt: skip
    _fallback(_store(pages + too_many, []))


def test_grid_too_large_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_kernel, "MAX_ARRAY_BYTES", 100)
    _fallback(_store(HAND, HAND_ACCOUNTS))  # 36 days x 3 users: a 216-byte grid alone


def _budget(
    monkeypatch: pytest.MonkeyPatch, events: list[dict[str, Any]], limit: int
) -> tuple[bool, bool]:
    """Whether the kernel builds the tables of ``events`` within ``limit`` bytes (it writes
    nothing when it does not), and whether it read the events."""
    monkeypatch.setattr(_kernel, "MAX_ARRAY_BYTES", limit)
    reads: list[int] = []
    stream = _kernel._stream
    monkeypatch.setattr(_kernel, "_stream", lambda *a: (reads.append(1), stream(*a))[1])
    store = _store(events, [])
    built = _kernel.rebuild(store.con)
    if not built:
        _fallback(store)  # nothing was written
    else:
        _compare(store, events, [])
    return built, bool(reads)


def test_many_sessions_count_against_the_memory_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """One user on one day with 5,000 search sessions, the bytes counted by hand: the pass
    needs 120,030 (three times per session 120,000; grid 2, bitmask 8, day x type 8, the
    user's account 4, the day's month 8) and, once it has found the one user-day, 20 and 8 more
    for the arrays derived from it. Below each sum the kernel declines."""
    events = [_ev(f"2024-01-01 10:{i // 100:02d}:{i % 60:02d}", "A", "u", f"s{i}", "search")
              for i in range(5_000)]  # fmt: skip
    assert _budget(monkeypatch, events, 120_029) == (False, False)  # before the pass
    assert _budget(monkeypatch, events, 120_057) == (False, True)  # after it
    assert _budget(monkeypatch, events, 120_058) == (True, True)


def test_many_user_days_count_against_the_memory_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """200 users active on each of 30 days, no sessions, a feature used on the first: the pass
    needs 15,120 bytes by hand (grid 12,000, bitmask 1,600, day x type 480, accounts 800,
    months 240, no session), the 6,000 user-days' arrays 120,000 more, the (user, month) pairs
    1,600 and the 200 (month, feature, user) triples 2,400: 139,120."""
    events = [_ev(f"2024-01-{d:02d} 09:00", "A", f"u{u}", None,
                  "feature_use" if d == 1 else "login", "reports")
              for d in range(1, 31) for u in range(200)]  # fmt: skip
    assert _budget(monkeypatch, events, 15_119) == (False, False)
    assert _budget(monkeypatch, events, 15_120) == (False, True)
    assert _budget(monkeypatch, events, 139_119) == (False, True)
    assert _budget(monkeypatch, events, 139_120) == (True, True)


def test_no_keyed_events_falls_back() -> None:
    _fallback(_store([_ev("2024-01-01 10:00", "A1", None, "s1", "login")], []))


def test_unkeyed_rows_fall_back() -> None:
    store = _store(HAND, HAND_ACCOUNTS)
    store.con.execute(
        "INSERT INTO events (event_id, ts, account_id, user_id, event_type) "
        "VALUES ('new', TIMESTAMP '2024-03-06 10:00', 'A1', 'u1', 'login')"
    )
    _fallback(store)


def test_missing_account_key_falls_back() -> None:
    store = _store(HAND, HAND_ACCOUNTS)
    store.con.execute("UPDATE events SET _account_k = NULL WHERE user_id = 'u3'")
    _fallback(store)


def test_missing_time_falls_back() -> None:
    store = _store(HAND, HAND_ACCOUNTS)
    store.con.execute("UPDATE events SET ts = NULL WHERE user_id = 'u3'")
    _fallback(store)


def test_key_outside_its_dictionary_falls_back() -> None:
    store = _store(HAND, HAND_ACCOUNTS)
    store.con.execute("UPDATE events SET _session_k = 1000 WHERE session_id = 's1'")
    _fallback(store)


def test_batch_conversion_reads_nulls_as_the_pass_expects() -> None:
    """What the pass receives for a batch: NULL session and feature through Arrow's validity
    bitmaps (read in place), a sliced column (an offset) filled instead, a NULL time or
    account as a value the pass refuses; checked against Arrow's own fill."""
    import pyarrow as pa

    ts = pa.array([0, 86_400_000_000, None, 5], pa.timestamp("us"))
    acc = pa.array([0, None, 1, 1], pa.int32())
    usr = pa.array([3, 2, 1, 0], pa.int32())
    ses = pa.array([None, 7, None, 9], pa.int32())
    typ = pa.array([1, 1, 0, 0], pa.int32())
    fea = pa.array([None] * 9 + [4, None, 2], pa.int32()).slice(8)  # offset 8
    batch = pa.RecordBatch.from_arrays([ts, acc, usr, ses, typ, fea],
                                       ["ts", "a", "u", "s", "t", "f"])  # fmt: skip
    out = _kernel._numpy(batch)
    assert [x.tolist() for x in out[:3]] == [
        [0, 86_400_000_000, _kernel._NO_TIME, 5], [0, -1, 1, 1], [3, 2, 1, 0]
    ]  # fmt: skip
    assert out[4].tolist() == [1, 1, 0, 0]
    ses_k, ses_bits = out[3], out[6]
    valid = np.unpackbits(ses_bits, bitorder="little")[:4].astype(bool)
    assert valid.tolist() == [False, True, False, True]
    assert ses_k[valid].tolist() == [7, 9]
    assert out[5].tolist() == [-1, 4, -1, 2]
    assert out[7] is _kernel._NO_BITS
    for x in out:  # as the compiled pass was compiled for (Arrow's buffers are read-only)
        assert not x.flags.writeable
        assert x.flags.c_contiguous


# -- the same tables as the SQL rebuild -----------------------------------------------------------


def _same_as_sql(con: Any) -> None:
    assert _rollup_sql.rebuild(con, kernel=False) == "sql"
    for table in _rollup_sql.DDL:
        con.execute(f"CREATE OR REPLACE TEMP TABLE sql_{table} AS SELECT * FROM {table}")
    assert _kernel.rebuild(con) is True
    for table in _rollup_sql.DDL:
        n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert n > 0, table
        for a, b in ((table, f"sql_{table}"), (f"sql_{table}", table)):
            extra = con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()
            assert extra == (0,), (a, b)


@pytest.mark.parametrize("seed", [4, 5])
def test_random_data_same_as_sql_rebuild(seed: int) -> None:
    store = _store(*random_events(seed))
    _same_as_sql(store.con)
    store.close()


def test_tiny_demo_same_as_sql_rebuild(tiny_demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copy(tiny_demo_db, db)
    with Store(db) as store:
        _same_as_sql(store.con)


# -- the writer thread ----------------------------------------------------------------------------


def _rows_in_order(con: Any) -> dict[str, list[tuple]]:
    return {t: con.execute(f"FROM {t} ORDER BY rowid").fetchall() for t in _rollup_sql.DDL}


def _kernel_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "portalroi-kernel-write"]


def test_tables_written_in_batches_keep_their_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of a few rows, written in parallel, give the rows in the order of one batch,
    whatever the caller's preserve_insertion_order."""
    store = _store(*random_events(6))
    assert _kernel.rebuild(store.con) is True
    one = _rows_in_order(store.con)
    assert max(map(len, one.values())) > 100
    monkeypatch.setattr(_kernel, "WRITE_ROWS", 7)
    store.con.execute("SET threads = 4")
    for order in ("true", "false"):
        store.con.execute(f"SET preserve_insertion_order = {order}")
        assert _kernel.rebuild(store.con) is True
        assert _rows_in_order(store.con) == one
        setting = "SELECT current_setting('preserve_insertion_order')"
        assert store.con.execute(setting).fetchone() == (order == "true",)
    store.close()


@pytest.mark.parametrize("where", ["write", "derive"])
def test_a_failure_is_raised_and_the_writer_stops(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A write failing (in the writer's thread) or a derivation failing (in the caller's) is
    raised by rebuild once the writer has stopped, settings restored."""
    store = _store(HAND, HAND_ACCOUNTS)
    store.con.execute("SET memory_limit = '1GB'")
    before = store.con.execute(_SETTINGS).fetchall()
    written: list[str] = []
    write = _kernel._write

    def failing_write(con: Any, table: str, frame: Any) -> None:
        if table == _rollup_sql.SESSION_HELP_K:
            raise RuntimeError("write failed")
        write(con, table, frame)
        written.append(table)

    def failing_derive(*args: Any) -> Any:
        raise RuntimeError("derive failed")

    if where == "write":
        monkeypatch.setattr(_kernel, "_write", failing_write)
    else:
        monkeypatch.setattr(_kernel, "_ts_array", failing_derive)
        monkeypatch.setattr(_kernel, "_write", failing_write)
    with pytest.raises(RuntimeError, match=f"{where} failed"):
        _kernel.rebuild(store.con)
    assert _kernel_threads() == []
    # the first table (if the writer got to it before the failure), none after
    assert written in ([_rollup_sql.DAY_TYPE], [] if where == "derive" else None)
    assert store.con.execute(_SETTINGS).fetchall() == before
    store.close()
