"""Zero rows for the periods and groups a count metric saw no activity in.

A query returns rows only for what happened: a month without searches has no
``search_volume`` row, an account whose users did nothing in the range has no ``mau`` rows,
and a range after the last event returns nothing at all. For a count that hides the very
figures a customer-success lead looks for (the accounts that stopped using the portal), so
:func:`complete` adds the missing rows with the count 0:

* **periods**: every day (rolling metrics) or month (monthly counts) from ``--from`` to
  ``--to`` when both are given, else the periods the result already has;
* **groups** (``--by account``, ``segment`` or ``role``): every account that was a customer
  at some time in the range (created on or before ``--to``, not churned before ``--from``),
  the segments of those accounts, and every role of the users table, besides the groups the
  result has. A split by device adds no groups (the store lists no devices).

Rolling metrics keep their shape for groups that were active (rows from the group's first
active day); a group that was not active in the range (nor in the 29 days before it, which
the 30-day count reads) gets zero rows for every period. Metrics that are not counts (ratios,
times, amounts) and counts with a further key (ticket volume by channel, the active-days
histogram) are returned as computed: a ratio without a denominator has no value (stickiness,
the one rolling ratio, gets rows with DAU, WAU and MAU 0 and no value).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import pandas as pd

from portalroi.metrics._query import Query
from portalroi.metrics.registry import Metric

__all__ = ["COUNT_UNITS", "complete"]

#: Units of the metrics whose value is a count, and so 0 where nothing happened.
COUNT_UNITS: frozenset[str] = frozenset({"users", "sessions", "searches", "views"})


def complete(df: pd.DataFrame, metric: Metric, q: Query) -> pd.DataFrame:
    """``df`` (a computed metric, group column already named after ``q.by``) with zero rows
    for the periods and groups that had no activity (see the module docstring).

    Examples
    --------
    >>> from portalroi.metrics.api import get_metric
    >>> from portalroi.store import Store
    >>> q = Query(Store(":memory:").backend, None, date(2025, 1, 1), date(2025, 1, 3))
    >>> empty = pd.DataFrame({"day": pd.Series([], dtype="datetime64[s]"), "dau": [], "wau": [],
    ...                       "mau": [], "value": []}).astype({"dau": "int64", "wau": "int64",
    ...                       "mau": "int64", "value": "int64"})
    >>> complete(empty, get_metric("dau"), q)[["day", "dau"]].to_string(index=False)
    '       day  dau\\n2025-01-01    0\\n2025-01-02    0\\n2025-01-03    0'
    """
    period = "day" if metric.kind == "rolling" else "month"
    if metric.kind != "rolling" and (metric.kind != "aggregate" or metric.unit not in COUNT_UNITS):
        return df
    group = q.by
    if group is None and (q.start is None or q.end is None):
        return df  # the periods are the result's own: nothing can be missing
    keys = [period] + ([group] if group else [])
    counts = [c for c in df.columns if c not in keys]
    if period not in df.columns or any(not pd.api.types.is_numeric_dtype(df[c]) for c in counts):
        return df  # a further key (channel, feature): not a plain count per period
    periods = _periods(df, period, q)
    groups = _groups(df, q)
    if not periods or (group and not groups):
        return df
    if not group:
        grid = pd.DataFrame({period: periods})
    else:
        wanted = groups - set(df[group].dropna()) if metric.kind == "rolling" else groups
        grid = pd.MultiIndex.from_product([periods, sorted(wanted)], names=keys).to_frame(
            index=False
        )
    if grid.empty:
        return df
    grid[period] = grid[period].astype(df[period].dtype)
    seen = df[keys].drop_duplicates()
    grid = grid.merge(seen, on=keys, how="left", indicator=True)
    grid = grid[grid["_merge"] == "left_only"].drop(columns="_merge")
    if grid.empty:
        return df
    for c in counts:
        grid[c] = _zero(metric, c, df[c].dtype)
    added = grid[list(df.columns)]
    return pd.concat([df, added], ignore_index=True) if not df.empty else added


def _zero(metric: Metric, column: str, dtype: Any) -> Any:
    if column == "value" and metric.unit not in COUNT_UNITS:
        return float("nan")  # stickiness = dau / mau with mau = 0: no value, as the formula gives
    return pd.Series(0, dtype=dtype).iloc[0]


def _periods(df: pd.DataFrame, period: str, q: Query) -> list[Any]:
    if q.grain == "all":
        return [pd.NaT]
    if q.start is not None and q.end is not None:
        if period == "day":
            return list(pd.date_range(q.start, q.end, freq="D"))
        return list(pd.date_range(q.start.replace(day=1), q.end, freq="MS"))
    return sorted(df[period].dropna().unique())


def _groups(df: pd.DataFrame, q: Query) -> set[Any]:
    if q.by is None:
        return set()
    seen = set(df[q.by].dropna()) if q.by in df.columns else set()
    if q.by == "device":
        return seen
    if q.by == "role":
        users = q.raw("users")
        roles = users.filter(users.role.notnull()).select("role").distinct().execute()
        return seen | set(roles["role"])
    acc = q.raw("accounts")
    if q.end is not None:
        end = ibis.timestamp(f"{(q.end + timedelta(days=1)).isoformat()} 00:00:00")
        acc = acc.filter(acc.created_at.isnull() | (acc.created_at < end))
    if q.start is not None:
        acc = acc.filter(acc.churned_at.isnull() | (acc.churned_at >= _midnight(q.start)))
    column = "account_id" if q.by == "account" else "segment"
    found = acc.filter(acc[column].notnull()).select(column).distinct().execute()
    return seen | set(found[column])


def _midnight(d: date) -> Any:
    return ibis.timestamp(f"{d.isoformat()} 00:00:00")
