"""ROI of one customer organisation: effects and facts measured on its own accounts only.

The dashboard's ROI pages and the API's ``/impact`` and ``/roi`` routes both call this.

The store is copied down to the organisation's accounts (:func:`portalroi.roi.facts.subset_store`)
and the same estimators run on the copy. The portal's costs are vendor-wide, so the organisation
carries the share of them that its live account-months are of all live account-months.

Examples
--------
>>> cost_share([0.0, 2.0, 2.0], [4.0, 4.0, 8.0])
0.25
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from portalroi.impact.analysis import estimate_effects
from portalroi.impact.report import ImpactReport
from portalroi.roi import Facts, measure_facts
from portalroi.roi.facts import subset_store
from portalroi.store import Store

__all__ = ["cost_share", "scoped_effects"]


def cost_share(live_scoped: Sequence[float], live_all: Sequence[float]) -> float:
    """Live account-months of the scope over those of every account (0 when none are live)."""
    total = float(sum(live_all))
    return min(1.0, float(sum(live_scoped)) / total) if total else 0.0


def scoped_effects(store: Store, accounts: Collection[str]) -> tuple[ImpactReport, Facts, float]:
    """(effects, facts, cost share) of ``accounts`` alone.

    Raises :class:`~portalroi.errors.DataError` when the accounts hold too little data to
    estimate the effects (for example no account went live).
    """
    share = cost_share(
        measure_facts(store, accounts=accounts).live_account_months,
        measure_facts(store).live_account_months,
    )
    sub = subset_store(store, accounts, share)
    try:
        impact = estimate_effects(sub)
        return impact, measure_facts(sub, impact.period[1] or None), share
    finally:
        sub.close()
