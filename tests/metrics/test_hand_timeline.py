"""Every registry metric on the hand-written timeline of ``metrics_tiny``, answers written out.

The expected values were worked out by hand from the timeline (see the comments); none is
computed by portalroi.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from metrics_tiny import load_duckdb

from portalroi.errors import ConfigError, NotFoundError
from portalroi.metrics import METRICS, compute
from portalroi.store import Store

J, F = "2024-01-01", "2024-02-01"
# metric -> [(key columns, expected columns)]; every row of the result must be listed.
EXPECTED: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {
    "active_days_histogram": [
        # Jan: u1 3 days, u2 2, u3 1; Feb: u1 1, u3 2, u5 1
        ({"month": J, "active_days": 1}, {"users": 1, "at_least": 3}),
        ({"month": J, "active_days": 2}, {"users": 1, "at_least": 2}),
        ({"month": J, "active_days": 3}, {"users": 1, "at_least": 1}),
        ({"month": F, "active_days": 1}, {"users": 2, "at_least": 3}),
        ({"month": F, "active_days": 2}, {"users": 1, "at_least": 1}),
    ],
    "login_frequency": [({"month": J}, {"value": 4 / 3}), ({"month": F}, {"value": 1.0})],
    "mobile_share": [({"month": J}, {"value": 0.25}), ({"month": F}, {"value": 0.5})],
    "feature_utilisation": [
        ({"month": J, "feature": "invoices"}, {"value": 2 / 3}),
        ({"month": J, "feature": "orders"}, {"value": 1 / 3}),
    ],
    "sessions": [({"month": J}, {"value": 6}), ({"month": F}, {"value": 4})],
    # Jan lengths 20, 30, 2, 30, 0, 0 min; Feb 10, 5, 0, 0
    "session_length": [
        ({"month": J}, {"value": 11.0, "mean": 82 / 6}),
        ({"month": F}, {"value": 2.5, "mean": 3.75}),
    ],
    "session_frequency": [({"month": J}, {"value": 2.0}), ({"month": F}, {"value": 4 / 3})],
    "activation_rate": [
        # A1 live 01-10, users u1 u2 u4 u5, active u1 u2 u5, engaged (3+ days) u1 only
        ({"account": "A1"}, {"users": 4, "active_users": 3, "value": 0.75, "reached_60pct": False}),
        # A2 has no go-live: first event 01-12; u3 active on 3 days
        ({"account": "A2"}, {"users": 1, "engaged_users": 1, "value": 1.0, "reached_60pct": True}),
    ],
    "time_to_go_live": [({"account": "A1"}, {"value": 9.0}), ({"account": "A3"}, {"value": 60.5})],
    "retention_cohorts": [
        ({"cohort": J, "offset": 0}, {"cohort_size": 3, "users": 3, "value": 1.0}),
        ({"cohort": J, "offset": 1}, {"cohort_size": 3, "users": 2, "value": 2 / 3}),
        ({"cohort": F, "offset": 0}, {"cohort_size": 1, "users": 1, "value": 1.0}),
    ],
    "retention_month_1": [({"cohort": J}, {"users": 2, "value": 2 / 3})],
    "meaningful_actions": [
        ({"month": J}, {"actions": 11, "acting_users": 3, "value": 11 / 3}),
        ({"month": F}, {"actions": 3, "acting_users": 2, "value": 1.0}),
    ],
    "search_volume": [({"month": J}, {"value": 2}), ({"month": F}, {"value": 1})],
    "zero_result_rate": [({"month": J}, {"value": 0.5}), ({"month": F}, {"value": 0.0})],
    "search_ctr": [({"month": J}, {"value": 1.0}), ({"month": F}, {"value": 0.0})],
    "search_to_ticket": [({"month": J}, {"value": 1.0}), ({"month": F}, {"value": 0.0})],
    "ticket_after_self_help": [
        ({"month": J}, {"sessions": 2, "value": 0.5}),
        ({"month": F}, {"sessions": 1, "value": 0.0}),
    ],
    "article_views": [({"month": J}, {"value": 1}), ({"month": F}, {"value": 1})],
    "article_then_ticket": [({"month": J}, {"value": 1.0}), ({"month": F}, {"value": 0.0})],
    "self_service_resolution_rate": [({"month": J}, {"value": 1 / 3})],
    "deflection_rate": [({"month": J}, {"value": 0.25}), ({"month": F}, {"value": 0.0})],
    "self_service_score": [({"month": J}, {"value": 2 / 3}), ({"month": F}, {"value": 1.0})],
    "ticket_after_portal_rate": [
        ({"month": J}, {"users": 3, "with_ticket": 2, "value": 2 / 3}),
        ({"month": F}, {"users": 3, "with_ticket": 1, "value": 1 / 3}),
    ],
    "ticket_volume": [
        ({"month": J, "channel": "email"}, {"value": 1}),
        ({"month": J, "channel": "portal"}, {"value": 2}),
        ({"month": F, "channel": "chat"}, {"value": 1}),
        ({"month": F, "channel": "phone"}, {"value": 1}),
    ],
    "cost_per_ticket": [({"month": J}, {"value": 30.0}), ({"month": F}, {"value": 50.0})],
    "first_reply_time": [
        ({"month": J}, {"value": 1.0, "mean": 3.5 / 3}),
        ({"month": F}, {"value": 1.0, "mean": 1.0}),
    ],
    "first_resolution_time": [
        ({"month": J}, {"value": 4.0, "mean": 10.0}),
        ({"month": F}, {"value": 24.0, "mean": 24.0}),
    ],
    "full_resolution_time": [
        ({"month": J}, {"tickets": 2, "value": 60.0, "mean": 60.0}),
        ({"month": F}, {"value": 48.0}),
    ],
    "cycle_time": [
        ({"month": J}, {"value": 3.0, "mean": 26.5 / 3}),
        ({"month": F}, {"value": 23.0}),
    ],
    "one_touch_rate": [({"month": J}, {"value": 2 / 3}), ({"month": F}, {"value": 0.0})],
    "first_contact_resolution_rate": [
        ({"month": J}, {"value": 1 / 3}),
        ({"month": F}, {"value": 1.0}),
    ],
    "reopen_rate": [({"month": J}, {"value": 1 / 3}), ({"month": F}, {"value": 0.0})],
    "escalation_rate": [({"month": J}, {"value": 1 / 3}), ({"month": F}, {"value": 0.0})],
    "automated_resolution_rate": [
        ({"month": J}, {"value": 1 / 3}),
        ({"month": F}, {"value": 0.0}),
    ],
    "sla_met_rate": [({"month": J}, {"value": 2 / 3}), ({"month": F}, {"value": 1.0})],
    "knowledge_use_rate": [({"month": J}, {"value": 1 / 3}), ({"month": F}, {"value": 1.0})],
    "csat": [
        ({"month": J}, {"value": 0.5, "mean_score": 3.5, "response_rate": 2 / 3}),
        ({"month": F}, {"value": 1.0, "mean_score": 4.0, "response_rate": 1.0}),
    ],
    "order_conversion": [({"month": J}, {"value": 1 / 3}), ({"month": F}, {"value": 0.0})],
    "average_order_value": [
        ({"month": J}, {"value": 200.0, "portal_aov": 100.0}),
        ({"month": F}, {"value": 50.0, "portal_aov": 50.0}),
    ],
    "portal_order_share": [
        ({"month": J}, {"value": 0.5, "amount_share": 0.25}),
        ({"month": F}, {"value": 1.0, "amount_share": 1.0}),
    ],
    "invoices_paid_via_portal": [
        ({"month": J}, {"value": 0.5, "delivered_share": 0.5}),
        ({"month": F}, {"paid": 0, "delivered_share": 1.0}),
    ],
    "invoices_viewed": [({"month": J}, {"value": 0.5}), ({"month": F}, {"value": 0.0})],
    "days_to_pay": [({"month": J}, {"value": 20.0, "median": 20.0})],
}

# day -> (dau, wau, mau); the calendar runs 2024-01-10 .. 2024-02-20 (42 days)
ROLLING = {
    "2024-01-10": (1, 1, 1),
    "2024-01-13": (0, 3, 3),
    "2024-01-15": (2, 3, 3),
    "2024-01-18": (0, 3, 3),
    "2024-01-19": (0, 2, 3),
    "2024-01-22": (0, 1, 3),
    "2024-01-27": (0, 0, 3),
    "2024-02-06": (1, 2, 3),
    "2024-02-13": (0, 1, 3),
    "2024-02-14": (0, 0, 2),
    "2024-02-20": (1, 1, 3),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    with Store(path) as store:
        load_duckdb(store.con)
        yield store


def _row(df: pd.DataFrame, keys: dict[str, Any]) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for col, val in keys.items():
        cell = df[col]
        if col in ("month", "cohort", "day", "go_live"):
            cell = pd.to_datetime(cell)
            val = pd.Timestamp(val)
        mask &= cell == val
    assert int(mask.sum()) == 1, f"expected one row for {keys}, got {int(mask.sum())}"
    return df[mask].iloc[0]


def test_every_metric_has_a_hand_written_case() -> None:
    rolling = {"dau", "wau", "mau", "stickiness"}
    assert set(METRICS) == set(EXPECTED) | rolling


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_on_hand_timeline(tiny: Store, name: str) -> None:
    df = compute(tiny, name)
    assert len(df) == len(EXPECTED[name])
    for keys, values in EXPECTED[name]:
        row = _row(df, keys)
        for col, want in values.items():
            assert row[col] == pytest.approx(want, rel=1e-12, abs=1e-12), (name, keys, col)


def test_rolling_actives_on_hand_timeline(tiny: Store) -> None:
    df = compute(tiny, "mau")
    assert len(df) == 42
    for day, (dau, wau, mau) in ROLLING.items():
        row = _row(df, {"day": day})
        assert (row["dau"], row["wau"], row["mau"]) == (dau, wau, mau), day
    sticky = compute(tiny, "stickiness")
    assert _row(sticky, {"day": "2024-01-15"})["value"] == pytest.approx(2 / 3)
    assert _row(sticky, {"day": "2024-02-14"})["value"] == 0.0


def test_rolling_by_account_and_date_range(tiny: Store) -> None:
    df = compute(tiny, "mau", by="account")
    assert len(df[df.account == "A1"]) == 42  # from A1's first day 01-10
    assert len(df[df.account == "A2"]) == 40  # from A2's first day 01-12
    assert _row(df, {"account": "A1", "day": "2024-02-14"})["mau"] == 1  # u1 only
    # --from keeps 29 days of look-back: u2 (last seen 01-15) still counts on 02-13
    ranged = compute(tiny, "mau", start="2024-02-13", end="2024-02-14")
    assert list(ranged["mau"]) == [3, 2]


def test_by_role_and_segment(tiny: Store) -> None:
    by_role = compute(tiny, "login_frequency", by="role")
    assert _row(by_role, {"month": J, "role": "admin"})["value"] == 2.0  # u1: 2 logins
    assert _row(by_role, {"month": J, "role": "end_user"})["value"] == 1.0  # u2, u3: 1 each
    by_seg = compute(tiny, "ticket_volume", by="segment")
    assert _row(by_seg, {"month": J, "segment": "smb", "channel": "portal"})["value"] == 2
    by_dev = compute(tiny, "dau", by="device")
    assert _row(by_dev, {"device": "mobile", "day": "2024-01-11"})["dau"] == 1


def test_date_range_filters_rows(tiny: Store) -> None:
    df = compute(tiny, "search_volume", start="2024-02-01", end="2024-02-29")
    assert list(df["value"]) == [1]


def test_bad_requests_are_named() -> None:
    store = Store(":memory:")
    with pytest.raises(NotFoundError, match="unknown metric 'nope'"):
        compute(store, "nope")
    with pytest.raises(ConfigError, match="cannot be split by 'device'"):
        compute(store, "ticket_volume", by="device")
    with pytest.raises(ConfigError, match="--from must be a date"):
        compute(store, "dau", start="yesterday")
    with pytest.raises(ConfigError, match="after --to"):
        compute(store, "dau", start="2024-02-01", end="2024-01-01")
