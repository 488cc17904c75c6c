"""Scores for a churn model: ranking (ROC AUC, average precision, top-decile lift) and calibration.

Definitions
-----------
* ROC AUC: probability that a random churner is scored above a random stayer (ties count half).
* Average precision: ``sum_n (R_n - R_{n-1}) P_n`` over thresholds, as scikit-learn defines it.
* Top-decile lift: churn rate among the ``ceil(10 %)`` highest-scored rows divided by the overall
  churn rate (1.0 = no better than random; ties at the cut are broken by row order after a
  stable sort on the score).
* Brier score: mean of ``(p - y)^2``.
* Calibration table: rows grouped into ``bins`` equal-width probability bins ``[0, 1/b), ...,
  [(b-1)/b, 1]``; per non-empty bin the count, mean predicted probability and observed churn rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from portalroi.errors import DataError

__all__ = ["ChurnEvaluation", "evaluate"]


@dataclass(frozen=True)
class ChurnEvaluation:
    """Scores of churn probabilities against outcomes (see module docstring)."""

    n: int
    base_rate: float
    roc_auc: float
    average_precision: float
    top_decile_lift: float
    brier: float
    calibration: pd.DataFrame

    def as_dict(self) -> dict[str, object]:
        """Plain-JSON form (the calibration table as a list of records)."""
        return {
            "n": self.n,
            "base_rate": self.base_rate,
            "roc_auc": self.roc_auc,
            "average_precision": self.average_precision,
            "top_decile_lift": self.top_decile_lift,
            "brier": self.brier,
            "calibration": self.calibration.to_dict(orient="records"),
        }


def evaluate(
    y: pd.Series | np.ndarray | list[int],
    p: pd.Series | np.ndarray | list[float],
    bins: int = 10,
) -> ChurnEvaluation:
    """Score churn probabilities ``p`` against 0/1 outcomes ``y``.

    Examples
    --------
    >>> e = evaluate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> e.roc_auc, e.top_decile_lift, round(e.brier, 4)
    (0.75, 2.0, 0.1581)
    """
    yy = np.asarray(y, dtype=float)
    pp = np.asarray(p, dtype=float)
    if yy.shape != pp.shape or yy.ndim != 1:
        raise DataError(f"outcomes ({yy.shape}) and probabilities ({pp.shape}) differ in shape")
    if not np.isin(yy, (0.0, 1.0)).all():
        raise DataError("outcomes must be 0 or 1")
    if np.isnan(pp).any() or (pp < 0).any() or (pp > 1).any():
        raise DataError("probabilities must lie in [0, 1] with no missing values")
    if yy.min() == yy.max():
        raise DataError("outcomes hold a single class; ROC AUC is undefined")
    base = float(yy.mean())
    order = np.argsort(-pp, kind="stable")
    top = order[: math.ceil(len(pp) / 10)]
    edges = np.minimum((pp * bins).astype(int), bins - 1)
    table = (
        pd.DataFrame({"bin": edges, "p": pp, "y": yy})
        .groupby("bin")
        .agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
        .reset_index()
    )
    table.insert(1, "lower", table["bin"] / bins)
    table.insert(2, "upper", (table["bin"] + 1) / bins)
    return ChurnEvaluation(
        n=len(yy),
        base_rate=base,
        roc_auc=float(roc_auc_score(yy, pp)),
        average_precision=float(average_precision_score(yy, pp)),
        top_decile_lift=float(yy[top].mean() / base),
        brier=float(brier_score_loss(yy, pp)),
        calibration=table,
    )
