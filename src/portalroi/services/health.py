"""Account health of every account: features, scores, reasons and churn risk.

Scores, reasons and the churn model come from :mod:`portalroi.health`. The features of an
account depend on that account's rows only, so scoring the whole store and keeping the accounts
in scope gives the same numbers as scoring a store that holds only them; callers (the health
pages and the ``/health`` API routes) compute once per data version and keep their scope's rows.
The churn model is fitted on every account's history (its coefficients, not other
organisations' rows, are what a scoped user's risk figure uses).

Examples
--------
>>> sort_health(pd.DataFrame({"score": [80.0, 20.0], "risk": [0.1, 0.3]}), "score").score.tolist()
[20.0, 80.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from portalroi.errors import DataError
from portalroi.health import (
    HealthConfig,
    account_features,
    churn_risk,
    fit_risk_model,
    health_scores,
    score_reasons,
)
from portalroi.health.risk import data_period
from portalroi.store import Store

__all__ = ["HEALTH_SORTS", "HealthData", "compute_health", "sort_health"]

#: Sortable columns of the at-risk table: key -> (frame column, ascending).
HEALTH_SORTS: dict[str, tuple[str, bool]] = {
    "score": ("score", True),
    "risk": ("risk", False),
    "change": ("change", True),
    "account": ("account_id", True),
}


@dataclass(frozen=True)
class HealthData:
    """Everything the health pages and routes read, computed once per data version."""

    as_of: pd.Timestamp
    features: pd.DataFrame
    scores: pd.DataFrame
    reasons: pd.DataFrame
    risk: pd.DataFrame | None
    accounts: pd.DataFrame


def compute_health(store: Store) -> HealthData:
    """Features, scores, reasons and (when it can be fitted) model risk as of the data's end.

    The as-of date is the day after the last activity, as ``portalroi health`` uses.

    Raises :class:`~portalroi.errors.DataError` when the store holds no activity.

    Examples
    --------
    >>> compute_health(Store(":memory:"))
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: the store holds no tickets, invoices or events
    """
    _, last = data_period(store)
    at = (last + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    cfg = HealthConfig.default()
    feats = account_features(store, at)
    scores = health_scores(store, at, cfg, features=feats)
    reasons = score_reasons(feats, cfg, top=3)
    risk: pd.DataFrame | None
    try:
        risk = churn_risk(fit_risk_model(store, at), feats)
    except (DataError, ValueError):
        # Too little history (or one class only) to fit the model: show the score alone.
        risk = None
    accounts = store.con.execute("SELECT account_id, name, segment FROM accounts").df()
    return HealthData(
        pd.Timestamp(at), feats, scores, reasons, risk, accounts.set_index("account_id")
    )


def sort_health(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` sorted by one of :data:`HEALTH_SORTS` (missing values last; unknown keys sort
    by score).

    Examples
    --------
    >>> f = pd.DataFrame({"score": [50.0, None, 10.0]}, index=["b", "c", "a"])
    >>> sort_health(f, "score").index.tolist(), sort_health(f, "account").index.tolist()
    (['a', 'b', 'c'], ['a', 'b', 'c'])
    """
    column, ascending = HEALTH_SORTS.get(key, HEALTH_SORTS["score"])
    if column == "account_id" and column not in frame.columns:
        return frame.sort_index(ascending=ascending)
    return frame.sort_values(column, ascending=ascending, na_position="last", kind="stable")
