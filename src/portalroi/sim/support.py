"""Helpdesk tickets (with deflection by the portal), CSAT answers, and knowledge-base articles.

Would-be tickets are drawn first (what would reach the helpdesk without a portal); a would-be
ticket of a live, engaged account is then deflected with a probability whose mean over the topic
mix is ``effects.deflection_share`` (covered topics deflect more, knowledge gaps less).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from portalroi.sim._arrow import cat, day_of_week, ids, table, ts
from portalroi.sim.company import Calendar, Company, Users
from portalroi.sim.config import SimConfig
from portalroi.sim.topics import TOPICS

__all__ = [
    "CHANNELS",
    "COST_PER_MINUTE",
    "Articles",
    "Tickets",
    "make_articles",
    "make_tickets",
    "ticket_exposure",
]

Arr = np.ndarray[Any, Any]

CHANNELS: tuple[str, ...] = ("email", "phone", "chat", "portal", "self_service")
_PRE_MIX = np.array([0.45, 0.30, 0.25, 0.0, 0.0])
_POST_MIX = np.array([0.25, 0.15, 0.10, 0.45, 0.05])
_CHANNEL_MINUTES = np.array([1.0, 1.3, 0.8, 0.85, 0.6])
_CHANNEL_OVERHEAD = np.array([1.5, 3.0, 1.0, 0.5, 0.3])
_REPLY_HOURS = np.array([4.0, 0.05, 0.1, 3.0, 2.0])
#: Fully loaded agent cost per handling minute (in the configured currency).
COST_PER_MINUTE = 0.9
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
_SLA_HOURS = np.array([120.0, 72.0, 24.0, 8.0])
STATUSES: tuple[str, ...] = ("new", "open", "pending", "solved", "closed")
#: Month-of-year multiplier of the ticket rate (index 0 unused).
SEASON = np.array([1.0, 1.15, 1.05, 1.05, 1.0, 1.0, 0.95, 0.85, 0.85, 1.05, 1.05, 1.0, 0.9])
_SEG_RATE = np.array([0.6, 1.0, 2.2])
_SUFFIXES = ("", " Thanks.", " Regards.", " Please help asap.", " Thank you in advance.", "")


def ticket_exposure(co: Company, cal: Calendar) -> tuple[Arr, Arr]:
    """Per account and month: (first, last) day the account is a customer (lo >= hi: none)."""
    end = co.active_end(cal.n_days)
    lo = np.maximum(cal.month_start[None, :-1], np.maximum(co.created, 0)[:, None])
    hi = np.minimum(cal.month_start[None, 1:], end[:, None])
    return lo, hi


@dataclass(frozen=True)
class Articles:
    """Knowledge-base articles; ``by_topic[t]`` lists article indices of topic ``t``."""

    table: pa.Table
    topic: Arr
    by_topic: list[Arr]


def make_articles(cfg: SimConfig, cal: Calendar, rng: np.random.Generator) -> Articles:
    """One or two articles per covered topic, published before the portal launch."""
    titles, bodies, cats, topic = [], [], [], []
    for t, tp in enumerate(TOPICS):
        if not tp.covered:
            continue
        for k in range(1 + int(rng.random() < 0.5)):
            q = tp.queries[k % len(tp.queries)]
            titles.append(f"How to: {q}" if k == 0 else f"Troubleshooting: {q}")
            bodies.append(" ".join([*tp.resolutions, *tp.queries, tp.subjects[0]]))
            cats.append(tp.category)
            topic.append(t)
    n = len(titles)
    launch = cal.month_start[cfg.golive_start_month]
    created = launch - rng.uniform(10, 120, n)
    tbl = table(
        "articles",
        {
            "article_id": ids("kb", np.arange(1, n + 1), 4),
            "title": titles,
            "body": bodies,
            "category": cats,
            "created_at": ts(created, cal.start),
        },
        n,
    )
    topic_arr = np.array(topic)
    return Articles(tbl, topic_arr, [np.flatnonzero(topic_arr == t) for t in range(len(TOPICS))])


@dataclass(frozen=True)
class Tickets:
    """Would-be tickets (every entry) and which of them reached the helpdesk."""

    account: Arr
    user: Arr
    day: Arr
    month: Arr
    topic: Arr
    deflected: Arr
    live: Arr  # account live when the ticket was raised
    engaged: Arr
    true_fcr: Arr
    channel: Arr
    csat_cf: Arr  # observed-scale CSAT without the portal effect (NaN: not surveyed)
    csat: Arr
    resolved: Arr  # day resolved (NaN: open at the end)
    survey_day: Arr  # day the CSAT answer came in (NaN: not surveyed)
    table: pa.Table  # the helpdesk's tickets (not deflected)
    ticket_index: Arr  # position in `table` of each kept would-be ticket (-1: deflected)


def make_tickets(
    cfg: SimConfig, cal: Calendar, co: Company, users: Users, rng: np.random.Generator
) -> Tickets:
    """Draw would-be tickets, deflect some, and fill every helpdesk field."""
    lo, hi = ticket_exposure(co, cal)
    days = np.clip(hi - lo, 0, None)
    months = np.arange(cal.n_months)
    acct_noise = np.exp(0.3 * rng.standard_normal(co.n))
    lam = (
        cfg.tickets_per_account_month
        * _SEG_RATE[co.segment][:, None]
        * np.exp(-0.45 * co.health)[:, None]
        * acct_noise[:, None]
        * np.exp(cfg.ticket_trend_per_month * months)[None, :]
        * SEASON[cal.month_of_year][None, :]
        * days
        / 30.4
    )
    counts = rng.poisson(lam)
    acc_idx, mon_idx = np.nonzero(counts)
    reps = counts[acc_idx, mon_idx]
    account = np.repeat(acc_idx, reps)
    month = np.repeat(mon_idx, reps)
    a_lo, a_hi = lo[account, month], hi[account, month]
    n = len(account)
    day = a_lo + rng.random(n) * (a_hi - a_lo)
    wd = day_of_week(day, cal.start)
    move = (wd >= 5) & (rng.random(n) < 0.85)  # weekend cases mostly land on Friday
    back = day - (wd - 4)
    day = np.where(move, np.where(back >= a_lo, back, day + (7 - wd)), day)
    hour = np.clip(rng.normal(12.0, 2.6, n), 0, 23.99)
    cand = np.floor(day) + hour / 24
    day = np.where((cand >= a_lo) & (cand < a_hi), cand, a_lo + rng.random(n) * (a_hi - a_lo))
    order = np.argsort(day, kind="stable")
    account, month, day = account[order], month[order], day[order]

    weights = np.array([t.weight for t in TOPICS])
    topic = rng.choice(len(TOPICS), size=n, p=weights / weights.sum())
    covered = np.array([t.covered for t in TOPICS])
    tw = np.where(covered, 1.3, 0.5)
    tw = tw / (tw * weights / weights.sum()).sum()
    live = ~np.isnan(co.live[account]) & (day >= np.nan_to_num(co.live[account], nan=np.inf))
    engaged = co.engaged[account]
    p_defl = np.minimum(cfg.effects.deflection_share * tw[topic], 0.95) * (live & engaged)
    deflected = rng.random(n) < p_defl
    user = users.first[account] + np.floor(rng.random(n) * users.count[account]).astype(np.int64)

    post = live & engaged
    mix = np.where(post[:, None], _POST_MIX[None, :], _PRE_MIX[None, :])
    channel = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    channel = np.minimum(channel, len(CHANNELS) - 1)
    priority = rng.choice(4, size=n, p=[0.25, 0.55, 0.15, 0.05])
    fcr_p = np.array([t.fcr for t in TOPICS])[topic]
    automated = (channel == 4) & (rng.random(n) < 0.4)
    true_fcr = automated | (rng.random(n) < fcr_p)
    replies = np.where(true_fcr, 1 + (rng.random(n) < 0.15), 2 + rng.poisson(1.2, n)).astype(
        np.int64
    )
    replies = np.where(automated, 0, replies)
    reopens = np.where(true_fcr, 0, (rng.random(n) < 0.3).astype(np.int64) + (rng.random(n) < 0.1))
    escalated = ~true_fcr & (rng.random(n) < np.where(priority == 3, 0.4, 0.12))
    minutes = (
        np.array([t.minutes for t in TOPICS])[topic]
        * _CHANNEL_MINUTES[channel]
        * np.exp(0.4 * rng.standard_normal(n))
        * (1 + 0.5 * np.maximum(replies - 1, 0))
        * np.where(automated, 0.1, 1.0)
    ).round(1)
    cost = (minutes * COST_PER_MINUTE + _CHANNEL_OVERHEAD[channel]).round(2)
    first_reply = day + _REPLY_HOURS[channel] * np.exp(0.8 * rng.standard_normal(n)) / 24
    work_h = np.where(
        true_fcr, rng.exponential(2.0, n), 20.0 * replies * np.exp(0.6 * rng.standard_normal(n))
    )
    resolved = first_reply + work_h / 24 + escalated * rng.exponential(2.0, n)
    closed = resolved + rng.uniform(2, 5, n)
    sla_met = (resolved - day) * 24 <= _SLA_HOURS[priority]
    knowledge = covered[topic] & (rng.random(n) < 0.5)

    # CSAT: latent score with and without the portal effect, same noise
    surveyed = rng.random(n) < 0.3
    latent = (
        3.9
        + 0.35 * co.health[account]
        + 0.4 * true_fcr
        - 0.5 * reopens
        - 0.4 * escalated
        + 0.8 * rng.standard_normal(n)
    )
    survey_day = resolved + rng.uniform(0.05, 2.0, n)
    asked = surveyed & (survey_day < cal.n_days)
    csat_cf = np.where(asked, np.clip(np.round(latent), 1, 5), np.nan)
    csat = np.where(asked, np.clip(np.round(latent + cfg.effects.csat_change * live), 1, 5), np.nan)

    end = cal.n_days
    first_reply = np.where(first_reply < end, first_reply, np.nan)
    resolved_o = np.where(resolved < end, resolved, np.nan)
    closed_o = np.where(closed < end, closed, np.nan)
    status = np.where(
        ~np.isnan(closed_o),
        4,
        np.where(~np.isnan(resolved_o), 3, np.where(np.isnan(first_reply), 0, 1)),
    )

    subject = np.empty(n, dtype=object)
    description = np.empty(n, dtype=object)
    resolution = np.empty(n, dtype=object)
    for t, tp in enumerate(TOPICS):
        sel = np.flatnonzero(topic == t)
        if not len(sel):
            continue
        det = np.array(tp.details, dtype=object)[rng.integers(len(tp.details), size=len(sel))]
        subj = np.array(tp.subjects, dtype=object)[rng.integers(len(tp.subjects), size=len(sel))]
        desc = np.array(tp.descriptions, dtype=object)[
            rng.integers(len(tp.descriptions), size=len(sel))
        ]
        suf = np.array(_SUFFIXES, dtype=object)[rng.integers(len(_SUFFIXES), size=len(sel))]
        res = np.array(tp.resolutions, dtype=object)[
            rng.integers(len(tp.resolutions), size=len(sel))
        ]
        subject[sel] = [s.format(x=d) for s, d in zip(subj, det, strict=True)]
        description[sel] = [s.format(x=d) + f for s, d, f in zip(desc, det, suf, strict=True)]
        resolution[sel] = res
    resolution[np.isnan(resolved_o)] = None

    keep = np.flatnonzero(~deflected)
    k = len(keep)
    ticket_index = np.full(n, -1)
    ticket_index[keep] = np.arange(k)
    cat_names = tuple(tp.category for tp in TOPICS)
    tbl = table(
        "tickets",
        {
            "ticket_id": ids("T", np.arange(1, k + 1), 7),
            "account_id": ids("A", account[keep] + 1, 5),
            "user_id": ids("U", user[keep] + 1, 6),
            "created_at": ts(day[keep], cal.start),
            "first_reply_at": ts(first_reply[keep], cal.start),
            "resolved_at": ts(resolved_o[keep], cal.start),
            "closed_at": ts(closed_o[keep], cal.start),
            "channel": cat(CHANNELS, channel[keep]),
            "priority": cat(PRIORITIES, priority[keep]),
            "status": cat(STATUSES, status[keep]),
            "category": cat(cat_names, topic[keep]),
            "subject": pa.array(subject[keep], pa.string()),
            "description": pa.array(description[keep], pa.string()),
            "resolution": pa.array(resolution[keep], pa.string()),
            "agent_replies": replies[keep],
            "reopens": reopens[keep].astype(np.int64),
            "reassignments": (escalated[keep] + rng.poisson(0.2, k)).astype(np.int64),
            "escalated": escalated[keep],
            "automated": automated[keep],
            "sla_met": np.where(np.isnan(resolved_o[keep]), None, sla_met[keep]),
            "knowledge_used": knowledge[keep],
            "handle_minutes": minutes[keep],
            "cost": cost[keep],
            "currency": pa.array([cfg.currency] * k, pa.string()),
            "csat": pa.array(csat[keep], pa.float64(), from_pandas=True),
        },
        k,
    )
    return Tickets(
        account,
        user,
        day,
        month,
        topic,
        deflected,
        live,
        engaged,
        true_fcr,
        channel,
        csat_cf,
        csat,
        resolved_o,
        np.where(asked, survey_day, np.nan),
        tbl,
        ticket_index,
    )
