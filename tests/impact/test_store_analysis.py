"""estimate_effects on a real store: same estimates as the simulator's frames, hand-computed
panels and baselines, the mean-outcome go-live rule, as_of, and the time-series fallback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portalroi.errors import DataError
from portalroi.impact import ImpactReport
from portalroi.impact.analysis import estimate_effects, estimate_from_data
from portalroi.impact.baseline import compute_baselines
from portalroi.impact.outcomes import build_impact_data
from portalroi.ingest import ingest_file
from portalroi.sim import SimConfig, simulate, write_dataset
from portalroi.store import Store

TABLES = ("accounts", "tickets", "invoices", "surveys", "orders")


def load_sim(store: Store, tmp_path: Path, seed: int) -> object:
    sim = simulate(SimConfig.preset("tiny", seed=seed, events=False))
    paths = write_dataset(sim, tmp_path / f"data{seed}")
    for name in TABLES:
        assert ingest_file(store, paths[name], table=name).quarantined == 0
    return sim


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])
def test_store_path_gives_the_same_estimates_as_the_frames(
    tmp_path: Path, store: Store, seed: int
) -> None:
    sim = load_sim(store, tmp_path, seed)
    from_store = estimate_effects(store)
    from_frames = estimate_from_data(build_impact_data(sim.tables))  # type: ignore[attr-defined]
    assert isinstance(from_store, ImpactReport)
    # seed 11: only 4 comparison accounts answered NPS in a go-live's base quarter and a later
    # one (analysis.MIN_ACCOUNTS is 6), so NPS is skipped with that reason on both paths
    thin = {11: ["nps"], 12: []}[seed]
    assert sorted(from_store.effects) == sorted(
        {"tickets", "churn", "days_to_pay", "csat", "nps", "order_value"} - set(thin)
    )
    assert sorted(from_store.skipped) == sorted(from_frames.skipped) == thin
    for name in thin:
        assert from_store.skipped[name] == from_frames.skipped[name]
        assert from_store.skipped[name].startswith("too few accounts to estimate: 6 that went")
    assert from_store.period == from_frames.period == ("2022-01", "2024-12")
    for name, est in from_store.effects.items():
        other = from_frames.effects[name]
        assert est.estimate == pytest.approx(other.estimate, rel=1e-9, abs=1e-12), name
        assert est.ci_low == pytest.approx(other.ci_low, rel=1e-9, abs=1e-12), name
        assert est.ci_high == pytest.approx(other.ci_high, rel=1e-9, abs=1e-12), name
        assert est.n_treated == other.n_treated
        assert est.assumptions
        assert est.se > 0
    # order value's interval is the jackknife one (the analytic one under-covers; see
    # test_recovery_sim), identical on both paths; the other outcomes keep the analytic one
    orders = from_store.effects["order_value"]
    assert "jackknife" in orders.method
    assert orders.details["jackknife_groups"] == 20
    assert orders.se != pytest.approx(orders.details["analytic_se"], rel=1e-3)
    assert "jackknife" not in from_store.effects["tickets"].method
    for name, base in from_store.baselines.items():
        assert base.level == pytest.approx(from_frames.baselines[name].level, rel=1e-12)
    # the report is JSON-ready and carries event-study charts for the DiD outcomes
    doc = json.loads(json.dumps(from_store.to_dict()))
    assert doc["effects"]["tickets"]["event_study_chart"]["$schema"].endswith("v5.json")
    assert doc["effects"]["churn"]["event_study_chart"] is None
    assert doc["deflection"]["treated_account_months"] > 0


def test_store_without_outcome_data_is_a_clear_error(store: Store) -> None:
    with pytest.raises(DataError, match="no tickets, invoices, surveys or orders"):
        estimate_effects(store)


# --- hand-written panels ------------------------------------------------------------------

ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["a", "b", "c"],
        "created_at": ["2023-01-01", "2023-01-01", "2023-01-01"],
        "portal_live_at": ["2023-04-15", None, "2023-06-01"],
        "churned_at": [None, None, "2023-05-20"],
    }
)
# Months Jan..Jun 2023 (the count panel keeps full customer months only). Tickets per month:
#   a: 2 2 3 | 1 1 1   (live from April)
#   b: 1 1 2   1 2 1   (never live)
#   c: 3 3 3   4 4     (churns in May, before its go-live)
TICKETS = pd.DataFrame(
    {
        "account_id": list("aaaaaaaaaa") + list("bbbbbbbb") + list("cccccccccccccccccc"),
        "created_at": ["2023-01-05"] * 2
        + ["2023-02-05"] * 2
        + ["2023-03-05"] * 3
        + ["2023-04-20", "2023-05-05", "2023-06-05"]
        + ["2023-01-05", "2023-02-05", "2023-03-05", "2023-03-06", "2023-04-05"]
        + ["2023-05-05", "2023-05-06", "2023-06-05"]
        + ["2023-01-05"] * 3
        + ["2023-02-05"] * 3
        + ["2023-03-05"] * 3
        + ["2023-04-05"] * 4
        + ["2023-05-05"] * 4
        + ["2023-05-10"],
    }
)


def test_ticket_panel_baseline_and_deflection_by_hand() -> None:
    data = build_impact_data({"accounts": ACCOUNTS, "tickets": TICKETS.iloc[:-1]})
    panel = data.outcomes["tickets"].data.set_index(["account_id", "month"])["y"]
    jan = 2023 * 12
    assert [panel[("a", jan + m)] for m in range(6)] == [2, 2, 3, 1, 1, 1]
    assert [panel[("c", jan + m)] for m in range(4)] == [3, 3, 3, 4]
    # c churned on 20 May: May is a partial customer month, left out of the count panel
    assert ("c", jan + 4) not in panel.index
    assert ("c", jan + 5) not in panel.index
    # c's go-live (June) falls after its churn: it never went live in the data
    assert data.accounts.set_index("account_id")["go_live_month"].isna()["c"]
    base = compute_baselines(data)["tickets"]
    # baseline months: a Jan-Mar (before its go-live); b and c before the launch (April)
    assert base.level == pytest.approx((7 + 4 + 9) / 9)
    assert base.n_account_months == 9
    assert (base.first_month, base.last_month) == ("2023-01", "2023-03")
    # within-account slopes: a +0.5, b +0.5, c 0 -> pooled 1/3 per month
    assert base.trend_per_month == pytest.approx(1 / 3)
    per = {b.account_id: b for b in base.per_account}
    assert per["a"].level == pytest.approx(7 / 3)
    assert per["a"].trend_per_month == pytest.approx(0.5)
    churn = compute_baselines(data)["churn"]
    assert churn.level == 0.0


def test_deflection_is_att_times_treated_account_months() -> None:
    sim = simulate(SimConfig.preset("tiny", seed=21, events=False))
    data = build_impact_data(sim.tables)
    report = estimate_from_data(data, outcomes=("tickets",))
    att = report.effects["tickets"]
    d = report.deflection
    assert d is not None
    panel = data.outcomes["tickets"].data
    treated = panel[panel["month"] >= panel["first_treated"]]
    assert d.treated_account_months == len(treated)
    assert d.tickets_deflected == pytest.approx(-att.estimate * len(treated))
    assert d.tickets_deflected_low == pytest.approx(-att.ci_high * len(treated))
    counterfactual = treated["y"].mean() - att.estimate
    assert d.share == pytest.approx(-att.estimate / counterfactual)
    assert set(report.skipped) == set()
    assert list(report.effects) == ["tickets"]


def test_invoice_before_a_mid_month_go_live_is_untreated() -> None:
    acc = pd.DataFrame(
        {
            "account_id": ["a", "b"],
            "created_at": ["2023-01-01"] * 2,
            "portal_live_at": ["2023-03-15", "2023-03-01"],
            "churned_at": [None, None],
        }
    )
    issued = [f"2023-0{m}-01 06:00" for m in range(1, 6)]
    inv = pd.DataFrame(
        {
            "account_id": ["a"] * 5 + ["b"] * 5,
            "issued_at": issued * 2,
            "paid_at": [str(pd.Timestamp(i) + pd.Timedelta(days=30)) for i in issued] * 2,
        }
    )
    data = build_impact_data({"accounts": acc, "invoices": inv})
    ft = data.outcomes["days_to_pay"].data.groupby("account_id")["first_treated"].first()
    # a: March's invoice was issued before the 15 March go-live, so April is the first treated
    # month; b: live from 1 March 00:00, before March's invoice at 06:00
    assert ft["a"] == 2023 * 12 + 3
    assert ft["b"] == 2023 * 12 + 2
    # the churn grid counts a month as live only when it starts at or after go-live
    grid = data.grid.set_index(["account_id", "month"])["live"]
    assert grid[("a", 2023 * 12 + 2)] == 0
    assert grid[("a", 2023 * 12 + 3)] == 1
    assert grid[("b", 2023 * 12 + 2)] == 1


def test_as_of_ignores_later_rows_go_lives_and_churn() -> None:
    data = build_impact_data({"accounts": ACCOUNTS, "tickets": TICKETS}, as_of="2023-04-10")
    assert (data.first_month, data.last_month) == (2023 * 12, 2023 * 12 + 2)
    assert data.accounts["go_live_month"].isna().all()
    assert data.outcomes["tickets"].data["y"].sum() == 7 + 4 + 9


def test_all_accounts_live_at_once_falls_back_to_the_time_series_counterfactual() -> None:
    rng = np.random.default_rng(5)
    n, months = 30, 36
    ids = [f"a{i}" for i in range(n)]
    acc = pd.DataFrame(
        {
            "account_id": ids,
            "created_at": ["2021-01-01"] * n,
            "portal_live_at": ["2023-01-01"] * n,
            "churned_at": [None] * n,
        }
    )
    rows = []
    for m in range(months):
        month = pd.Timestamp("2021-01-01") + pd.DateOffset(months=m)
        rate = 6.0 - (2.0 if m >= 24 else 0.0)
        for i, k in enumerate(rng.poisson(rate, n)):
            rows += [(ids[i], month + pd.Timedelta(days=3))] * int(k)
    tk = pd.DataFrame(rows, columns=["account_id", "created_at"])
    report = estimate_from_data(build_impact_data({"accounts": acc, "tickets": tk}))
    est = report.effects["tickets"]
    assert est.method.startswith("structural time-series counterfactual")
    assert est.ci_low < -2.0 < est.ci_high
    assert any("no comparison group" in note for note in report.notes)


def test_churn_time_series_fallback_reports_the_se_of_the_log_ratio() -> None:
    # Every account goes live in January 2023, so no quarter holds live and not-live accounts
    # at risk: churn falls back to the time-series counterfactual of the monthly churn rate,
    # reported as a rate ratio. A ratio's se is that of its logarithm (EffectEstimate), so it
    # must be the rate effect's se over the counterfactual rate (delta method), not the rate
    # effect's se itself (0.0049 here, against an interval 0.81 to 3.1).
    rng = np.random.default_rng(7)
    n, months = 300, 36
    ids = [f"a{i}" for i in range(n)]
    start = pd.Timestamp("2021-01-01")
    churned = [
        start + pd.DateOffset(months=int(m)) + pd.Timedelta(days=10) if m < months else None
        for m in rng.geometric(0.02, n)
    ]
    acc = pd.DataFrame(
        {
            "account_id": ids,
            "created_at": ["2021-01-01"] * n,
            "portal_live_at": ["2023-01-01"] * n,
            "churned_at": churned,
        }
    )
    tk = pd.DataFrame(
        {
            "account_id": ids * months,
            "created_at": [
                start + pd.DateOffset(months=m) + pd.Timedelta(days=2)
                for m in range(months)
                for _ in ids
            ],
        }
    )
    report = estimate_from_data(
        build_impact_data({"accounts": acc, "tickets": tk}), outcomes=("churn",)
    )
    est = report.effects["churn"]
    assert est.unit == "rate ratio"
    # the same order as the interval's width on the log scale
    width = (np.log(est.ci_high) - np.log(est.ci_low)) / (2 * 1.959964)
    assert 0.5 * width < est.se < 2 * width
    effect, effect_se = est.details["rate_effect"], est.details["rate_effect_se"]
    # ratio = observed / (observed - effect), so the counterfactual rate is effect / (ratio - 1)
    counterfactual = effect / (est.estimate - 1)
    assert est.se == pytest.approx(effect_se / counterfactual, rel=1e-9)
