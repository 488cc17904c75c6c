"""Recovery acceptance: on simulated companies the 95 % intervals of the store analysis contain
the true deflection, churn, days-to-pay and order-value effects in 90-99 % of runs, while the
naive comparisons are biased because healthier accounts go live first (selection_strength = 1).

The panels are built from the simulator's DataFrames by the very code the store path uses
(``build_impact_data``); ``test_store_*`` proves the store gives identical estimates.

Estimands, from the truth file's counterfactual quantities:

* tickets: the realised ATT, i.e. minus the deflected tickets per account-month (truth
  ``account_months.deflected_tickets``), averaged over the same treated cells with the same
  cohort weights as the estimator (the estimator run on the known effect itself). The
  parameter ``deflection_share`` is a share of would-be tickets of *engaged* accounts, not a
  per-account-month ATT over all adopters, so it is not compared directly.
* days to pay: the realised ATT from each invoice's ``days_to_pay - counterfactual_days_to_pay``,
  weighted the same way.
* churn: the truth file's ``hazard_ratio_all_live`` (live months of all adopters, engaged or
  not, which is what "live vs not live" compares).
* order value: each live order's expected uplift share of its amount, summed per
  account-month and weighted the same way. Its interval is the jackknife one
  (``OutcomePanel.se_method``): the analytic one covered 84-89 % on this generator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from portalroi.impact import hazard_effect, naive_pre_post, staggered_did
from portalroi.impact.analysis import estimate_from_data, outcome_panel
from portalroi.impact.outcomes import ImpactData, OutcomePanel, build_impact_data
from portalroi.sim import SimConfig, SimResult, TrueEffects, simulate

RUNS = 60
N_ACCOUNTS = 200
#: (deflection_share, churn_hazard_ratio, dso_reduction_days); the first is "no effect".
SETTINGS = ((0.0, 1.0, 0.0), (0.25, 0.7, 6.0), (0.4, 0.5, 3.0))


def _month(values: pd.Series) -> pd.Series:
    ts = pd.to_datetime(values)
    return (ts.dt.year * 12 + ts.dt.month - 1).astype(float)


def realised_att(outcome: OutcomePanel, effect: pd.DataFrame) -> float:
    """The estimator's ATT with the known per-cell effect (``account_id, month, effect``) as y."""
    data = outcome.data.merge(effect, on=["account_id", "month"], how="left")
    data["y"] = data["effect"].fillna(0.0)
    known = OutcomePanel(outcome.name, outcome.unit, outcome.kind, data, outcome.covariate)
    return staggered_did(outcome_panel(known)).estimate


def true_effects(sim: SimResult, data: ImpactData) -> dict[str, float]:
    am = sim.truth_tables["account_months"].to_pandas()
    deflected = pd.DataFrame(
        {
            "account_id": am["account_id"].astype(str),
            "month": _month(am["month"]),
            "effect": -am["deflected_tickets"].astype(float),
        }
    )
    inv = sim.tables["invoices"][["invoice_id", "account_id", "issued_at", "paid_at"]]
    inv = inv.merge(sim.truth_tables["invoices"].to_pandas(), on="invoice_id")
    inv = inv[inv["paid_at"].notna()]
    faster = (
        inv.assign(
            account_id=inv["account_id"].astype(str),
            month=_month(inv["issued_at"]),
            effect=inv["days_to_pay"] - inv["counterfactual_days_to_pay"],
        )
        .groupby(["account_id", "month"], as_index=False)["effect"]
        .mean()
    )
    return {
        "tickets": realised_att(data.outcomes["tickets"], deflected),
        "days_to_pay": realised_att(data.outcomes["days_to_pay"], faster),
        "churn": sim.truth["effects"]["churn_hazard_ratio"]["realised"]["hazard_ratio_all_live"],
        "order_value": order_value_truth(sim, data),
    }


def order_value_truth(sim: SimResult, data: ImpactData) -> float:
    """The realised order-value ATT: every live order's expected uplift share of its amount,
    ``1 - 1 / ((1 + volume uplift) * (1 + value uplift))``, summed per account-month and
    weighted as the estimator weights its cells."""
    uplift = sim.truth["effects"]
    volume = uplift["order_volume_uplift"]["parameter"]
    value = uplift["order_value_uplift"]["parameter"]
    orders = sim.tables["orders"][["account_id", "ts", "amount"]]
    orders = orders.merge(sim.tables["accounts"][["account_id", "portal_live_at"]], on="account_id")
    live = orders[
        orders["portal_live_at"].notna()
        & (pd.to_datetime(orders["ts"]) >= pd.to_datetime(orders["portal_live_at"]))
    ]
    share = 1 - 1 / ((1 + volume) * (1 + value))
    cells = (
        live.assign(
            account_id=live["account_id"].astype(str),
            month=_month(live["ts"]),
            effect=live["amount"] * share,
        )
        .groupby(["account_id", "month"], as_index=False)["effect"]
        .sum()
    )
    return realised_att(data.outcomes["order_value"], cells)


@pytest.mark.slow
def test_intervals_cover_truth_and_naive_comparisons_are_biased() -> None:
    covered = {"tickets": 0, "days_to_pay": 0, "churn": 0, "order_value": 0}
    errors: dict[str, list[float]] = {k: [] for k in covered}
    naive_errors: list[float] = []
    naive_covered = 0
    unadjusted_log_errors: list[float] = []
    with threadpool_limits(1):  # small matrices: BLAS threads only contend on shared cores
        for run in range(RUNS):
            defl, hr, dso = SETTINGS[run % len(SETTINGS)]
            effects = TrueEffects(
                deflection_share=defl, churn_hazard_ratio=hr, dso_reduction_days=dso
            )
            cfg = SimConfig.preset(
                "tiny", seed=7100 + run, events=False, n_accounts=N_ACCOUNTS, effects=effects
            )
            assert cfg.selection_strength > 0
            sim = simulate(cfg)
            data = build_impact_data(sim.tables)
            report = estimate_from_data(
                data, outcomes=("tickets", "churn", "days_to_pay", "order_value")
            )
            truth = true_effects(sim, data)
            for name, value in truth.items():
                est = report.effects[name]
                covered[name] += est.covers(value)
                err = np.log(est.estimate / value) if name == "churn" else est.estimate - value
                errors[name].append(float(err))
            # Naive before/after of adopters' tickets: the rising ticket trend and season leak in.
            naive = naive_pre_post(outcome_panel(data.outcomes["tickets"]))
            naive_errors.append(naive.estimate - truth["tickets"])
            naive_covered += naive.covers(truth["tickets"])
            # Churn hazard without the pre-treatment covariates: healthy accounts go live first.
            unadjusted = hazard_effect(
                data.grid,
                unit="account_id",
                period="month",
                event="churned",
                treatment="live",
                period_bin=3,
            )
            unadjusted_log_errors.append(float(np.log(unadjusted.estimate / truth["churn"])))
    coverage = {k: v / RUNS for k, v in covered.items()}
    print("coverage", coverage)
    print("mean error", {k: float(np.mean(v)) for k, v in errors.items()})
    print(
        "naive pre/post bias",
        float(np.mean(naive_errors)),
        "coverage",
        naive_covered / RUNS,
        "unadjusted log-HR bias",
        float(np.mean(unadjusted_log_errors)),
    )
    for name, value in coverage.items():
        assert 0.90 <= value <= 0.99, (name, value)
    # Adjusted estimates are unbiased: mean error within 3 Monte-Carlo standard errors.
    for name, errs in errors.items():
        assert abs(np.mean(errs)) < 3 * np.std(errs) / np.sqrt(RUNS), name
    # The naive comparisons are biased far beyond Monte-Carlo error and miss the truth.
    assert np.mean(naive_errors) > 10 * np.std(naive_errors) / np.sqrt(RUNS)
    assert naive_covered / RUNS < 0.5
    bias = np.mean(unadjusted_log_errors)
    assert bias < -3 * np.std(unadjusted_log_errors) / np.sqrt(RUNS)
