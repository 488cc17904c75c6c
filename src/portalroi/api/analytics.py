"""Computed results of the analytics routes (health, impact, ROI, topics), cached per scope.

Each function calls the same service the dashboard calls (:mod:`portalroi.services.health`,
:mod:`portalroi.services.roi`, :mod:`portalroi.services.topics`, :func:`portalroi.roi.build_roi`)
and stores the result in the app's :class:`~portalroi.api.cache.ResultCache` under a key made of
the kind, the tenant scope and the store's data version, so an organisation never receives
another organisation's cached figures and no result outlives the data it was computed from.
The version and everything a result is computed from are read in one snapshot of the store
(:func:`portalroi.metrics.snapshot`), so a load committing meanwhile can neither mix two states
of the data in one result nor file a result under the wrong version.

An organisation-scoped principal gets effects and facts measured on its own accounts only (the
store is copied down to them); a vendor-level principal gets the workspace's.

Examples
--------
>>> json_ready({"a": float("nan"), "b": (1, 2.5)})
{'a': None, 'b': [1, 2.5]}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

import numpy as np
import pandas as pd

from portalroi.analytics import TopicReport
from portalroi.analytics.deflection_sim import DeflectionSimulation
from portalroi.api.cache import ResultCache
from portalroi.api.scope import scoped_source
from portalroi.businesscase import BusinessCaseInputs
from portalroi.impact.analysis import estimate_effects
from portalroi.impact.report import ImpactReport
from portalroi.metrics import snapshot
from portalroi.roi import Assumptions, Facts, build_roi, measure_facts
from portalroi.roi.analysis import RoiReport
from portalroi.services.health import HealthData, compute_health
from portalroi.services.roi import scoped_effects
from portalroi.services.topics import compute_topics
from portalroi.services.versions import data_version
from portalroi.store import Store

__all__ = [
    "json_ready",
    "scope_accounts",
    "scoped_cost_share",
    "scoped_health",
    "scoped_impact",
    "scoped_roi",
    "scoped_topics",
]

Scope = frozenset[str] | None


def json_ready(value: Any) -> Any:
    """``value`` with NaN/inf as ``None``, numpy scalars as Python numbers, tuples as lists and
    dates as ISO strings, so JSON can encode it."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    return value


def scope_accounts(store: Store, scope: Scope) -> list[str]:
    """Ids of the accounts the scope may see, sorted.

    Examples
    --------
    >>> store = Store(":memory:")
    >>> _ = store.con.execute(
    ...     "INSERT INTO accounts (account_id, org_id, created_at) VALUES "
    ...     "('b1', 'org-b', '2024-01-01'), ('a2', 'org-a', '2024-01-01'), "
    ...     "('a1', 'org-a', '2024-01-01')")
    >>> scope_accounts(store, frozenset({"org-a"})), scope_accounts(store, None)
    (['a1', 'a2'], ['a1', 'a2', 'b1'])
    """
    acc = scoped_source(store, scope).table("accounts")
    return sorted(str(a) for a in acc.account_id.to_list())


def scoped_health(store: Store, cache: ResultCache) -> HealthData:
    """Health features, scores, reasons and risk of every account (callers keep their scope's).

    An account's features depend only on that account's rows, so scoring the whole store once
    and keeping the accounts in scope gives the same numbers as scoring their own store.
    """
    with snapshot(store):
        key = ("api", "health", data_version(store))
        return cache.get_or_compute(key, lambda: compute_health(store))


def _effects(store: Store, scope: Scope) -> tuple[ImpactReport, Facts, float]:
    if scope is None:
        impact = estimate_effects(store)
        return impact, measure_facts(store, impact.period[1] or None), 1.0
    return scoped_effects(store, scope_accounts(store, scope))


def _cached_effects(
    store: Store, scope: Scope, cache: ResultCache
) -> tuple[ImpactReport, Facts, float]:
    with snapshot(store):
        key = ("api", "effects", scope, data_version(store))
        return cache.get_or_compute(key, lambda: _effects(store, scope))


def scoped_impact(store: Store, scope: Scope, cache: ResultCache) -> tuple[ImpactReport, Facts]:
    """Causal effects and ROI facts of the scope's accounts.

    Raises :class:`~portalroi.errors.DataError` when they hold too little data to estimate them.
    """
    impact, facts, _ = _cached_effects(store, scope, cache)
    return impact, facts


def scoped_cost_share(store: Store, scope: Scope, cache: ResultCache) -> float:
    """The share of the vendor-wide portal costs the scope's accounts carry (1 for every
    account): their live account-months over all accounts', measured with the effects (the
    same cache entry, so a report after the ROI costs nothing more)."""
    return _cached_effects(store, scope, cache)[2]


def scoped_roi(
    store: Store,
    scope: Scope,
    cache: ResultCache,
    plan: BusinessCaseInputs | None = None,
) -> RoiReport:
    """Realised ROI of the scope's accounts, against ``plan`` when given."""
    plan_key = None if plan is None else hashlib.sha256(plan.model_dump_json().encode()).hexdigest()
    assumptions = Assumptions.from_plan(plan) if plan is not None else None
    with snapshot(store):
        impact, facts = scoped_impact(store, scope, cache)
        key = ("api", "roi", scope, data_version(store), plan_key)
        return cache.get_or_compute(key, lambda: build_roi(impact, facts, assumptions, plan))


def scoped_topics(
    store: Store, scope: Scope, cache: ResultCache, backend: str = "tfidf"
) -> tuple[TopicReport, DeflectionSimulation]:
    """Ticket topics of the scope's tickets and searches, and the deflection simulation."""
    with snapshot(store):
        key = ("api", "topics", scope, data_version(store), backend)
        return cache.get_or_compute(
            key, lambda: compute_topics(store, scoped_source(store, scope), backend)
        )
