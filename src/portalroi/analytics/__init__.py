"""Support analytics over the store: ticket topics and knowledge gaps, deflection simulation,
predicted CSAT and first-contact resolution.

Each analysis lives in its own module; this package only re-exports the public names.
"""

from __future__ import annotations

from portalroi.analytics._frames import load_articles, load_searches, load_tickets
from portalroi.analytics.csat import (
    CsatEvaluation,
    CsatModel,
    evaluate_csat,
    sentiment,
    ticket_features,
)
from portalroi.analytics.deflection_sim import DeflectionSimulation, simulate_deflection
from portalroi.analytics.fcr import FcrAgreement, detect_fcr, fcr_agreement
from portalroi.analytics.topics_store import (
    TopicReport,
    draft_outline,
    find_ticket_topics,
    store_topic_report,
    topic_report,
)

__all__ = [
    "CsatEvaluation",
    "CsatModel",
    "DeflectionSimulation",
    "FcrAgreement",
    "TopicReport",
    "detect_fcr",
    "draft_outline",
    "evaluate_csat",
    "fcr_agreement",
    "find_ticket_topics",
    "load_articles",
    "load_searches",
    "load_tickets",
    "sentiment",
    "simulate_deflection",
    "store_topic_report",
    "ticket_features",
    "topic_report",
]
