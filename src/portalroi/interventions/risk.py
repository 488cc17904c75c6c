"""Each account's health score as of past dates, from data before those dates only.

Matching compares accounts on how at risk they looked *before* the intervention. The score of
an account as of an instant ``g`` is read from the stored ``risk_scores`` history when it holds a
score of that account dated on or before ``g`` and less than 45 days before it (the latest one),
otherwise computed with
:func:`portalroi.health.features.account_features` and
:func:`portalroi.health.score.score_accounts` as of ``g`` (windows end at ``g``, exclusive).

Scores are taken on a monthly grid: the as-of instant of a date is the first day (00:00 UTC) of
its calendar month, so an intervention on 17 March is matched on the score as of 1 March.

Examples
--------
>>> from datetime import datetime
>>> grid_date(datetime(2024, 3, 17, 10, 0))
datetime.datetime(2024, 3, 1, 0, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pandas as pd

from portalroi.health.features import account_features
from portalroi.health.score import score_accounts
from portalroi.store import Store

__all__ = ["grid_date", "next_grid_date", "scores_as_of"]

#: A stored score older than this before the as-of date is too stale to match on.
_FRESH = pd.Timedelta(days=45)


def grid_date(when: datetime) -> datetime:
    """First instant of ``when``'s calendar month."""
    return datetime(when.year, when.month, 1)


def next_grid_date(when: datetime) -> datetime:
    """First month start at or after ``when``.

    Examples
    --------
    >>> next_grid_date(datetime(2024, 3, 1)), next_grid_date(datetime(2024, 12, 2))
    (datetime.datetime(2024, 3, 1, 0, 0), datetime.datetime(2025, 1, 1, 0, 0))
    """
    start = grid_date(when)
    if start == when:
        return start
    return datetime(when.year + (when.month == 12), when.month % 12 + 1, 1)


def _stored(store: Store) -> pd.DataFrame | None:
    tables = {r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "risk_scores" not in tables:
        return None
    cols = {
        r[0]
        for r in store.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'risk_scores'"
        ).fetchall()
    }
    if not {"score_date", "account_id", "health_score"} <= cols:
        return None
    frame: pd.DataFrame = store.con.execute(
        "SELECT account_id, CAST(score_date AS TIMESTAMP) AS score_date, health_score "
        "FROM risk_scores WHERE health_score IS NOT NULL"
    ).df()
    return frame if len(frame) else None


def scores_as_of(store: Store, dates: Iterable[datetime]) -> pd.DataFrame:
    """Health scores (0-100) of every customer account as of each date.

    Parameters
    ----------
    store
        The analytics store.
    dates
        As-of instants (usually :func:`grid_date` values).

    Returns
    -------
    pandas.DataFrame
        Columns ``as_of``, ``account_id``, ``score``, ``source`` (``stored`` or ``computed``).

    Examples
    --------
    >>> scores_as_of(Store(":memory:"), [datetime(2024, 1, 1)]).shape
    (0, 4)
    """
    stored = _stored(store)
    parts: list[pd.DataFrame] = []
    for at in sorted(set(dates)):
        frame = pd.DataFrame(columns=["account_id", "score", "source"])
        if stored is not None:
            t = pd.Timestamp(at)
            known = stored[(stored["score_date"] <= t) & (stored["score_date"] > t - _FRESH)]
            if len(known):
                latest = known.sort_values("score_date").groupby("account_id").tail(1)
                frame = pd.DataFrame(
                    {
                        "account_id": latest["account_id"].astype(str),
                        "score": latest["health_score"].astype(float),
                        "source": "stored",
                    }
                )
        feats = account_features(store, at)
        feats = feats[~feats.index.astype(str).isin(set(frame["account_id"]))]
        if len(feats):
            scored = score_accounts(feats)
            computed = pd.DataFrame(
                {
                    "account_id": scored.index.astype(str),
                    "score": scored["score"].astype(float).to_numpy(),
                    "source": "computed",
                }
            )
            frame = computed if not len(frame) else pd.concat([frame, computed])
        if len(frame):
            parts.append(frame.assign(as_of=pd.Timestamp(at)))
    if not parts:
        return pd.DataFrame(
            {
                "as_of": pd.Series(dtype="datetime64[ns]"),
                "account_id": pd.Series(dtype=object),
                "score": pd.Series(dtype=float),
                "source": pd.Series(dtype=object),
            }
        )
    out = pd.concat(parts, ignore_index=True)
    return out[["as_of", "account_id", "score", "source"]]
