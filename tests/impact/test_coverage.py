"""Recovery: 95 % intervals cover the true effect in 90-99 % of simulated roll-outs, while the
naive pre/post comparison (and an unadjusted hazard model) is biased because healthier units
adopt first and there is a common secular trend."""

from __future__ import annotations

import numpy as np
import pytest
from impact_panels import churn_rows, days_to_pay, ticket_counts
from threadpoolctl import threadpool_limits

from portalroi.impact import Panel, hazard_effect, naive_pre_post, staggered_did

RUNS = 100


@pytest.mark.slow
@pytest.mark.parametrize(
    ("simulate", "effects", "naive_bias_sign"),
    [
        (ticket_counts, (0.0, -0.5, -1.0, -1.5), -1.0),  # falling trend flatters pre/post
        (days_to_pay, (0.0, -2.0, -4.0, -6.0), 1.0),  # rising trend hides the gain
    ],
    ids=["tickets_per_account_month", "days_to_pay"],
)
def test_staggered_did_covers_truth_and_naive_is_biased(simulate, effects, naive_bias_sign):
    rng = np.random.default_rng(20240501)
    covered, errors, naive_errors, naive_covered, pvalues = 0, [], [], 0, []
    for run in range(RUNS):
        truth = effects[run % len(effects)]
        w, y = simulate(rng, 150, truth)
        panel = Panel.from_arrays(y, w.periods, w.first_treated)
        est = staggered_did(panel)
        covered += est.covers(truth)
        errors.append(est.estimate - truth)
        pvalues.append(est.pretrend_pvalue)
        naive = naive_pre_post(panel)
        naive_errors.append(naive.estimate - truth)
        naive_covered += naive.covers(truth)
    coverage = covered / RUNS
    assert 0.90 <= coverage <= 0.99, coverage
    # Unbiased: mean error within 3 Monte-Carlo standard errors of zero.
    assert abs(np.mean(errors)) < 3 * np.std(errors) / np.sqrt(RUNS)
    # The naive comparison is biased in the trend's direction and its intervals miss the truth.
    bias = np.mean(naive_errors)
    assert naive_bias_sign * bias > 10 * np.std(naive_errors) / np.sqrt(RUNS)
    assert naive_covered / RUNS < 0.5
    # Parallel trends holds by construction: the pre-trend test rejects about 5 % of the time.
    assert np.mean(np.array(pvalues) < 0.05) < 0.12


@pytest.mark.slow
def test_churn_hazard_ratio_covers_truth_and_unadjusted_is_biased():
    rng = np.random.default_rng(7)
    ratios = (1.0, 0.8, 0.6, 0.5)
    covered, log_errors, naive_log_errors = 0, [], []
    runs = 60
    with threadpool_limits(1):  # tiny matrices: BLAS threads only contend on 2 shared cores
        for run in range(runs):
            truth = ratios[run % len(ratios)]
            rows = churn_rows(rng, 300, truth)
            est = hazard_effect(rows, covariates=["health"])
            covered += est.covers(truth)
            log_errors.append(np.log(est.estimate / truth))
            if run < 12:
                naive = hazard_effect(rows)  # ignores that healthier accounts go live first
                naive_log_errors.append(np.log(naive.estimate / truth))
    coverage = covered / runs
    assert 0.90 <= coverage <= 0.99, coverage
    assert abs(np.mean(log_errors)) < 3 * np.std(log_errors) / np.sqrt(runs)
    # Unadjusted: going live looks protective even when it is not (hazard ratio biased down).
    assert np.mean(naive_log_errors) < np.log(0.6)
