"""Difference-in-differences of matched sets, with a cluster bootstrap over accounts.

For treated episode ``i`` with before/after values ``(y0_i, y1_i)`` and matched controls ``j`` of
weights ``w_ij`` (summing to 1 per episode):

    effect = mean_i [ (y1_i - y0_i) - sum_j w_ij (y1_j - y0_j) ]

the average effect on the treated (ATT) under parallel trends of matched accounts. The naive
before/after change is ``mean_i (y1_i - y0_i)``. The relative effect divides the effect by the
treated accounts' mean after-value without it, ``mean_i y1_i - effect``.

Interval: the estimate is a ratio of sums over accounts, ``sum_a c_a / sum_a n_a``, where
``c_a`` adds the account's own changes as a treated account and subtracts its weighted
changes as a control, and ``n_a`` counts its treated episodes. Accounts (clusters) are drawn with
replacement, the ratio is recomputed for each draw (matches held fixed, so control reuse is
accounted for), and the 2.5 and 97.5 percentiles form the 95 % interval (seeded: the same data
give the same interval). The naive change gets an interval from the same draws.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"episode": [0, 1], "account_id": ["A", "B"], "pre": [10.0, 4.0],
...                   "post": [14.0, 6.0]})
>>> c = pd.DataFrame({"episode": [0, 0, 1], "account_id": ["C", "D", "C"],
...                   "weight": [0.5, 0.5, 1.0], "pre": [8.0, 5.0, 3.0], "post": [9.0, 6.0, 3.0]})
>>> e = matched_did(t, c, n_boot=200, seed=1)
>>> e.effect, e.naive_change
(2.5, 3.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DidEstimate", "matched_did"]


@dataclass(frozen=True)
class DidEstimate:
    """The matched difference-in-differences and its pieces."""

    effect: float
    ci_low: float | None
    ci_high: float | None
    naive_change: float
    control_change: float
    treated_pre: float
    treated_post: float
    relative_effect: float | None
    n_boot: int
    naive_ci_low: float | None = None
    naive_ci_high: float | None = None


def matched_did(
    treated: pd.DataFrame,
    controls: pd.DataFrame,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> DidEstimate:
    """Matched DiD of ``treated`` episodes against their weighted ``controls``.

    Parameters
    ----------
    treated
        ``episode``, ``account_id``, ``pre``, ``post`` (one row per episode with controls).
    controls
        ``episode``, ``account_id``, ``weight``, ``pre``, ``post`` (weights sum to 1 per
        episode).
    n_boot
        Bootstrap draws (0: no interval).
    seed
        Seed of the bootstrap.
    level
        Coverage of the interval.
    """
    t_change = (treated["post"] - treated["pre"]).to_numpy(dtype=float)
    c = controls.assign(change=controls["post"] - controls["pre"])
    c_mean = (c["change"] * c["weight"]).groupby(c["episode"]).sum()
    c_by_ep = c_mean.reindex(treated["episode"]).to_numpy(dtype=float)
    diff = t_change - c_by_ep
    effect = float(diff.mean())
    post = float(treated["post"].mean())
    base = post - effect
    relative = effect / base if base > 0 else None

    contrib = pd.concat(
        [
            pd.DataFrame(
                {"account_id": treated["account_id"], "c": t_change, "t": t_change, "n": 1.0}
            ),
            pd.DataFrame(
                {
                    "account_id": c["account_id"],
                    "c": -(c["change"] * c["weight"]),
                    "t": 0.0,
                    "n": 0.0,
                }
            ),
        ]
    )
    per = contrib.groupby("account_id")[["c", "t", "n"]].sum()
    lo = hi = n_lo = n_hi = None
    if n_boot > 0 and len(per) > 1:
        rng = np.random.default_rng(seed)
        m = len(per)
        draws = rng.multinomial(m, np.full(m, 1.0 / m), size=n_boot).astype(float)
        num = draws @ per["c"].to_numpy()
        den = draws @ per["n"].to_numpy()
        ok = den > 0
        alpha = (1 - level) / 2
        lo, hi = (float(x) for x in np.quantile(num[ok] / den[ok], [alpha, 1 - alpha]))
        naive = (draws @ per["t"].to_numpy())[ok] / den[ok]
        n_lo, n_hi = (float(x) for x in np.quantile(naive, [alpha, 1 - alpha]))
    return DidEstimate(
        effect=effect,
        ci_low=lo,
        ci_high=hi,
        naive_change=float(t_change.mean()),
        control_change=float(np.mean(c_by_ep)),
        treated_pre=float(treated["pre"].mean()),
        treated_post=post,
        relative_effect=relative,
        n_boot=n_boot,
        naive_ci_low=n_lo,
        naive_ci_high=n_hi,
    )
