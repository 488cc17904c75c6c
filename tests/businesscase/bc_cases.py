"""A minimal valid business-case inputs mapping that tests build cases from."""

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
