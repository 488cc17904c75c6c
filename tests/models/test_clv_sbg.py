"""Shifted-beta-geometric model: published figures (Fader & Hardie 2007), hand cases, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portalroi.errors import ValidationError
from portalroi.models.clv import ShiftedBetaGeometricModel
from shared_paths import shared_data

# Published in Fader & Hardie (2007), "How to project customer retention" (and SOURCE.md).
PUBLISHED = {"highend": (0.668, 3.806, -1611.2), "regular": (0.704, 1.182, -1680.3)}


@pytest.fixture(scope="module")
def survivors() -> dict[str, list[int]]:
    frame = pd.read_csv(shared_data("sbg_retention_fader_hardie_2007", "survivors.csv"))
    return {
        cohort: part.sort_values("year")["customers_alive"].tolist()
        for cohort, part in frame.groupby("cohort")
    }


@pytest.mark.parametrize("cohort", ["highend", "regular"])
def test_reproduces_fader_hardie_2007(survivors: dict[str, list[int]], cohort: str) -> None:
    model = ShiftedBetaGeometricModel().fit_survivors(survivors[cohort])
    alpha, beta, ll = PUBLISHED[cohort]
    assert round(model.params["alpha"], 3) == alpha
    assert round(model.params["beta"], 3) == beta
    assert model.log_likelihood_ is not None
    assert round(model.log_likelihood_, 1) == ll
    assert model.n_observations_ == 1000


def test_per_customer_fit_equals_cohort_fit(survivors: dict[str, list[int]]) -> None:
    alive = np.array(survivors["regular"])
    lost = -np.diff(alive)
    periods = np.concatenate([np.repeat(np.arange(1, 8), lost), np.full(alive[-1], 7)])
    churned = np.concatenate([np.ones(lost.sum(), bool), np.zeros(alive[-1], bool)])
    per_customer = ShiftedBetaGeometricModel().fit(periods, churned)
    assert per_customer.params["alpha"] == pytest.approx(0.704, abs=5e-4)
    assert per_customer.params["beta"] == pytest.approx(1.182, abs=5e-4)


def test_hand_computed_curves() -> None:
    # alpha=2, beta=3: S(1) = beta/(alpha+beta) = 3/5, S(2) = 3/5 * 4/6 = 0.4, S(3) = 0.4 * 5/7.
    m = ShiftedBetaGeometricModel.from_params({"alpha": 2.0, "beta": 3.0})
    np.testing.assert_allclose(m.survival([0, 1, 2, 3]), [1.0, 0.6, 0.4, 2 / 7])
    np.testing.assert_allclose(m.churn_probability([1, 2]), [0.4, 0.2])
    np.testing.assert_allclose(m.retention_rate([1, 2, 3]), [0.6, 4 / 6, 5 / 7])
    np.testing.assert_allclose(m.expected_survivors(1000, 2), [1000.0, 600.0, 400.0])
    # Undiscounted expected lifetime of a new customer: (alpha + beta - 1) / (alpha - 1) = 4.
    assert m.discounted_expected_lifetime(1e-10) == pytest.approx(4.0, rel=1e-6)


@pytest.mark.parametrize(("renewals", "d"), [(0, 0.1), (3, 0.1), (6, 0.05)])
def test_derl_equals_explicit_discounted_sum(renewals: int, d: float) -> None:
    alpha, beta = 0.704, 1.182
    m = ShiftedBetaGeometricModel.from_params({"alpha": alpha, "beta": beta})
    # Plain-Python sum: sum_{t>=n} S(t)/S(n-1) / (1+d)^(t-n), S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1).
    n = renewals + 1
    expected, ratio = 0.0, 1.0
    for t in range(n, n + 3000):
        ratio *= (beta + t - 1) / (alpha + beta + t - 1)
        expected += ratio / (1 + d) ** (t - n)
    assert float(m.derl(d, renewals)) == pytest.approx(expected, rel=1e-6)
    assert float(m.clv(50.0, d, renewals)) == pytest.approx(50.0 * expected, rel=1e-6)
    # DEL counts the first payment now: DEL = 1 + DERL(renewals=0) / (1 + d).
    assert m.discounted_expected_lifetime(d) == pytest.approx(
        1 + float(m.derl(d, 0)) / (1 + d), rel=1e-9
    )


def test_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(7)
    theta = rng.beta(1.5, 4.0, size=20_000)
    churn_period = rng.geometric(theta)
    horizon = 10
    churned = churn_period <= horizon
    periods = np.where(churned, churn_period, horizon)
    fitted = ShiftedBetaGeometricModel().fit(periods, churned).params
    assert fitted["alpha"] == pytest.approx(1.5, rel=0.1)
    assert fitted["beta"] == pytest.approx(4.0, rel=0.1)


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValidationError, match=r"alive\[2\]: survivor counts must not increase"):
        ShiftedBetaGeometricModel().fit_survivors([100, 80, 90])
    with pytest.raises(ValidationError, match=r"periods\[1\]"):
        ShiftedBetaGeometricModel().fit([1, 0], [True, True])
