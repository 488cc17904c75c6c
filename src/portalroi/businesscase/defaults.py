"""Published benchmark defaults, each with the source it comes from.

Only figures that a source actually states are defaults here; everything company-specific
(revenue, customers, churn, ticket volume, ...) must be entered. The benchmark article is the
project's seed 004 (a customer-portal metrics guide whose figures cite Wayfront's agency-portal
study as its reference [6] and industry ticket-cost ranges as [5]); the six-step method is seed 000
(Bizzjoiner, "How to create a business case for a customer portal", 2018).
"""

from __future__ import annotations

__all__ = ["DEFAULTS", "EC_GUIDE", "SEED_004", "SOURCES"]

EC_GUIDE = (
    "European Commission, Guide to Cost-Benefit Analysis of Investment Projects: Economic "
    "appraisal tool for Cohesion Policy 2014-2020 (2014), section 2.8.1: 4 % in real terms "
    "as the reference financial discount rate"
)
SEED_004 = "customer-portal adoption and ROI metrics guide (seed 004)"

#: Default figure per ``line.field``: (low, likely, high) and where it comes from.
DEFAULTS: dict[str, tuple[tuple[float, float, float], str]] = {
    "deflection.deflection_share": (
        (0.25, 0.25, 0.25),
        f"{SEED_004}: 'a well-designed portal achieves a 25% deflection rate' [6]",
    ),
    "deflection.cost_per_ticket": (
        (2.0, 10.0, 15.0),
        f"{SEED_004}: $10 per ticket in its worked example; email tickets cost $2-$15 [5]",
    ),
    "admin_hours.hours_per_week": (
        (3.0, 3.0, 3.0),
        f"{SEED_004}: 'saving 3 hours per week at $60 per hour adds up to $9,360 annually' [6]",
    ),
    "admin_hours.hourly_rate": ((60.0, 60.0, 60.0), f"{SEED_004}: $60 per hour [6]"),
    "dso.days_reduced": (
        (5.0, 5.0, 5.0),
        f"{SEED_004}: median B2B DSO 56 days, 'portals can reduce this by about 5 days' [6]",
    ),
    "clv.uplift": (
        (0.10, 0.15, 0.20),
        f"{SEED_004}: portal engagement 'boosts CLV by 10-20% over two years' [6]; "
        "likely = midpoint",
    ),
    "churn.lifetime_extension_months": (
        (12.0, 12.0, 12.0),
        "six-step method (seed 000, step 2): churn if the average lifetime grows by 12 months",
    ),
    "consolidation.annual_saving": (
        (2400.0, 3000.0, 3600.0),
        f"{SEED_004}: stack consolidation $2,400-$3,600 a year [6]; likely = midpoint",
    ),
    "licence.amount": (
        (200.0, 350.0, 500.0),
        f"{SEED_004}: software subscriptions $200-$500 per month [6]; likely = midpoint",
    ),
    "implementation.amount": (
        (1125.0, 1125.0, 1125.0),
        f"{SEED_004}: implementation labour $1,125 [6]",
    ),
    "management.amount": (
        (2250.0, 2250.0, 2250.0),
        f"{SEED_004}: ongoing management $2,250 annually [6]",
    ),
}

#: Sources of the defaults that are not a line figure.
SOURCES: dict[str, str] = {
    "discount_rate": EC_GUIDE,
    "adoption": (
        f"{SEED_004}: 'a good benchmark for portal adoption is achieving 60% engagement within "
        "the first three months' [6]; full use by month 12 is this model's assumption"
    ),
    "dso.cost_of_capital": (
        "the discount rate: the EC guide defines the financial discount rate as the opportunity "
        "cost of capital"
    ),
}
