"""Account health: features as of a date, a transparent health score, churn risk and summaries.

Examples
--------
>>> from portalroi.health import HealthConfig
>>> HealthConfig.default().bands.healthy
70.0
"""

from __future__ import annotations

from portalroi.health.config import HealthConfig, load_config
from portalroi.health.features import FEATURES, MODEL_FEATURES, account_features
from portalroi.health.risk import (
    Backtest,
    backtest,
    churn_risk,
    fit_risk_model,
    labelled_snapshots,
)
from portalroi.health.score import breakdown, health_scores, score_accounts, score_reasons
from portalroi.health.summary import AccountSummary, account_summary, facts_text

__all__ = [
    "FEATURES",
    "MODEL_FEATURES",
    "AccountSummary",
    "Backtest",
    "HealthConfig",
    "account_features",
    "account_summary",
    "backtest",
    "breakdown",
    "churn_risk",
    "facts_text",
    "fit_risk_model",
    "health_scores",
    "labelled_snapshots",
    "load_config",
    "score_accounts",
    "score_reasons",
]
