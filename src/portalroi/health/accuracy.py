"""How well the stored risk scores predicted churn, per score month (drift made visible).

Computed from the ``risk_scores`` table only (see :mod:`portalroi.health.history`), joined
with the outcomes known now (``accounts.churned_at``). Nothing is re-scored, so a later change
of data can change the outcomes a score is judged against, never the score itself.

A stored score of date ``D`` and horizon ``h`` *churned* when the account's ``churned_at`` is
before ``D + h``; it counts only once its outcome window has closed (``D + h <=`` the day after
the last activity in the store). When one account has several scores on one date (several
models), the last recorded one counts.

Per score month, for the model's ``risk`` and for the health-score baseline
(``1 - health_score / 100``; a missing score counts as 0.5):

* ROC AUC: probability that a random churner is scored above a random stayer (ties half),
  computed from average ranks (Mann-Whitney U).
* Average precision: ``sum_k (R_k - R_{k-1}) P_k`` over distinct score thresholds, highest
  first (scikit-learn's definition).
* Brier score: mean ``(p - y)^2`` (for the baseline not a probability: a ranking aid only).
* Calibration by decile: rows sorted by score and cut into 10 groups of (nearly) equal size;
  per group the mean predicted risk and the observed churn rate. Summary: the expected
  calibration error ``ECE = sum_g n_g / n * |predicted_g - observed_g|``.
* Top-decile precision: churn rate among the ``ceil(n / 10)`` highest scores.
* At-risk precision: churn rate among accounts whose health band was ``at_risk`` (one figure,
  the band belongs to the health score).

Examples
--------
>>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
>>> round(average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
0.8333
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from portalroi.errors import DataError
from portalroi.health.features import as_timestamp
from portalroi.health.model_store import default_as_of, table_exists
from portalroi.store import Store

__all__ = [
    "MIN_CHURNERS",
    "MIN_ROWS",
    "AccuracyReport",
    "MonthAccuracy",
    "ScorerAccuracy",
    "accuracy_by_month",
    "auc",
    "average_precision",
    "calibration_deciles",
    "month_accuracy",
    "scored_outcomes",
]

#: Below these a month's figures carry a small-sample warning.
MIN_ROWS = 30
MIN_CHURNERS = 5

ArrayLike = Sequence[float] | np.ndarray | pd.Series


def _arrays(y: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(y, dtype=float), np.asarray(p, dtype=float)


def auc(y: ArrayLike, p: ArrayLike) -> float | None:
    """ROC AUC from average ranks; ``None`` when only one outcome occurs.

    Examples
    --------
    >>> auc([1, 0, 1, 0], [0.9, 0.9, 0.2, 0.1])
    0.625
    """
    yy, pp = _arrays(y, p)
    n1 = int(yy.sum())
    n0 = len(yy) - n1
    if n1 == 0 or n0 == 0:
        return None
    ranks = rankdata(pp)
    return float((ranks[yy == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_precision(y: ArrayLike, p: ArrayLike) -> float | None:
    """Average precision over distinct thresholds; ``None`` without churners.

    Examples
    --------
    >>> average_precision([1, 0, 0], [0.2, 0.9, 0.1])
    0.5
    """
    yy, pp = _arrays(y, p)
    total = yy.sum()
    if total == 0:
        return None
    order = np.argsort(-pp, kind="stable")
    ys, ps = yy[order], pp[order]
    tp = np.cumsum(ys)
    seen = np.arange(1, len(ys) + 1)
    # Last position of each run of equal scores: one threshold per distinct score.
    last = np.r_[np.nonzero(np.diff(ps))[0], len(ps) - 1]
    precision = tp[last] / seen[last]
    recall = tp[last] / total
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def calibration_deciles(y: ArrayLike, p: ArrayLike, groups: int = 10) -> pd.DataFrame:
    """Rows sorted by ``p`` cut into ``groups`` near-equal groups: n, predicted, observed.

    Examples
    --------
    >>> calibration_deciles([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.9], groups=2).to_dict("records")
    [{'decile': 1, 'n': 2, 'predicted': 0.15, 'observed': 0.5}, \
{'decile': 2, 'n': 2, 'predicted': 0.6, 'observed': 0.5}]
    """
    yy, pp = _arrays(y, p)
    order = np.argsort(pp, kind="stable")
    rows = []
    for k, part in enumerate(np.array_split(order, min(groups, len(order))), start=1):
        rows.append(
            {
                "decile": k,
                "n": len(part),
                "predicted": round(float(pp[part].mean()), 12),
                "observed": round(float(yy[part].mean()), 12),
            }
        )
    return pd.DataFrame(rows, columns=["decile", "n", "predicted", "observed"])


def _top_decile_precision(yy: np.ndarray, pp: np.ndarray) -> float:
    top = np.argsort(-pp, kind="stable")[: math.ceil(len(pp) / 10)]
    return float(yy[top].mean())


@dataclass(frozen=True)
class ScorerAccuracy:
    """Accuracy of one scorer (the model or the health-score baseline) on one month's rows."""

    n: int
    roc_auc: float | None
    average_precision: float | None
    brier: float
    ece: float
    mean_predicted: float
    top_decile_precision: float
    calibration: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "n": self.n,
            "roc_auc": self.roc_auc,
            "average_precision": self.average_precision,
            "brier": self.brier,
            "ece": self.ece,
            "mean_predicted": self.mean_predicted,
            "top_decile_precision": self.top_decile_precision,
            "calibration": self.calibration.to_dict(orient="records"),
        }


def _scorer(yy: np.ndarray, pp: np.ndarray) -> ScorerAccuracy:
    cal = calibration_deciles(yy, pp)
    ece = float((cal["n"] * (cal["predicted"] - cal["observed"]).abs()).sum() / len(yy))
    return ScorerAccuracy(
        n=len(yy),
        roc_auc=auc(yy, pp),
        average_precision=average_precision(yy, pp),
        brier=float(np.mean((pp - yy) ** 2)),
        ece=ece,
        mean_predicted=float(pp.mean()),
        top_decile_precision=_top_decile_precision(yy, pp),
        calibration=cal,
    )


@dataclass(frozen=True)
class MonthAccuracy:
    """One score month: counts, the model's and the baseline's accuracy, warnings."""

    month: str
    horizon_days: int
    n: int
    churned: int
    at_risk_n: int
    at_risk_precision: float | None
    model: ScorerAccuracy | None
    health_score: ScorerAccuracy
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "month": self.month,
            "horizon_days": self.horizon_days,
            "n": self.n,
            "churned": self.churned,
            "churn_rate": self.churned / self.n if self.n else None,
            "at_risk_n": self.at_risk_n,
            "at_risk_precision": self.at_risk_precision,
            "model": None if self.model is None else self.model.as_dict(),
            "health_score": self.health_score.as_dict(),
            "warnings": list(self.warnings),
        }


def month_accuracy(
    month: str,
    horizon_days: int,
    churned: ArrayLike,
    risk: ArrayLike,
    health_score: ArrayLike,
    band: Sequence[str],
) -> MonthAccuracy:
    """Accuracy of one month's stored scores against their outcomes (pure; no store).

    ``risk`` may hold missing values (score-only rows): the model is judged on the rows that
    have one. ``health_score`` is 0-100 (missing counts as 0.5 risk).

    Examples
    --------
    >>> m = month_accuracy("2024-01", 180, [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8],
    ...                    [90, 60, 65, 20], ["healthy", "neutral", "neutral", "at_risk"])
    >>> m.model.roc_auc, m.health_score.roc_auc, m.at_risk_precision
    (0.75, 0.75, 1.0)
    """
    yy = np.asarray(churned, dtype=float)
    rr = np.asarray(risk, dtype=float)
    hs = np.asarray(health_score, dtype=float)
    bands = np.asarray(list(band), dtype=object)
    base = np.where(np.isnan(hs), 0.5, 1.0 - hs / 100.0)
    has = ~np.isnan(rr)
    model = _scorer(yy[has], rr[has]) if has.any() else None
    at_risk = bands == "at_risk"
    n, churners = len(yy), int(yy.sum())
    notes = []
    if n < MIN_ROWS or churners < MIN_CHURNERS:
        notes.append(
            f"small sample: {n} accounts, {churners} churned (figures are unstable below "
            f"{MIN_ROWS} accounts or {MIN_CHURNERS} churners)"
        )
    if churners in (0, n):
        notes.append("one outcome only: ROC AUC and average precision are undefined")
    if model is not None and model.n < n:
        notes.append(f"{n - model.n} of {n} scores have no model risk (score-only rows)")
    return MonthAccuracy(
        month=month,
        horizon_days=horizon_days,
        n=n,
        churned=churners,
        at_risk_n=int(at_risk.sum()),
        at_risk_precision=float(yy[at_risk].mean()) if at_risk.any() else None,
        model=model,
        health_score=_scorer(yy, base),
        warnings=notes,
    )


def scored_outcomes(
    store: Store,
    accounts: Collection[str] | None = None,
    known_until: date | datetime | str | None = None,
) -> pd.DataFrame:
    """Stored scores whose outcome window has closed, with ``churned`` (0/1) known now.

    One row per (score date, account): the last recorded score of that date.

    Returns
    -------
    pandas.DataFrame
        ``score_date``, ``account_id``, ``risk``, ``health_score``, ``band``,
        ``model_version``, ``horizon_days``, ``churned``.
    """
    cols = [
        "score_date",
        "account_id",
        "risk",
        "health_score",
        "band",
        "model_version",
        "horizon_days",
        "churned",
    ]
    if not table_exists(store, "risk_scores"):
        return pd.DataFrame(columns=cols)
    until = as_timestamp(known_until) if known_until is not None else default_as_of(store)
    frame: pd.DataFrame = store.con.execute(
        """
        WITH latest AS (
            SELECT * FROM risk_scores
            QUALIFY row_number() OVER (
                PARTITION BY score_date, account_id
                ORDER BY recorded_at DESC, model_version DESC) = 1
        )
        SELECT s.score_date, s.account_id, s.risk, s.health_score, s.band, s.model_version,
            s.horizon_days,
            CASE WHEN a.churned_at IS NOT NULL
                 AND a.churned_at < s.score_date + to_days(s.horizon_days)
                 THEN 1 ELSE 0 END AS churned
        FROM latest s LEFT JOIN accounts a USING (account_id)
        WHERE s.score_date + to_days(s.horizon_days) <= ?
        ORDER BY s.score_date, s.account_id
        """,
        [until],
    ).df()
    if accounts is not None:
        frame = frame[frame["account_id"].isin(set(accounts))].reset_index(drop=True)
    return frame[cols]


@dataclass(frozen=True)
class AccuracyReport:
    """Accuracy per score month (oldest first) and over all closed months together."""

    known_until: datetime
    months: list[MonthAccuracy]
    overall: MonthAccuracy | None

    def table(self) -> pd.DataFrame:
        """One row per month: n, churned, AUC / AP / Brier / ECE / top-decile precision.

        Examples
        --------
        >>> AccuracyReport(datetime(2024, 1, 1), [], None).table().empty
        True
        """
        rows = []
        for m in self.months:
            row: dict[str, Any] = {"month": m.month, "n": m.n, "churned": m.churned}
            for name, s in (("model", m.model), ("score", m.health_score)):
                for metric in ("roc_auc", "average_precision", "brier", "ece"):
                    row[f"{name}_{metric}"] = None if s is None else getattr(s, metric)
                row[f"{name}_top_decile_precision"] = None if s is None else s.top_decile_precision
            row["at_risk_precision"] = m.at_risk_precision
            rows.append(row)
        return pd.DataFrame(rows)

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "known_until": self.known_until.date().isoformat(),
            "months": [m.as_dict() for m in self.months],
            "overall": None if self.overall is None else self.overall.as_dict(),
        }


def accuracy_by_month(
    store: Store,
    accounts: Collection[str] | None = None,
    known_until: date | datetime | str | None = None,
) -> AccuracyReport:
    """Accuracy of the stored scores per score month whose outcome windows have closed.

    Parameters
    ----------
    store
        The store holding ``risk_scores`` (read only is fine).
    accounts
        Judge only these accounts' scores (a tenant's own accounts); default all.
    known_until
        Outcomes known by this date (default: the day after the last activity).

    Examples
    --------
    >>> accuracy_by_month(Store(":memory:"), known_until="2024-01-01").months
    []
    """
    until = as_timestamp(known_until) if known_until is not None else None
    if until is None:
        try:
            until = default_as_of(store)
        except DataError:  # an empty store has no outcomes to judge
            return AccuracyReport(datetime.now().replace(microsecond=0), [], None)
    rows = scored_outcomes(store, accounts, until)
    months: list[MonthAccuracy] = []
    if rows.empty:
        return AccuracyReport(until, months, None)
    rows = rows.assign(month=pd.to_datetime(rows["score_date"]).dt.strftime("%Y-%m"))
    for (month, horizon), part in rows.groupby(["month", "horizon_days"], sort=True):
        months.append(_of(str(month), int(str(horizon)), part))
    horizons = rows["horizon_days"].unique()
    overall = _of("all", int(horizons[0]), rows) if len(horizons) == 1 else None
    return AccuracyReport(until, months, overall)


def _of(month: str, horizon: int, part: pd.DataFrame) -> MonthAccuracy:
    return month_accuracy(
        month,
        horizon,
        part["churned"].to_numpy(),
        part["risk"].to_numpy(dtype=float),
        part["health_score"].to_numpy(dtype=float),
        part["band"].astype(str).tolist(),
    )
