"""Statistical models over the canonical tables: customer lifetime value, receivables, churn risk, ticket topics.

Each model lives in its own module (``portalroi.models.clv``, ``portalroi.models.dso``, ...);
this package only re-exports the public names.
"""

from __future__ import annotations

from portalroi.models.churn import ChurnModel
from portalroi.models.churn_eval import ChurnEvaluation, evaluate
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
from portalroi.models.topics import (
    TopicAgreement,
    TopicGroups,
    agreement,
    choose_k,
    clean_text,
    discover_topics,
)
from portalroi.models.topics_kb import (
    draft_article_outline,
    match_articles,
    search_key,
    zero_result_searches,
)

__all__ = [
    "BetaGeoModel",
    "ChurnEvaluation",
    "ChurnModel",
    "GammaGammaModel",
    "ShiftedBetaGeometricModel",
    "TopicAgreement",
    "TopicGroups",
    "agreement",
    "choose_k",
    "clean_text",
    "countback_dso",
    "customer_lifetime_value",
    "discover_topics",
    "draft_article_outline",
    "evaluate",
    "match_articles",
    "payment_behaviour",
    "receivables_by_period",
    "receivables_outstanding",
    "search_key",
    "summary_from_transactions",
    "zero_result_searches",
]
