"""Ticket topics: groups of similar tickets, knowledge gaps, zero-result searches, savings.

Groups come from :func:`portalroi.analytics.topic_report` over the tickets and searches of the
source the caller passes (the store, or a tenant-scoped view of it); the knowledge base
(``articles``) is the vendor's and is read from the store, the same for everyone. The simulation
is :func:`portalroi.analytics.simulate_deflection` with its benchmark defaults.

Examples
--------
>>> TOP_GROUPS
5
"""

from __future__ import annotations

from typing import Any

from portalroi.analytics import (
    TopicReport,
    load_articles,
    load_searches,
    load_tickets,
    simulate_deflection,
    topic_report,
)
from portalroi.analytics.deflection_sim import DeflectionSimulation
from portalroi.store import Store

__all__ = ["TOP_GROUPS", "compute_topics"]

#: How many groups the deflection simulation answers.
TOP_GROUPS = 5


def compute_topics(
    store: Store, source: Any, backend: str = "tfidf"
) -> tuple[TopicReport, DeflectionSimulation]:
    """Topic report over ``source``'s tickets and searches (the store's articles) and the
    deflection simulation of the :data:`TOP_GROUPS` largest groups; ``backend`` groups the
    tickets (``"tfidf"`` or ``"embeddings"``, the setting ``topics_backend`` on the server).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> store = Store(":memory:")
    >>> compute_topics(store, store)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: ...
    """
    report = topic_report(
        load_tickets(source), load_articles(store), load_searches(source), backend=backend
    )
    sim = simulate_deflection(report.tickets, report.groups, top=TOP_GROUPS)
    return report, sim
