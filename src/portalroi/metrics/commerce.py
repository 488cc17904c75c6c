"""Orders and billing formulas: conversion, order value, portal share, invoices, days to pay."""

from __future__ import annotations

from typing import Any

from portalroi.metrics._expr import days_between, ratio
from portalroi.metrics._query import Query

__all__ = [
    "average_order_value",
    "days_to_pay",
    "invoice_portal_share",
    "invoices_viewed",
    "order_conversion",
    "portal_order_share",
]


def order_conversion(q: Query) -> Any:
    """Share of active users who placed an order in the portal, per month."""
    ev = q.events()
    ev = ev.mutate(month=q.period(ev.ts))
    out = ev.group_by([*q.keys, "month"]).aggregate(
        active_users=ev.user_id.nunique(),
        buyers=ev.user_id.nunique(where=ev.event_type == "order_placed"),
    )
    return out.mutate(value=ratio(out.buyers, out.active_users))


def _orders(q: Query) -> Any:
    o = q.table("orders", "ts")
    return o.mutate(month=q.period(o.ts))


def average_order_value(q: Query) -> Any:
    """Mean order amount per month (all channels; ``portal_aov`` for portal orders)."""
    o = _orders(q)
    return o.group_by([*q.keys, "month"]).aggregate(
        orders=o.count(),
        value=o.amount.mean(),
        portal_aov=o.amount.mean(where=o.channel == "portal"),
    )


def portal_order_share(q: Query) -> Any:
    """Share of orders placed through the portal, per month (``amount_share`` by value)."""
    o = _orders(q)
    portal = o.channel == "portal"
    out = o.group_by([*q.keys, "month"]).aggregate(
        orders=o.count(),
        portal_orders=portal.sum().cast("int64"),
        amount=o.amount.sum(),
        portal_amount=o.amount.sum(where=portal),
    )
    return out.mutate(
        value=ratio(out.portal_orders, out.orders),
        amount_share=ratio(out.portal_amount.fill_null(0.0), out.amount),
    )


def _invoices(q: Query) -> Any:
    i = q.table("invoices", "issued_at")
    return i.mutate(month=q.period(i.issued_at))


def invoice_portal_share(q: Query) -> Any:
    """Share of invoices paid through the portal (``value``) and delivered through it, per month."""
    i = _invoices(q)
    out = i.group_by([*q.keys, "month"]).aggregate(
        invoices=i.count(),
        paid=i.paid_at.notnull().sum().cast("int64"),
        paid_via_portal=i.paid_via_portal.fill_null(False).sum().cast("int64"),
        delivered_via_portal=i.delivered_via_portal.fill_null(False).sum().cast("int64"),
    )
    return out.mutate(
        value=ratio(out.paid_via_portal, out.paid),
        delivered_share=ratio(out.delivered_via_portal, out.invoices),
    )


def invoices_viewed(q: Query) -> Any:
    """Share of invoices issued in a month that someone viewed or downloaded in the portal."""
    i = _invoices(q)
    ev = q.raw("events")
    seen = ev.filter(
        ev.event_type.isin(["invoice_view", "invoice_download"]) & ev.object_id.notnull()
    )
    seen = seen.select(invoice_id=seen.object_id).distinct().mutate(seen=1)
    j = i.left_join(seen, "invoice_id")
    j = j.select(*q.keys, "month", seen=j.seen.fill_null(0))
    out = j.group_by([*q.keys, "month"]).aggregate(
        invoices=j.count(), viewed=j.seen.sum().cast("int64")
    )
    return out.mutate(value=ratio(out.viewed, out.invoices))


def days_to_pay(q: Query) -> Any:
    """Days from issue to payment of paid invoices: mean (``value``) and median, per month."""
    i = _invoices(q)
    i = i.filter(i.paid_at.notnull())
    days = days_between(i.paid_at, i.issued_at)
    i = i.mutate(days=days)
    return i.group_by([*q.keys, "month"]).aggregate(
        invoices=i.count(), value=i.days.mean(), median=i.days.median()
    )
