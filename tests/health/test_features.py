"""Account features from a hand-written store: literal answers, and nothing after the as-of date."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from portalroi.health.features import account_features, as_timestamp
from portalroi.store import Store


def _load(store: Store) -> None:
    q = store.con.execute
    q(
        "INSERT INTO accounts (account_id, segment, seats, acv, created_at, portal_live_at, "
        "churned_at) VALUES ('A1', 'smb', 10, 12000, '2023-03-01', '2023-06-01', NULL), "
        "('A2', 'smb', 5, 5000, '2023-01-01', NULL, '2023-12-01'), "
        "('A3', 'smb', 5, 5000, '2024-06-01', NULL, NULL)"
    )
    q(
        "INSERT INTO users (user_id, account_id, created_at) VALUES "
        "('u1','A1','2023-06-01'), ('u2','A1','2023-06-01'), ('u3','A1','2023-06-01'), "
        "('u4','A1','2023-06-01'), ('u5','A1','2024-02-01')"
    )
    # 30 days before 2024-01-01 = from 2023-12-02: 6 events by u1, u2 on features a, b.
    # 90 days before that window (2023-09-03 .. 2023-12-02): 12 events on feature c.
    rows = [
        (f"e{i}", "2023-12-10", "u1" if i % 2 else "u2", "a" if i < 3 else "b") for i in range(6)
    ]
    rows += [(f"p{i}", "2023-10-10", "u3", "c") for i in range(12)]
    rows += [("late", "2024-01-05", "u4", "d")]  # after the as-of date: ignored
    for eid, ts, user, feature in rows:
        q(
            "INSERT INTO events (event_id, ts, account_id, user_id, event_type, feature) "
            "VALUES (?, ?, 'A1', ?, 'feature_use', ?)",
            [eid, ts, user, feature],
        )
    q(
        "INSERT INTO tickets (ticket_id, account_id, created_at, resolved_at, channel, escalated, "
        "csat) VALUES "
        "('t1','A1','2023-11-01','2023-11-02','email', true, 4),"
        "('t2','A1','2023-12-20', NULL,'email', false, NULL),"
        "('t3','A1','2023-08-01','2023-08-02','email', false, 2),"
        "('t4','A1','2023-12-30','2024-01-03','email', false, 5)"
    )
    q(
        "INSERT INTO invoices (invoice_id, account_id, issued_at, due_at, paid_at, amount, "
        "disputed) VALUES "
        "('i1','A1','2023-09-01','2023-10-01','2023-09-21', 100, false),"
        "('i2','A1','2023-10-01','2023-10-31','2023-11-10', 100, true),"
        "('i3','A1','2023-11-01','2023-12-01', NULL, 100, false)"
    )
    q(
        "INSERT INTO surveys (response_id, account_id, ts, kind, score) VALUES "
        "('s1','A1','2023-05-01','nps', 6), ('s2','A1','2023-12-01','nps', 9), "
        "('s3','A1','2024-02-01','nps', 0)"
    )


def test_hand_written_account(store: Store) -> None:
    _load(store)
    f = account_features(store, "2024-01-01")
    assert f.index.tolist() == ["A1"]  # A2 churned before, A3 joined after
    a = f.loc["A1"]
    expected = {
        "portal_live": 1.0,
        "events_30d": 6.0,
        "usage_trend": 6 / (12 / 3) - 1,  # 0.5
        "active_user_share": 2 / 4,  # u5 created after the date
        "feature_breadth": 3.0,  # a, b, c within 90 days
        "seat_utilisation": 4 / 10,
        "tickets_90d": 3.0,  # t1, t2, t4 (t3 is 153 days before)
        "tickets_per_seat_90d": 0.3,
        "ticket_trend": 3 / 1 - 1,  # t3 in the 90 days before
        "escalations_90d": 1.0,
        "escalation_share_90d": 1 / 3,
        "open_tickets": 2.0,  # t2 never resolved, t4 resolved after the date
        "csat_avg": 3.0,  # t1 (4) and t3 (2) resolved within 180 days; t4 not yet
        "nps_avg": 7.5,  # 6 and 9; the 2024 answer is later
        "days_to_pay": 30.0,  # i1 20 days, i2 40 days
        "late_invoice_share": 2 / 3,  # i2 paid late, i3 unpaid past due
        "disputes_365d": 1.0,
        "seats": 10.0,
        "tenure_days": 306.0,
        "days_to_renewal": 60.0,  # 2024-03-01
    }
    for name, value in expected.items():
        assert a[name] == pytest.approx(value), name
    assert a["segment"] == "smb"


def test_portal_use_is_missing_before_go_live(store: Store) -> None:
    _load(store)
    a = account_features(store, datetime(2023, 5, 1)).loc["A1"]
    assert a["portal_live"] == 0.0
    for name in ("usage_trend", "active_user_share", "feature_breadth", "seat_utilisation"):
        assert a[name] != a[name], name  # NaN


def test_trends_wait_until_their_earlier_window_is_inside_the_account_life(store: Store) -> None:
    # N1 became a customer and went live on 2024-03-01; as of 2024-05-01 (61 days) its 3 tickets
    # and 40 events all fall in the latest windows. The earlier windows ([T-180 d, T-90 d) for
    # tickets, [T-120 d, T-30 d) for use) reach back before it existed: its trends were
    # 3 / max(0, 1) - 1 = 2 (a "tripled" ticket volume, 0 points) and 20 / max(20 / 3, 1) - 1 = 2.
    q = store.con.execute
    q(
        "INSERT INTO accounts (account_id, segment, seats, created_at, portal_live_at) VALUES "
        "('N1', 'smb', 10, '2024-03-01', '2024-03-01'), "
        "('O1', 'smb', 10, '2023-01-01', '2023-01-01')"
    )
    for acc in ("N1", "O1"):
        for i, day in enumerate(["2024-03-20", "2024-04-10", "2024-04-20"]):
            q(
                "INSERT INTO tickets (ticket_id, account_id, created_at, channel) "
                "VALUES (?, ?, ?, 'email')",
                [f"{acc}t{i}", acc, day],
            )
        for i in range(40):
            q(
                "INSERT INTO events (event_id, ts, account_id, user_id, event_type) "
                "VALUES (?, ?, ?, 'u', 'login')",
                [f"{acc}e{i}", "2024-03-15" if i < 20 else "2024-04-15", acc],
            )
    f = account_features(store, "2024-05-01")
    new, old = f.loc["N1"], f.loc["O1"]
    assert new["ticket_trend"] != new["ticket_trend"]  # NaN: not enough history
    assert new["usage_trend"] != new["usage_trend"]
    assert new["tickets_90d"] == 3.0
    # an old account with the same rows keeps its trends (it had no tickets or use before)
    assert old["ticket_trend"] == pytest.approx(3 / 1 - 1)
    assert old["usage_trend"] == pytest.approx(20 / (20 / 3) - 1)


def test_seat_utilisation_counts_active_users_missing_from_the_users_table(store: Store) -> None:
    # 5 people used the portal in the last 30 days, none of them in the users table (events
    # from one source, no user export): utilisation was 0 users / 10 seats = 0 (0 points,
    # "nobody uses the licence"); it is at least 5 / 10.
    q = store.con.execute
    q(
        "INSERT INTO accounts (account_id, segment, seats, created_at, portal_live_at) VALUES "
        "('A', 'smb', 10, '2023-01-01', '2023-01-01')"
    )
    for i in range(5):
        q(
            "INSERT INTO events (event_id, ts, account_id, user_id, event_type) "
            "VALUES (?, '2024-04-15', 'A', ?, 'login')",
            [f"e{i}", f"u{i}"],
        )
    a = account_features(store, "2024-05-01").loc["A"]
    assert a["seat_utilisation"] == 0.5
    assert a["active_user_share"] != a["active_user_share"]  # NaN: no user count to divide by


def test_an_as_of_time_with_an_offset_is_converted_to_utc() -> None:
    # The store's times are UTC; the offset was dropped, so 00:30 at +02:00 (22:30 UTC the day
    # before) was read as 00:30 UTC, two hours late.
    assert as_timestamp("2024-03-01T00:30:00+02:00") == datetime(2024, 2, 29, 22, 30)
    assert as_timestamp(pd.Timestamp("2024-03-01T00:30:00-05:00")) == datetime(2024, 3, 1, 5, 30)
    assert as_timestamp("2024-03-01") == datetime(2024, 3, 1)
    assert as_timestamp(datetime(2024, 3, 1, 12)) == datetime(2024, 3, 1, 12)
