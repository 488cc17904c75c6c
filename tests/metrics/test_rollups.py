"""The daily rollup is maintained inside loads: appends touch only their days, others rebuild."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from metrics_tiny import EVENTS, frame, load_duckdb
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.metrics import compute, refresh_rollups, rollup_is_current
from portalroi.metrics.rollups import ROLLUP_TABLE, drop_rollups
from portalroi.store import Store
from portalroi.store.hooks import registered_hooks, run_after_load


def _append(store: Store, rows: list[dict[str, object]]) -> None:
    store.con.register("_new", frame("events", rows))
    store.con.execute("INSERT INTO events BY NAME SELECT * FROM _new")
    store.con.unregister("_new")


def test_hook_keeps_rollup_current_through_appends_and_deletes(tmp_path: Path) -> None:
    with Store(tmp_path / "r.duckdb") as store:
        load_duckdb(store.con)
        assert not rollup_is_current(store.con)
        with store.transaction() as con:
            run_after_load(con, "events", "load-1")
        assert rollup_is_current(store.con)
        before = store.query(f"SELECT count(*) AS n FROM {ROLLUP_TABLE}")["n"].iloc[0]
        assert before == 10  # u1 4 days, u2 2, u3 3, u5 1

        # u2 comes back on 02-21 and u1 again on 02-20 (the anonymous row is not activity)
        extra = dict(EVENTS[0], event_id="e100", ts="2024-02-21 10:00", user_id="u2")
        again = dict(EVENTS[0], event_id="e101", ts="2024-02-20 18:00", user_id="u1")
        _append(store, [extra, again])
        with store.transaction() as con:
            assert refresh_rollups(con) == "appended"
        n = store.query(f"SELECT count(*) AS n, sum(n_events) AS e FROM {ROLLUP_TABLE}")
        assert int(n["n"].iloc[0]) == 12
        assert int(n["e"].iloc[0]) == 23  # 21 events with a user + 2 appended
        mau = compute(store, "mau").set_index("day")
        assert int(mau["mau"].iloc[-1]) == 4  # 02-21: u1, u2, u3, u5

        store.con.execute("DELETE FROM events WHERE event_id = 'e101'")
        assert not rollup_is_current(store.con)
        assert refresh_rollups(store.con) == "rebuilt"
        assert refresh_rollups(store.con) == "current"
        n = store.query(f"SELECT sum(n_events) AS e FROM {ROLLUP_TABLE}")
        assert int(n["e"].iloc[0]) == 22


def _cli_refresh(db: Path, *flags: str) -> str:
    out = CliRunner().invoke(app, ["metrics", "refresh", "--db", str(db), "--json", *flags])
    assert out.exit_code == 0, out.output
    return str(json.loads(out.stdout)["rollups"])


def test_metrics_refresh_repairs_hand_edits_that_keep_the_row_count(tmp_path: Path) -> None:
    """Rows deleted with as many inserted, or updated in place, outside a load: the per-metric
    check (row count, accounts) does not see them; `metrics refresh` sees the first, and
    `--rebuild` repairs both. Afterwards the metrics equal a computation from the events."""
    db = tmp_path / "h.duckdb"
    with Store(db) as store:
        load_duckdb(store.con)
        assert refresh_rollups(store.con) == "rebuilt"
        # u5's only event moves from 02-20 to 02-22: deleted, and inserted again with a new id
        gone = next(e for e in EVENTS if e["user_id"] == "u5")
        store.con.execute("DELETE FROM events WHERE event_id = ?", [gone["event_id"]])
        _append(store, [dict(gone, event_id="e200", ts="2024-02-22 09:00")])
        assert rollup_is_current(store.con)  # the documented blind spot of the cheap check
    assert _cli_refresh(db) == "rebuilt"
    assert _cli_refresh(db) == "current"
    with Store(db) as store:
        days = store.query(
            f"SELECT CAST(day AS VARCHAR) AS d FROM {ROLLUP_TABLE} WHERE user_id = 'u5'"
        )
        assert list(days["d"]) == ["2024-02-22"]
        # now an update in place: u5's event moves back to 02-20, same count, same row id
        store.con.execute(
            "UPDATE events SET ts = TIMESTAMP '2024-02-20 16:00' WHERE event_id = 'e200'"
        )
    assert _cli_refresh(db) == "current"  # not visible without --rebuild
    assert _cli_refresh(db, "--rebuild") == "rebuilt"
    with Store(db) as store:
        days = store.query(
            f"SELECT CAST(day AS VARCHAR) AS d FROM {ROLLUP_TABLE} WHERE user_id = 'u5'"
        )
        assert list(days["d"]) == ["2024-02-20"]
        from_rollups = compute(store, "dau", by="account")
        drop_rollups(store.con)
        assert_frame_equal(compute(store, "dau", by="account"), from_rollups)


def test_hook_is_registered_for_events_and_accounts(tmp_path: Path) -> None:
    from portalroi.metrics import rollups

    assert rollups._refresh_after_load in registered_hooks()
    with Store(tmp_path / "t.duckdb") as store:
        load_duckdb(store.con)
        run_after_load(store.con, "tickets", "load-1")
        assert not rollup_is_current(store.con)
        run_after_load(store.con, "accounts", "load-2")  # no rollups yet: nothing built
        assert not rollup_is_current(store.con)
        run_after_load(store.con, "events", "load-3")
        assert rollup_is_current(store.con)
        # a go-live date changed by an accounts load (activation depends on it)
        store.con.execute("UPDATE accounts SET portal_live_at = NULL WHERE account_id = 'A1'")
        assert not rollup_is_current(store.con)
        run_after_load(store.con, "accounts", "load-4")
        assert rollup_is_current(store.con)


def test_a_load_that_updates_events_rebuilds(tmp_path: Path) -> None:
    with Store(tmp_path / "u.duckdb") as store:
        load_duckdb(store.con)
        assert refresh_rollups(store.con) == "rebuilt"
        # an update-mode load moves u5's only event to another day: same row count
        store.con.execute("UPDATE events SET ts = ts - INTERVAL 10 DAY WHERE user_id = 'u5'")
        store.con.execute(
            "INSERT INTO _loads (load_id, table_name, source_file, source_format, started_at, "
            "updated, status) VALUES ('load-9', 'events', 'x.csv', 'csv', now(), 1, 'loaded')"
        )
        run_after_load(store.con, "events", "load-9")
        days = store.query(f"SELECT day FROM {ROLLUP_TABLE} WHERE user_id = 'u5'")["day"]
        assert [str(d.date()) for d in days] == ["2024-02-10"]  # was 2024-02-20


def test_consecutive_ingests_fold_in_without_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The after-load hook runs inside the load's transaction, where new rows carry
    transaction-local row ids; the state must record the ids they get at commit, or every
    later load would look like a rewrite and rebuild every rollup."""
    from portalroi.ingest import ingest_file
    from portalroi.metrics import _rollup_sql

    calls: list[str] = []
    for name in ("append", "rebuild"):
        real = getattr(_rollup_sql, name)

        def spy(*args: object, _name: str = name, _real: Any = real) -> None:
            calls.append(_name)
            _real(*args)

        monkeypatch.setattr(_rollup_sql, name, spy)
    days = sorted({str(e["ts"])[:10] for e in EVENTS})
    with Store(tmp_path / "i.duckdb") as store:
        for i, day in enumerate(days):
            path = tmp_path / f"events_{i}.csv"
            frame("events", [e for e in EVENTS if str(e["ts"]).startswith(day)]).to_csv(
                path, index=False
            )
            ingest_file(store, path, table="events")
            committed = store.query("SELECT max(rowid) AS m FROM events")["m"].iloc[0]
            covered = store.query("SELECT max_rowid AS m FROM _rollup_state")["m"].iloc[0]
            assert int(covered) == int(committed), day
            assert rollup_is_current(store.con)
    assert len(days) >= 4
    assert calls == ["rebuild"] + ["append"] * (len(days) - 1)
    # and the folded-in rollups give what the events give
    with Store(tmp_path / "i.duckdb") as store:
        fast = compute(store, "mau")
        drop_rollups(store.con)
        assert_frame_equal(fast, compute(store, "mau"))


@pytest.mark.parametrize(
    ("kernel", "piece_events"),
    [(True, 4_000_000), (False, 4_000_000), (False, 5_000)],  # SQL: one piece; one per month
)
def test_rebuild_stores_user_days_in_day_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool, piece_events: int
) -> None:
    """Appends, DAU/WAU/MAU of recent days and ranged metrics read user-days by day range;
    stored in day order, DuckDB skips the row groups of other days (the zone maps). Sets built
    a few months at a time hold what a single query over the events gives."""
    from portalroi.metrics import _rollup_sql

    monkeypatch.setattr(_rollup_sql, "PIECE_EVENTS", piece_events)
    built: list[bool] = []  # whether the compiled rebuild built the tables
    compiled = _rollup_sql._kernel_rebuild

    def rebuild(con: object) -> bool:
        built.append(kernel and compiled(con))
        return built[-1]

    monkeypatch.setattr(_rollup_sql, "_kernel_rebuild", rebuild)
    with Store(tmp_path / "o.duckdb") as store:
        store.con.execute(
            "INSERT INTO events BY NAME SELECT 'g' || i AS event_id, "
            "TIMESTAMP '2024-01-01 09:00' + to_days(CAST(hash(i) % 120 AS INTEGER)) AS ts, "
            "'a' || (hash(i * 3) % 400 % 7) AS account_id, 'u' || (hash(i * 3) % 400) AS user_id, "
            "CASE WHEN i % 3 = 0 THEN 'feature_use' ELSE 'login' END AS event_type, "
            "CASE WHEN i % 3 = 0 THEN 'f' || (i % 5) END AS feature FROM range(20000) t(i)"
        )
        assert refresh_rollups(store.con) == "rebuilt"
        assert built == [kernel]
        assert len(_rollup_sql._pieces(store.con)) == (1 if piece_events > 20_000 else 4)
        rows, months, backwards = store.con.execute(
            "SELECT count(*), count(DISTINCT date_trunc('month', day)), "
            "count(*) FILTER (WHERE day < p) FROM (SELECT day, "
            f"lag(day) OVER (ORDER BY rowid) AS p FROM {_rollup_sql.USER_DAY_K})"
        ).fetchall()[0]
        assert rows > 10_000
        assert months == 4
        assert backwards == 0
        fingerprint = "count(*), sum(hash(COLUMNS(*)))"
        user_days = (
            "SELECT account_id, user_id, CAST(ts AS DATE) AS day, count(*) AS n_events "
            "FROM events GROUP BY ALL"
        )
        features = (
            "SELECT DISTINCT CAST(date_trunc('month', ts) AS DATE) AS month, feature, user_id "
            "FROM events WHERE event_type = 'feature_use'"
        )
        for table, query in ((ROLLUP_TABLE, user_days), ("_rollup_feature_user", features)):
            kept = store.con.execute(f"SELECT {fingerprint} FROM {table}").fetchall()
            assert kept == store.con.execute(f"SELECT {fingerprint} FROM ({query})").fetchall()
        assert_frame_equal(compute(store, "wau"), _from_events(store, "wau"))


def _from_events(store: Store, name: str) -> Any:
    drop_rollups(store.con)
    try:
        return compute(store, name)
    finally:
        refresh_rollups(store.con)


def test_repeated_computations_leave_no_tables_behind(tmp_path: Path) -> None:
    """Ibis keeps every memtable it ran registered with the connection until the process
    exits; the rolling counts used one per query (a leak in a long-running server)."""
    temp = "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'temp'"
    with Store(tmp_path / "m.duckdb") as store:
        load_duckdb(store.con)
        first = compute(store, "wau", by="account")  # events path: by account, no rollups
        after_one = store.con.execute(temp).fetchall()[0][0]
        for _ in range(5):
            assert_frame_equal(compute(store, "wau", by="account"), first)
            compute(store, "mau", start="2024-02-01")
        assert store.con.execute(temp).fetchall()[0][0] == after_one


def test_snapshot_reads_one_state_and_checks_freshness_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a snapshot, metrics see the store as it was when it began, whatever another
    connection commits meanwhile, and the rollups' freshness is checked once for the block
    (after a commit DuckDB counts the events by scanning them: 22-24 ms a check at 100M)."""
    from portalroi.metrics import rollups, snapshot

    checks: list[Any] = []
    real_tables = rollups._tables

    def counted(con: Any) -> set[str]:
        checks.append(con)
        return real_tables(con)

    monkeypatch.setattr(rollups, "_tables", counted)
    with Store(tmp_path / "s.duckdb") as store:
        load_duckdb(store.con)
        assert refresh_rollups(store.con) == "rebuilt"
        names = ("mau", "feature_utilisation", "retention_cohorts", "activation_rate")
        before = {n: compute(store, n) for n in names}
        other = store.con.cursor()  # a second connection to the same database (a load)
        checks.clear()
        with snapshot(store) as pinned:
            assert pinned
            extra = dict(EVENTS[0], event_id="e300", ts="2024-02-25 10:00", user_id="u2")
            other.register("_new", frame("events", [extra]))
            other.execute("BEGIN TRANSACTION")
            other.execute("INSERT INTO events BY NAME SELECT * FROM _new")
            assert refresh_rollups(other) == "appended"
            other.execute("COMMIT")
            inside = {n: compute(store, n) for n in names}
        assert [c for c in checks if c is store.con] == [store.con]
        for n in names:
            assert_frame_equal(inside[n], before[n])
        checks.clear()
        after = compute(store, "mau")
        compute(store, "dau")
        assert len(checks) == 2  # outside a snapshot, every metric checks
        assert str(after["day"].iloc[-1])[:10] == "2024-02-25"
        assert_frame_equal(after, _from_events(store, "mau"))


def test_snapshot_refuses_writes_and_leaves_transactions_alone(tmp_path: Path) -> None:
    import duckdb

    from portalroi.metrics import snapshot

    with Store(tmp_path / "w.duckdb") as store:
        load_duckdb(store.con)
        rows = store.con.execute("SELECT count(*) FROM events").fetchall()
        with pytest.raises(duckdb.TransactionException, match="read-only"), snapshot(store):
            store.con.execute("DELETE FROM events")
        assert store.con.execute("SELECT count(*) FROM events").fetchall() == rows
        assert not compute(store, "mau").empty  # the transaction ended with the block
        with store.transaction(), snapshot(store) as pinned:
            assert not pinned  # a load's transaction may write between metrics
            fast = compute(store, "mau")
            store.con.execute("DELETE FROM events WHERE event_id = 'e101'")  # still writable
        assert_frame_equal(fast, _from_events(store, "mau"))
        with snapshot(object()) as pinned:
            assert not pinned  # no DuckDB connection: nothing to pin


@pytest.mark.parametrize("fails", [False, True])
def test_snapshot_keeps_the_in_memory_tables_ibis_registers(tmp_path: Path, fails: bool) -> None:
    """Ibis registers an in-memory table (the calendar's one-row table) with a connection the
    first time a query needs it and never again; registered inside a snapshot, it must still be
    there afterwards (the transaction commits), and after a failure inside (the transaction
    rolls back and takes the registration with it) Ibis must register it again."""
    from portalroi.metrics import snapshot

    with Store(tmp_path / "s.duckdb") as store:  # a fresh connection: nothing registered yet
        load_duckdb(store.con)
        drop_rollups(store.con)  # computed from the events: rolling actives need the calendar
        with pytest.raises(RuntimeError) if fails else nullcontext(), snapshot(store) as pinned:
            assert pinned
            inside = compute(store, "dau")
            if fails:
                raise RuntimeError("a failure inside the block")
        assert_frame_equal(compute(store, "dau"), inside)
