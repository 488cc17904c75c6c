"""Stored risk scores: what was predicted for each account, on which date, by which model.

Table ``risk_scores`` (created on first write): one row per (``score_date``, ``account_id``,
``model_version``) with the churn ``risk`` (the model's probability of churning within
``horizon_days`` of the score date; empty when no model could be fitted), the transparent
``health_score`` and its ``band``, and ``recorded_at``. A row is written once and never
rewritten: recording the same date with the same model again keeps the first row, so the
history is what was predicted at the time.

No look-ahead: a score for date ``D`` uses features from data before ``D`` only
(:func:`~portalroi.health.features.account_features`) and a saved model (see
:mod:`portalroi.health.model_store`) whose ``trained_until`` is on or before ``D``.

Examples
--------
>>> import tempfile, pathlib
>>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
...     ensure_table(store)
...     scores(store).shape[0]
0
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from portalroi.errors import DataError
from portalroi.health.config import HealthConfig
from portalroi.health.features import MODEL_FEATURES, account_features
from portalroi.health.model_store import (
    SavedModel,
    day,
    default_as_of,
    fit_and_save,
    latest_model,
    quiet_empty_features,
    refit,
    table_exists,
)
from portalroi.health.risk import Progress, _training_dates, labelled_snapshots, snapshot_dates
from portalroi.health.score import score_accounts
from portalroi.store import Store

__all__ = ["SCORE_ONLY", "backfill", "ensure_table", "record_scores", "scores"]

#: ``model_version`` of rows recorded when no model could be fitted (``risk`` is empty).
SCORE_ONLY = "score-only"

_DDL = """CREATE TABLE IF NOT EXISTS risk_scores (
        score_date DATE NOT NULL,
        account_id VARCHAR NOT NULL,
        risk DOUBLE,
        health_score DOUBLE,
        band VARCHAR NOT NULL,
        model_version VARCHAR NOT NULL,
        horizon_days INTEGER NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (score_date, account_id, model_version)
    )"""


def ensure_table(store: Store) -> None:
    """Create ``risk_scores`` if missing (needs a writable store).

    Examples
    --------
    >>> ensure_table(Store(":memory:"))
    """
    store.con.execute(_DDL)


def _insert_scores(
    store: Store,
    at: datetime,
    saved: SavedModel | None,
    horizon_days: int,
    health_config: HealthConfig | None,
) -> int:
    feats = account_features(store, at)
    if feats.empty:
        return 0
    health = score_accounts(feats, health_config)
    with quiet_empty_features():
        risk = (
            saved.model.predict_proba(feats[list(MODEL_FEATURES)])
            if saved is not None
            else np.full(len(feats), np.nan)
        )
    frame = pd.DataFrame(
        {
            "score_date": at.date(),
            "account_id": feats.index.astype(str),
            "risk": np.asarray(risk, dtype=float),
            "health_score": health["score"].to_numpy(dtype=float),
            "band": health["band"].astype(str).to_numpy(),
            "model_version": saved.version if saved is not None else SCORE_ONLY,
            "horizon_days": horizon_days,
            "recorded_at": datetime.now().replace(microsecond=0),
        }
    )
    ensure_table(store)
    before = store.con.execute("SELECT count(*) FROM risk_scores").fetchone()
    store.con.register("_new_scores", frame)
    try:
        store.con.execute(
            "INSERT INTO risk_scores BY NAME SELECT * FROM _new_scores ON CONFLICT DO NOTHING"
        )
    finally:
        store.con.unregister("_new_scores")
    after = store.con.execute("SELECT count(*) FROM risk_scores").fetchone()
    return int(after[0] if after else 0) - int(before[0] if before else 0)


def record_scores(
    store: Store,
    as_of: date | datetime | str | None = None,
    horizon_days: int = 180,
    health_config: HealthConfig | None = None,
) -> int:
    """Store every customer account's risk, health score and band as of a date.

    The model is the newest saved one trained on outcomes known by ``as_of``
    (:func:`latest_model`); when there is none, one is fitted as of ``as_of`` and saved (as
    :func:`refit` does). When no model can be fitted (too little history), the health score
    and band are stored with an empty ``risk`` under model version :data:`SCORE_ONLY`. A date
    already recorded with that model is skipped (this runs after every load), as is a store
    without accounts or activity.

    Parameters
    ----------
    store
        A writable store.
    as_of
        The score date (a day; default: the day after the last activity).

    Returns
    -------
    int
        Rows newly stored (0 when that date was already recorded with that model).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     record_scores(store, "2024-01-01")
    0
    """
    if not store.con.execute("SELECT 1 FROM accounts LIMIT 1").fetchall():
        return 0
    try:
        at = day(as_of) if as_of is not None else default_as_of(store)
    except DataError:  # accounts but no activity yet: nothing to score as of
        return 0
    saved = latest_model(store, at, horizon_days)
    # Called after every load: once a date is recorded with this model, skip the work.
    if _recorded(store, at, saved.version if saved is not None else SCORE_ONLY):
        return 0
    if saved is None:
        try:
            saved = refit(store, at, horizon_days)
        except DataError:
            saved = None
    return _insert_scores(store, at, saved, horizon_days, health_config)


def _recorded(store: Store, at: datetime, version: str) -> bool:
    if not table_exists(store, "risk_scores"):
        return False
    row = store.con.execute(
        "SELECT count(*) FROM risk_scores WHERE score_date = ? AND model_version = ?",
        [at.date(), version],
    ).fetchone()
    return bool(row and row[0])


def backfill(
    store: Store,
    start: date | datetime | str,
    end: date | datetime | str,
    step_days: int = 30,
    horizon_days: int = 180,
    reuse_models: bool = False,
    health_config: HealthConfig | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Record scores for the dates ``start, start + step_days, ...`` up to ``end``.

    For each date ``D`` a model is fitted on the outcomes known by ``D`` (snapshots with
    ``s + horizon_days <= D``) and saved with ``trained_until = D``, as a team that refits
    before each scoring would have done; with ``reuse_models`` the newest saved model trained
    by ``D`` is used instead when there is one. Either way no score uses a model that saw an
    outcome after its date. Dates with too little history for a model get score-only rows.

    Returns
    -------
    dict
        Rows newly stored per score date (``YYYY-MM-DD``).
    """
    dates = [day(d) for d in snapshot_dates(start, end, step_days)]
    if not dates:
        raise DataError(f"no score dates from {start} to {end}")
    # Training snapshots of every date lie on one grid, so build them once for the last date
    # and give each date the prefix whose outcomes it could have known.
    try:
        grid = _training_dates(store, dates[-1], horizon_days, 30, 180)
        pool = labelled_snapshots(store, grid, horizon_days)
    except DataError:
        pool = None
    out: dict[str, int] = {}
    for i, at in enumerate(dates):
        saved = latest_model(store, at, horizon_days) if reuse_models else None
        if saved is None and pool is not None:
            rows = pool[pool["as_of"] + timedelta(days=horizon_days) <= at]
            try:
                saved = fit_and_save(store, at, horizon_days, rows, None, 30, 180)
            except DataError:
                saved = None
        out[f"{at:%Y-%m-%d}"] = _insert_scores(store, at, saved, horizon_days, health_config)
        if progress is not None:
            progress(i + 1, len(dates))
    return out


def scores(
    store: Store,
    account_id: str | None = None,
    score_date: date | datetime | str | None = None,
    accounts: list[str] | None = None,
) -> pd.DataFrame:
    """Stored scores, newest date first (optionally one account, one date, or some accounts).

    Examples
    --------
    >>> scores(Store(":memory:")).columns.tolist()[:4]
    ['score_date', 'account_id', 'risk', 'health_score']
    """
    cols = [
        "score_date",
        "account_id",
        "risk",
        "health_score",
        "band",
        "model_version",
        "horizon_days",
        "recorded_at",
    ]
    if not table_exists(store, "risk_scores"):
        return pd.DataFrame(columns=cols)
    where: list[str] = []
    params: list[object] = []
    if account_id is not None:
        where.append("account_id = ?")
        params.append(account_id)
    if score_date is not None:
        where.append("score_date = ?")
        params.append(day(score_date).date())
    sql = f"SELECT {', '.join(cols)} FROM risk_scores"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY score_date DESC, account_id, model_version"
    frame: pd.DataFrame = store.con.execute(sql, params).df()
    frame["score_date"] = pd.to_datetime(frame["score_date"]).dt.date
    if accounts is not None:
        frame = frame[frame["account_id"].isin(accounts)].reset_index(drop=True)
    return frame
