"""Time-series counterfactual (CausalImpact-style) for an outcome with no comparison group.

A structural time-series model (local linear trend + fixed seasonal pattern, statsmodels
``UnobservedComponents``) is fitted by maximum likelihood on the periods before the
intervention and forecast over the periods after it. The effect in each post period is
observed minus forecast; the cumulative effect sums them. Intervals use the joint forecast
covariance of the post periods (computed from the state-space matrices), so the cumulative
interval accounts for forecast errors being correlated over time. Unlike CausalImpact's
Bayesian fit, parameter uncertainty is not included, so intervals are somewhat narrow on short
pre-periods.

Reference: Brodersen, K. H. et al. (2015), "Inferring causal impact using Bayesian structural
time-series models", Annals of Applied Statistics 9(1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from portalroi.errors import DataError
from portalroi.impact.results import EffectEstimate

__all__ = ["ItsResult", "its_effect"]

FloatArray = npt.NDArray[np.float64]

ITS_ASSUMPTIONS = (
    "the pre-period trend and seasonality would have continued unchanged without the portal",
    "nothing else that moves the outcome changed at the intervention date",
    "the model (local linear trend + fixed seasonality, Gaussian noise) fits the pre-period",
)


@dataclass(frozen=True)
class ItsResult:
    """Average per-period effect, cumulative effect and the per-period table.

    ``table`` has one row per period: observed, predicted (counterfactual), its interval,
    effect, cumulative effect and its interval (post periods only for the last three).
    """

    average: EffectEstimate
    cumulative: EffectEstimate
    table: pd.DataFrame


def _forecast_covariance(fit: object, horizon: int) -> tuple[FloatArray, FloatArray]:
    """Forecast means and joint covariance of the next ``horizon`` observations."""
    fr = fit.filter_results  # type: ignore[attr-defined]
    z, tt = fr.design[0, :, 0], fr.transition[:, :, 0]
    rqr = fr.selection[:, :, 0] @ fr.state_cov[:, :, 0] @ fr.selection[:, :, 0].T
    h = float(fr.obs_cov[0, 0, 0])
    state = fr.predicted_state[:, -1]
    p_k = fr.predicted_state_cov[:, :, -1]
    mean = np.empty(horizon)
    cov = np.zeros((horizon, horizon))
    for k in range(horizon):
        mean[k] = float(z @ state)
        m = p_k
        cov[k, k] = float(z @ m @ z) + h
        for j in range(k + 1, horizon):
            m = tt @ m
            cov[j, k] = cov[k, j] = float(z @ m @ z)
        state = tt @ state
        p_k = tt @ p_k @ tt.T + rqr
    return mean, cov


def its_effect(
    series: pd.Series,
    intervention: object,
    seasonal_period: int | None = 12,
    level: float = 0.95,
    unit: str = "",
) -> ItsResult:
    """Effect of an intervention on one series, against its own forecast counterfactual.

    Parameters
    ----------
    series : the outcome per period, in time order (index: period labels).
    intervention : the first post-intervention label of ``series.index``.
    seasonal_period : season length (12 for monthly data); None for no seasonality. The
        pre-period must span at least two seasons.
    level : confidence level.
    unit : the outcome's unit, for display.

    Examples
    --------
    >>> t = np.arange(48)
    >>> noise = np.random.default_rng(3).normal(0, 0.5, 48)
    >>> y = pd.Series(100 + 0.5 * t + 4 * np.sin(2 * np.pi * t / 12) + noise - 10 * (t >= 36))
    >>> res = its_effect(y, 36)
    >>> res.average.ci_low < -10 < res.average.ci_high
    True
    """
    if intervention not in series.index:
        raise DataError(f"intervention {intervention!r} is not a period of the series")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = [str(series.index[i]) for i in np.flatnonzero(~np.isfinite(values))[:10]]
        raise DataError(f"series has missing or non-numeric values at {', '.join(bad)}")
    cut = int(np.flatnonzero(series.index == intervention)[0])
    need = max(2 * (seasonal_period or 0), 6)
    if cut < need or cut >= values.size:
        raise DataError(f"need at least {need} pre-period and 1 post-period values, got {cut}")
    kwargs: dict[str, object] = {"level": "local linear trend"}
    if seasonal_period:
        kwargs.update(seasonal=seasonal_period, stochastic_seasonal=False)
    # imported here: the state-space module takes a quarter of a second to import, and most
    # analyses have a comparison group and never need it
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    model = UnobservedComponents(values[:cut], **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(disp=False, maxiter=500)
    converged = bool(fit.mle_retvals.get("converged", True)) and not caught
    horizon = values.size - cut
    mean, cov = _forecast_covariance(fit, horizon)
    z = float(stats.norm.ppf(0.5 + level / 2))
    post = values[cut:]
    effect = post - mean
    sd = np.sqrt(np.diag(cov))
    cum_sd = np.sqrt(np.cumsum(np.cumsum(cov, axis=0), axis=1).diagonal())
    cum = np.cumsum(effect)
    table = pd.DataFrame({"period": series.index, "observed": values})
    pred = np.concatenate([fit.fittedvalues, mean])
    table["predicted"] = pred
    table["predicted_low"] = np.concatenate([np.full(cut, np.nan), mean - z * sd])
    table["predicted_high"] = np.concatenate([np.full(cut, np.nan), mean + z * sd])
    table["effect"] = np.concatenate([np.full(cut, np.nan), effect])
    table["cumulative_effect"] = np.concatenate([np.full(cut, np.nan), cum])
    table["cumulative_low"] = np.concatenate([np.full(cut, np.nan), cum - z * cum_sd])
    table["cumulative_high"] = np.concatenate([np.full(cut, np.nan), cum + z * cum_sd])
    total, total_se = float(cum[-1]), float(cum_sd[-1])
    common = {
        "n_treated": 1,
        "n_control": 0,
        "method": "structural time-series counterfactual (local linear trend"
        + (f" + {seasonal_period}-period seasonality" if seasonal_period else "")
        + ", statsmodels UnobservedComponents, MLE)",
        "assumptions": ITS_ASSUMPTIONS,
        "unit": unit,
        "details": {"converged": float(converged), "pre_periods": float(cut), "level": level},
    }
    average = EffectEstimate(
        estimand=f"average effect per period over the {horizon} post-intervention periods",
        estimate=total / horizon,
        se=total_se / horizon,
        ci_low=(total - z * total_se) / horizon,
        ci_high=(total + z * total_se) / horizon,
        **common,  # type: ignore[arg-type]
    )
    cumulative = EffectEstimate(
        estimand=f"cumulative effect over the {horizon} post-intervention periods",
        estimate=total,
        se=total_se,
        ci_low=total - z * total_se,
        ci_high=total + z * total_se,
        **common,  # type: ignore[arg-type]
    )
    return ItsResult(average, cumulative, table)
