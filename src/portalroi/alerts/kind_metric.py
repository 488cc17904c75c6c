"""``metric_change`` and ``metric_threshold`` rules over the metric registry.

A metric's value over a window ``[start, end)`` of whole days is what
:func:`portalroi.metrics.compute` gives for that date range: monthly metrics are computed over
the whole range in one row (``grain="all"``); daily metrics (DAU, MAU, stickiness, ...) are the
mean of their daily values over the window's days. Per account (``scope: account``) or for the
whole portal (``scope: portal``), on the rule's organisation's accounts when it has one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from portalroi.alerts.conditions import Condition, RuleContext
from portalroi.alerts.rules import MetricChangeRule, MetricThresholdRule
from portalroi.metrics import compute, get_metric

__all__ = ["evaluate_metric_change", "evaluate_metric_threshold", "metric_window"]


def metric_window(
    source: object, name: str, start: datetime, end: datetime, per_account: bool
) -> pd.Series:
    """A metric's value over ``[start, end)``: indexed by account (or ``"*"`` portal-wide).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> store = Store(":memory:")
    >>> metric_window(store, "mau", datetime(2024, 1, 1), datetime(2024, 2, 1), False).tolist()
    [0.0]
    >>> metric_window(store, "mau", datetime(2024, 1, 1), datetime(2024, 2, 1), True).empty
    True

    A count is 0 where nothing happened (no users active: MAU 0; an account without activity
    in the window: 0 for that account), so a fall to nothing is seen as a fall.
    """
    metric = get_metric(name)
    by = "account" if per_account else None
    first, last = start.date(), (end - timedelta(days=1)).date()
    if metric.grain == "day":
        df = compute(source, name, by=by, start=first, end=last)
    else:
        df = compute(source, name, by=by, start=first, end=last, grain="all")
    if df.empty:
        return pd.Series(dtype=float)
    if per_account:
        values = df.groupby("account")["value"].mean()
    else:
        values = pd.Series({"*": df["value"].astype(float).mean()})
    values.index = values.index.astype(str)
    return values.astype(float).dropna()


def _account(key: str) -> str | None:
    return None if key == "*" else key


def _where(key: str) -> str:
    return "portal-wide" if key == "*" else f"account {key}"


def evaluate_metric_change(rule: MetricChangeRule, ctx: RuleContext) -> list[Condition]:
    """Groups whose metric moved by more than ``pct`` % between the two windows."""
    n = timedelta(days=rule.window_days)
    end, mid, begin = ctx.as_of, ctx.as_of - n, ctx.as_of - 2 * n
    source = ctx.source(rule.org_id)
    per_account = rule.scope == "account"
    now = metric_window(source, rule.metric, mid, end, per_account)
    before = metric_window(source, rule.metric, begin, mid, per_account)
    both = pd.DataFrame({"now": now, "before": before}).dropna()
    both = both[(both["before"] > rule.min_base) & (both["before"] > 0)]
    change = (both["now"] - both["before"]) / both["before"] * 100.0
    hit = change <= -rule.pct if rule.direction == "fall" else change >= rule.pct
    out = []
    verb = "fell" if rule.direction == "fall" else "rose"
    for key in change[hit].index:
        pct = float(change[key])
        a, b = float(both["now"][key]), float(both["before"][key])
        out.append(
            Condition(
                account_id=_account(str(key)),
                subject=rule.metric,
                reason=(
                    f"{rule.metric} {verb} {abs(pct):.1f} % ({_where(str(key))}): "
                    f"{a:.4g} in the last {rule.window_days} days vs {b:.4g} in the "
                    f"{rule.window_days} days before (threshold {rule.pct:g} %)"
                ),
                value=round(pct, 6),
                threshold=-rule.pct if rule.direction == "fall" else rule.pct,
                window_start=begin,
                window_end=end,
                details={
                    "metric": rule.metric,
                    "direction": rule.direction,
                    "change_pct": pct,
                    "now": a,
                    "before": b,
                    "window_days": rule.window_days,
                    "threshold_pct": rule.pct,
                    "account": None if str(key) == "*" else str(key),
                },
            )
        )
    return out


def evaluate_metric_threshold(rule: MetricThresholdRule, ctx: RuleContext) -> list[Condition]:
    """Groups whose metric over the last ``window_days`` is above / below ``value``."""
    start = ctx.as_of - timedelta(days=rule.window_days)
    values = metric_window(
        ctx.source(rule.org_id), rule.metric, start, ctx.as_of, rule.scope == "account"
    )
    hit = values > rule.value if rule.op == "above" else values < rule.value
    sign = ">" if rule.op == "above" else "<"
    return [
        Condition(
            account_id=_account(str(key)),
            subject=rule.metric,
            reason=(
                f"{rule.metric} {float(v):.4g} {sign} {rule.value:g} ({_where(str(key))}, "
                f"last {rule.window_days} days)"
            ),
            value=round(float(v), 6),
            threshold=rule.value,
            window_start=start,
            window_end=ctx.as_of,
            details={
                "metric": rule.metric,
                "value": float(v),
                "op": rule.op,
                "limit": rule.value,
                "window_days": rule.window_days,
                "account": None if str(key) == "*" else str(key),
            },
        )
        for key, v in values[hit].items()
    ]
