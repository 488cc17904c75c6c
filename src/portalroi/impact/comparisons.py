"""Comparison estimators that are NOT valid under staggered adoption, kept to show why.

* :func:`twfe_did` — two-way fixed-effects OLS (unit and period dummies, one "live" dummy).
  Under staggered adoption with effects that change over time it weights cohorts badly (even
  negatively: Goodman-Bacon 2021); it equals the 2x2 DiD only with one cohort and two periods.
* :func:`naive_pre_post` — adopters' mean outcome after go-live minus before. It attributes
  every secular trend and seasonal swing between the two windows to the portal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from portalroi.errors import DataError
from portalroi.impact.panel import Panel
from portalroi.impact.results import EffectEstimate

__all__ = ["long_frame", "naive_pre_post", "twfe_did"]


def long_frame(panel: Panel) -> pd.DataFrame:
    """The observed cells of ``panel`` as a long frame: unit, period, y, first_treated, live.

    Examples
    --------
    >>> p = Panel.from_arrays([[1.0, 2.0]], [0, 1], [1])
    >>> long_frame(p)["live"].tolist()
    [0, 1]
    """
    n, t = panel.y.shape
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), t),
            "period": np.tile(panel.periods, n),
            "y": panel.y.ravel(),
            "first_treated": np.repeat(panel.first_treated, t),
        }
    )
    frame["live"] = (frame["period"] >= frame["first_treated"]).astype(int)
    return frame.dropna(subset=["y"]).reset_index(drop=True)


def twfe_did(panel: Panel, level: float = 0.95, unit: str = "") -> EffectEstimate:
    """Two-way fixed-effects DiD (for comparison only), SE clustered by unit.

    Examples
    --------
    >>> p = Panel.from_arrays([[1.0, 4.0], [1.0, 2.0], [2.0, 3.0]], [0, 1], [1, np.inf, np.inf])
    >>> round(twfe_did(p).estimate, 10)
    2.0
    """
    frame = long_frame(panel)
    dummies = pd.get_dummies(frame[["unit", "period"]].astype(str), drop_first=True, dtype=float)
    design = add_constant(pd.concat([frame[["live"]].astype(float), dummies], axis=1))
    fit = OLS(frame["y"].to_numpy(), design).fit(
        cov_type="cluster", cov_kwds={"groups": frame["unit"].to_numpy()}
    )
    est, se = float(fit.params["live"]), float(fit.bse["live"])
    z = float(stats.norm.ppf(0.5 + level / 2))
    adopters = np.isfinite(panel.first_treated)
    return EffectEstimate(
        estimand=f"coefficient of 'live' in a unit + period fixed-effects regression of {panel.outcome}",
        estimate=est,
        se=se,
        ci_low=est - z * se,
        ci_high=est + z * se,
        n_treated=int(adopters.sum()),
        n_control=int((~adopters).sum()),
        method="two-way fixed effects OLS (comparison only: biased under staggered adoption "
        "with time-varying effects)",
        assumptions=("parallel trends", "effect constant across cohorts and over time"),
        unit=unit,
    )


def naive_pre_post(panel: Panel, level: float = 0.95, unit: str = "") -> EffectEstimate:
    """Adopters' mean outcome after go-live minus before (for comparison only).

    Each adopter's post-mean minus pre-mean, averaged over adopters; SE across adopters.

    Examples
    --------
    >>> y = [[1.0, 3.0, 5.0], [0.0, 2.0, 4.0], [2.0, 2.0, 2.0]]
    >>> naive_pre_post(Panel.from_arrays(y, [0, 1, 2], [1, 1, np.inf])).estimate
    3.0
    """
    is_post = panel.periods[None, :] >= panel.first_treated[:, None]
    observed = ~np.isnan(panel.y)
    y = np.nan_to_num(panel.y)
    n_post = (is_post & observed).sum(axis=1)
    n_pre = (~is_post & observed).sum(axis=1)
    usable = np.isfinite(panel.first_treated) & (n_post > 0) & (n_pre > 0)
    if usable.sum() < 2:
        raise DataError("naive pre/post needs at least two adopters observed before and after")
    post = (y * (is_post & observed)).sum(axis=1)[usable] / n_post[usable]
    pre = (y * (~is_post & observed)).sum(axis=1)[usable] / n_pre[usable]
    diff = post - pre
    est = float(diff.mean())
    se = float(diff.std(ddof=1) / np.sqrt(diff.size))
    z = float(stats.norm.ppf(0.5 + level / 2))
    return EffectEstimate(
        estimand=f"adopters' mean {panel.outcome} after go-live minus before",
        estimate=est,
        se=se,
        ci_low=est - z * se,
        ci_high=est + z * se,
        n_treated=int(usable.sum()),
        n_control=0,
        method="naive pre/post comparison (biased: no comparison group)",
        assumptions=("nothing but the portal changed between the two windows",),
        unit=unit,
    )
