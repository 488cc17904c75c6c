"""Outcomes an intervention may target, each measured in a window before and after a date.

For an account and an anchor day ``d`` (00:00 UTC of the intervention's day) the *before*
window is ``[d - 7w, d)`` and the *after* window ``[d, d + 7w)`` (``w`` weeks, 13 by default):

* ``active_users``: mean weekly active users, i.e. distinct users with a portal event in each
  week ``[d + 7k, d + 7k + 7)``, averaged over the ``w`` weeks of the window (weeks with no
  activity count as 0).
* ``tickets``: tickets created in the window per month (count / (7w / 30.4375)).
* ``health``: the health score (0-100) as of the first month start at or before ``d``
  (before) and as of the first month start at or after ``d + 7w`` (after).
* ``retention``: 1 while the account is a customer; before = 1 (every compared account is a
  customer at ``d``), after = 1 when it has not churned before ``d + 7w``.

The default outcome of each kind is in :data:`TARGETS`.

Examples
--------
>>> OUTCOMES["active_users"].unit, TARGETS["training"]
('users per week', 'active_users')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from portalroi.interventions.risk import grid_date, next_grid_date, scores_as_of
from portalroi.store import Store

__all__ = ["OUTCOMES", "TARGETS", "Outcome", "measure"]

#: Days per average month, for ticket rates.
_MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class Outcome:
    """An outcome: what it is, its unit, which way is good, and whether it needs portal use."""

    name: str
    label: str
    unit: str
    higher_is_better: bool
    #: Only accounts whose portal was live for the whole before-window are compared.
    needs_portal: bool
    description: str


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        Outcome(
            "active_users",
            "Weekly active users",
            "users per week",
            True,
            True,
            "mean distinct users with a portal event per week of the window",
        ),
        Outcome(
            "tickets",
            "Tickets per month",
            "tickets per month",
            False,
            False,
            "tickets created in the window per month",
        ),
        Outcome(
            "health",
            "Health score",
            "points (0-100)",
            True,
            False,
            "health score as of the month start before vs after the window",
        ),
        Outcome(
            "retention",
            "Retention",
            "share still a customer",
            True,
            False,
            "1 when the account has not churned by the end of the after-window",
        ),
    )
}

#: The outcome each kind of intervention targets unless another is asked for.
TARGETS: dict[str, str] = {
    "training": "active_users",
    "playbook_step": "active_users",
    "new_article": "tickets",
    "call": "health",
    "qbr": "retention",
    "discount": "retention",
    "other": "health",
}


def _register(store: Store, pairs: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "pair": pairs["pair"].astype("int64"),
            "account_id": pairs["account_id"].astype(str),
            "anchor": pd.to_datetime(pairs["anchor"]),
        }
    )
    store.con.register("_iv_pairs", frame)


def _active_users(store: Store, pairs: pd.DataFrame, weeks: int) -> pd.DataFrame:
    sql = f"""
    WITH e AS (
        SELECT p.pair,
            floor(date_diff('second', p.anchor, ev.ts) / 604800.0) AS wk,
            count(DISTINCT ev.user_id) AS au
        FROM _iv_pairs p JOIN events ev ON ev.account_id = p.account_id
            AND ev.ts >= p.anchor - INTERVAL {7 * weeks} DAY
            AND ev.ts < p.anchor + INTERVAL {7 * weeks} DAY
        WHERE ev.user_id IS NOT NULL
        GROUP BY 1, 2
    )
    SELECT p.pair,
        coalesce(sum(e.au) FILTER (WHERE e.wk < 0), 0) / {weeks} AS pre,
        coalesce(sum(e.au) FILTER (WHERE e.wk >= 0), 0) / {weeks} AS post
    FROM _iv_pairs p LEFT JOIN e USING (pair)
    GROUP BY p.pair
    """
    out: pd.DataFrame = store.con.execute(sql).df()
    return out


def _tickets(store: Store, pairs: pd.DataFrame, weeks: int) -> pd.DataFrame:
    months = 7 * weeks / _MONTH_DAYS
    sql = f"""
    SELECT p.pair,
        count(t.ticket_id) FILTER (WHERE t.created_at < p.anchor) / {months} AS pre,
        count(t.ticket_id) FILTER (WHERE t.created_at >= p.anchor) / {months} AS post
    FROM _iv_pairs p LEFT JOIN tickets t ON t.account_id = p.account_id
        AND t.created_at >= p.anchor - INTERVAL {7 * weeks} DAY
        AND t.created_at < p.anchor + INTERVAL {7 * weeks} DAY
    GROUP BY p.pair
    """
    out: pd.DataFrame = store.con.execute(sql).df()
    return out


def _retention(store: Store, pairs: pd.DataFrame, weeks: int) -> pd.DataFrame:
    sql = f"""
    SELECT p.pair, 1.0 AS pre,
        CASE WHEN a.churned_at IS NULL OR a.churned_at >= p.anchor + INTERVAL {7 * weeks} DAY
             THEN 1.0 ELSE 0.0 END AS post
    FROM _iv_pairs p JOIN accounts a USING (account_id)
    """
    out: pd.DataFrame = store.con.execute(sql).df()
    return out


def _health(store: Store, pairs: pd.DataFrame, weeks: int) -> pd.DataFrame:
    anchors = pd.to_datetime(pairs["anchor"])
    before = [grid_date(a.to_pydatetime()) for a in anchors]
    after = [next_grid_date(a.to_pydatetime() + timedelta(days=7 * weeks)) for a in anchors]
    scores = scores_as_of(store, set(before) | set(after))
    lookup = {(a, str(k)): float(s) for a, k, s in scores[["as_of", "account_id", "score"]].values}
    ids = pairs["account_id"].astype(str).tolist()
    return pd.DataFrame(
        {
            "pair": pairs["pair"].to_numpy(),
            "pre": [lookup.get((pd.Timestamp(b), k)) for b, k in zip(before, ids, strict=True)],
            "post": [lookup.get((pd.Timestamp(f), k)) for f, k in zip(after, ids, strict=True)],
        }
    )


_MEASURES: dict[str, Callable[[Store, pd.DataFrame, int], pd.DataFrame]] = {
    "active_users": _active_users,
    "tickets": _tickets,
    "retention": _retention,
    "health": _health,
}


def measure(store: Store, outcome: str, pairs: pd.DataFrame, weeks: int = 13) -> pd.DataFrame:
    """Before and after values of ``outcome`` for each (pair, account, anchor) row of ``pairs``.

    Parameters
    ----------
    store
        The analytics store.
    outcome
        A name in :data:`OUTCOMES`.
    pairs
        Columns ``pair`` (unique integer), ``account_id``, ``anchor`` (timestamp).
    weeks
        Length of each window in weeks.

    Returns
    -------
    pandas.DataFrame
        ``pair``, ``pre``, ``post`` (missing where the outcome cannot be measured, e.g. no
        health score).

    Examples
    --------
    >>> s = Store(":memory:")
    >>> _ = s.con.execute("INSERT INTO accounts (account_id, created_at) VALUES "
    ...     "('A1', '2023-01-01')")
    >>> p = pd.DataFrame({"pair": [0], "account_id": ["A1"], "anchor": ["2024-03-01"]})
    >>> measure(s, "retention", p).values.tolist()
    [[0.0, 1.0, 1.0]]
    """
    if not len(pairs):
        return pd.DataFrame({"pair": [], "pre": [], "post": []})
    if outcome == "health":
        out = _health(store, pairs, weeks)
    else:
        _register(store, pairs)
        try:
            out = _MEASURES[outcome](store, pairs, weeks)
        finally:
            store.con.unregister("_iv_pairs")
    out = out.astype({"pre": float, "post": float})
    return out.sort_values("pair").reset_index(drop=True)
