"""Discounting, NPV, IRR and payback over monthly cash flows.

Conventions (stated in every result): cash flows are at month ends, month 0 is the initial
investment before go-live; an annual rate ``r`` is applied monthly as ``(1 + r) ** (1 / 12) - 1``
so that twelve months discount exactly like one year. NPV and IRR follow the EC guide's
financial analysis (discounted cash flow at a real financial discount rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

__all__ = [
    "PAYBACK_RTOL",
    "IrrResult",
    "discount_factors",
    "irr_analysis",
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
    """NPV at a monthly rate times a positive factor: same sign, same roots, no overflow.

    ``sum(f_t (1 + r) ** -t)`` for ``r >= 0``; for ``r < 0`` multiplied by ``(1 + r) ** T``
    (``T`` = last month), ``sum(f_t (1 + r) ** (T - t))``, whose powers stay <= 1 where
    ``(1 + r) ** -t`` would overflow (0.01 ** -240).
    """
    t = np.arange(flows.size, dtype=np.float64)
    power = -t if rate >= 0.0 else t[-1] - t
    return float(np.sum(flows * (1.0 + rate) ** power))


#: Monthly rates scanned for an IRR: -99 % to +1,000 %, dense near zero where business cases live.
_IRR_GRID = np.unique(np.concatenate([np.linspace(-0.99, 0.5, 1500), np.geomspace(0.5, 10.0, 200)]))


@dataclass(frozen=True)
class IrrResult:
    """The internal rate of return of monthly flows, or why there is no single one.

    ``status`` is ``"unique"`` (``monthly`` and ``annual`` hold the IRR), ``"none"`` (no rate
    makes NPV zero) or ``"not unique"`` (several rates do: non-conventional flows; ``monthly``
    and ``annual`` are ``None`` and ``roots`` lists them). ``sign_changes`` counts the sign
    changes of the flows (zeros and float noise skipped); ``note`` says in words why there is
    no IRR ("" when unique).
    """

    monthly: float | None
    annual: float | None
    status: Literal["unique", "none", "not unique"]
    roots: tuple[float, ...]
    sign_changes: int
    note: str

    @property
    def annual_roots(self) -> tuple[float, ...]:
        """Every monthly root compounded to a year, ``(1 + r) ** 12 - 1``."""
        return tuple(float((1.0 + r) ** 12 - 1.0) for r in self.roots)


def _clean(flows: Array) -> Array:
    """Flows with float noise (|x| <= PAYBACK_RTOL x sum |flows|) set to zero.

    A month whose net is zero on paper can come out as +-1e-13; left in, it would count as a
    sign change, and as the last flow it would even put an extra root near -100 % a month.
    """
    out = np.array(flows, dtype=np.float64)
    out[np.abs(out) <= PAYBACK_RTOL * np.sum(np.abs(out))] = 0.0
    return out


def irr_analysis(flows: Array) -> IrrResult:
    """The IRR of monthly flows, with every root found and the reason when there is none.

    The NPV curve is scanned on a grid of monthly rates from -99 % to +1,000 % for sign changes
    and each bracket is refined with Brent's method. One root: the IRR. No sign change in the
    flows, or no root in that range: no IRR. Several roots (flows that change sign more than
    once can have one IRR per sign change): the IRR is **not unique** and none is reported,
    since each root is an equally valid "rate of return" and the case is judged on its NPV.
    Roots outside the scanned range (below -99 % or above +1,000 % a month) are not IRRs here.

    Examples
    --------
    >>> irr_analysis(np.array([-100.0, 0.0, 121.0])).status
    'unique'
    >>> two = irr_analysis(np.array([-100.0, 230.0, -132.0]))  # NPV zero at 10 % and 20 %
    >>> two.status, [round(r, 9) for r in two.roots]
    ('not unique', [0.1, 0.2])
    """
    flows = _clean(np.asarray(flows, dtype=np.float64))
    signs = np.sign(flows[flows != 0.0])
    changes = int(np.count_nonzero(signs[1:] != signs[:-1]))
    if changes == 0:
        note = "no IRR: the net cash flows never change sign"
        return IrrResult(None, None, "none", (), 0, note)
    values = np.array([_npv_monthly(r, flows) for r in _IRR_GRID])
    found = [float(r) for r, v in zip(_IRR_GRID, values, strict=True) if v == 0.0]
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        a, b = _IRR_GRID[i], _IRR_GRID[i + 1]
        found.append(float(brentq(_npv_monthly, a, b, args=(flows,), xtol=1e-15, rtol=1e-15)))
    roots: list[float] = []
    for r in sorted(found):
        if not roots or r - roots[-1] > 1e-9:
            roots.append(r)
    if not roots:
        note = "no IRR: NPV is not zero at any monthly rate between -99 % and +1,000 %"
        return IrrResult(None, None, "none", (), changes, note)
    if len(roots) == 1:
        r = roots[0]
        return IrrResult(r, float((1.0 + r) ** 12 - 1.0), "unique", (r,), changes, "")
    annual = " and ".join(f"{(1.0 + r) ** 12 - 1.0:,.2%}" for r in roots)
    note = (
        f"IRR not unique: the net cash flows change sign {changes} times and NPV is zero at "
        f"{annual} a year; no single rate of return describes the case (judge it on NPV)"
    )
    return IrrResult(None, None, "not unique", tuple(roots), changes, note)


def irr_annual(flows: Array) -> float | None:
    """Internal rate of return of monthly flows compounded to a year: ``(1 + irr_m) ** 12 - 1``.

    ``None`` when there is no IRR or it is not unique (:func:`irr_analysis`).

    Examples
    --------
    >>> round(irr_annual(np.array([-100.0] + [10.0] * 12)), 6)
    0.412999
    """
    return irr_analysis(flows).annual


def irr_monthly(flows: Array) -> float | None:
    """Monthly internal rate of return of monthly flows; ``None`` when there is none.

    ``None`` too when the IRR is not unique (several roots): see :func:`irr_analysis`, which
    also lists the roots. No sign change in the flows, or no root with a monthly rate between
    -99 % and +1,000 %, means no IRR.

    Examples
    --------
    >>> round(irr_monthly(np.array([-100.0, 0.0, 121.0])), 12)
    0.1
    """
    return irr_analysis(flows).monthly


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
