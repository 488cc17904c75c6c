"""Invoices (with days-to-pay), orders (by channel), NPS answers, and the portal's costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from portalroi.sim._arrow import cat, ids, table, ts
from portalroi.sim.company import Calendar, Company, Users
from portalroi.sim.config import SimConfig
from portalroi.sim.support import ticket_exposure

__all__ = ["Invoices", "Orders", "make_costs", "make_invoices", "make_nps", "make_orders"]

Arr = np.ndarray[Any, Any]

ORDER_CHANNELS: tuple[str, ...] = ("portal", "email", "phone", "sales_rep", "edi")
_ORDER_PRE = np.array([0.0, 0.35, 0.25, 0.25, 0.15])
_ORDER_POST = np.array([0.5, 0.17, 0.12, 0.13, 0.08])
_ORDER_RATE = np.array([2.0, 5.0, 12.0])
# Mean order values per segment. Chosen so that a year's order book is of the same order as the
# accounts' annual contract value: with a larger book the orders line swamps every other benefit
# and the demo's ROI becomes implausible (it was 2,790 % with four times these values).
_ORDER_VALUE = np.array([200.0, 750.0, 2_250.0])
_NPS_COMMENTS = (
    "Hard to reach support and invoices are often wrong.",
    "It works, but ordering takes too many steps.",
    "Good service, quick answers from the team.",
)


@dataclass(frozen=True)
class Invoices:
    """Issued invoices and their days-to-pay with and without the portal."""

    account: Arr
    issued: Arr
    live: Arr
    days_cf: Arr
    days: Arr
    paid: Arr  # NaN: still open at the end
    delivered_via_portal: Arr
    paid_via_portal: Arr
    amount: Arr
    table: pa.Table


def make_invoices(cfg: SimConfig, cal: Calendar, co: Company, rng: np.random.Generator) -> Invoices:
    """Monthly (quarterly for enterprise accounts) invoices on the 1st, due 30 days later."""
    m_start = cal.month_start[:-1]
    quarterly = co.segment == 2
    end = co.active_end(cal.n_days)
    month_idx = np.arange(cal.n_months)
    billed = (m_start[None, :] >= co.created[:, None]) & (m_start[None, :] < end[:, None])
    billed &= ~quarterly[:, None] | (month_idx[None, :] % 3 == 0)
    account, month = np.nonzero(billed)
    n = len(account)
    issued = m_start[month] + 6 / 24
    periods = np.where(quarterly[account], 3, 1)
    amount = (co.acv[account] / 12 * periods * np.exp(0.05 * rng.standard_normal(n))).round(2)
    live = ~np.isnan(co.live[account]) & (np.nan_to_num(co.live[account], nan=np.inf) <= issued)
    disputed = rng.random(n) < 0.03 * np.exp(-0.5 * co.health[account])
    base = (
        32
        - 7 * co.health[account]
        + np.array([3.0, 0.0, 6.0])[co.segment[account]]
        + 6 * rng.standard_normal(n)
        + disputed * 25
    )
    days_cf = np.clip(base, 1, 150)
    days = np.clip(days_cf - cfg.effects.dso_reduction_days * live, 1, 150)
    paid = issued + days + rng.uniform(0, 0.5, n)
    paid = np.where(paid < cal.n_days, paid, np.nan)
    engaged = co.engaged[account]
    delivered = live & (rng.random(n) < np.where(engaged, 0.8, 0.3))
    paid_portal = delivered & ~np.isnan(paid) & (rng.random(n) < 0.6)
    tbl = table(
        "invoices",
        {
            "invoice_id": ids("INV", np.arange(1, n + 1), 6),
            "account_id": ids("A", account + 1, 5),
            "issued_at": ts(issued, cal.start),
            "due_at": ts(issued + 30, cal.start),
            "paid_at": ts(paid, cal.start),
            "amount": amount,
            "currency": pa.array([cfg.currency] * n, pa.string()),
            "disputed": disputed,
            "delivered_via_portal": delivered,
            "paid_via_portal": paid_portal,
        },
        n,
    )
    return Invoices(account, issued, live, days_cf, days, paid, delivered, paid_portal, amount, tbl)


@dataclass(frozen=True)
class Orders:
    """Orders and whether each was added by the portal's volume uplift."""

    account: Arr
    user: Arr
    day: Arr
    live: Arr
    channel: Arr
    amount: Arr
    amount_cf: Arr
    table: pa.Table


def make_orders(
    cfg: SimConfig, cal: Calendar, co: Company, users: Users, rng: np.random.Generator
) -> Orders:
    """Orders per account-month; a live account orders more (volume uplift) and more per order."""
    lo, hi = ticket_exposure(co, cal)
    span = np.clip(hi - lo, 0, None)
    up = cfg.effects.order_volume_uplift
    top = max(1.0, 1.0 + up)
    lam = _ORDER_RATE[co.segment][:, None] * np.exp(0.2 * co.health)[:, None] * span / 30.4 * top
    counts = rng.poisson(lam)
    acc, mon = np.nonzero(counts)
    account = np.repeat(acc, counts[acc, mon])
    month = np.repeat(mon, counts[acc, mon])
    a_lo, a_hi = lo[account, month], hi[account, month]
    day = a_lo + rng.random(len(account)) * (a_hi - a_lo)
    live = ~np.isnan(co.live[account]) & (np.nan_to_num(co.live[account], nan=np.inf) <= day)
    keep_p = np.where(live, (1 + up) / top, 1 / top)  # Poisson thinning gives the uplift
    keep = rng.random(len(account)) < keep_p
    account, day, live = account[keep], day[keep], live[keep]
    order = np.argsort(day, kind="stable")
    account, day, live = account[order], day[order], live[order]
    n = len(account)
    engaged = co.engaged[account]
    mix = np.where(
        (live & engaged)[:, None],
        _ORDER_POST[None, :],
        np.where(
            live[:, None],
            0.3 * _ORDER_POST[None, :] + 0.7 * _ORDER_PRE[None, :],
            _ORDER_PRE[None, :],
        ),
    )
    channel = np.minimum((rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1), 4)
    amount_cf = _ORDER_VALUE[co.segment[account]] * np.exp(0.7 * rng.standard_normal(n))
    amount = (amount_cf * np.where(live, 1 + cfg.effects.order_value_uplift, 1.0)).round(2)
    user = users.first[account] + np.floor(rng.random(n) * users.count[account]).astype(np.int64)
    tbl = table(
        "orders",
        {
            "order_id": ids("O", np.arange(1, n + 1), 7),
            "account_id": ids("A", account + 1, 5),
            "user_id": ids("U", user + 1, 6),
            "ts": ts(day, cal.start),
            "amount": amount,
            "currency": pa.array([cfg.currency] * n, pa.string()),
            "channel": cat(ORDER_CHANNELS, channel),
        },
        n,
    )
    return Orders(account, user, day, live, channel, amount, amount_cf.round(2), tbl)


def make_nps(
    cfg: SimConfig, cal: Calendar, co: Company, users: Users, rng: np.random.Generator
) -> dict[str, Any]:
    """Quarterly NPS: about 40 % of active accounts answer once per quarter (columns only)."""
    lo, hi = ticket_exposure(co, cal)
    q_months = np.arange(0, cal.n_months, 3)
    ok = (hi[:, q_months] - lo[:, q_months] > 1) & (rng.random((co.n, len(q_months))) < 0.4)
    acc, qi = np.nonzero(ok)
    m = q_months[qi]
    n = len(acc)
    day = lo[acc, m] + rng.random(n) * (hi[acc, m] - lo[acc, m])
    score = np.clip(np.round(7.0 + 1.5 * co.health[acc] + 1.8 * rng.standard_normal(n)), 0, 10)
    band = np.where(score <= 6, 0, np.where(score <= 8, 1, 2))
    user = users.first[acc] + np.floor(rng.random(n) * users.count[acc]).astype(np.int64)
    return {
        "account": acc,
        "user": user,
        "day": day,
        "kind": np.zeros(n, dtype=np.int64),
        "score": score,
        "comment": _comments(band, rng.random(n) < 0.4),
        "ticket": np.full(n, -1),
    }


def _comments(band: Arr, with_comment: Arr) -> Arr:
    out = np.array(_NPS_COMMENTS, dtype=object)[band]
    out[~with_comment] = None
    return out


def make_costs(cfg: SimConfig, cal: Calendar) -> pa.Table:
    """Implementation before launch; licence, hosting and management monthly after; content."""
    launch = cfg.golive_start_month
    rows: list[tuple[int, str, float, str]] = []
    for m in range(cal.n_months):
        if launch - 6 <= m < launch:
            rows.append((m, "implementation", 40_000.0, "Portal implementation (agency)"))
        if m >= launch:
            rows.append((m, "licence", 8_000.0, "Portal platform licence"))
            rows.append((m, "hosting", 1_500.0, "Hosting and monitoring"))
            rows.append((m, "management", 5_000.0, "Portal product owner (half time)"))
        if launch - 2 <= m <= launch or (m > launch and (m - launch) % 3 == 0):
            rows.append((m, "content", 2_000.0, "Knowledge-base articles"))
    n = len(rows)
    month = np.array([r[0] for r in rows])
    dates = np.array([cal.date_of(cal.month_start[i]) for i in month], dtype="datetime64[D]")
    return table(
        "costs",
        {
            "cost_id": ids("C", np.arange(1, n + 1), 4),
            "date": pa.array(dates, pa.date32()),
            "category": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
            "currency": [cfg.currency] * n,
            "description": [r[3] for r in rows],
        },
        n,
    )
