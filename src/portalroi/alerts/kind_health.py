"""``health_band`` rules: accounts whose health band is X, or whose score is below a value.

The score is a snapshot as of the evaluation instant (the condition has no window start).

Scores come from :func:`portalroi.health.score.score_accounts` over the features as of the
evaluation instant (:func:`portalroi.health.features.account_features`), with the default
health configuration; the reason lists the signals that cost the account the most points.
"""

from __future__ import annotations

import pandas as pd

from portalroi.alerts.conditions import Condition, RuleContext, org_accounts
from portalroi.alerts.rules import HealthBandRule
from portalroi.health.config import HealthConfig
from portalroi.health.features import account_features
from portalroi.health.score import score_accounts, score_reasons

__all__ = ["evaluate_health_band"]


def _reasons_text(reasons: pd.DataFrame) -> str:
    parts = [
        f"{feature} {float(value):.3g} (-{float(lost):.1f} points)"
        for feature, value, lost in zip(
            reasons["feature"], reasons["value"], reasons["lost_points"], strict=True
        )
    ]
    return "; top reasons: " + ", ".join(parts) if parts else ""


def evaluate_health_band(rule: HealthBandRule, ctx: RuleContext) -> list[Condition]:
    """Accounts (of the rule's organisation) whose health meets the rule at ``ctx.as_of``."""
    cfg = HealthConfig.default()
    feats = account_features(ctx.store, ctx.as_of)
    allowed = org_accounts(ctx.store, rule.org_id)
    if allowed is not None:
        feats = feats[feats.index.isin(allowed)]
    if feats.empty:
        return []
    scores = score_accounts(feats, cfg)
    if rule.band is not None:
        hit = scores[scores["band"] == rule.band]
        cut = {"at_risk": cfg.bands.at_risk, "healthy": cfg.bands.healthy}
        threshold = cut.get(rule.band)
    else:
        hit = scores[scores["score"] < float(rule.below or 0.0)]
        threshold = rule.below
    if hit.empty:
        return []
    reasons = score_reasons(feats.loc[hit.index], cfg, top=3)
    by_account: dict[str, pd.DataFrame] = {
        str(a): g for a, g in reasons.groupby("account_id", sort=False)
    }
    out = []
    for account_id, row in hit.iterrows():
        score = float(row["score"])
        test = (
            f"band {row['band']}"
            if rule.band is not None
            else f"health {score:.1f} < {float(rule.below or 0):g}, band {row['band']}"
        )
        head = f"health {score:.1f}, {test}" if rule.band is not None else test
        own = by_account.get(str(account_id), reasons.iloc[0:0])
        out.append(
            Condition(
                account_id=str(account_id),
                subject="",
                reason=head + _reasons_text(own),
                value=round(score, 4),
                threshold=threshold,
                window_start=None,
                window_end=ctx.as_of,
                details={
                    "score": score,
                    "band": str(row["band"]),
                    "below": None if rule.band is not None else float(rule.below or 0.0),
                    "reasons": [
                        {"feature": str(f), "value": float(v), "lost_points": float(lost)}
                        for f, v, lost in zip(
                            own["feature"], own["value"], own["lost_points"], strict=True
                        )
                    ],
                },
            )
        )
    return out
