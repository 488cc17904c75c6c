"""Rollups maintained load by load give exactly what the events give, whatever the load order.

Events arrive in four loads in random order, so loads contain late rows for old days, sessions
that span loads, users whose first month moves back and accounts whose first day moves back.
After every load each metric with a rollup path is computed twice: from a store whose rollups
are folded in incrementally and from a store without rollups (events only).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from metrics_tiny import frame
from test_engines import assert_same
from test_oracle import _random_data

from portalroi.metrics import METRICS, compute, metric_sql, refresh_rollups, rollup_is_current
from portalroi.metrics import _rollup_sql as rollup_sql
from portalroi.metrics.rollups import drop_rollups
from portalroi.store import Store

#: Metrics that read a rollup (or a rollup result table) when it is current.
FAST = (
    "stickiness",
    "feature_utilisation",
    "retention_cohorts",
    "retention_month_1",
    "activation_rate",
    "ticket_after_self_help",
    "search_to_ticket",
    "self_service_resolution_rate",
    "search_volume",
    "article_views",
    "active_days_histogram",
    "ticket_after_portal_rate",
)

#: Rollup each headline metric must read when current (so the fast path is really taken).
READS = {
    "stickiness": "_rollup_daily_active",
    "feature_utilisation": "_rollup_feature_month",
    "retention_cohorts": "_rollup_cohort",
    "activation_rate": "_rollup_account_user",
    "ticket_after_self_help": "_rollup_help_month",
    "self_service_resolution_rate": "_rollup_day_type",
}


def _data(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    events, tickets = _random_data(seed)
    rng = np.random.default_rng(seed)
    solved = rng.random(len(events)) < 0.05
    events.loc[solved, "event_type"] = "self_service_resolved"
    events.loc[solved, "feature"] = None
    # a few users also act for a second account: two user-day rows for one user and day
    events.loc[rng.random(len(events)) < 0.03, "account_id"] = "A9"
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(7)],
            "created_at": pd.Timestamp("2023-06-01"),
            # some accounts went live on a set day, the others on their first event
            "portal_live_at": [
                pd.Timestamp("2024-01-20") if i % 3 == 0 else pd.NaT for i in range(7)
            ],
        }
    )
    return events, tickets, accounts


def _insert(store: Store, table: str, rows: pd.DataFrame) -> None:
    store.con.register("_rows", frame(table, rows.to_dict("records")))
    store.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    store.con.unregister("_rows")


def _check(fast: Store, slow: Store, names: tuple[str, ...], label: str) -> None:
    assert rollup_is_current(fast.con)
    assert not rollup_is_current(slow.con)
    for name in names:
        assert_same(compute(slow, name), compute(fast, name), f"{label}: {name}")


@pytest.mark.slow
def test_loads_in_random_order_match_the_events(tmp_path: Path) -> None:
    seed = 3
    events, tickets, accounts = _data(seed)
    order = np.random.default_rng(seed).permutation(len(events))
    with Store(tmp_path / "fast.duckdb") as fast, Store(tmp_path / "slow.duckdb") as slow:
        for store in (fast, slow):
            _insert(store, "tickets", tickets)
            _insert(store, "accounts", accounts)
        for i, part in enumerate(np.array_split(order, 4)):
            for store in (fast, slow):
                _insert(store, "events", events.iloc[part])
            with fast.transaction() as con:
                assert refresh_rollups(con) == ("rebuilt" if i == 0 else "appended")
            _check(fast, slow, FAST, f"after load {i + 1}")
        for name, table in READS.items():
            assert table in metric_sql(fast, name), name
        # every other metric is unaffected by the rollups
        _check(fast, slow, tuple(METRICS), "all metrics")


def test_rebuild_after_delete_and_go_live_change(tmp_path: Path) -> None:
    events, tickets, accounts = _data(3)
    with Store(tmp_path / "fast.duckdb") as fast, Store(tmp_path / "slow.duckdb") as slow:
        for store in (fast, slow):
            _insert(store, "tickets", tickets)
            _insert(store, "accounts", accounts)
            _insert(store, "events", events)
        assert refresh_rollups(fast.con) == "rebuilt"
        for store in (fast, slow):
            store.con.execute("DELETE FROM events WHERE event_id IN ('e1', 'e2', 'e3')")
            store.con.execute(
                "UPDATE accounts SET portal_live_at = TIMESTAMP '2024-02-01' "
                "WHERE account_id = 'A1'"
            )
        assert not rollup_is_current(fast.con)
        assert refresh_rollups(fast.con) == "rebuilt"
        assert refresh_rollups(fast.con) == "current"
        _check(fast, slow, FAST, "after delete")
        fast.con.execute("UPDATE accounts SET portal_live_at = NULL WHERE account_id = 'A3'")
        slow.con.execute("UPDATE accounts SET portal_live_at = NULL WHERE account_id = 'A3'")
        assert not rollup_is_current(fast.con)  # go-live dates are part of the freshness check
        assert refresh_rollups(fast.con) == "rebuilt"
        _check(fast, slow, ("activation_rate",), "after go-live change")


def test_ranges_and_grain_all_agree(tmp_path: Path) -> None:
    events, tickets, accounts = _data(5)
    with Store(tmp_path / "fast.duckdb") as fast, Store(tmp_path / "slow.duckdb") as slow:
        for store in (fast, slow):
            _insert(store, "tickets", tickets)
            _insert(store, "accounts", accounts)
            _insert(store, "events", events)
        refresh_rollups(fast.con)
        cases = [
            ("stickiness", {"start": "2024-02-01", "end": "2024-03-10"}),
            ("stickiness", {"start": "2023-12-20"}),  # before the first active day
            ("mau", {"end": "2024-06-30"}),  # after the last active day
            ("self_service_resolution_rate", {"start": "2024-01-15", "grain": "all"}),
            ("search_volume", {"end": "2024-02-10"}),
            ("feature_utilisation", {"grain": "all"}),
            ("ticket_after_self_help", {"grain": "all"}),
            ("search_to_ticket", {"start": "2024-02-01"}),
            ("activation_rate", {"start": "2024-01-15", "end": "2024-02-15"}),
        ]
        for name, kw in cases:
            assert_same(compute(slow, name, **kw), compute(fast, name, **kw), f"{name} {kw}")
        drop_rollups(fast.con)
        assert not rollup_is_current(fast.con)
        assert_same(compute(slow, "stickiness"), compute(fast, "stickiness"), "dropped")


def test_latest_days_appended_one_load_each(tmp_path: Path) -> None:
    """The usual daily load: only days after the last active day arrive, so DAU/WAU/MAU are
    recomputed for those days alone (day by day, not by coverage intervals), and sessions of
    the last loaded day continue into the next."""
    events, tickets, accounts = _data(7)
    days = events["ts"].dt.floor("D")
    last = sorted(days.unique())
    loads = [days < last[-3], days == last[-3], days == last[-2], days == last[-1]]
    assert all(mask.any() for mask in loads)
    with Store(tmp_path / "fast.duckdb") as fast, Store(tmp_path / "slow.duckdb") as slow:
        for store in (fast, slow):
            _insert(store, "tickets", tickets)
            _insert(store, "accounts", accounts)
        for i, mask in enumerate(loads):
            for store in (fast, slow):
                _insert(store, "events", events[mask])
            with fast.transaction() as con:
                assert refresh_rollups(con) == ("rebuilt" if i == 0 else "appended")
            _check(fast, slow, FAST, f"after day load {i + 1}")


def test_daily_forms_agree_over_every_day(tmp_path: Path) -> None:
    """The day-by-day form and the coverage-interval form give the same DAU/WAU/MAU."""
    events, _, accounts = _data(11)
    with Store(tmp_path / "fast.duckdb") as fast:
        _insert(fast, "accounts", accounts)
        _insert(fast, "events", events)
        refresh_rollups(fast.con)
        lo, hi = fast.con.execute("SELECT min(day), max(day) FROM _rollup_user_day").fetchall()[0]
        bounds = (f"DATE '{lo}'", f"DATE '{hi}'")
        direct = fast.con.execute(rollup_sql._daily_days_sql(*bounds)).fetchall()
        intervals = fast.con.execute(rollup_sql._daily_range_sql(*bounds)).fetchall()
        stored = fast.con.execute("SELECT * FROM _rollup_daily_active ORDER BY day").fetchall()
    assert len(direct) == (hi - lo).days + 1
    assert direct == sorted(intervals) == stored
    assert any(row[3] > row[2] > row[1] > 0 for row in direct)  # the windows really differ
