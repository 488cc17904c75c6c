"""Each rule kind on a small hand-written store, with the answer written out."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from alert_data import AS_OF, add_accounts, add_events, add_tickets, day, searches

from portalroi.alerts import evaluate, parse_rule
from portalroi.alerts.tables import StoredRule
from portalroi.health import account_features, score_accounts
from portalroi.ingest import ingest_frame
from portalroi.store import Store


def _conds(store: Store, spec: dict[str, object]) -> list[tuple[str | None, str, float | None]]:
    stored = StoredRule("ar_t", AS_OF, parse_rule(spec))
    ev = evaluate(store, [stored], AS_OF)
    assert ev.errors == {}
    return sorted((c.account_id, c.subject, c.value) for c in ev.conditions["ar_t"])  # type: ignore[arg-type]


def test_metric_threshold_per_account_and_portal(store: Store) -> None:
    add_accounts(store, {"A": None, "B": None})
    # A: 4 searches, 3 without results (0.75); B: 4 searches, 1 without (0.25); both in the
    # last 30 days. A search 40 days ago is outside the window.
    add_events(
        store,
        searches("A", 3, 4, 3) + searches("B", 10, 4, 1) + searches("B", 40, 5, 5),
    )
    spec = {"name": "zrr", "kind": "metric_threshold", "metric": "zero_result_rate"}
    assert _conds(store, spec | {"op": "above", "value": 0.5}) == [("A", "zero_result_rate", 0.75)]
    assert _conds(store, spec | {"op": "below", "value": 0.5}) == [("B", "zero_result_rate", 0.25)]
    # Portal-wide: 4 of 8 searches had no result.
    portal = spec | {"op": "above", "value": 0.4, "scope": "portal"}
    assert _conds(store, portal) == [(None, "zero_result_rate", 0.5)]


def test_metric_change_falls_by_more_than_pct(store: Store) -> None:
    add_accounts(store, {"A": None, "B": None})
    # search_volume: A 10 searches in days 31-60, 4 in days 1-30 (-60 %); B 10 then 8 (-20 %).
    add_events(
        store,
        searches("A", 45, 10, 0)
        + searches("A", 5, 4, 0)
        + searches("B", 45, 10, 0)
        + searches("B", 5, 8, 0),
    )
    spec = {"name": "fall", "kind": "metric_change", "metric": "search_volume", "pct": 50}
    assert _conds(store, spec) == [("A", "search_volume", -60.0)]
    # Portal: 20 -> 12 is -40 %.
    assert _conds(store, spec | {"pct": 30, "scope": "portal"}) == [(None, "search_volume", -40.0)]
    assert _conds(store, spec | {"pct": 45, "scope": "portal"}) == []
    assert _conds(store, spec | {"direction": "rise", "pct": 10}) == []


def test_metric_change_sees_an_account_that_went_silent(store: Store) -> None:
    # A: 10 searches in days 31-60 and none since: -100 %, the fall that matters most. B:
    # 10 then 8 (-20 %). An account with no searches in a window counts 0 there.
    add_accounts(store, {"A": None, "B": None})
    add_events(store, searches("A", 45, 10, 0) + searches("B", 45, 10, 0) + searches("B", 5, 8, 0))
    spec = {"name": "fall", "kind": "metric_change", "metric": "search_volume", "pct": 50}
    assert _conds(store, spec) == [("A", "search_volume", -100.0)]
    threshold = {"name": "t", "kind": "metric_threshold", "metric": "search_volume"}
    assert _conds(store, threshold | {"op": "below", "value": 1}) == [("A", "search_volume", 0.0)]


def test_metric_change_reads_both_windows_from_one_state(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A load that commits between the rule's two windows must not change its answer: 10
    # searches in days 31-60 and 4 in days 1-30 are -60 %; ten more in the earlier window,
    # committed by another connection after the later window was read, would make it -80 %.
    from portalroi.alerts import kind_metric

    add_accounts(store, {"A": None})
    add_events(store, searches("A", 45, 10, 0) + searches("A", 5, 4, 0))
    spec = {"name": "fall", "kind": "metric_change", "metric": "search_volume", "pct": 50}
    real = kind_metric.metric_window
    loads: list[int] = []

    def window_then_a_load(*args: object) -> pd.Series:
        out = real(*args)  # type: ignore[arg-type]
        if not loads:
            other = store.con.cursor()
            other.execute(
                "INSERT INTO events (event_id, ts, account_id, user_id, event_type) "
                "SELECT 'late-' || i, ?::TIMESTAMP, 'A', 'A-u0', 'search' FROM range(10) t(i)",
                [day(45)],
            )
            other.close()
            loads.append(1)
        return out

    monkeypatch.setattr(kind_metric, "metric_window", window_then_a_load)
    assert _conds(store, spec) == [("A", "search_volume", -60.0)]
    assert loads == [1]
    assert _conds(store, spec) == [("A", "search_volume", -80.0)]  # the load did land


def test_metric_change_on_a_daily_metric_averages_the_window(store: Store) -> None:
    add_accounts(store, {"A": None})
    # DAU of A: 2 users on each of days 3 and 4 (earlier 2-day window: mean 2),
    # 1 user on each of days 1 and 2 (last 2-day window: mean 1) -> -50 %.
    rows = [
        {"ts": day(n), "account_id": "A", "user_id": u, "event_type": "login"}
        for n, users in ((4, ("u1", "u2")), (3, ("u1", "u2")), (2, ("u1",)), (1, ("u1",)))
        for u in users
    ]
    add_events(store, rows)
    spec = {
        "name": "dau",
        "kind": "metric_change",
        "metric": "dau",
        "pct": 40,
        "window_days": 2,
    }
    assert _conds(store, spec) == [("A", "dau", -50.0)]


def _daily_tickets(counts: list[int], category: str = "billing") -> list[dict[str, object]]:
    """``counts[i]`` tickets on day ``len(counts) - i`` before AS_OF (the last is the last day)."""
    n = len(counts)
    return [
        {"created_at": day(n - i, 8 + k % 8), "account_id": "A", "category": category}
        for i, c in enumerate(counts)
        for k in range(c)
    ]


def test_spike_ratio_and_zscore(store: Store) -> None:
    add_accounts(store, {"A": None})
    # 28 baseline days alternating 1 and 3 tickets (mean 2, sample sd 1.0184), then 6.
    add_tickets(store, _daily_tickets([1, 3] * 14 + [6]))
    ratio = {"name": "s", "kind": "spike", "count": "tickets", "threshold": 3}
    assert _conds(store, ratio) == [(None, "tickets", 3.0)]
    assert _conds(store, ratio | {"threshold": 3.5}) == []
    (cond,) = _conds(store, ratio | {"method": "zscore", "threshold": 3.5})
    sd = (sum((x - 2) ** 2 for x in [1, 3] * 14) / 27) ** 0.5
    assert cond[2] == pytest.approx((6 - 2) / sd, abs=1e-6)
    assert cond[2] == pytest.approx(3.9279, abs=1e-4)
    # Per account, same numbers; min_count above the recent count silences it.
    assert _conds(store, ratio | {"scope": "account"}) == [("A", "tickets", 3.0)]
    assert _conds(store, ratio | {"min_count": 7}) == []


def test_spike_over_a_multi_day_window(store: Store) -> None:
    add_accounts(store, {"A": None})
    # window 2 days: baseline blocks of 2 days hold 2 tickets each, the last 2 days 10.
    add_tickets(store, _daily_tickets([1] * 8 + [5, 5]))
    spec = {
        "name": "s",
        "kind": "spike",
        "count": "tickets",
        "threshold": 4,
        "window_days": 2,
        "baseline_days": 8,
    }
    assert _conds(store, spec) == [(None, "tickets", 5.0)]


def test_topic_surge_by_category(store: Store) -> None:
    add_accounts(store, {"A": None})
    # Baseline 56 days: billing 1 ticket a week, access 2 a week. Last 7 days: billing 6,
    # access 2. Billing: 6 / 1 = 6; access: 2 / 2 = 1.
    rows = []
    for week in range(1, 9):
        rows += [{"created_at": day(7 * week + 3), "account_id": "A", "category": "billing"}]
        rows += [
            {"created_at": day(7 * week + 2, h), "account_id": "A", "category": "access"}
            for h in (9, 10)
        ]
    rows += [
        {"created_at": day(2, 8 + h), "account_id": "A", "category": "billing"} for h in range(6)
    ]
    rows += [
        {"created_at": day(3, 8 + h), "account_id": "A", "category": "access"} for h in range(2)
    ]
    add_tickets(store, rows)
    spec = {"name": "t", "kind": "topic_surge", "topics": "category", "ratio": 3, "min_count": 5}
    assert _conds(store, spec) == [(None, "billing", 6.0)]


def test_topic_surge_on_discovered_topics(store: Store) -> None:
    add_accounts(store, {"A": None})
    password = ["reset my password", "password reset link expired", "forgot password reset"]
    invoice = ["invoice amount wrong", "wrong invoice total", "invoice total is wrong"]
    rows = []
    for week in range(1, 9):  # baseline: one of each topic a week
        rows.append({"created_at": day(7 * week + 3), "subject": password[week % 3]})
        rows.append({"created_at": day(7 * week + 4), "subject": invoice[week % 3]})
    for k in range(8):  # last week: 8 password tickets, 1 invoice ticket
        rows.append({"created_at": day(1 + k % 6, 9 + k), "subject": password[k % 3]})
    rows.append({"created_at": day(2), "subject": invoice[0]})
    add_tickets(store, [r | {"account_id": "A"} for r in rows])
    spec = {"name": "t", "kind": "topic_surge", "ratio": 4, "min_count": 5, "k": 2}
    ((account, topic, ratio),) = _conds(store, spec)
    assert account is None
    assert "password" in topic
    assert ratio == 8.0


def test_health_band_and_below(store: Store) -> None:
    add_accounts(store, {"GOOD": None, "BAD": None})
    # GOOD: all 10 users active in the last 30 days, no tickets, NPS 10. BAD: one user
    # active, falling use, 12 open escalated tickets, NPS 2.
    rows = [
        {"ts": day(2 + i % 20), "account_id": "GOOD", "user_id": f"g{i % 10}", "event_type": e}
        for i in range(60)
        for e in ("login",)
    ] + [{"ts": day(5), "account_id": "BAD", "user_id": "b0", "event_type": "login"}]
    # BAD used the portal a lot 1-4 months ago (usage trend -95 %).
    rows += [
        {"ts": day(31 + i), "account_id": "BAD", "user_id": f"b{i % 10}", "event_type": "login"}
        for i in range(60)
    ]
    add_events(store, rows)
    users = [{"user_id": f"g{i}", "account_id": "GOOD"} for i in range(10)]
    users += [{"user_id": f"b{i}", "account_id": "BAD"} for i in range(10)]
    frame = pd.DataFrame(users).assign(created_at="2022-07-01")
    ingest_frame(store, frame, table="users", source_name="test-users")
    add_tickets(
        store,
        [{"created_at": day(3 + i), "account_id": "BAD", "escalated": True} for i in range(12)],
    )
    nps = pd.DataFrame(
        {
            "response_id": ["n1", "n2"],
            "account_id": ["GOOD", "BAD"],
            "ts": [day(20), day(20)],
            "kind": "nps",
            "score": [10, 2],
        }
    )
    ingest_frame(store, nps, table="surveys", source_name="test-surveys")
    scores = score_accounts(account_features(store, AS_OF))["score"]
    assert scores["BAD"] < 40 <= 70 <= scores["GOOD"]  # the data gives one of each
    assert [
        c[0] for c in _conds(store, {"name": "r", "kind": "health_band", "band": "at_risk"})
    ] == ["BAD"]
    assert [
        c[0] for c in _conds(store, {"name": "h", "kind": "health_band", "band": "healthy"})
    ] == ["GOOD"]
    below = _conds(store, {"name": "b", "kind": "health_band", "below": 100})
    assert [c[0] for c in below] == ["BAD", "GOOD"]
    assert below[0][2] == pytest.approx(scores["BAD"], abs=1e-3)


def test_org_rule_watches_only_its_accounts(store: Store) -> None:
    add_accounts(store, {"A": "org-a", "B": "org-b"})
    add_events(store, searches("A", 3, 4, 4) + searches("B", 3, 4, 4))
    spec = {
        "name": "zrr",
        "kind": "metric_threshold",
        "metric": "zero_result_rate",
        "op": "above",
        "value": 0.5,
    }
    assert [c[0] for c in _conds(store, spec)] == ["A", "B"]
    assert [c[0] for c in _conds(store, spec | {"org_id": "org-b"})] == ["B"]
    add_tickets(store, _daily_tickets([0] * 28 + [5]))
    spike = {"name": "s", "kind": "spike", "count": "tickets", "threshold": 2}
    assert _conds(store, spike) == [(None, "tickets", 5.0)]
    assert _conds(store, spike | {"org_id": "org-b"}) == []  # the tickets are A's


def test_default_as_of_is_the_midnight_after_the_last_data(store: Store) -> None:
    add_accounts(store, {"A": None})
    add_tickets(store, _daily_tickets([1, 3] * 14 + [6]))
    ev = evaluate(
        store,
        [
            StoredRule(
                "r",
                AS_OF,
                parse_rule({"name": "s", "kind": "spike", "count": "tickets", "threshold": 3}),
            )
        ],
    )
    assert ev.as_of == AS_OF
    assert [c.value for c in ev.conditions["r"]] == [3.0]
    later = evaluate(
        store,
        [
            StoredRule(
                "r",
                AS_OF,
                parse_rule({"name": "s", "kind": "spike", "count": "tickets", "threshold": 3}),
            )
        ],
        AS_OF + timedelta(days=1),
    )
    assert later.conditions["r"] == []  # the next day has no tickets


def test_health_reason_names_score_band_and_top_reasons(store: Store) -> None:
    test_health_band_and_below(store)
    rule = parse_rule({"name": "r", "kind": "health_band", "below": 40})
    (cond,) = evaluate(store, [StoredRule("r", AS_OF, rule)], AS_OF).conditions["r"]
    assert cond.account_id == "BAD"
    assert cond.threshold == 40.0
    assert cond.reason.startswith(f"health {cond.value:.1f} < 40, band at_risk; top reasons: ")
    # The signals that cost BAD the most, each with its value and the points it costs.
    assert "nps_avg 2 (-" in cond.reason
    assert cond.reason.count(" points)") == 3


def _one(store: Store, spec: dict[str, object]) -> object:
    stored = StoredRule("ar_d", AS_OF, parse_rule(spec))
    (cond,) = evaluate(store, [stored], AS_OF).conditions["ar_d"]
    return cond


def test_details_keep_the_figures_each_reason_quotes(store: Store) -> None:
    """``details`` (what the dashboard builds its Swedish reasons from) holds the numbers the
    English reason says, for every kind, on the scenarios above."""
    test_spike_ratio_and_zscore(store)
    spike = _one(store, {"name": "s", "kind": "spike", "count": "tickets", "threshold": 3})
    assert spike.details == {  # type: ignore[attr-defined]
        "count": "tickets",
        "recent": 6.0,
        "mean": 2.0,
        "sd": pytest.approx((sum((x - 2) ** 2 for x in [1, 3] * 14) / 27) ** 0.5),
        "window_days": 1,
        "baseline_days": 28,
        "method": "ratio",
        "statistic": 3.0,
        "threshold": 3.0,
        "account": None,
    }
    assert "6 in the last 1 day(s) vs a baseline mean of 2 (sd 1.02)" in spike.reason  # type: ignore[attr-defined]


def test_metric_and_health_details(store: Store) -> None:
    test_metric_change_falls_by_more_than_pct(store)
    spec = {"name": "m", "kind": "metric_change", "metric": "search_volume", "pct": 50}
    change = _one(store, spec)
    d = change.details  # type: ignore[attr-defined]
    assert (d["metric"], d["direction"], d["account"], d["window_days"]) == (
        "search_volume",
        "fall",
        "A",
        30,
    )
    assert d["change_pct"] == pytest.approx(-60.0)
    assert d["now"] / d["before"] == pytest.approx(0.4)
    assert f"{d['now']:.4g} in the last 30 days vs {d['before']:.4g}" in change.reason  # type: ignore[attr-defined]


def test_health_details(store: Store) -> None:
    test_health_band_and_below(store)
    cond = _one(store, {"name": "r", "kind": "health_band", "below": 40})
    d = cond.details  # type: ignore[attr-defined]
    assert (d["band"], d["below"]) == ("at_risk", 40.0)
    assert d["score"] == pytest.approx(cond.value, abs=1e-4)  # type: ignore[attr-defined]
    assert len(d["reasons"]) == 3
    for r in d["reasons"]:
        assert f"{r['feature']} {r['value']:.3g} (-{r['lost_points']:.1f} points)" in cond.reason  # type: ignore[attr-defined]


def test_metric_threshold_on_deflection_is_one_figure_per_account(store: Store) -> None:
    """Deflection joins its two parts (self-resolved events, tickets) on the period; over an
    alert window (one row for the window) they used to miss each other: 0.0 and 1.0 rows whose
    mean, 0.5, was compared with the threshold."""
    add_accounts(store, {"A": None, "B": None})
    # last 30 days: A 1 self-resolved and 4 tickets (1/5 = 0.2); B 3 and 1 (3/4 = 0.75)
    add_events(
        store,
        [
            {
                "ts": day(n),
                "account_id": a,
                "user_id": f"{a}-u",
                "event_type": "self_service_resolved",
            }
            for a, n in (("A", 3), ("B", 3), ("B", 4), ("B", 5))
        ],
    )
    add_tickets(
        store,
        [
            {"created_at": day(n), "account_id": a}
            for a, n in (("A", 2), ("A", 3), ("A", 4), ("A", 6), ("B", 2))
        ],
    )
    spec = {"name": "defl", "kind": "metric_threshold", "metric": "deflection_rate"}
    assert _conds(store, spec | {"op": "below", "value": 0.3}) == [("A", "deflection_rate", 0.2)]
    assert _conds(store, spec | {"op": "above", "value": 0.5}) == [("B", "deflection_rate", 0.75)]
    # portal-wide: 4 self-resolved of 4 + 5 requests
    portal = spec | {"op": "below", "value": 0.5, "scope": "portal"}
    assert _conds(store, portal) == [(None, "deflection_rate", pytest.approx(4 / 9))]
