"""Business-case inputs that tests build cases from: a minimal valid mapping, and a case whose
IRR is not unique."""

from __future__ import annotations

from typing import Any

BASE: dict[str, Any] = {
    "currency": "USD",
    "horizon_years": 3,
    "company": {
        "annual_revenue": 1_200_000,
        "customers": 100,
        "annual_churn": 0.25,
        "new_customers_per_year": 20,
        "sales_marketing_cost": 100_000,
        "gross_margin_new": 0.3,
        "gross_margin_existing": 0.4,
    },
    "adoption": {"points": [[0, 1.0]]},
}

#: Net flows that change sign twice (a licence before the saving ramps up and after it ramps
#: down): NPV is zero at about -49.05 % and +1,853.19 % a year, so the IRR is not unique.
TWO_ROOTS: dict[str, Any] = {
    **{k: v for k, v in BASE.items() if k != "adoption"},
    "adoption": {"points": [[0, 0], [6, 1], [18, 1], [24, 0]]},
    "benefits": {"consolidation": {"annual_saving": 120_000}},
    "costs": {
        "implementation": {"amount": 10_000, "basis": "one_off"},
        "licence": {"amount": 3_000, "basis": "monthly"},
    },
}
