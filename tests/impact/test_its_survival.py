"""Time-series counterfactual and discrete-time hazard checked against known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from portalroi.errors import DataError, ValidationError
from portalroi.impact import hazard_effect, its_effect
from portalroi.impact.its import _forecast_covariance


def _series(step: float, seed: int = 0) -> pd.Series:
    t = np.arange(60)
    rng = np.random.default_rng(seed)
    y = 200 + 0.8 * t + 12 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1.0, t.size)
    index = pd.period_range("2021-01", periods=t.size, freq="M")
    return pd.Series(y + step * (t >= 42), index=index)


@pytest.mark.parametrize("step", [-15.0, 0.0])
def test_its_recovers_a_known_step(step):
    res = its_effect(_series(step), pd.Period("2024-07", freq="M"), unit="tickets")
    assert res.average.covers(step)
    assert res.average.estimate == pytest.approx(step, abs=1.5)
    assert res.cumulative.estimate == pytest.approx(18 * res.average.estimate)
    post = res.table.iloc[42:]
    assert post["effect"].sum() == pytest.approx(res.cumulative.estimate)
    assert (post["predicted_low"] < post["predicted"]).all()
    assert res.table["effect"].iloc[:42].isna().all()


def test_its_forecast_moments_equal_statsmodels_get_forecast():
    y = _series(0.0).to_numpy()[:42]
    fit = sm.tsa.UnobservedComponents(
        y, level="local linear trend", seasonal=12, stochastic_seasonal=False
    ).fit(disp=False)
    mean, cov = _forecast_covariance(fit, 10)
    forecast = fit.get_forecast(10)
    np.testing.assert_allclose(mean, forecast.predicted_mean, rtol=1e-10)
    np.testing.assert_allclose(np.diag(cov), forecast.var_pred_mean, rtol=1e-8)
    # Random-walk level: later forecast errors contain earlier ones, so covariances are positive.
    assert (cov[np.triu_indices(10, 1)] > 0).all()


def test_its_rejects_bad_input():
    s = _series(0.0)
    with pytest.raises(DataError, match="not a period"):
        its_effect(s, pd.Period("2030-01", freq="M"))
    with pytest.raises(DataError, match="at least 24 pre-period"):
        its_effect(s, s.index[10])


def _one_period(n_live: int, churn_live: int, n_not: int, churn_not: int) -> pd.DataFrame:
    live = [1] * n_live + [0] * n_not
    event = [1] * churn_live + [0] * (n_live - churn_live) + [1] * churn_not
    event += [0] * (n_not - churn_not)
    return pd.DataFrame({"unit": range(len(live)), "period": 0, "event": event, "live": live})


def test_hazard_ratio_by_hand_in_one_period():
    rows = _one_period(10, 5, 10, 2)
    # cloglog: hazard ratio = log(1 - p_live) / log(1 - p_not) = log(0.5) / log(0.8).
    hr = hazard_effect(rows)
    assert hr.estimate == pytest.approx(np.log(0.5) / np.log(0.8), rel=1e-6)
    # logit: odds ratio = (0.5 / 0.5) / (0.2 / 0.8) = 4.
    odds = hazard_effect(rows, link="logit")
    assert odds.estimate == pytest.approx(4.0, rel=1e-6)
    assert odds.ci_low < 4.0 < odds.ci_high
    assert (odds.n_treated, odds.n_control) == (10, 10)


def test_hazard_drops_periods_without_churn():
    rows = _one_period(10, 5, 10, 2)
    quiet = _one_period(10, 0, 10, 0).assign(period=1, unit=lambda d: d["unit"] + 100)
    both = pd.concat([rows, quiet], ignore_index=True)
    # A calendar period with no churn carries no information on the ratio.
    assert hazard_effect(both).estimate == pytest.approx(hazard_effect(rows).estimate, rel=1e-6)


def test_hazard_rejects_bad_rows():
    rows = _one_period(4, 1, 4, 1)
    rows["period"] = rows["period"].astype(object)
    rows.loc[2, "event"] = 3
    rows.loc[5, "period"] = "x"
    with pytest.raises(ValidationError) as info:
        hazard_effect(rows)
    assert "row 2, column event: must be 0 or 1" in str(info.value)
    assert "row 5, column period: must be a finite number" in str(info.value)
    with pytest.raises(ValidationError, match="column health: required column is missing"):
        hazard_effect(_one_period(4, 1, 4, 1), covariates=["health"])
