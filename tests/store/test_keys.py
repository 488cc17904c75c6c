"""The events' integer keys: given at ingestion, kept stable, repaired for rows written otherwise."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pandas.testing import assert_frame_equal

from portalroi.ingest import ingest_file
from portalroi.metrics import compute, refresh_rollups, rollup_is_current
from portalroi.metrics.rollups import drop_rollups
from portalroi.schema import TABLES
from portalroi.store import Store, keys

EVENTS = """event_id,ts,account_id,user_id,session_id,event_type,feature
e1,2024-01-02 10:00:00,A,u2,s1,login,
e2,2024-01-01 09:00:00,A,u1,s1,search,
e3,2024-01-03 09:00:00,B,u3,s2,feature_use,orders
e4,2024-02-03 09:00:00,B,,s3,page_view,
"""
MORE = """event_id,ts,account_id,user_id,session_id,event_type,feature
e5,2024-02-04 09:00:00,C,u4,s4,feature_use,invoices
e6,2024-02-05 09:00:00,A,u1,s1,ticket_created,
"""


def _mismatches(con: duckdb.DuckDBPyConnection) -> int:
    """Keyed rows whose keys do not name their ids in the dictionaries (independent SQL)."""
    wrong = " OR ".join(
        f"(SELECT id FROM {table} d WHERE d.k = e.{key}) IS DISTINCT FROM e.{col}"
        for col, key, table in keys.KEYS
    )
    return int(
        con.execute(f"SELECT count(*) FROM events e WHERE _type_k IS NULL OR {wrong}").fetchall()[
            0
        ][0]
    )


def _dictionary(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[int, str]]:
    return [
        (int(k), str(i)) for k, i in con.execute(f"SELECT k, id FROM {table} ORDER BY k").fetchall()
    ]


def test_ingestion_keys_every_row_in_first_event_order_and_a_reload_changes_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "ev.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
    with Store(tmp_path / "k.duckdb") as store:
        ingest_file(store, tmp_path / "ev.csv", table="events")
        assert _mismatches(store.con) == 0
        # the dictionary entries kept for the insert are gone with it
        assert store.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\\_batch%' ESCAPE '\\'"
        ).fetchall() == [(0,)]
        # numbered from 0 in the order of each id's first event: u1 (01-01) before u2 (01-02)
        assert _dictionary(store.con, "_key_user") == [(0, "u1"), (1, "u2"), (2, "u3")]
        assert _dictionary(store.con, "_key_session") == [(0, "s1"), (1, "s2"), (2, "s3")]
        assert _dictionary(store.con, "_key_feature") == [(0, "orders")]
        # the anonymous page view has no user key, but is keyed
        assert store.con.execute(
            "SELECT _user_k, _type_k IS NOT NULL FROM events WHERE event_id = 'e4'"
        ).fetchall() == [(None, True)]
        before = store.con.execute("SELECT * FROM events ORDER BY event_id").fetchall()
        ingest_file(store, tmp_path / "ev.csv", table="events")
        assert store.con.execute("SELECT * FROM events ORDER BY event_id").fetchall() == before
        assert len(_dictionary(store.con, "_key_user")) == 3
        # new ids get the next numbers; a known one keeps its key
        ingest_file(store, tmp_path / "more.csv", table="events")
        assert _mismatches(store.con) == 0
        assert _dictionary(store.con, "_key_user")[-1] == (3, "u4")
        assert _dictionary(store.con, "_key_feature") == [(0, "orders"), (1, "invoices")]
        assert store.con.execute(
            "SELECT _session_k FROM events WHERE event_id = 'e6'"
        ).fetchall() == [(0,)]
        assert rollup_is_current(store.con)


def test_an_update_load_that_changes_an_id_keys_the_row_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load clears the keys of the rows it changes and the rebuild keys them again,
    without the check of every row's keys (keys.stale: 10-12 s at 100M events)."""
    (tmp_path / "ev.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "fix.csv").write_text("event_id,user_id\ne3,u9\n", encoding="utf-8")
    (tmp_path / "fix.yaml").write_text(
        "table: events\nmode: update\ncolumns: {event_id: event_id, user_id: user_id}\n",
        encoding="utf-8",
    )
    with Store(tmp_path / "k.duckdb") as store:
        ingest_file(store, tmp_path / "ev.csv", table="events")
        checked: list[int] = []
        stale = keys.stale
        monkeypatch.setattr(keys, "stale", lambda con: checked.append(stale(con)) or 0)
        summary = ingest_file(store, tmp_path / "fix.csv", mapping=tmp_path / "fix.yaml")
        assert summary.updated == 1
        assert checked == []
        assert _mismatches(store.con) == 0
        assert store.con.execute(
            "SELECT k.id FROM events e JOIN _key_user k ON k.k = e._user_k WHERE event_id = 'e3'"
        ).fetchall() == [("u9",)]
        assert rollup_is_current(store.con)
        fast = compute(store, "mau", by="account")
        assert "u9" in set(
            store.con.execute("SELECT user_id FROM _rollup_user_day").fetchnumpy()["user_id"]
        )
        drop_rollups(store.con)
        assert_frame_equal(fast, compute(store, "mau", by="account"))


@pytest.mark.parametrize("copy_rows", [keys._COPY_ROWS, 0])
def test_rows_written_by_hand_are_keyed_by_the_refresh_and_a_rebuild_repairs_edited_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy_rows: int
) -> None:
    """Both ways of keying: the unkeyed rows copied first, or read where they are."""
    monkeypatch.setattr(keys, "_COPY_ROWS", copy_rows)
    with Store(tmp_path / "k.duckdb") as store:
        store.con.execute(
            "INSERT INTO events (event_id, ts, account_id, user_id, session_id, event_type) "
            "VALUES ('h1', TIMESTAMP '2024-03-01 10:00', 'A', 'u1', 's1', 'login'), "
            "('h2', TIMESTAMP '2024-03-02 10:00', 'A', 'u2', 's2', 'search')"
        )
        assert refresh_rollups(store.con) == "rebuilt"
        assert _mismatches(store.con) == 0
        store.con.execute(
            "INSERT INTO events (event_id, ts, account_id, user_id, event_type) "
            "VALUES ('h3', TIMESTAMP '2024-03-03 10:00', 'B', 'u3', 'login')"
        )
        assert refresh_rollups(store.con) == "appended"
        assert _mismatches(store.con) == 0
        # an id edited in place keeps its old key until a rebuild is asked for
        store.con.execute("UPDATE events SET user_id = 'u7' WHERE event_id = 'h1'")
        assert _mismatches(store.con) == 1
        assert refresh_rollups(store.con, rebuild=True) == "rebuilt"
        assert _mismatches(store.con) == 0
        fast = compute(store, "dau", by="account")
        drop_rollups(store.con)
        assert_frame_equal(fast, compute(store, "dau", by="account"))


def test_a_store_made_before_the_keys_is_keyed_and_its_old_rollups_replaced(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    for spec in TABLES.values():  # the canonical tables without the key columns
        con.execute(spec.ddl())
    con.execute(
        "INSERT INTO events (event_id, ts, account_id, user_id, session_id, event_type) "
        "SELECT 'o' || i, TIMESTAMP '2024-01-01' + to_hours(CAST(i * 7 AS INTEGER)), "
        "'a' || (i % 3), 'u' || (i % 11), 's' || (i // 4), "
        "CASE WHEN i % 5 = 0 THEN 'search' ELSE 'login' END FROM range(400) t(i)"
    )
    # an old version's string-keyed rollup, under a name that is now a view
    con.execute(
        "CREATE TABLE _rollup_user_day AS SELECT account_id, user_id, CAST(ts AS DATE) AS day, "
        "count(*) AS n_events FROM events GROUP BY ALL"
    )
    con.close()
    with Store(path) as store:
        assert not rollup_is_current(store.con)
        assert refresh_rollups(store.con) == "rebuilt"
        assert _mismatches(store.con) == 0
        kinds = store.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = '_rollup_user_day'"
        ).fetchall()
        assert kinds == [(1,)]
        fast = compute(store, "wau", by="account")
        drop_rollups(store.con)
        assert_frame_equal(fast, compute(store, "wau", by="account"))
