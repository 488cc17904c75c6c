"""Churn risk on the store: a calibrated model over account features, and a time-based backtest.

Training data are *snapshots*: the features of every customer account as of a date ``s``
(:func:`~portalroi.health.features.account_features`, data before ``s`` only) with the label
"churned within the next ``horizon_days``" (``s <= churned_at < s + horizon``). Snapshots are
taken every ``step_days``.

The backtest picks a cutoff ``T``: the model is fitted on snapshots whose whole outcome window
ends by ``T`` (``s + horizon <= T``, so no training label looks past ``T``), then scores the
snapshots ``T, T + step, ...`` (as many as asked whose outcome is known by the end of the data).
The same rows are scored by the transparent health score as a baseline (risk ``1 - score/100``,
missing scores as 0.5): ROC AUC, average precision and top-decile lift compare rankings; the
Brier score and calibration table are meaningful for the model only.

The model is :class:`portalroi.models.ChurnModel` (calibrated logistic regression by default)
over :data:`~portalroi.health.features.MODEL_FEATURES`; its reasons are that model's own
per-feature contributions.

Examples
--------
>>> snapshot_dates("2023-01-01", "2023-03-15", 30)
[datetime.datetime(2023, 1, 1, 0, 0), datetime.datetime(2023, 1, 31, 0, 0), \
datetime.datetime(2023, 3, 2, 0, 0)]
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from portalroi.errors import DataError
from portalroi.health.config import HealthConfig
from portalroi.health.features import MODEL_FEATURES, account_features, as_timestamp
from portalroi.health.score import score_accounts
from portalroi.models.churn import ChurnModel
from portalroi.models.churn_eval import ChurnEvaluation, evaluate
from portalroi.store import Store

__all__ = [
    "Backtest",
    "backtest",
    "churn_risk",
    "data_period",
    "fit_risk_model",
    "labelled_snapshots",
    "snapshot_dates",
]

Progress = Callable[[int, int], None]

#: Model settings used unless the caller overrides them (fewer folds keep fits fast).
DEFAULT_MODEL_CONFIG: dict[str, Any] = {"method": "logistic", "cv": 3, "C": 0.1}


def snapshot_dates(
    start: date | datetime | str, end: date | datetime | str, step_days: int
) -> list[datetime]:
    """Dates ``start, start + step, ...`` up to and including ``end``."""
    if step_days < 1:
        raise DataError("step_days must be at least 1")
    s, e = as_timestamp(start), as_timestamp(end)
    out = []
    while s <= e:
        out.append(s)
        s += timedelta(days=step_days)
    return out


def data_period(store: Store) -> tuple[datetime, datetime]:
    """First and last activity in the store (tickets, invoices and events).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     data_period(store)
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: the store holds no tickets, invoices or events
    """
    row = store.con.execute(
        """SELECT min(t0), max(t1) FROM (
             SELECT min(created_at) t0, max(created_at) t1 FROM tickets
             UNION ALL SELECT min(issued_at), max(issued_at) FROM invoices
             UNION ALL SELECT min(ts), max(ts) FROM events)"""
    ).fetchone()
    if row is None or row[0] is None:
        raise DataError("the store holds no tickets, invoices or events")
    return as_timestamp(row[0]), as_timestamp(row[1])


def labelled_snapshots(
    store: Store,
    dates: list[datetime],
    horizon_days: int,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Features of every customer at each date, with ``churned`` (0/1) within ``horizon_days``.

    Returns
    -------
    pandas.DataFrame
        Columns ``account_id``, ``as_of``, every feature, ``churned``.
    """
    churn = store.con.execute(
        "SELECT account_id, churned_at FROM accounts WHERE churned_at IS NOT NULL"
    ).df()
    churned_at = pd.Series(
        pd.to_datetime(churn["churned_at"]).to_numpy(), index=churn["account_id"]
    )
    frames = []
    for i, s in enumerate(dates):
        f = account_features(store, s).reset_index()
        when = f["account_id"].map(churned_at)
        f["churned"] = ((when >= s) & (when < s + timedelta(days=horizon_days))).astype(int)
        f.insert(1, "as_of", s)
        frames.append(f)
        if progress is not None:
            progress(i + 1, len(dates))
    if not frames:
        raise DataError("no snapshot dates to build features for")
    return pd.concat(frames, ignore_index=True)


def _training_dates(
    store: Store, until: datetime, horizon_days: int, step_days: int, history_days: int
) -> list[datetime]:
    first, _ = data_period(store)
    start = (first + timedelta(days=history_days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    last = until - timedelta(days=horizon_days)
    dates = snapshot_dates(start, last, step_days) if start <= last else []
    if not dates:
        raise DataError(
            f"not enough history before {until:%Y-%m-%d} to train: need data from "
            f"{history_days + horizon_days} days before it (data start {first:%Y-%m-%d})"
        )
    return dates


def _fit(rows: pd.DataFrame, model_config: Mapping[str, Any] | None) -> ChurnModel:
    y = rows["churned"].to_numpy()
    if y.sum() < 5 or y.sum() > len(y) - 5:
        raise DataError(
            f"training snapshots hold {int(y.sum())} churners of {len(y)} rows; need at least 5 "
            "of each outcome (use a longer history or horizon)"
        )
    cfg = {**DEFAULT_MODEL_CONFIG, **(model_config or {})}
    return ChurnModel(cfg).fit(rows[list(MODEL_FEATURES)], y)


def fit_risk_model(
    store: Store,
    as_of: date | datetime | str,
    horizon_days: int = 180,
    step_days: int = 30,
    history_days: int = 180,
    model_config: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> ChurnModel:
    """Fit the churn model on every snapshot whose outcome is known by ``as_of``.

    Snapshots start ``history_days`` after the first activity in the store (so windows of
    history exist) and end at ``as_of - horizon_days``.
    """
    at = as_timestamp(as_of)
    dates = _training_dates(store, at, horizon_days, step_days, history_days)
    return _fit(labelled_snapshots(store, dates, horizon_days, progress), model_config)


def churn_risk(model: ChurnModel, features: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Churn probability of each account and its top reasons (the model's own contributions).

    Returns
    -------
    pandas.DataFrame
        Same index as ``features``; ``risk`` (calibrated probability of churning within the
        model's horizon) and ``reasons`` (list of ``{"feature", "value", "contribution"}``,
        strongest first, only features that raise the risk).
    """
    X = features[list(MODEL_FEATURES)]  # noqa: N806
    out = pd.DataFrame(index=features.index)
    out["risk"] = model.predict_proba(X)
    reasons: dict[Any, list[dict[str, Any]]] = {idx: [] for idx in features.index}
    for rec in model.explain(X, top=top).to_dict(orient="records"):
        value: Any = rec["value"]
        reasons[rec["row"]].append(
            {
                "feature": str(rec["feature"]),
                "value": None if value is None or value != value else value,
                "contribution": float(rec["contribution"]),
            }
        )
    out["reasons"] = pd.Series([reasons[idx] for idx in features.index], index=out.index)
    return out


@dataclass(frozen=True)
class Backtest:
    """Outcome of :func:`backtest`: the model and the transparent score on the same rows."""

    cutoff: datetime
    horizon_days: int
    train_snapshots: list[datetime]
    test_snapshots: list[datetime]
    n_train: int
    train_churners: int
    model: ChurnEvaluation
    score: ChurnEvaluation
    fit_seconds: float
    predictions: pd.DataFrame = field(repr=False)

    def table(self) -> pd.DataFrame:
        """Metric by scorer: ROC AUC, average precision, top-decile lift, Brier.

        Examples
        --------
        >>> # see tests/health/test_risk.py for a full run
        >>> list(Backtest.__dataclass_fields__)[:2]
        ['cutoff', 'horizon_days']
        """
        rows = {}
        for name, ev in (("churn model", self.model), ("health score", self.score)):
            rows[name] = {
                "roc_auc": ev.roc_auc,
                "average_precision": ev.average_precision,
                "top_decile_lift": ev.top_decile_lift,
                "brier": ev.brier,
            }
        return pd.DataFrame(rows).T

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "cutoff": self.cutoff.date().isoformat(),
            "horizon_days": self.horizon_days,
            "train_snapshots": [d.date().isoformat() for d in self.train_snapshots],
            "test_snapshots": [d.date().isoformat() for d in self.test_snapshots],
            "n_train": self.n_train,
            "train_churners": self.train_churners,
            "n_test": self.model.n,
            "test_churners": round(self.model.base_rate * self.model.n),
            "fit_seconds": self.fit_seconds,
            "churn_model": self.model.as_dict(),
            "health_score": self.score.as_dict(),
        }


def backtest(
    store: Store,
    cutoff: date | datetime | str | None = None,
    horizon_days: int = 180,
    step_days: int = 30,
    test_snapshots: int = 4,
    history_days: int = 180,
    health_config: HealthConfig | None = None,
    model_config: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> Backtest:
    """Train on snapshots before ``cutoff``, score later snapshots, compare with the score.

    Parameters
    ----------
    cutoff
        ``T``; default: the latest date that leaves ``test_snapshots`` snapshots whose
        outcome window ends inside the data.
    horizon_days, step_days, history_days
        Outcome window, spacing of snapshots, history required before the first snapshot.
    test_snapshots
        Snapshots scored from ``T`` on (``step_days`` apart), each with its outcome known.
    """
    _, last = data_period(store)
    latest_test = (last - timedelta(days=horizon_days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    at = (
        as_timestamp(cutoff)
        if cutoff is not None
        else latest_test - timedelta(days=step_days * (test_snapshots - 1))
    )
    test_dates = [
        d for d in snapshot_dates(at, latest_test, step_days)[:test_snapshots] if d <= latest_test
    ]
    if not test_dates:
        raise DataError(
            f"no test snapshot from {at:%Y-%m-%d} has its {horizon_days}-day outcome inside "
            f"the data (last activity {last:%Y-%m-%d})"
        )
    train_dates = _training_dates(store, at, horizon_days, step_days, history_days)
    n_total = len(train_dates) + len(test_dates)

    def part(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda i, _n: progress(offset + i, n_total)

    train = labelled_snapshots(store, train_dates, horizon_days, part(0))
    test = labelled_snapshots(store, test_dates, horizon_days, part(len(train_dates)))
    started = _time.perf_counter()
    model = _fit(train, model_config)
    fit_seconds = _time.perf_counter() - started
    p_model = model.predict_proba(test[list(MODEL_FEATURES)])
    scores = score_accounts(test.set_index("account_id"), health_config)["score"].to_numpy()
    p_score = np.where(np.isnan(scores), 0.5, 1.0 - scores / 100.0)
    y = test["churned"].to_numpy()
    preds = test[["account_id", "as_of", "churned"]].assign(model_risk=p_model, score_risk=p_score)
    return Backtest(
        cutoff=at,
        horizon_days=horizon_days,
        train_snapshots=train_dates,
        test_snapshots=test_dates,
        n_train=len(train),
        train_churners=int(train["churned"].sum()),
        model=evaluate(y, p_model),
        score=evaluate(y, p_score),
        fit_seconds=fit_seconds,
        predictions=preds,
    )
