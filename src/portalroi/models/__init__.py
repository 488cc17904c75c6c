"""Statistical models over the canonical tables: customer lifetime value, receivables, churn risk, ticket topics.

Each model lives in its own module (``portalroi.models.clv``, ``portalroi.models.dso``, ...);
this package only re-exports the public names.
"""

from __future__ import annotations

from portalroi.models.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ShiftedBetaGeometricModel,
    customer_lifetime_value,
    summary_from_transactions,
)
from portalroi.models.dso import (
    countback_dso,
    payment_behaviour,
    receivables_by_period,
    receivables_outstanding,
)

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "ShiftedBetaGeometricModel",
    "countback_dso",
    "customer_lifetime_value",
    "payment_behaviour",
    "receivables_by_period",
    "receivables_outstanding",
    "summary_from_transactions",
]
