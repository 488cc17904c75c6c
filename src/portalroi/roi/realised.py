"""Realised ROI: benefits earned so far against the portal's costs, month by month.

Pure functions over monthly series. A benefit line earns ``live account-months of the month ×
its value per live account-month`` (:class:`~portalroi.roi.money.MoneyLine`), so the monthly
benefits follow the roll-out; costs are the ``costs`` table summed per month.

Conventions (printed with every result, see :data:`CONVENTIONS`):

* ROI = (benefits to date - costs to date) / costs to date, undiscounted.
* Run-rate = the last three months, annualised (× 4).
* Payback reached: the cumulative net (benefits - costs since the first month) is >= 0 in
  the last month (zero up to floating-point error, as in the business case:
  :func:`~portalroi.businesscase.finance.payback_tolerance`); the payback month is the first
  month after costs began from which it stays >= 0 (a month that broke even before later
  costs pushed the net below zero again does not count). Otherwise the expected month: the
  months the run-rate net per month needs to close the gap, counted from the last month (none
  if that net is <= 0, or when no costs are recorded).
* NPV: monthly net flows discounted to the first month at the annual discount rate applied as
  ``(1 + r) ** (-month / 12)`` (month 0 undiscounted), as in the business case.
* Intervals: every figure recomputed at the low and high ends of the benefits' intervals
  (effect uncertainty only; costs are known). A line's interval is its effect's 95 % interval
  carried through its (monotone) formula. The totals (benefits, net, ROI, NPV) add the lines'
  ends, i.e. put every effect at its interval's end at once: a cautious range, a 95 % interval
  only if the effects' errors moved together and wider otherwise (on the default demo the ROI
  range is -991 % to 2,519 %; independent effects would give about -660 % to 2,140 %). The
  correlation between the effects is not estimated, so the cautious range is kept.
* Churn on two bases. The churn line books each retained account at its lifetime value (CLV)
  in the month it is retained: value secured, most of it margin still to come. Beside it,
  :class:`EarnedBasis` counts only the margin retained accounts have earned by the last month:
  the accounts retained in month ``t`` (live account-months × retained per live account-month)
  earn the margin per month from month ``t + 1`` on, and leave at the live accounts' churn rate
  ``h`` (a stock ``S[t + 1] = S[t] × (1 - h) + retained[t]``, earning ``margin × S[t]`` in
  month ``t``). The business case values kept customers the same way, month by month, so the
  earned basis is the one to set beside the plan; both are reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from portalroi.businesscase.finance import npv, payback_tolerance
from portalroi.errors import DataError
from portalroi.roi.money import Interval, MoneyLine

__all__ = [
    "CONVENTIONS",
    "EarnedBasis",
    "RealisedLine",
    "RealisedRoi",
    "add_months",
    "earned_churn_flows",
    "realised_roi",
]

RUN_RATE_MONTHS = 3

CONVENTIONS: tuple[str, ...] = (
    "Benefits per month = live account-months of the month × value per live account-month.",
    "ROI = (benefits to date - costs to date) / costs to date, undiscounted.",
    f"Run-rate = the last {RUN_RATE_MONTHS} months, annualised.",
    "Payback = first month after costs began from which the cumulative net stays >= 0 "
    "(reached only when it is >= 0 now); otherwise expected from the run-rate net per month "
    "(none without costs).",
    "NPV: monthly flows discounted to the first month, (1 + r) ** (-month / 12).",
    "Intervals carry the causal effects' 95 % intervals only; costs are known. A line's "
    "interval is its effect's 95 % interval; the totals' (benefits, ROI, NPV) put every effect "
    "at its interval's end at once: a cautious range, wider than a 95 % interval unless the "
    "effects err together.",
    "Churn: the line books retained accounts at lifetime value (value secured); the earned "
    "basis counts only the margin they earned to date (the business case's basis).",
)


def add_months(month: str, k: int) -> str:
    """``YYYY-MM`` plus ``k`` months.

    Examples
    --------
    >>> add_months("2024-11", 3)
    '2025-02'
    """
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class RealisedLine:
    """One benefit line's realised value to date and its annual run-rate."""

    id: str
    label: str
    to_date: Interval
    run_rate: Interval
    counted: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class EarnedBasis:
    """The totals with retained accounts counted by the margin earned to date (not at CLV).

    ``churn_to_date`` replaces the churn line's ``to_date`` in ``benefits_to_date``,
    ``net_to_date`` and ``roi``; every other line is as in :class:`RealisedRoi`.
    """

    churn_to_date: Interval
    benefits_to_date: Interval
    net_to_date: Interval
    roi: Interval | None
    margin_per_month: float
    live_churn_rate: float
    payback_reached: bool
    payback_month: str | None
    expected_payback_month: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class RealisedRoi:
    """Realised ROI to date, run-rate, payback and NPV (money in the data's currency)."""

    months: list[str]
    monthly_costs: list[float]
    monthly_benefits: list[float]
    monthly_benefits_low: list[float]
    monthly_benefits_high: list[float]
    cumulative_net: list[float]
    lines: list[RealisedLine]
    benefits_to_date: Interval
    costs_to_date: float
    net_to_date: Interval
    roi: Interval | None
    run_rate_benefits: Interval
    run_rate_costs: float
    payback_reached: bool
    payback_month: str | None
    expected_payback_month: str | None
    npv: Interval
    discount_rate: float
    conventions: list[str]
    earned: EarnedBasis | None = None

    @property
    def biggest_line(self) -> RealisedLine | None:
        """The counted line with the largest value to date."""
        counted = [x for x in self.lines if x.counted]
        return max(counted, key=lambda x: x.to_date.estimate) if counted else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def earned_churn_flows(
    retained: np.ndarray[Any, Any], live_churn_rate: float, margin_per_month: float
) -> np.ndarray[Any, Any]:
    """Margin earned each month by the accounts retained in earlier months.

    ``retained[t]`` accounts kept in month ``t`` earn ``margin_per_month`` from month
    ``t + 1`` on and leave at ``live_churn_rate`` a month: the stock
    ``S[t + 1] = S[t] × (1 - h) + retained[t]`` earns ``margin × S[t]`` in month ``t``.

    Examples
    --------
    >>> earned_churn_flows(np.array([1.0, 1.0, 1.0]), 0.5, 100.0).tolist()
    [0.0, 100.0, 150.0]
    """
    out = np.zeros(len(retained))
    stock = 0.0
    for t, kept in enumerate(np.asarray(retained, dtype=float)):
        out[t] = margin_per_month * stock
        stock = stock * (1.0 - live_churn_rate) + float(kept)
    return out


def _earned(
    months: Sequence[str],
    cost: np.ndarray[Any, Any],
    lines: Sequence[MoneyLine],
    exposure: np.ndarray[Any, Any],
    monthly_benefits: np.ndarray[Any, Any],
    benefits: Interval,
    realised: Sequence[RealisedLine],
) -> EarnedBasis | None:
    churn = next((x for x in lines if x.id == "churn" and x.counted), None)
    if churn is None or "margin_per_month" not in churn.details:
        return None
    h, m = churn.details["live_churn_rate"], churn.details["margin_per_month"]
    booked = next(x for x in realised if x.id == "churn").to_date
    keys = ("estimate", "low", "high")
    earned = Interval(
        *(
            float(earned_churn_flows(exposure * getattr(churn.quantity, k), h, m).sum())
            for k in keys
        )
    )
    # the quantity's ends give the earned ends (linear in it, margin >= 0); the totals
    # swap the churn line's booked value for the earned one at each end
    total = Interval(
        *(getattr(benefits, k) - getattr(booked, k) + getattr(earned, k) for k in keys)
    )
    costs_to_date = float(cost.sum())
    monthly = (
        monthly_benefits
        - exposure * churn.value.estimate
        + earned_churn_flows(exposure * churn.quantity.estimate, h, m)
    )
    reached, month = _payback(months, monthly, cost)
    return EarnedBasis(
        churn_to_date=earned,
        benefits_to_date=total,
        net_to_date=Interval(*(getattr(total, k) - costs_to_date for k in keys)),
        roi=Interval(*((getattr(total, k) - costs_to_date) / costs_to_date for k in keys))
        if costs_to_date > 0
        else None,
        margin_per_month=m,
        live_churn_rate=h,
        payback_reached=reached,
        payback_month=month if reached else None,
        expected_payback_month=None if reached else month,
    )


def _payback(
    months: Sequence[str], benefits: np.ndarray[Any, Any], costs: np.ndarray[Any, Any]
) -> tuple[bool, str | None]:
    net = benefits - costs
    cum_net = np.cumsum(net)
    started = np.cumsum(costs) > 0
    if not started.any():
        # no costs recorded: nothing to pay back (and no month to expect it in)
        return False, None
    # >= 0 up to the running sum's floating-point error, as in the business case
    ok = cum_net >= -payback_tolerance(net)
    if ok[-1]:
        # the first month from which the cumulative net stays >= 0: a month that broke even
        # before later costs pushed the net below zero again is not a payback
        below = np.flatnonzero(~(started & ok))
        return True, months[int(below[-1]) + 1 if below.size else 0]
    rr_net = float(np.mean(benefits[-RUN_RATE_MONTHS:]) - np.mean(costs[-RUN_RATE_MONTHS:]))
    if rr_net <= 0:
        return False, None
    return False, add_months(months[-1], math.ceil(-float(cum_net[-1]) / rr_net))


def realised_roi(
    months: Sequence[str],
    costs: Sequence[float],
    live_account_months: Sequence[float],
    lines: Sequence[MoneyLine],
    discount_rate: float,
) -> RealisedRoi:
    """Realised ROI over consecutive months from monthly costs and live account-months.

    Parameters
    ----------
    months
        Consecutive months ``YYYY-MM``, first to last (the last is the as-of month).
    costs
        The portal's costs per month.
    live_account_months
        Accounts live on the portal per month (account-months of exposure).
    lines
        Benefit lines valued per live account-month; lines with ``counted=False`` are shown
        but not added to the totals.
    discount_rate
        Annual discount rate for the NPV.

    Examples
    --------
    >>> from portalroi.roi.money import MoneyLine, Interval
    >>> one = MoneyLine("x", "x", Interval(10.0, 5.0, 15.0), Interval(1, 1, 1), "u", "f")
    >>> r = realised_roi(["2024-01", "2024-02", "2024-03"], [100.0, 0.0, 0.0],
    ...                  [0.0, 5.0, 10.0], [one], 0.0)
    >>> r.roi, r.payback_month
    (Interval(estimate=0.5, low=-0.25, high=1.25), '2024-03')
    """
    n = len(months)
    if n == 0 or len(costs) != n or len(live_account_months) != n:
        raise DataError(
            f"realised ROI needs one cost and one exposure per month: got {n} months, "
            f"{len(costs)} costs, {len(live_account_months)} exposures"
        )
    exposure = np.asarray(live_account_months, dtype=float)
    cost = np.asarray(costs, dtype=float)
    realised: list[RealisedLine] = []
    total = {"estimate": np.zeros(n), "low": np.zeros(n), "high": np.zeros(n)}
    for line in lines:
        flows = {k: exposure * getattr(line.value, k) for k in total}
        if line.counted:
            for k in total:
                total[k] = total[k] + flows[k]
        tail = min(RUN_RATE_MONTHS, n)
        realised.append(
            RealisedLine(
                id=line.id,
                label=line.label,
                to_date=Interval(*(float(flows[k].sum()) for k in total)),
                run_rate=Interval(*(float(flows[k][-tail:].sum()) * 12 / tail for k in total)),
                counted=line.counted,
            )
        )
    benefits = Interval(*(float(total[k].sum()) for k in total))
    costs_to_date = float(cost.sum())
    roi = (
        Interval(*((getattr(benefits, k) - costs_to_date) / costs_to_date for k in total))
        if costs_to_date > 0
        else None
    )
    tail = min(RUN_RATE_MONTHS, n)
    reached, month = _payback(months, total["estimate"], cost)
    return RealisedRoi(
        months=list(months),
        monthly_costs=cost.tolist(),
        monthly_benefits=total["estimate"].tolist(),
        monthly_benefits_low=total["low"].tolist(),
        monthly_benefits_high=total["high"].tolist(),
        cumulative_net=np.cumsum(total["estimate"] - cost).tolist(),
        lines=realised,
        benefits_to_date=benefits,
        costs_to_date=costs_to_date,
        net_to_date=Interval(*(getattr(benefits, k) - costs_to_date for k in total)),
        roi=roi,
        run_rate_benefits=Interval(*(float(total[k][-tail:].sum()) * 12 / tail for k in total)),
        run_rate_costs=float(cost[-tail:].sum()) * 12 / tail,
        payback_reached=reached,
        payback_month=month if reached else None,
        expected_payback_month=None if reached else month,
        npv=Interval(*(float(npv(discount_rate, total[k] - cost)) for k in total)),
        discount_rate=discount_rate,
        conventions=list(CONVENTIONS),
        earned=_earned(months, cost, lines, exposure, total["estimate"], benefits, realised),
    )
