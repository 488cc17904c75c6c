"""``spike`` and ``topic_surge`` rules: a recent count against its own trailing baseline.

Both cut the days before the evaluation instant into blocks of ``window_days``: the recent block
``[as_of - window_days, as_of)`` and the ``k = baseline_days // window_days`` blocks before it.
With ``mean`` and ``sd`` (sample standard deviation) of the baseline blocks' counts:

* ``ratio = recent / max(mean, 1)``: the mean counts as at least 1, so a count rising from
  nothing is compared with 1 instead of dividing by zero;
* ``z = (recent - mean) / max(sd, 1)``: the same floor for a baseline that never varied.

A condition holds when the statistic reaches the rule's threshold and ``recent >= min_count``.

Examples
--------
>>> import numpy as np
>>> block_stats(np.array([1, 1, 1, 1, 2, 2, 2, 2, 9]), window_days=1, baseline_days=8)
(9.0, 1.5, 0.5345224838248488)
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from portalroi.alerts.conditions import Condition, RuleContext, org_accounts
from portalroi.alerts.rules import COUNTS, SpikeRule, TopicSurgeRule
from portalroi.store import Store

__all__ = ["block_stats", "daily_counts", "evaluate_spike", "evaluate_topic_surge"]


def block_stats(
    daily: np.ndarray, window_days: int, baseline_days: int
) -> tuple[float, float, float]:
    """Recent block count, mean and sample sd of the baseline blocks, from daily counts.

    ``daily`` holds ``baseline_days + window_days`` daily counts, oldest first.
    """
    recent = float(daily[-window_days:].sum())
    k = baseline_days // window_days
    base = daily[: len(daily) - window_days][::-1][: k * window_days]
    blocks = base.reshape(k, window_days).sum(axis=1).astype(float)
    sd = float(blocks.std(ddof=1)) if k > 1 else 0.0
    return recent, float(blocks.mean()), sd


def daily_counts(
    store: Store, count: str, start: datetime, days: int, accounts: set[str] | None
) -> pd.DataFrame:
    """Counts per account (rows) and day index 0..days-1 from ``start`` (columns), zeros filled.

    Examples
    --------
    >>> daily_counts(Store(":memory:"), "tickets", datetime(2024, 1, 1), 3, None).shape
    (0, 3)
    """
    table, column, where = COUNTS[count]
    sql = (
        f"SELECT account_id, date_diff('day', $start, {column}) AS day, count(*) AS n "
        f"FROM {table} WHERE {column} >= $start AND {column} < $end AND ({where}) "
        "GROUP BY ALL"
    )
    end = start + timedelta(days=days)
    df = store.con.execute(sql, {"start": start, "end": end}).df()
    df["account_id"] = df["account_id"].astype(object).where(df["account_id"].notna(), "")
    if accounts is not None:
        df = df[df["account_id"].isin(accounts)]
    wide = df.pivot_table(index="account_id", columns="day", values="n", aggfunc="sum")
    return wide.reindex(columns=range(days)).fillna(0).astype(int)


def _statistic(method: str, recent: float, mean: float, sd: float) -> float:
    if method == "ratio":
        return recent / max(mean, 1.0)
    return (recent - mean) / max(sd, 1.0)


def evaluate_spike(rule: SpikeRule, ctx: RuleContext) -> list[Condition]:
    """Accounts (or the portal) whose recent count spiked against the trailing baseline."""
    days = rule.baseline_days + rule.window_days
    start = ctx.as_of - timedelta(days=days)
    wide = daily_counts(ctx.store, rule.count, start, days, org_accounts(ctx.store, rule.org_id))
    if rule.scope == "portal":
        wide = pd.DataFrame([wide.sum(axis=0).to_numpy()], index=["*"]) if len(wide) else wide
    else:  # rows without an account count portal-wide only
        wide = wide[wide.index != ""]
    out = []
    for key, row in wide.iterrows():
        recent, mean, sd = block_stats(row.to_numpy(), rule.window_days, rule.baseline_days)
        stat = _statistic(rule.method, recent, mean, sd)
        if recent < rule.min_count or stat < rule.threshold:
            continue
        what = "ratio" if rule.method == "ratio" else "z-score"
        where = "portal-wide" if key == "*" else f"account {key}"
        out.append(
            Condition(
                account_id=None if key == "*" else str(key),
                subject=rule.count,
                reason=(
                    f"{rule.count} spiked ({where}): {recent:g} in the last {rule.window_days} "
                    f"day(s) vs a baseline mean of {mean:.3g} (sd {sd:.3g}) over the "
                    f"{rule.baseline_days} days before; {what} {stat:.2f} >= {rule.threshold:g}"
                ),
                value=round(stat, 6),
                threshold=rule.threshold,
                window_start=start,
                window_end=ctx.as_of,
                details={
                    "count": rule.count,
                    "recent": float(recent),
                    "mean": float(mean),
                    "sd": float(sd),
                    "window_days": rule.window_days,
                    "baseline_days": rule.baseline_days,
                    "method": rule.method,
                    "statistic": float(stat),
                    "threshold": rule.threshold,
                    "account": None if key == "*" else str(key),
                },
            )
        )
    return out


def _topic_labels(tickets: pd.DataFrame, how: str, k: int | None) -> pd.Series:
    if how == "category":
        return tickets["category"].astype(object).where(tickets["category"].notna(), "(none)")
    from portalroi.analytics._frames import ticket_text
    from portalroi.analytics.topics_store import find_ticket_topics

    if len(tickets) < 10:
        return pd.Series(["(too few tickets)"] * len(tickets), index=tickets.index)
    groups = find_ticket_topics(ticket_text(tickets), k=k, max_fit=2000, k_max=20)
    names = dict(zip(groups.groups["topic"], groups.groups["name"], strict=True))
    return pd.Series([names.get(int(x), "(unassigned)") for x in groups.labels], tickets.index)


def evaluate_topic_surge(rule: TopicSurgeRule, ctx: RuleContext) -> list[Condition]:
    """Ticket topics whose recent count surged against their trailing baseline."""
    days = rule.baseline_days + rule.window_days
    start = ctx.as_of - timedelta(days=days)
    tickets = ctx.store.con.execute(
        "SELECT account_id, created_at, category, subject, description FROM tickets "
        "WHERE created_at >= ? AND created_at < ? ORDER BY created_at, ticket_id",
        [start, ctx.as_of],
    ).df()
    allowed = org_accounts(ctx.store, rule.org_id)
    if allowed is not None:
        tickets = tickets[tickets["account_id"].isin(allowed)]
    if tickets.empty:
        return []
    day = ((tickets["created_at"] - pd.Timestamp(start)).dt.total_seconds() // 86400).astype(int)
    frame = pd.DataFrame({"topic": _topic_labels(tickets, rule.topics, rule.k), "day": day})
    wide = frame.pivot_table(index="topic", columns="day", aggfunc="size", fill_value=0)
    wide = wide.reindex(columns=range(days)).fillna(0).astype(int)
    out = []
    for topic, row in wide.iterrows():
        if str(topic).startswith("("):
            continue
        recent, mean, _ = block_stats(row.to_numpy(), rule.window_days, rule.baseline_days)
        ratio = recent / max(mean, 1.0)
        if recent < rule.min_count or ratio < rule.ratio:
            continue
        out.append(
            Condition(
                account_id=None,
                subject=str(topic),
                reason=(
                    f"ticket topic '{topic}' surged: {recent:g} tickets in the last "
                    f"{rule.window_days} days vs a mean of {mean:.3g} per {rule.window_days} "
                    f"days over the {rule.baseline_days} days before; ratio {ratio:.2f} >= "
                    f"{rule.ratio:g}"
                ),
                value=round(ratio, 6),
                threshold=rule.ratio,
                window_start=start,
                window_end=ctx.as_of,
                details={
                    "topic": str(topic),
                    "recent": float(recent),
                    "mean": float(mean),
                    "window_days": rule.window_days,
                    "baseline_days": rule.baseline_days,
                    "ratio": float(ratio),
                    "threshold": rule.ratio,
                },
            )
        )
    return out
