"""Money and realised ROI: causal effects priced, set against the portal's costs and the plan.

* :mod:`portalroi.roi.money` — each effect valued per live account-month, interval carried;
* :mod:`portalroi.roi.realised` — benefits to date, run-rate, ROI, payback, NPV;
* :mod:`portalroi.roi.plan_vs_actual` — the business case line by line against the data;
* :mod:`portalroi.roi.prefill` — a business-case inputs file pre-filled from the data;
* :mod:`portalroi.roi.analysis` — all of it from a store (:func:`roi_from_store`).

Examples
--------
>>> from portalroi.roi import Interval
>>> Interval(1.0, 0.5, 1.5).scale(2.0)
Interval(estimate=2.0, low=1.0, high=3.0)
"""

from __future__ import annotations

from portalroi.roi.analysis import Assumptions, RoiReport, build_roi, roi_from_store
from portalroi.roi.facts import Facts, measure_facts
from portalroi.roi.lifetime import ClvEstimate, retained_account_clv
from portalroi.roi.money import (
    Interval,
    MoneyLine,
    agent_time_value,
    churn_value,
    deflection_value,
    dso_value,
    order_value,
)
from portalroi.roi.plan_vs_actual import Actuals, PlanRow, plan_vs_actual
from portalroi.roi.prefill import PrefilledInputs, prefill_from_facts, prefill_inputs
from portalroi.roi.realised import EarnedBasis, RealisedLine, RealisedRoi, realised_roi

__all__ = [
    "Actuals",
    "Assumptions",
    "ClvEstimate",
    "EarnedBasis",
    "Facts",
    "Interval",
    "MoneyLine",
    "PlanRow",
    "PrefilledInputs",
    "RealisedLine",
    "RealisedRoi",
    "RoiReport",
    "agent_time_value",
    "build_roi",
    "churn_value",
    "deflection_value",
    "dso_value",
    "measure_facts",
    "order_value",
    "plan_vs_actual",
    "prefill_from_facts",
    "prefill_inputs",
    "realised_roi",
    "retained_account_clv",
    "roi_from_store",
]
