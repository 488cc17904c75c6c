"""Small staggered roll-out generator with a known true effect (test helper, not a test module).

Every unit has a latent health ``h``: healthier units have fewer tickets, pay faster, churn
less AND go live earlier. On top: a common secular trend and a 12-month season. Untreated
outcomes are additive in unit and period effects, so parallel trends holds in levels; the
effect of going live is a constant ``effect`` per unit-period (a hazard ratio for churn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

N_PERIODS = 30
COHORTS = (8, 12, 16, 20, 24)


@dataclass(frozen=True)
class World:
    health: np.ndarray
    first_treated: np.ndarray  # inf = never
    periods: np.ndarray

    def live(self) -> np.ndarray:
        return self.periods[None, :] >= self.first_treated[:, None]


def world(rng: np.random.Generator, n_units: int) -> World:
    health = rng.normal(0.0, 1.0, n_units)
    # Healthier units adopt earlier: rank a noisy copy of -health into 5 cohorts + never.
    order = np.argsort(np.argsort(-health + rng.normal(0.0, 0.5, n_units)))
    slot = order * (len(COHORTS) + 1) // n_units
    first = np.array([*COHORTS, np.inf], dtype=float)[slot]
    return World(health, first, np.arange(N_PERIODS))


def ticket_counts(
    rng: np.random.Generator, n_units: int, effect: float
) -> tuple[World, np.ndarray]:
    """Poisson tickets per unit-month: mean = unit level + trend + season + effect * live."""
    w = world(rng, n_units)
    t = w.periods
    level = np.clip(8.0 - 1.5 * w.health, 4.5, 14.0)
    common = -0.06 * t + 0.8 * np.sin(2 * np.pi * t / 12)
    mean = level[:, None] + common[None, :] + effect * w.live()
    return w, rng.poisson(mean).astype(float)


def days_to_pay(rng: np.random.Generator, n_units: int, effect: float) -> tuple[World, np.ndarray]:
    """Mean days from invoice to payment per unit-month (NaN in months without invoices)."""
    w = world(rng, n_units)
    t = w.periods
    level = 40.0 - 5.0 * w.health
    common = 0.1 * t + 3.0 * np.cos(2 * np.pi * t / 12)
    mean = level[:, None] + common[None, :] + effect * w.live()
    n_inv = rng.poisson(1.2, mean.shape)
    month_shock = rng.normal(0.0, 3.0, mean.shape)
    # Mean of n invoices with N(0, 6) noise each is N(0, 6 / sqrt(n)).
    invoice_noise = rng.normal(0.0, 6.0, mean.shape) / np.sqrt(np.maximum(n_inv, 1))
    y = mean + month_shock + invoice_noise
    return w, np.where(n_inv > 0, y, np.nan)


def churn_rows(rng: np.random.Generator, n_units: int, hazard_ratio: float) -> pd.DataFrame:
    """Account-months at risk with churn drawn from a cloglog hazard (true HR ``hazard_ratio``)."""
    w = world(rng, n_units)
    t = w.periods
    eta = (
        -4.0
        - 0.7 * w.health[:, None]
        + (0.015 * t + 0.3 * np.sin(2 * np.pi * t / 12))[None, :]
        + np.log(hazard_ratio) * w.live()
    )
    churn = rng.random(eta.shape) < 1.0 - np.exp(-np.exp(eta))
    # At risk up to and including the first churn month.
    first_churn = np.where(churn.any(axis=1), churn.argmax(axis=1), N_PERIODS)
    at_risk = t[None, :] <= first_churn[:, None]
    unit_idx, period_idx = np.nonzero(at_risk)
    return pd.DataFrame(
        {
            "unit": unit_idx,
            "period": period_idx,
            "event": churn[unit_idx, period_idx].astype(int),
            "live": w.live()[unit_idx, period_idx].astype(int),
            "health": w.health[unit_idx],
        }
    )
