"""portalroi: prove the value of a B2B customer portal.

The package follows the flow ingest -> store -> metrics -> impact / models -> roi -> reports.
The most used functions are available from the top level (imported on first use, so
``import portalroi`` stays fast):

>>> import portalroi
>>> portalroi.get_metric("mau").unit
'users'

Importing the package registers the metric library's after-load hook, so every load keeps the
daily activity rollup current.
"""

from __future__ import annotations

import importlib
from typing import Any

# Registers the rollup after-load hook (see portalroi.store.hooks) for every load.
import portalroi.metrics as _metrics  # noqa: F401

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "BusinessCaseInputs": "portalroi.businesscase",
    "LoadSummary": "portalroi.ingest",
    "Settings": "portalroi.settings",
    "SimConfig": "portalroi.sim",
    "Store": "portalroi.store",
    "TrueEffects": "portalroi.sim",
    "accuracy_by_month": "portalroi.health.accuracy",
    "compute": "portalroi.metrics",
    "estimate_effects": "portalroi.impact.analysis",
    "evaluate": "portalroi.businesscase",
    "expansion_signals": "portalroi.health.expansion",
    "get_metric": "portalroi.metrics",
    "get_settings": "portalroi.settings",
    "health_scores": "portalroi.health.score",
    "ingest_file": "portalroi.ingest",
    "ingest_frame": "portalroi.ingest",
    "intervention_effects": "portalroi.interventions",
    "list_metrics": "portalroi.metrics",
    "load_inputs": "portalroi.businesscase",
    "prefill_inputs": "portalroi.roi.prefill",
    "record_scores": "portalroi.health.history",
    "roi_from_store": "portalroi.roi.analysis",
    "run_alerts": "portalroi.alerts",
    "simulate": "portalroi.sim",
    "simulate_uncertainty": "portalroi.businesscase",
    "write_dataset": "portalroi.sim",
    "write_excel": "portalroi.businesscase",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'portalroi' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
