"""Staggered DiD checked against hand arithmetic and statsmodels OLS with fixed effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from portalroi.errors import DataError, ValidationError
from portalroi.impact import (
    NEVER,
    Panel,
    group_time_att,
    jackknife_se,
    naive_pre_post,
    staggered_did,
    twfe_did,
    wald_pretrend,
)


def test_two_by_two_equals_hand_arithmetic():
    # Treated: 10 -> 7 and 12 -> 8 (mean change -3.5); controls: 9 -> 9 and 11 -> 10 (-0.5).
    y = [[10.0, 7.0], [12.0, 8.0], [9.0, 9.0], [11.0, 10.0]]
    est = staggered_did(Panel.from_arrays(y, [0, 1], [1, 1, NEVER, NEVER]))
    assert est.estimate == pytest.approx(-3.0)
    # Influence-function variance = var_treated / n_t + var_control / n_c (divisor n):
    # treated changes -3, -4 -> 0.25 / 2; control changes 0, -1 -> 0.25 / 2.
    assert est.se == pytest.approx(np.sqrt(0.125 + 0.125))
    assert (est.n_treated, est.n_control) == (2, 2)


def test_event_study_by_hand_with_two_cohorts():
    # Unit A adopts in 2, unit B in 3, C and D never. Not-yet-treated controls.
    y = [
        [1.0, 2.0, 5.0, 6.0],  # A
        [0.0, 1.0, 2.0, 6.0],  # B
        [3.0, 4.0, 5.0, 6.0],  # C
        [1.0, 2.0, 3.0, 4.0],  # D
    ]
    gt = group_time_att(Panel.from_arrays(y, [0, 1, 2, 3], [2, 3, NEVER, NEVER]))
    cells = {(int(g), int(t)): a for g, t, a in zip(gt.group, gt.time, gt.att, strict=True)}
    # ATT(2,2): A changes 5-2 = 3; controls B, C, D change 1, 1, 1 -> 2.
    assert cells[(2, 2)] == pytest.approx(2.0)
    # ATT(2,3): A 6-2 = 4; controls (not treated by 3) C, D: 2, 2 -> 2.
    assert cells[(2, 3)] == pytest.approx(2.0)
    # ATT(3,3): B 6-2 = 4; controls C, D: 1, 1 -> 3.
    assert cells[(3, 3)] == pytest.approx(3.0)
    # ATT(3,1): B 1-2 = -1; controls at t=1 and base 2 not yet treated: C, D: -1, -1 -> 0.
    assert cells[(3, 1)] == pytest.approx(0.0)
    est = staggered_did(Panel.from_arrays(y, [0, 1, 2, 3], [2, 3, NEVER, NEVER]))
    # Both cohorts have one unit: the overall ATT is the plain mean of the 3 post cells.
    assert est.estimate == pytest.approx((2.0 + 2.0 + 3.0) / 3)
    by_e = {r.event_time: r.estimate for r in est.event_study}
    assert by_e[0] == pytest.approx((2.0 + 3.0) / 2)
    assert by_e[1] == pytest.approx(2.0)
    assert by_e[-1] == 0.0


def _single_cohort_panel(seed: int) -> tuple[Panel, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n, t = 60, 6
    first = np.where(np.arange(n) < 25, 3.0, NEVER)
    unit_fe = rng.normal(0, 2, n)
    y = unit_fe[:, None] + np.arange(t)[None, :] * 0.5 + rng.normal(0, 1, (n, t))
    y += 1.5 * (np.arange(t)[None, :] >= first[:, None])
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), t),
            "period": np.tile(np.arange(t), n),
            "y": y.ravel(),
            "first": np.repeat(first, t),
        }
    )
    return Panel.from_arrays(y, np.arange(t), first), long


@pytest.mark.parametrize("t", [0, 1, 3, 4, 5])
def test_single_cohort_cell_equals_ols_with_unit_and_time_fixed_effects(t):
    panel, long = _single_cohort_panel(11)
    gt = group_time_att(panel)
    k = int(np.flatnonzero(gt.time == t)[0])
    # statsmodels OLS on the two periods (base g-1 = 2 and t), unit and time dummies.
    sub = long[long["period"].isin([2, t])].copy()
    treated_cell = (sub["first"] == 3.0) & (sub["period"] == t)
    sub["d"] = treated_cell.astype(float)
    x = pd.get_dummies(sub[["unit", "period"]].astype(str), drop_first=True, dtype=float)
    x = sm.add_constant(pd.concat([sub[["d"]], x], axis=1))
    fit = sm.OLS(sub["y"].to_numpy(), x).fit(
        cov_type="cluster",
        cov_kwds={"groups": sub["unit"].to_numpy(), "use_correction": False},
    )
    assert gt.att[k] == pytest.approx(fit.params["d"], abs=1e-10)
    # Analytic influence-function SE equals OLS cluster-robust SE without small-sample factor.
    se = np.sqrt(np.sum(gt.influence[:, k] ** 2)) / panel.n_units
    assert se == pytest.approx(fit.bse["d"], rel=1e-8)


def test_two_period_single_cohort_overall_equals_twfe():
    panel, _ = _single_cohort_panel(5)
    two = Panel.from_arrays(panel.y[:, 2:4], [2, 3], panel.first_treated)
    assert staggered_did(two).estimate == pytest.approx(twfe_did(two).estimate, abs=1e-10)


def test_outcome_regression_adjusts_for_covariate_driven_trends():
    # Untreated change depends on x, and treated units have high x: unconditional DiD is biased,
    # outcome regression on x recovers the effect of 2 exactly (no noise).
    x = np.array([0.0, 1.0, 2.0, 3.0, 2.0, 3.0])
    first = np.array([NEVER, NEVER, NEVER, NEVER, 1, 1])
    y = np.column_stack([np.zeros(6), 1.0 + 0.5 * x + 2.0 * (first == 1)])
    plain = staggered_did(Panel.from_arrays(y, [0, 1], first))
    adjusted = staggered_did(Panel.from_arrays(y, [0, 1], first, x[:, None], ["x"]))
    assert plain.estimate == pytest.approx(2.0 + 0.5 * (2.5 - 1.5))
    assert adjusted.estimate == pytest.approx(2.0)
    assert "given covariates x" in adjusted.estimand


def _jackknife_by_hand(changes: np.ndarray, treated: np.ndarray, label: np.ndarray) -> float:
    """Delete-a-group jackknife of a two-period DiD, written out in plain numpy."""
    thetas = []
    for k in np.unique(label):
        keep = label != k
        t, c = changes[keep & treated], changes[keep & ~treated]
        thetas.append(t.mean() - c.mean())
    th = np.array(thetas)
    return float(np.sqrt((th.size - 1) / th.size * np.sum((th - th.mean()) ** 2)))


@pytest.mark.parametrize("groups", [20, 1000])
def test_jackknife_se_equals_hand_arithmetic(groups):
    # 2 periods, one cohort adopting in period 1, never-treated comparison units; skewed
    # outcomes. The ATT of every replicate is a difference of mean changes.
    rng = np.random.default_rng(11)
    n = 60
    treated = np.arange(n) < 25
    y = np.column_stack([rng.lognormal(3, 1, n), rng.lognormal(3, 1, n) + 5.0 * treated])
    panel = Panel.from_arrays(y, [0, 1], np.where(treated, 1, NEVER))
    se, used = jackknife_se(panel, groups=groups)
    k = min(groups, n)
    # the documented split: a fixed permutation of the units, dealt into k groups
    label = np.random.default_rng(0).permutation(n) % k
    assert used == k
    assert se == pytest.approx(_jackknife_by_hand(y[:, 1] - y[:, 0], treated, label), rel=1e-12)
    if groups >= n:
        # Leave-one-out of a difference in means in closed form: deleting unit i of a group of
        # size m moves its mean by (d_i - mean) / (m - 1), the replicates average to the full
        # estimate, so V = (n - 1) / n * (s_t^2 / (n_t - 1) + s_c^2 / (n_c - 1)).
        d = y[:, 1] - y[:, 0]
        n_t, n_c = treated.sum(), (~treated).sum()
        var = (
            (n - 1)
            / n
            * (np.var(d[treated], ddof=1) / (n_t - 1) + np.var(d[~treated], ddof=1) / (n_c - 1))
        )
        assert se == pytest.approx(np.sqrt(var), rel=1e-12)


def test_staggered_did_jackknife_reports_both_standard_errors():
    rng = np.random.default_rng(12)
    n = 80
    first = np.where(np.arange(n) < 30, 2, np.where(np.arange(n) < 50, 3, NEVER))
    x = rng.normal(size=(n, 1))
    y = rng.lognormal(2, 1, (n, 5)) + 3.0 * (np.arange(5)[None, :] >= first[:, None])
    y += x * np.arange(5)[None, :]  # the covariate drives trends: outcome regression at work
    panel = Panel.from_arrays(y, list(range(5)), first, x, ["x"])
    analytic = staggered_did(panel)
    jack = staggered_did(panel, se_method="jackknife")
    assert jack.estimate == analytic.estimate
    # the replicates by the full estimator on each reduced panel, the documented split
    label = np.random.default_rng(0).permutation(n) % 20
    theta = np.array([staggered_did(panel.subset(label != k)).estimate for k in range(20)])
    by_hand = np.sqrt(19 / 20 * np.sum((theta - theta.mean()) ** 2))
    assert jack.se == pytest.approx(by_hand, rel=1e-10)
    assert jack.se != pytest.approx(analytic.se, rel=1e-3)
    assert jack.details["analytic_se"] == analytic.se
    assert jack.details["jackknife_groups"] == 20
    assert jack.ci_high - jack.estimate == pytest.approx(1.959963984540054 * jack.se)
    assert "jackknife" in jack.method
    assert "jackknife" not in analytic.method
    assert jack.event_study == analytic.event_study  # the event study stays analytic


def test_never_treated_versus_not_yet_treated_controls():
    # A adopts in 2, E in 3, C and D never. Cell (2, 2), base period 1: A changes 3.
    y = [[0.0, 0.0, 3.0, 3.0], [0.0, 0.0, 4.0, 9.0], [0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 3.0, 4.0]]
    panel = Panel.from_arrays(y, [0, 1, 2, 3], [2, 3, NEVER, NEVER])

    def cell(control_group: str) -> float:
        gt = group_time_att(panel, control_group)  # type: ignore[arg-type]
        return float(gt.att[(gt.group == 2) & (gt.time == 2)][0])

    # Not yet treated at 2: E, C, D change 4, 1, 2 -> 7/3. Never treated: C, D -> 1.5.
    assert cell("not_yet_treated") == pytest.approx(3.0 - 7.0 / 3.0)
    assert cell("never_treated") == pytest.approx(3.0 - 1.5)
    with pytest.raises(DataError, match="control_group"):
        staggered_did(panel, control_group="everyone")  # type: ignore[arg-type]


def test_pretrend_test_flags_diverging_pre_trends():
    rng = np.random.default_rng(3)
    n, t = 200, 12
    first = np.where(np.arange(n) < 100, 8.0, NEVER)
    # Adopters' outcomes rise 0.4 per period faster before go-live: parallel trends fails.
    drift = 0.4 * np.arange(t)[None, :] * (first[:, None] == 8.0)
    y = rng.normal(0, 1, (n, t)) + drift
    est = staggered_did(Panel.from_arrays(y, np.arange(t), first))
    assert est.pretrend_pvalue is not None
    assert est.pretrend_pvalue < 0.001


def test_wald_pretrend_matches_chi_square_by_hand():
    # b' V^-1 b with V = diag(4, 1): 2^2/4 + 1^2/1 = 2; chi2(2) survival at 2 = exp(-1).
    res = wald_pretrend(np.array([2.0, 1.0]), np.diag([4.0, 1.0]), (-3, -2))
    assert res is not None
    assert res.statistic == pytest.approx(2.0)
    assert res.pvalue == pytest.approx(np.exp(-1.0))
    assert wald_pretrend(np.array([]), np.zeros((0, 0))) is None


def test_naive_pre_post_by_hand():
    # Adopter 1: pre mean 2, post mean 5 -> 3. Adopter 2: pre 1, post 2 -> 1. Mean 2.
    y = [[2.0, 2.0, 5.0], [1.0, 1.0, 2.0], [0.0, 0.0, 0.0]]
    est = naive_pre_post(Panel.from_arrays(y, [0, 1, 2], [2, 2, NEVER]))
    assert est.estimate == pytest.approx(2.0)
    assert est.se == pytest.approx(np.std([3.0, 1.0], ddof=1) / np.sqrt(2))


def test_panel_from_long_reports_every_problem():
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b", "b"],
            "period": [0, 1, 0, 0, 1.5],
            "outcome": [1.0, np.nan, 1.0, 2.0, 3.0],
            "first_treated": [1, 1, None, None, 1],
        }
    )
    with pytest.raises(ValidationError) as info:
        Panel.from_long(df, source="tickets.csv")
    text = str(info.value)
    assert "tickets.csv: row 1, column outcome" in text
    assert "tickets.csv: row 4, column period" in text
    assert "tickets.csv: row 3: duplicate unit/period" in text
    assert "unit b, column first_treated: must be constant" in text
    with pytest.raises(ValidationError, match="column outcome: required column is missing"):
        Panel.from_long(df.drop(columns=["outcome"]))


def test_no_estimable_cell_is_a_clear_error():
    y = [[1.0, 2.0], [1.0, 2.0]]
    with pytest.raises(DataError, match="no group-time effect"):
        staggered_did(Panel.from_arrays(y, [0, 1], [1, 1]))
