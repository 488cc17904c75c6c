"""Churn models saved in the store (table ``_risk_models``): fit, save, load, pick by date.

Each row is one fitted :class:`~portalroi.models.ChurnModel`: ``model_version``,
``trained_until`` (every training snapshot ``s`` has ``s + horizon_days <= trained_until``, so
the model saw no outcome after that date), ``horizon_days``, ``fitted_at``, training counts,
settings (JSON) and the pickled model (read back through ``ChurnModel.load``, which refuses
other formats and scikit-learn versions). The table has no ``account_id``: the API's tenant
scope hides it from organisation users.

Examples
--------
>>> saved_models(Store(":memory:")).empty
True
"""

from __future__ import annotations

import json
import tempfile
import time as _time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from portalroi.errors import NotFoundError
from portalroi.health.features import MODEL_FEATURES, as_timestamp
from portalroi.health.risk import (
    DEFAULT_MODEL_CONFIG,
    Progress,
    _fit,
    _training_dates,
    data_period,
    labelled_snapshots,
)
from portalroi.models.churn import ChurnModel
from portalroi.store import Store

__all__ = [
    "SavedModel",
    "default_as_of",
    "fit_and_save",
    "latest_model",
    "load_model",
    "quiet_empty_features",
    "refit",
    "saved_models",
    "table_exists",
]

_DDL = """CREATE TABLE IF NOT EXISTS _risk_models (
        model_version VARCHAR PRIMARY KEY,
        trained_until TIMESTAMP NOT NULL,
        horizon_days INTEGER NOT NULL,
        fitted_at TIMESTAMP NOT NULL,
        n_train BIGINT NOT NULL,
        train_churners BIGINT NOT NULL,
        fit_seconds DOUBLE NOT NULL,
        params JSON NOT NULL,
        model BLOB NOT NULL
    )"""


@dataclass(frozen=True)
class SavedModel:
    """A churn model saved in the store, with what it was trained on."""

    version: str
    trained_until: datetime
    horizon_days: int
    n_train: int
    train_churners: int
    model: ChurnModel


@contextmanager
def quiet_empty_features() -> Iterator[None]:
    """Silence the warnings of portal features that are missing in every training row.

    Before any portal went live the portal-use features are all missing in the training
    snapshots; the imputer then leaves them out (and so does every later transform). That is
    expected for early score dates, not a fault to warn about.

    Examples
    --------
    >>> with quiet_empty_features():
    ...     pass
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipping features without any observed values")
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        yield


def _ensure_table(store: Store) -> None:
    store.con.execute(_DDL)


def table_exists(store: Store, table: str) -> bool:
    """Whether the store has a table of that name.

    Examples
    --------
    >>> table_exists(Store(":memory:"), "accounts"), table_exists(Store(":memory:"), "nope")
    (True, False)
    """
    row = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    return bool(row and row[0])


def default_as_of(store: Store) -> datetime:
    """The day after the store's last activity (midnight), as ``portalroi health`` uses.

    Examples
    --------
    >>> default_as_of(Store(":memory:"))
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: the store holds no tickets, invoices or events
    """
    _, last = data_period(store)
    return (last + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def day(value: date | datetime | str) -> datetime:
    """Midnight of a date (score dates are whole days).

    Examples
    --------
    >>> day("2024-03-01T15:30")
    datetime.datetime(2024, 3, 1, 0, 0)
    """
    return as_timestamp(value).replace(hour=0, minute=0, second=0, microsecond=0)


def _to_blob(model: ChurnModel) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return model.save(Path(tmp) / "model.pkl").read_bytes()


def _from_blob(blob: bytes) -> ChurnModel:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.pkl"
        path.write_bytes(blob)
        return ChurnModel.load(path)


def _next_version(store: Store, trained_until: datetime, horizon_days: int) -> str:
    stem = f"m{trained_until:%Y%m%d}-h{horizon_days}"
    row = store.con.execute(
        "SELECT count(*) FROM _risk_models WHERE model_version LIKE ?", [f"{stem}%"]
    ).fetchone()
    n = int(row[0]) if row else 0
    return stem if n == 0 else f"{stem}-{n + 1}"


def _save(
    store: Store,
    model: ChurnModel,
    trained_until: datetime,
    horizon_days: int,
    rows: pd.DataFrame,
    seconds: float,
    params: Mapping[str, Any],
) -> SavedModel:
    _ensure_table(store)
    version = _next_version(store, trained_until, horizon_days)
    churners = int(rows["churned"].sum())
    store.con.execute(
        "INSERT INTO _risk_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            version,
            trained_until,
            horizon_days,
            datetime.now().replace(microsecond=0),
            len(rows),
            churners,
            seconds,
            json.dumps(dict(params)),
            _to_blob(model),
        ],
    )
    return SavedModel(version, trained_until, horizon_days, len(rows), churners, model)


def fit_and_save(
    store: Store,
    until: datetime,
    horizon_days: int,
    rows: pd.DataFrame,
    model_config: Mapping[str, Any] | None,
    step_days: int,
    history_days: int,
) -> SavedModel:
    started = _time.perf_counter()
    with quiet_empty_features():
        model = _fit(rows, model_config)
    seconds = _time.perf_counter() - started
    params = {
        **DEFAULT_MODEL_CONFIG,
        **(model_config or {}),
        "step_days": step_days,
        "history_days": history_days,
        "features": list(MODEL_FEATURES),
    }
    return _save(store, model, until, horizon_days, rows, seconds, params)


def refit(
    store: Store,
    as_of: date | datetime | str | None = None,
    horizon_days: int = 180,
    step_days: int = 30,
    history_days: int = 180,
    model_config: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> SavedModel:
    """Fit the churn model on outcomes known by ``as_of`` and save it in the store.

    Parameters
    ----------
    as_of
        ``trained_until``: training snapshots ``s`` have ``s + horizon_days <= as_of``
        (default: the day after the last activity).
    horizon_days, step_days, history_days, model_config
        As :func:`portalroi.health.risk.fit_risk_model`.

    Returns
    -------
    SavedModel
        The new model and its version (``m<YYYYMMDD>-h<horizon>``, suffixed ``-2``, ``-3``...
        when refitted for the same date).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     refit(store)
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: the store holds no tickets, invoices or events
    """
    until = day(as_of) if as_of is not None else default_as_of(store)
    dates = _training_dates(store, until, horizon_days, step_days, history_days)
    rows = labelled_snapshots(store, dates, horizon_days, progress)
    return fit_and_save(store, until, horizon_days, rows, model_config, step_days, history_days)


def saved_models(store: Store) -> pd.DataFrame:
    """The saved models (without the pickled model), newest ``trained_until`` first.

    Examples
    --------
    >>> saved_models(Store(":memory:")).columns.tolist()[:3]
    ['model_version', 'trained_until', 'horizon_days']
    """
    cols = [
        "model_version",
        "trained_until",
        "horizon_days",
        "fitted_at",
        "n_train",
        "train_churners",
        "fit_seconds",
        "params",
    ]
    if not table_exists(store, "_risk_models"):
        return pd.DataFrame(columns=cols)
    return store.con.execute(
        f"SELECT {', '.join(cols)} FROM _risk_models ORDER BY trained_until DESC, fitted_at DESC"
    ).df()


def load_model(store: Store, version: str) -> SavedModel:
    """One saved model by version.

    Examples
    --------
    >>> load_model(Store(":memory:"), "m20240101-h180")
    Traceback (most recent call last):
    ...
    portalroi.errors.NotFoundError: no saved churn model 'm20240101-h180'
    """
    row = (
        store.con.execute(
            "SELECT model_version, trained_until, horizon_days, n_train, train_churners, model "
            "FROM _risk_models WHERE model_version = ?",
            [version],
        ).fetchone()
        if table_exists(store, "_risk_models")
        else None
    )
    if row is None:
        raise NotFoundError(f"no saved churn model {version!r}")
    return SavedModel(
        str(row[0]),
        as_timestamp(row[1]),
        int(row[2]),
        int(row[3]),
        int(row[4]),
        _from_blob(bytes(row[5])),
    )


def latest_model(
    store: Store, as_of: date | datetime | str, horizon_days: int = 180
) -> SavedModel | None:
    """The newest saved model with ``trained_until <= as_of`` for that horizon, if any.

    Examples
    --------
    >>> latest_model(Store(":memory:"), "2024-01-01") is None
    True
    """
    if not table_exists(store, "_risk_models"):
        return None
    row = store.con.execute(
        "SELECT model_version FROM _risk_models WHERE trained_until <= ? AND horizon_days = ? "
        "ORDER BY trained_until DESC, fitted_at DESC, model_version DESC LIMIT 1",
        [day(as_of), horizon_days],
    ).fetchone()
    return None if row is None else load_model(store, str(row[0]))
