"""CLV of a retained account: the sBG fit and how its source line describes it."""

from __future__ import annotations

import numpy as np
import pytest

from portalroi.errors import DataError
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


def test_derl_at_a_zero_rate_is_the_undiscounted_residual_lifetime() -> None:
    # alpha 3, beta 5, two renewals made (n = 3): by Gauss's theorem DERL = (beta + n - 1) /
    # (alpha - 1) = 7 / 2. Checked against the plain sum of S(n + k) / S(n - 1), k >= 0 (the
    # probability of each further payment), and against DERL at a tiny rate.
    from scipy.special import betaln

    from portalroi.models import ShiftedBetaGeometricModel

    model = ShiftedBetaGeometricModel.from_params({"alpha": 3.0, "beta": 5.0})
    k = np.arange(2_000_000, dtype=float)
    survival = np.exp(betaln(3.0, 5.0 + 3 + k) - betaln(3.0, 5.0 + 2))
    assert float(model.derl(0.0, 2)) == pytest.approx(3.5, rel=1e-12)
    assert float(model.derl(0.0, 2)) == pytest.approx(survival.sum(), rel=1e-9)
    assert float(model.derl(1e-9, 2)) == pytest.approx(3.5, rel=1e-7)
    # DEL at 0: the mean lifetime (alpha + beta - 1) / (alpha - 1)
    assert model.discounted_expected_lifetime(0.0) == pytest.approx(3.5, rel=1e-12)
    with pytest.raises(ValueError, match=">= 0"):
        model.derl(-0.01)


def test_clv_at_a_zero_discount_rate() -> None:
    # Constant 2 % churn a month: undiscounted, a retained account pays (1 - p) / p more months.
    alive = [round(10_000 * 0.98**t) for t in range(37)]
    tenure, churned = _tenure_from_survivors(alive)
    clv = retained_account_clv(tenure, churned, 100.0, 0.0)
    p = sum(churned) / sum(tenure)
    assert clv.derl_months == pytest.approx((1 - p) / p, rel=1e-3)
    assert clv.clv == pytest.approx(100.0 * clv.derl_months)
    # alpha 0.668 <= 1 (Fader & Hardie's regular customers): no finite undiscounted lifetime
    tenure, churned = _tenure_from_survivors([1000, 869, 743, 653, 593, 551, 517, 491])
    with pytest.raises(DataError, match="expected lifetime is infinite"):
        retained_account_clv(tenure, churned, 100.0, 0.0)


def test_constant_churn_with_huge_fitted_parameters_gives_a_finite_clv() -> None:
    # 300 accounts with a constant 0.6 % monthly churn, each with 0-84 months of tenure before
    # a 36-month window: the fit runs off to alpha ~7e14, beta ~3e17, where the sBG DERL's
    # hypergeometric function came out NaN (so the churn line, benefits and ROI were NaN).
    rng = np.random.default_rng(24)
    entry = rng.uniform(0, 84, 300).round()
    life = rng.geometric(0.006, 300)
    churned = life <= 36
    tenure = np.where(churned, entry + life, entry + 36)
    clv = retained_account_clv(tenure.tolist(), churned.tolist(), 100.0, 0.04)
    assert clv.constant_churn
    assert clv.alpha > 1e12
    p, d = clv.mean_churn, 1.04 ** (1 / 12) - 1
    assert np.isfinite(clv.clv)
    assert clv.derl_months == pytest.approx((1 - p) * (1 + d) / (p + d), rel=1e-12)
    assert clv.clv == pytest.approx(100.0 * clv.derl_months)
    assert "DERL nan" not in clv.source
