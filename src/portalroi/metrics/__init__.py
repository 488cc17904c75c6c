"""The metric library: adoption, self-service, support and commerce metrics, defined once.

Every metric is declared in :mod:`portalroi.metrics.registry` with its definition, unit, grain
and good direction, and computed as an Ibis expression, so the same definition runs on the
DuckDB store, Spark or a warehouse. Importing this package registers the after-load hook that
keeps the daily activity rollup current (:mod:`portalroi.metrics.rollups`).

Examples
--------
>>> from portalroi.metrics import get_metric
>>> get_metric("wau").definition
'Distinct users active in the 7 days ending on the day.'
"""

from __future__ import annotations

from portalroi.metrics.api import (
    build,
    compute,
    formula_text,
    get_metric,
    list_metrics,
    metric_sql,
)
from portalroi.metrics.registry import CATEGORIES, METRICS, Metric
from portalroi.metrics.rollups import refresh_rollups, rollup_is_current, snapshot

__all__ = [
    "CATEGORIES",
    "METRICS",
    "Metric",
    "build",
    "compute",
    "formula_text",
    "get_metric",
    "list_metrics",
    "metric_sql",
    "refresh_rollups",
    "rollup_is_current",
    "snapshot",
]
