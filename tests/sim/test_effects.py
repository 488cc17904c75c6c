"""Each true effect moves the data in its direction, and vanishes when set to zero.

Runs with the same seed share their random draws, so a difference is the effect, not noise.
"""

from __future__ import annotations

import pandas as pd
import pytest

from portalroi.sim import SimConfig, SimResult, TrueEffects, simulate

N = 300


def _run(**effects: float) -> SimResult:
    base = TrueEffects.none().model_dump()
    return simulate(
        SimConfig.preset(
            "tiny", seed=21, n_accounts=N, events=False, effects=TrueEffects(**{**base, **effects})
        )
    )


@pytest.fixture(scope="module")
def null() -> SimResult:
    return _run()


def _live_at(r: SimResult) -> pd.DataFrame:
    return r.tables["accounts"][["account_id", "portal_live_at"]]


def _live_tickets(r: SimResult) -> int:
    t = r.tables["tickets"].merge(_live_at(r), on="account_id")
    return int((t["created_at"] >= t["portal_live_at"]).sum())


def test_no_effects_means_no_deflection_and_unchanged_realised_quantities(null: SimResult) -> None:
    eff = null.truth["effects"]
    assert eff["deflection_share"]["realised"]["deflected_tickets"] == 0
    assert eff["dso_reduction_days"]["realised"]["mean_reduction_days"] == 0
    assert eff["csat_change"]["realised"]["mean_observed_change"] == 0
    assert eff["churn_hazard_ratio"]["realised"]["hazard_ratio_all_live"] == pytest.approx(1.0)
    assert (
        eff["churn_hazard_ratio"]["realised"]["churned_accounts"]
        == eff["churn_hazard_ratio"]["realised"]["counterfactual_churned_accounts"]
    )


def test_deflection_removes_post_live_tickets(null: SimResult) -> None:
    r = _run(deflection_share=0.4)
    assert _live_tickets(r) < 0.8 * _live_tickets(null)
    real = r.truth["effects"]["deflection_share"]["realised"]
    assert real["deflected_share_live_engaged"] == pytest.approx(0.4, abs=0.03)
    # before go-live nothing changes
    pre = lambda x: len(x.tables["tickets"]) - _live_tickets(x)  # noqa: E731
    assert pre(r) == pre(null)


def test_churn_hazard_ratio_below_one_keeps_accounts(null: SimResult) -> None:
    r = _run(churn_hazard_ratio=0.3)
    assert (
        r.tables["accounts"]["churned_at"].notna().sum()
        < null.tables["accounts"]["churned_at"].notna().sum()
    )
    assert r.truth["effects"]["churn_hazard_ratio"]["realised"][
        "hazard_ratio_live_engaged"
    ] == pytest.approx(0.3)


def _days_to_pay_live(r: SimResult) -> pd.Series:
    inv = r.tables["invoices"].merge(_live_at(r), on="account_id")
    live = inv[(inv["issued_at"] >= inv["portal_live_at"]) & inv["paid_at"].notna()]
    return (live["paid_at"] - live["issued_at"]).dt.total_seconds() / 86_400


def test_dso_reduction_shortens_days_to_pay_of_live_accounts(null: SimResult) -> None:
    r = _run(dso_reduction_days=10)
    diff = _days_to_pay_live(null).mean() - _days_to_pay_live(r).mean()
    assert 8 < diff <= 10.5
    assert r.truth["effects"]["dso_reduction_days"]["realised"]["mean_reduction_days"] > 9


def test_csat_change_raises_csat_of_live_accounts(null: SimResult) -> None:
    r = _run(csat_change=1.0)

    def live_csat(x: SimResult) -> float:
        t = x.tables["tickets"].merge(_live_at(x), on="account_id")
        return float(t.loc[t["created_at"] >= t["portal_live_at"], "csat"].mean())

    assert live_csat(r) - live_csat(null) > 0.6
    assert r.truth["effects"]["csat_change"]["realised"]["mean_observed_change"] > 0.6


def test_order_uplifts_raise_live_orders_and_values(null: SimResult) -> None:
    r = _run(order_volume_uplift=0.5, order_value_uplift=0.3)

    def live_orders(x: SimResult) -> pd.DataFrame:
        o = x.tables["orders"].merge(_live_at(x), on="account_id")
        return o[o["ts"] >= o["portal_live_at"]]

    assert len(live_orders(r)) > 1.3 * len(live_orders(null))
    assert live_orders(r)["amount"].mean() > 1.15 * live_orders(null)["amount"].mean()
    assert r.truth["effects"]["order_value_uplift"]["realised"][
        "mean_relative_change"
    ] == pytest.approx(0.3)
