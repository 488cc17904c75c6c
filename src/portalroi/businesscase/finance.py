"""Discounting, NPV, IRR and payback over monthly cash flows.

Conventions (stated in every result): cash flows are at month ends, month 0 is the initial
investment before go-live; an annual rate ``r`` is applied monthly as ``(1 + r) ** (1 / 12) - 1``
so that twelve months discount exactly like one year. NPV and IRR follow the EC guide's
financial analysis (discounted cash flow at a real financial discount rate).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

__all__ = [
    "discount_factors",
    "irr_annual",
    "irr_monthly",
    "monthly_rate",
    "npv",
    "payback_month",
    "payback_tolerance",
]

#: Relative tolerance of the payback test: a cumulative net cash flow counts as reached zero when
#: it is >= -PAYBACK_RTOL x the sum of the flows' absolute values. Summing a few hundred monthly
#: flows in floating point leaves errors near 1e-13 of that sum (an exact zero can come out as
#: -5.7e-14); 1e-9 is far above them and far below a cent on any realistic case.
PAYBACK_RTOL = 1e-9

Array = NDArray[np.float64]


def monthly_rate(annual_rate: float) -> float:
    """The monthly rate equivalent to ``annual_rate`` compounded over twelve months.

    Examples
    --------
    >>> round((1 + monthly_rate(0.04)) ** 12 - 1, 12)
    0.04
    """
    return float((1.0 + annual_rate) ** (1.0 / 12.0) - 1.0)


def discount_factors(annual_rate: float, months: int) -> Array:
    """Discount factor for months ``0 .. months``: ``(1 + r) ** (-t / 12)``.

    Examples
    --------
    >>> discount_factors(0.04, 12)[[0, 12]].round(6).tolist()
    [1.0, 0.961538]
    """
    t = np.arange(months + 1, dtype=np.float64)
    return np.asarray((1.0 + annual_rate) ** (-t / 12.0), dtype=np.float64)


def npv(annual_rate: float, flows: Array) -> Array | float:
    """Net present value of monthly flows (last axis = months 0..M) at an annual rate.

    Examples
    --------
    >>> round(float(npv(0.0, np.array([-100.0, 60.0, 60.0]))), 9)
    20.0
    """
    flows = np.asarray(flows, dtype=np.float64)
    df = discount_factors(annual_rate, flows.shape[-1] - 1)
    out = flows @ df
    return float(out) if np.ndim(out) == 0 else np.asarray(out)


def _npv_monthly(rate: float, flows: Array) -> float:
    t = np.arange(flows.size, dtype=np.float64)
    return float(np.sum(flows / (1.0 + rate) ** t))


def irr_annual(flows: Array) -> float | None:
    """Internal rate of return of monthly flows compounded to a year: ``(1 + irr_m) ** 12 - 1``.

    Examples
    --------
    >>> round(irr_annual(np.array([-100.0] + [10.0] * 12)), 6)
    0.412999
    """
    monthly = irr_monthly(flows)
    return None if monthly is None else float((1.0 + monthly) ** 12 - 1.0)


def irr_monthly(flows: Array) -> float | None:
    """Monthly internal rate of return of monthly flows; ``None`` when there is none.

    The monthly IRR is found by scanning the NPV curve on a grid of rates for sign changes and
    refining each bracket with Brent's method; when several roots exist (non-conventional
    flows) the one closest to zero is returned. No sign change in the flows, or no root with a
    monthly rate between -100 % and +1,000 %, means no IRR.

    Examples
    --------
    >>> round(irr_monthly(np.array([-100.0, 0.0, 121.0])), 12)
    0.1
    """
    flows = np.asarray(flows, dtype=np.float64)
    if not (np.any(flows > 0) and np.any(flows < 0)):
        return None
    # Monthly rates from -99 % to +1000 %; dense near zero where business cases live.
    grid = np.unique(np.concatenate([np.linspace(-0.99, 0.5, 1500), np.geomspace(0.5, 10.0, 200)]))
    values = np.array([_npv_monthly(r, flows) for r in grid])
    roots = []
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) <= 0):
        a, b = grid[i], grid[i + 1]
        if values[i] == 0.0:
            roots.append(a)
            continue
        roots.append(brentq(_npv_monthly, a, b, args=(flows,), xtol=1e-15, rtol=1e-15))
    if not roots:
        return None
    return float(min(roots, key=abs))


def payback_tolerance(flows: Array) -> Array | float:
    """How far below zero a cumulative net cash flow may be and still count as zero.

    ``PAYBACK_RTOL`` (1e-9) times the sum of the flows' absolute values (per row, last axis =
    months): it absorbs floating-point error in the running sum, so a cumulative net that is
    exactly zero on paper pays back in that month, as in a spreadsheet.

    Examples
    --------
    >>> round(payback_tolerance(np.array([-500.0, 250.0, 250.0])), 15)
    1e-06
    """
    flows = np.asarray(flows, dtype=np.float64)
    out = PAYBACK_RTOL * np.sum(np.abs(flows), axis=-1)
    return float(out) if np.ndim(out) == 0 else np.asarray(out)


def payback_month(flows: Array) -> Array:
    """First month ``m >= 1`` whose cumulative net cash flow is >= 0; -1 where never.

    "Zero" allows the floating-point error of the running sum (:func:`payback_tolerance`):
    flows of -500 and then 2,000 / 12 a month pay back in month 3, whose cumulative net is zero
    on paper and -5.7e-14 in floating point. Works on one row or on many (last axis = months
    0..M).

    Examples
    --------
    >>> payback_month(np.array([-100.0, 30.0, 30.0, 50.0])).tolist()
    3
    >>> payback_month(np.array([-500.0] + [2000.0 / 12] * 4)).tolist()
    3
    """
    flows = np.asarray(flows, dtype=np.float64)
    cum = np.cumsum(flows, axis=-1)[..., 1:]
    ok = cum >= -np.asarray(payback_tolerance(flows))[..., np.newaxis]
    first = np.argmax(ok, axis=-1) + 1
    return np.where(ok.any(axis=-1), first, -1)
