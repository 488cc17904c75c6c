"""Accounts, their latent health, the staggered portal roll-out, churn, and users.

Health is a latent, time-invariant standard-normal score per account. It lowers the baseline
ticket rate, the churn hazard and the days-to-pay, raises NPS and CSAT, and (with
``selection_strength`` > 0) makes an account go live earlier. It is partly observable through
size, pre-launch tickets, NPS and payment speed, so estimators have something to adjust on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from portalroi.sim.config import SimConfig

__all__ = ["SEGMENTS", "Calendar", "Company", "Users", "make_company", "make_users"]

Arr = np.ndarray[Any, Any]

SEGMENTS: tuple[str, ...] = ("smb", "mid_market", "enterprise")
_SEG_P = np.array([0.55, 0.30, 0.15])
_EMP_MEDIAN = np.array([60.0, 600.0, 6000.0])
_SEAT_MEDIAN = np.array([8.0, 30.0, 90.0])
_ACV_MEDIAN = np.array([12_000.0, 60_000.0, 250_000.0])
#: Monthly churn hazard of an average-health account, by segment.
_CHURN_BASE = np.array([0.018, 0.010, 0.005])
ROLES: tuple[str, ...] = ("admin", "end_user", "billing", "viewer")
DEVICES: tuple[str, ...] = ("desktop", "mobile", "tablet")


@dataclass(frozen=True)
class Calendar:
    """Month boundaries of the simulated period in days since ``start``."""

    start: date
    n_days: int
    month_start: Arr  # length n_months + 1, last entry = n_days
    month_of_year: Arr  # 1..12 per month

    @classmethod
    def of(cls, cfg: SimConfig) -> Calendar:
        """Calendar of a configuration."""
        starts = []
        moy = []
        y, m = cfg.start.year, cfg.start.month
        for _ in range(cfg.n_months):
            starts.append((date(y, m, 1) - cfg.start).days)
            moy.append(m)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        n_days = (cfg.end - cfg.start).days + 1
        starts[0] = 0
        starts.append(n_days)
        return cls(cfg.start, n_days, np.array(starts, float), np.array(moy))

    @property
    def n_months(self) -> int:
        """Number of calendar months."""
        return len(self.month_of_year)

    def date_of(self, day: float) -> date:
        """Calendar date of a day offset."""
        return self.start + timedelta(days=int(np.floor(day)))


@dataclass(frozen=True)
class Company:
    """Accounts of the simulated company (one array entry per account)."""

    n: int
    health: Arr
    segment: Arr  # index into SEGMENTS
    employees: Arr
    seats: Arr
    acv: Arr
    created: Arr  # days since start (negative: before the period)
    live: Arr  # go-live day, NaN if never live
    engaged: Arr  # bool, latent: users of a live account really use the portal
    churn: Arr  # churn day, NaN if still a customer at the end
    cf_churn: Arr  # churn day had the portal had no effect
    hazard: Arr  # (n, months) monthly churn hazard actually applied
    cf_hazard: Arr  # (n, months) hazard without the portal
    active_months: Arr  # (n, months) bool: at risk of churning in that month

    def active_end(self, n_days: int) -> Arr:
        """Day each account stops being a customer (the end of the period if it stays)."""
        return np.where(np.isnan(self.churn), float(n_days), self.churn)


def make_company(cfg: SimConfig, cal: Calendar, rng: np.random.Generator) -> Company:
    """Draw accounts, roll the portal out, and simulate churn month by month."""
    n = cfg.n_accounts
    health = rng.standard_normal(n)
    segment = rng.choice(3, size=n, p=_SEG_P)
    size_noise = rng.standard_normal(n)
    employees = np.maximum(3, _EMP_MEDIAN[segment] * np.exp(0.6 * size_noise)).round()
    seats = np.maximum(
        2, _SEAT_MEDIAN[segment] * np.exp(0.5 * size_noise + 0.2 * rng.standard_normal(n))
    ).round()
    acv = (
        _ACV_MEDIAN[segment]
        * np.exp(0.4 * size_noise + 0.1 * health + 0.15 * rng.standard_normal(n))
    ).round(-2)

    late = rng.random(n) < cfg.late_join_share
    created = np.where(
        late,
        rng.uniform(0, max(cal.n_days - 180, 1), n),
        -rng.uniform(30, 7 * 365, n),
    )

    # staggered roll-out: the adoption score ranks who goes live first
    size_z = (np.log(employees) - np.log(employees).mean()) / max(np.log(employees).std(), 1e-9)
    score = cfg.selection_strength * (0.8 * health + 0.5 * size_z) + rng.standard_normal(n)
    order = np.argsort(-score)
    n_live = round(n * (1 - cfg.never_live_share))
    frac = np.full(n, np.nan)
    frac[order[:n_live]] = np.linspace(0, 1, n_live) if n_live > 1 else 0.0
    window_start = cal.month_start[cfg.golive_start_month]
    window_end = cal.month_start[
        min(cfg.golive_start_month + cfg.golive_window_months, cal.n_months)
    ]
    planned = window_start + frac * (window_end - window_start) + rng.uniform(0, 7, n)
    onboard = created + 30 + rng.uniform(0, 60, n)
    planned = np.where(planned < onboard, onboard, planned)
    planned = np.where(planned >= cal.n_days, np.nan, planned)
    engaged = ~np.isnan(planned) & (rng.random(n) < cfg.engaged_share)

    # churn: monthly hazard, common random numbers for the counterfactual
    months = cal.n_months
    u = rng.random((n, months))
    base = _CHURN_BASE[segment][:, None] * np.exp(-0.6 * health)[:, None] * np.ones((1, months))
    live_month = planned[:, None] <= cal.month_start[None, :-1]  # fully live for the month
    effect = np.where(live_month & engaged[:, None], cfg.effects.churn_hazard_ratio, 1.0)
    hazard = np.minimum(base * effect, 0.99)
    cf_hazard = np.minimum(base, 0.99)
    at_risk = cal.month_start[None, :-1] >= created[:, None]
    churn_day_in_month = (
        cal.month_start[None, :-1] + rng.random((n, months)) * np.diff(cal.month_start)[None, :]
    )

    def first_event(h: Arr) -> tuple[Arr, Arr]:
        hit: Arr = np.asarray(at_risk & (u < h))
        any_hit: Arr = np.asarray(hit.any(axis=1))
        first = np.argmax(hit, axis=1)
        day = np.where(any_hit, churn_day_in_month[np.arange(n), first], np.nan)
        alive = np.where(any_hit[:, None], np.arange(months)[None, :] <= first[:, None], True)
        return day, at_risk & alive

    churn, active_months = first_event(hazard)
    cf_churn, _ = first_event(cf_hazard)
    live = np.where(~np.isnan(churn) & (churn <= planned), np.nan, planned)
    engaged &= ~np.isnan(live)
    return Company(
        n,
        health,
        segment,
        employees,
        seats,
        acv,
        created,
        live,
        engaged,
        churn,
        cf_churn,
        hazard,
        cf_hazard,
        active_months,
    )


@dataclass(frozen=True)
class Users:
    """Portal users (one array entry per user), sorted by account."""

    n: int
    account: Arr  # index of the account
    role: Arr  # index into ROLES
    device: Arr  # index into DEVICES: the user's main device
    created: Arr  # days since start
    activity: Arr  # sessions per weekday when fully ramped up (0 for never-live accounts)
    first: Arr  # per account: index of its first user
    count: Arr  # per account: number of users


def make_users(cfg: SimConfig, cal: Calendar, co: Company, rng: np.random.Generator) -> Users:
    """Users per account (about ``users_per_seat`` per seat), with roles, devices and activity."""
    count = np.maximum(
        1, np.round(co.seats * cfg.users_per_seat * rng.uniform(0.7, 1.3, co.n))
    ).astype(np.int64)
    account = np.repeat(np.arange(co.n), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    n = int(count.sum())
    rank = np.arange(n) - first[account]
    role = rng.choice(4, size=n, p=[0.05, 0.68, 0.12, 0.15])
    role[rank == 0] = 0  # every account has an admin
    device = rng.choice(3, size=n, p=[0.7, 0.22, 0.08])
    live = co.live[account]
    anchor = np.where(np.isnan(live), np.maximum(co.created[account], 0.0), live)
    created = anchor + np.where(rank == 0, 0.0, rng.exponential(45, n))
    created = np.minimum(created, cal.n_days - 1)
    role_mult = np.array([1.3, 1.0, 0.7, 0.5])[role]
    engaged = co.engaged[account]
    activity = (
        cfg.sessions_per_user_day
        * np.exp(0.9 * rng.standard_normal(n))
        * role_mult
        * np.where(engaged, 1.0, 0.08)
        * ~np.isnan(live)
    )
    return Users(n, account, role, device, created, activity, first, count)
