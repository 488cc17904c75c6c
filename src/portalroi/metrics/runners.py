"""Runners: the metric shapes that are not a plain aggregate.

Each runner is a pure function ``(query, **params) -> ibis table``; the registry names a runner
by its kind and :data:`RUNNERS` dispatches to it. They are written so every engine accepts them:
rolling distinct users use the coverage-interval method over a (user, day) table (no DISTINCT
window functions, no range self-join), funnels use per-unit min/max instead of self-joins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import ibis
import pandas as pd

from portalroi.metrics._expr import month_of, months_between, ratio
from portalroi.metrics._from_rollups import cohort_counts, daily_active, help_funnel
from portalroi.metrics._query import Query
from portalroi.metrics.rollups import user_days

__all__ = [
    "RUNNERS",
    "active_days_histogram",
    "aggregate",
    "retention_cohorts",
    "retention_trend",
    "rolling_active",
    "session_sequence",
    "user_sequence",
]

#: Column of :func:`rolling_active` for each window length in days.
WINDOW_COLUMNS: dict[int, str] = {1: "dau", 7: "wau", 30: "mau"}


def aggregate(q: Query, formula: Callable[[Query], Any]) -> Any:
    """A simple aggregate: the registry entry's ``formula(query)`` is the whole expression."""
    return formula(q)


def rolling_active(q: Query, value: str = "dau", windows: Sequence[int] = (1, 7, 30)) -> Any:
    """Distinct active users over the trailing 1, 7 and 30 days, for every calendar day.

    Coverage intervals: for each user's active day ``d`` with previous active day ``p``, the
    user is newly inside a ``W``-day window on days ``[max(d, p + W), d + W)``; a +1 at the
    start and a -1 at the end, summed per day and accumulated over the calendar, gives the exact
    distinct count. Activity up to ``W - 1`` days before ``--from`` counts towards the first
    days. ``value`` names the output column copied to ``value`` (``dau``, ``wau``, ``mau`` or
    ``stickiness`` = dau / mau).
    """
    if tuple(windows) == (1, 7, 30):
        daily = daily_active(q)
        if daily is not None:
            return _rolling_value(daily, value)
    lookback = max(windows) - 1
    wide = Query(q.backend, q.by, q.start - timedelta(days=lookback) if q.start else None, q.end)
    ud = user_days(wide)
    keys = q.keys
    prev = ud.day.lag().over(ibis.window(group_by=[*keys, "user_id"], order_by=ud.day))
    ud = ud.mutate(prev=prev)
    # One pass over the user-days: each row fans out into a +1 (start) and a -1 (end) row per
    # window by unnesting a small range, so engines that do not reuse subqueries (Spark) read the
    # user-day table once instead of once per window and sign.
    cols = [WINDOW_COLUMNS[w] for w in windows]
    x = ud.mutate(k=ibis.range(2 * len(windows)).unnest())
    day_cases = []
    for i, w in enumerate(windows):
        step = ibis.interval(days=w)
        start = ibis.greatest(x.day, ibis.coalesce(x.prev + step, x.day))
        day_cases += [(x.k == 2 * i, start), (x.k == 2 * i + 1, x.day + step)]
    x = x.select(
        *keys,
        day=ibis.cases(*day_cases).cast("date"),
        **{
            col: ibis.cases((x.k == 2 * i, 1), (x.k == 2 * i + 1, -1), else_=0)
            for i, col in enumerate(cols)
        },
    )
    deltas = x.group_by([*keys, "day"]).aggregate(**{col: x[col].sum() for col in cols})
    first, last = _calendar_bounds(ud, wide)
    calendar = _calendar(first, last)
    if keys:
        firsts = ud.group_by(keys).aggregate(first_day=ud.day.min())
        grid = calendar.cross_join(firsts)
        grid = grid.filter(grid.day >= grid.first_day).drop("first_day")
    else:
        grid = calendar
    joined = grid.left_join(deltas, [*keys, "day"]).select(
        *[grid[k] for k in keys],
        grid.day,
        *[deltas[WINDOW_COLUMNS[w]] for w in windows],
    )
    cum = ibis.cumulative_window(group_by=keys or None, order_by=joined.day)
    out = joined.select(
        *keys,
        "day",
        **{
            WINDOW_COLUMNS[w]: joined[WINDOW_COLUMNS[w]].fill_null(0).sum().over(cum).cast("int64")
            for w in windows
        },
    )
    if q.start is not None:
        out = out.filter(out.day >= ibis.date(q.start.isoformat()))
    return _rolling_value(out, value)


def _rolling_value(out: Any, value: str) -> Any:
    if value == "stickiness":
        return out.mutate(value=ratio(out.dau, out.mau))
    return out.mutate(value=out[value])


#: A one-row table to unnest calendars from. Ibis keeps every memtable it has run registered
#: with the connection until the process exits, so a memtable made per query would add a view
#: (and its data) to every pooled connection of a server on every computation; this one is
#: registered once per connection.
_ONE_ROW = ibis.memtable({"one": [1]})


def _calendar(first: pd.Timestamp | None, last: pd.Timestamp | None) -> Any:
    """Table ``day``: every calendar day from ``first`` to ``last`` (none when ``first`` is
    ``None``), unnested in the engine (no per-query memtable)."""
    if first is None or last is None:
        start = stop = pd.Timestamp(0)
    else:
        start = pd.Timestamp(first).normalize()
        stop = pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    ts = ibis.range(
        ibis.literal(start.to_pydatetime(), type="timestamp"),
        ibis.literal(stop.to_pydatetime(), type="timestamp"),
        ibis.interval(days=1),
    )
    days = _ONE_ROW.select(ts=ts.unnest())  # Spark: a generator cannot sit inside a cast
    return days.select(day=days.ts.cast("date"))


def _calendar_bounds(ud: Any, q: Query) -> tuple[Any, Any]:
    bounds = ud.aggregate(lo=ud.day.min(), hi=ud.day.max()).execute()
    lo, hi = bounds["lo"].iloc[0], bounds["hi"].iloc[0]
    if pd.isna(lo):
        return None, None
    first = pd.Timestamp(q.start) if q.start else pd.Timestamp(lo)
    last = pd.Timestamp(q.end) if q.end else pd.Timestamp(hi)
    return first, last


def active_days_histogram(q: Query) -> Any:
    """Users active on exactly N distinct days of each month, and on at least N days."""
    ud = user_days(q)
    keys = q.keys
    per_user = ud.group_by([*keys, "user_id", month_of(ud.day).name("month")]).aggregate(
        active_days=ud.day.nunique()
    )
    hist = per_user.group_by([*keys, "month", "active_days"]).aggregate(users=ibis._.count())
    win = ibis.window(
        group_by=[*keys, "month"], order_by=ibis.desc(hist.active_days), rows=(None, 0)
    )
    hist = hist.mutate(at_least=hist.users.sum().over(win).cast("int64"))
    return hist.mutate(value=hist.users)


def _user_months(q: Query) -> Any:
    ud = user_days(q)
    return ud.select(*q.keys, "user_id", month=month_of(ud.day)).distinct()


def retention_cohorts(q: Query) -> Any:
    """Monthly cohorts by first active month: users of each cohort active ``offset`` months later."""
    keys = q.keys
    counts = cohort_counts(q)
    if counts is None:
        um = _user_months(q)
        # a user's cohort is their first active month over the whole history up to the range's
        # end, not the first inside the range: with --from, users active before it are not a
        # new cohort; cohorts that began before the range's first month are left out
        history = _user_months(replace(q, start=None)) if q.start is not None else um
        firsts = history.group_by([*keys, "user_id"]).aggregate(cohort=history.month.min())
        if q.start is not None:
            firsts = firsts.filter(firsts.cohort >= ibis.literal(q.start.replace(day=1)))
        j = um.join(firsts, [*keys, "user_id"])
        counts = j.group_by(
            [*keys, "cohort", months_between(j.month, j.cohort).name("offset")]
        ).aggregate(users=j.user_id.nunique())
    sizes = counts.filter(counts.offset == 0).select(*keys, "cohort", cohort_size=counts.users)
    # every cell up to the last month with activity, zero where nobody of the cohort came back
    # (a cell missing for want of users would leave the worst cohorts out of the trend)
    index = counts.cohort.year() * 12 + counts.cohort.month() + counts.offset
    last = counts.aggregate(last=index.max()).last.as_scalar()
    sizes = sizes.mutate(horizon=last - (sizes.cohort.year() * 12 + sizes.cohort.month()))
    grid = sizes.mutate(offset=ibis.range(0, sizes.horizon + 1).unnest().cast("int64"))
    out = grid.left_join(counts, [*keys, "cohort", "offset"])
    return out.select(
        *[grid[k] for k in keys],
        grid.cohort,
        grid.offset,
        grid.cohort_size,
        users=out.users.fill_null(0).cast("int64"),
        value=ratio(out.users.fill_null(0), grid.cohort_size),
    )


def retention_trend(q: Query, offset: int = 1) -> Any:
    """Retention at one offset (e.g. month 1) for each cohort: the trend of that interval."""
    cohorts = retention_cohorts(q)
    return cohorts.filter(cohorts.offset == offset)


def session_sequence(
    q: Query, first: Sequence[str], then: Sequence[str], *, require_session: bool = True
) -> Any:
    """Share of sessions with a ``first`` event where a ``then`` event follows, strictly later.

    A session converts when its latest ``then`` event is later than its earliest ``first``
    event, which is exactly "some ``then`` follows some ``first``" without a self-join. Months
    are those of the session's first ``first`` event.
    """
    out = help_funnel(q, first, then)
    if out is not None:
        return out.mutate(value=ratio(out.converted, out.sessions))
    ev = q.events()
    ev = ev.filter(ev.event_type.isin([*first, *then]) & ev.session_id.notnull())
    is_first = ev.event_type.isin(list(first))
    is_then = ev.event_type.isin(list(then))
    sess = ev.group_by([*q.keys, "session_id"]).aggregate(
        first_ts=ev.ts.min(where=is_first), last_ts=ev.ts.max(where=is_then)
    )
    sess = sess.filter(sess.first_ts.notnull())
    sess = sess.mutate(
        month=q.period(sess.first_ts), hit=(sess.last_ts > sess.first_ts).fill_null(False)
    )
    out = sess.group_by([*q.keys, "month"]).aggregate(
        sessions=sess.count(), converted=sess.hit.sum().cast("int64")
    )
    return out.mutate(value=ratio(out.converted, out.sessions))


def user_sequence(q: Query, first: Sequence[str], then: Sequence[str], hours: float) -> Any:
    """Share of users with a ``first`` event in a month who do a ``then`` event within ``hours``.

    Pairs are matched per user on the small filtered subset of the two event kinds (a range
    join every engine supports). The month is the ``first`` event's.
    """
    ev = q.events()
    src = ev.filter(ev.event_type.isin(list(first))).select(*q.keys, "user_id", "ts")
    dst = ev.filter(ev.event_type.isin(list(then))).select(uid=ev.user_id, ts2=ev.ts)
    pairs = src.join(
        dst,
        [
            src.user_id == dst.uid,
            dst.ts2 > src.ts,
            dst.ts2 <= src.ts + ibis.interval(seconds=int(hours * 3600)),
        ],
    )
    hit = pairs.select(*q.keys, "user_id", month=q.period(pairs.ts)).distinct().mutate(hit=1)
    base = src.select(*q.keys, "user_id", month=q.period(src.ts)).distinct()
    j = base.left_join(hit, [*q.keys, "user_id", "month"])
    j = j.select(*[base[k] for k in q.keys], base.user_id, base.month, hit=j.hit.fill_null(0))
    out = j.group_by([*q.keys, "month"]).aggregate(
        users=j.count(), converted=j.hit.sum().cast("int64")
    )
    return out.mutate(value=ratio(out.converted, out.users))


#: Runner kinds the registry may name.
RUNNERS: dict[str, Callable[..., Any]] = {
    "aggregate": aggregate,
    "rolling": rolling_active,
    "histogram": active_days_histogram,
    "cohort": retention_cohorts,
    "cohort_trend": retention_trend,
    "session_funnel": session_sequence,
    "user_funnel": user_sequence,
}
