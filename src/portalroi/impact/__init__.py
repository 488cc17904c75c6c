"""Causal effects of the portal: staggered DiD, pre-trend test, time-series counterfactual, churn hazard.

Main estimator: Callaway & Sant'Anna (2021) group-time ATTs (:func:`staggered_did`); naive
comparisons (:func:`twfe_did`, :func:`naive_pre_post`) exist only to show how they mislead.
"""

from __future__ import annotations

from portalroi.impact.analysis import (
    baselines_from_store,
    estimate_effects,
    estimate_from_data,
    read_impact_frames,
)
from portalroi.impact.baseline import compute_baselines
from portalroi.impact.comparisons import naive_pre_post, twfe_did
from portalroi.impact.did import (
    GroupTimeEffects,
    TooFewUnitsError,
    aggregate,
    group_time_att,
    jackknife_se,
    staggered_did,
)
from portalroi.impact.frames import account_months, estimate_from_frames, month_index
from portalroi.impact.its import ItsResult, its_effect
from portalroi.impact.outcomes import ImpactData, OutcomePanel, build_impact_data
from portalroi.impact.panel import NEVER, Panel
from portalroi.impact.plot import event_study_spec
from portalroi.impact.pretrend import PretrendTest, wald_pretrend
from portalroi.impact.report import OUTCOMES, AccountBaseline, Baseline, Deflection, ImpactReport
from portalroi.impact.results import EffectEstimate, EventTimeEffect, event_study_frame
from portalroi.impact.survival import hazard_effect

__all__ = [
    "NEVER",
    "OUTCOMES",
    "AccountBaseline",
    "Baseline",
    "Deflection",
    "EffectEstimate",
    "EventTimeEffect",
    "GroupTimeEffects",
    "ImpactData",
    "ImpactReport",
    "ItsResult",
    "OutcomePanel",
    "Panel",
    "PretrendTest",
    "TooFewUnitsError",
    "account_months",
    "aggregate",
    "baselines_from_store",
    "build_impact_data",
    "compute_baselines",
    "estimate_effects",
    "estimate_from_data",
    "estimate_from_frames",
    "event_study_frame",
    "event_study_spec",
    "group_time_att",
    "hazard_effect",
    "its_effect",
    "jackknife_se",
    "month_index",
    "naive_pre_post",
    "read_impact_frames",
    "staggered_did",
    "twfe_did",
    "wald_pretrend",
]
