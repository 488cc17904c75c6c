"""Interventions: customer-success actions on accounts, and whether they worked.

* :mod:`~portalroi.interventions.record`: record, list and import interventions.
* :mod:`~portalroi.interventions.outcomes`: outcomes measured before and after a date.
* :mod:`~portalroi.interventions.risk`: health scores as of past dates (for matching).
* :mod:`~portalroi.interventions.matching`: similar accounts with no intervention.
* :mod:`~portalroi.interventions.estimate`: matched difference-in-differences with a cluster
  bootstrap.
* :mod:`~portalroi.interventions.effect`: the whole "did it work" analysis per kind.

Examples
--------
>>> from portalroi.interventions import KINDS, TARGETS
>>> KINDS[:3], TARGETS["training"]
(('call', 'training', 'qbr'), 'active_users')
"""

from __future__ import annotations

from portalroi.interventions.effect import (
    MIN_MATCHED,
    SMALL_GROUP,
    EffectsReport,
    InterventionEffect,
    intervention_effects,
)
from portalroi.interventions.estimate import DidEstimate, matched_did
from portalroi.interventions.matching import match_controls
from portalroi.interventions.outcomes import OUTCOMES, TARGETS, Outcome, measure
from portalroi.interventions.record import (
    KINDS,
    import_interventions,
    list_interventions,
    parse_when,
    record_intervention,
)
from portalroi.interventions.risk import scores_as_of

__all__ = [
    "KINDS",
    "MIN_MATCHED",
    "OUTCOMES",
    "SMALL_GROUP",
    "TARGETS",
    "DidEstimate",
    "EffectsReport",
    "InterventionEffect",
    "Outcome",
    "import_interventions",
    "intervention_effects",
    "list_interventions",
    "match_controls",
    "matched_did",
    "measure",
    "parse_when",
    "record_intervention",
    "scores_as_of",
]
