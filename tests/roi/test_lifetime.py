"""CLV of a retained account: the sBG fit and how its source line describes it."""

from __future__ import annotations

import numpy as np
import pytest

from portalroi.roi.lifetime import retained_account_clv


def _tenure_from_survivors(alive: list[int]) -> tuple[list[float], list[bool]]:
    """One row per customer from a cohort's survivor counts (churned at t, or active at the end)."""
    tenure: list[float] = []
    churned: list[bool] = []
    for t in range(1, len(alive)):
        lost = alive[t - 1] - alive[t]
        tenure += [float(t)] * lost
        churned += [True] * lost
    tenure += [float(len(alive) - 1)] * alive[-1]
    churned += [False] * alive[-1]
    return tenure, churned


def test_heterogeneous_churn_matches_the_published_fit() -> None:
    # Fader & Hardie (2007), "regular" customers: alpha 0.668, beta 3.806.
    tenure, churned = _tenure_from_survivors([1000, 869, 743, 653, 593, 551, 517, 491])
    clv = retained_account_clv(tenure, churned, 100.0, 0.10)
    assert clv.alpha == pytest.approx(0.668, abs=5e-4)
    assert clv.beta == pytest.approx(3.806, abs=5e-4)
    assert clv.mean_churn == pytest.approx(0.668 / (0.668 + 3.806), rel=1e-3)
    assert not clv.constant_churn
    assert "alpha 0.668, beta 3.806" in clv.source
    assert f"{clv.churn_spread:.2%} between accounts" in clv.source


def test_constant_churn_is_reported_as_such() -> None:
    # Every account churns with 2 % a month: survivors 10,000 x 0.98^t for three years.
    alive = [round(10_000 * 0.98**t) for t in range(37)]
    tenure, churned = _tenure_from_survivors(alive)
    clv = retained_account_clv(tenure, churned, 100.0, 0.04)
    # The geometric model's maximum-likelihood churn: churns / months at risk.
    geometric = sum(churned) / sum(tenure)
    assert clv.mean_churn == pytest.approx(geometric, rel=1e-3)
    assert clv.constant_churn
    assert clv.alpha + clv.beta > 1e4  # the optimiser ran off towards the geometric limit
    assert f"a constant {geometric:.2%}/month" in clv.source
    assert "alpha" not in clv.source
    # DERL of the geometric model, (1 - p)(1 + d) / (p + d), with d the monthly discount rate
    d = 1.04 ** (1 / 12) - 1
    assert clv.derl_months == pytest.approx((1 - geometric) * (1 + d) / (geometric + d), rel=1e-3)
    doc = clv.to_dict()
    assert doc["constant_churn"] is True
    assert doc["mean_churn"] == pytest.approx(geometric, rel=1e-3)
    assert np.isfinite(doc["churn_spread"])
