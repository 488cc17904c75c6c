"""Realism: weekly seasonality, working hours, selection into early go-live, secular trend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from portalroi.sim import SimConfig, SimResult, simulate


def test_weekly_seasonality_and_working_hours(tiny: SimResult) -> None:
    ts = tiny.tables["events"]["ts"]
    weekend = ts.dt.dayofweek >= 5
    # 2 of 7 days are weekend: without seasonality their share would be ~0.29
    assert weekend.mean() < 0.10
    hours = ts.dt.hour
    assert hours.between(8, 17).mean() > 0.75
    tickets = tiny.tables["tickets"]["created_at"]
    assert (tickets.dt.dayofweek >= 5).mean() < 0.10


def _pre_launch_rate(r: SimResult) -> pd.DataFrame:
    acc = r.tables["accounts"]
    t = r.tables["tickets"]
    pre = t[t["created_at"] < pd.Timestamp("2023-01-01")]
    counts = pre.groupby("account_id").size()
    old = acc[acc["created_at"] < pd.Timestamp("2022-01-01")].copy()
    churn = (
        old["churned_at"].fillna(pd.Timestamp("2023-01-01")).clip(upper=pd.Timestamp("2023-01-01"))
    )
    months = (churn - pd.Timestamp("2022-01-01")).dt.days / 30.44
    old["rate"] = counts.reindex(old["account_id"]).fillna(0).to_numpy() / months.clip(lower=1)
    return old


def test_healthier_larger_accounts_go_live_first_when_selection_on() -> None:
    r = simulate(
        SimConfig.preset("tiny", seed=5, n_accounts=400, events=False, selection_strength=2.0)
    )
    acc = _pre_launch_rate(r)
    live = acc[acc["portal_live_at"].notna()]
    early = live["portal_live_at"] <= live["portal_live_at"].median()
    late_or_never = pd.concat([live[~early], acc[acc["portal_live_at"].isna()]])
    assert live[early]["rate"].mean() < 0.85 * late_or_never["rate"].mean()
    assert live[early]["employees"].median() > late_or_never["employees"].median()


def test_random_roll_out_when_selection_off() -> None:
    health = []
    order = []
    for seed in range(3):
        r = simulate(
            SimConfig.preset("tiny", seed=seed, n_accounts=300, events=False, selection_strength=0)
        )
        truth = r.truth_tables["accounts"].to_pandas()
        live = truth[truth["portal_live_at"].notna()]
        health.extend(live["health"])
        order.extend(live["portal_live_at"].rank())
    corr = np.corrcoef(health, order)[0, 1]
    assert abs(corr) < 0.1


def test_ticket_volume_drifts_upwards_for_never_live_accounts() -> None:
    r = simulate(
        SimConfig.preset("tiny", seed=8, n_accounts=300, events=False, ticket_trend_per_month=0.02)
    )
    am = r.truth_tables["account_months"].to_pandas()
    never = am[am["live_days"] == 0]
    per_month = (
        never.groupby("month")["would_be_tickets"].sum()
        / never.groupby("month")["exposure_days"].sum()
    )
    first, last = per_month.iloc[:12].mean(), per_month.iloc[-12:].mean()
    assert last > 1.3 * first
