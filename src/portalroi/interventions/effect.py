"""Did it work? Each kind of intervention's effect on the outcome it targets.

For a kind (say ``training``) and an outcome (say ``active_users``, see
:mod:`portalroi.interventions.outcomes`):

1. **Episodes.** Each intervention of the kind is an episode anchored at 00:00 UTC of its day
   ``d``; a repeat on the same account within the after-window of an earlier one belongs to
   that earlier episode.
2. **Eligible.** The account was a customer for the whole before-window (created at or before
   ``d - 7w``, not churned before ``d``), the after-window ends before the data do, and for
   portal-use outcomes the portal was live for the whole before-window.
3. **Matched.** Controls are accounts eligible the same way at the same ``d`` with no
   intervention of any kind in ``[d - 7w, d]``, in the same segment, with a health score
   as of the same month start (computed from data before it only) within ``caliper`` points;
   the ``k`` nearest are kept (:func:`portalroi.interventions.matching.match_controls`).
4. **Estimated.** Difference-in-differences of the matched sets with a cluster bootstrap over
   accounts (:func:`portalroi.interventions.estimate.matched_did`).

Honest warnings are attached when groups are small (numbers stated); with fewer than
:data:`MIN_MATCHED` matched episodes there is no estimate at all.

Examples
--------
>>> from portalroi.store import Store
>>> report = intervention_effects(Store(":memory:"))
>>> report.effects
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from portalroi.errors import ConfigError, DataError
from portalroi.health.risk import data_period
from portalroi.interventions.estimate import DidEstimate, matched_did
from portalroi.interventions.matching import match_controls
from portalroi.interventions.outcomes import OUTCOMES, TARGETS, measure
from portalroi.interventions.risk import grid_date, scores_as_of
from portalroi.schema import INTERVENTION_KINDS
from portalroi.store import Store

__all__ = [
    "MIN_MATCHED",
    "SMALL_GROUP",
    "EffectsReport",
    "InterventionEffect",
    "intervention_effects",
]

#: Fewer matched treated episodes than this: no estimate.
MIN_MATCHED = 5
#: Fewer matched episodes (or control accounts) than this: the estimate carries a warning.
SMALL_GROUP = 30
#: Share of eligible episodes left unmatched above which a warning says so.
_UNMATCHED_WARN = 0.2


@dataclass(frozen=True)
class InterventionEffect:
    """The estimated effect of one kind of intervention on one outcome."""

    kind: str
    outcome: str
    label: str
    unit: str
    higher_is_better: bool
    weeks: int
    interventions: int
    episodes: int
    eligible: int
    matched: int
    treated_accounts: int
    control_accounts: int
    estimate: DidEstimate | None
    method: str
    warnings: tuple[str, ...]
    detail: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the per-episode detail is left out)."""
        est = self.estimate
        return {
            "kind": self.kind,
            "outcome": self.outcome,
            "label": self.label,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "weeks": self.weeks,
            "interventions": self.interventions,
            "episodes": self.episodes,
            "eligible": self.eligible,
            "matched": self.matched,
            "treated_accounts": self.treated_accounts,
            "control_accounts": self.control_accounts,
            "effect": None if est is None else est.effect,
            "ci_low": None if est is None else est.ci_low,
            "ci_high": None if est is None else est.ci_high,
            "relative_effect": None if est is None else est.relative_effect,
            "naive_change": None if est is None else est.naive_change,
            "naive_ci_low": None if est is None else est.naive_ci_low,
            "naive_ci_high": None if est is None else est.naive_ci_high,
            "control_change": None if est is None else est.control_change,
            "treated_before": None if est is None else est.treated_pre,
            "treated_after": None if est is None else est.treated_post,
            "method": self.method,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class EffectsReport:
    """Effects of every kind asked for, with the settings they were computed with."""

    effects: list[InterventionEffect]
    data_end: datetime | None
    weeks: int
    controls_per_episode: int
    caliper: float
    seed: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "data_end": None if self.data_end is None else self.data_end.isoformat(),
            "weeks": self.weeks,
            "controls_per_episode": self.controls_per_episode,
            "caliper": self.caliper,
            "seed": self.seed,
            "effects": [e.as_dict() for e in self.effects],
        }


def _episodes(iv: pd.DataFrame, window: timedelta) -> pd.DataFrame:
    """First intervention of each run of the same kind on an account (repeats folded in)."""
    keep: list[int] = []
    for _, g in iv.sort_values(["account_id", "anchor", "intervention_id"]).groupby(
        "account_id", sort=False
    ):
        last: pd.Timestamp | None = None
        for idx, anchor in zip(g.index, g["anchor"], strict=True):
            if last is None or anchor >= last + window:
                keep.append(int(idx))
                last = anchor
    return iv.loc[keep].sort_values(["anchor", "account_id"]).reset_index(drop=True)


def _eligible(
    acc: pd.DataFrame, anchor: pd.Timestamp, window: timedelta, needs_portal: bool
) -> np.ndarray[Any, Any]:
    ok = (acc["created_at"] <= anchor - window) & (
        acc["churned_at"].isna() | (acc["churned_at"] > anchor)
    )
    if needs_portal:
        ok &= acc["portal_live_at"].notna() & (acc["portal_live_at"] <= anchor - window)
    out: np.ndarray[Any, Any] = ok.to_numpy(dtype=bool)
    return out


def _acted_later(ctrl: pd.DataFrame, iv: pd.DataFrame, window: timedelta) -> int:
    """Control rows whose account got any intervention in ``(anchor, anchor + window)``."""
    if not len(ctrl) or not len(iv):
        return 0
    m = ctrl[["anchor", "account_id"]].merge(
        iv[["account_id", "anchor"]].rename(columns={"anchor": "at"}), on="account_id"
    )
    hit = m[(m["at"] > m["anchor"]) & (m["at"] < m["anchor"] + window)]
    return len(hit[["anchor", "account_id"]].drop_duplicates())


def _method(k: int, caliper: float, weeks: int, n_boot: int, seed: int) -> str:
    return (
        f"matched difference-in-differences, {weeks} weeks before vs after; up to {k} "
        f"controls per intervention with no intervention in the {weeks} weeks before, "
        f"same segment, "
        f"health score (as of the month start, from earlier data only) within {caliper:g} "
        f"points; 95 % interval from a cluster bootstrap over accounts ({n_boot} draws, "
        f"seed {seed})"
    )


def _one(
    store: Store,
    kind: str,
    outcome: str,
    iv_all: pd.DataFrame,
    acc: pd.DataFrame,
    data_end: datetime,
    *,
    weeks: int,
    k: int,
    caliper: float,
    n_boot: int,
    seed: int,
) -> InterventionEffect:
    spec = OUTCOMES[outcome]
    window = timedelta(days=7 * weeks)
    mine = iv_all[iv_all["kind"] == kind]
    eps = _episodes(mine, window)
    acc_idx = acc.set_index("account_id")
    reasons = {"unknown account": 0, "window not complete": 0, "not eligible": 0}
    elig_rows: list[int] = []
    for i, row in eps.iterrows():
        if row["account_id"] not in acc_idx.index:
            reasons["unknown account"] += 1
        elif row["anchor"] + window > pd.Timestamp(data_end):
            reasons["window not complete"] += 1
        elif not _eligible(
            acc_idx.loc[[row["account_id"]]].reset_index(), row["anchor"], window, spec.needs_portal
        )[0]:
            reasons["not eligible"] += 1
        else:
            elig_rows.append(int(i))  # type: ignore[call-overload]
    elig = eps.loc[elig_rows].reset_index(drop=True)
    elig["episode"] = np.arange(len(elig))
    grids = {a: pd.Timestamp(grid_date(a.to_pydatetime())) for a in elig["anchor"].unique()}
    scores = scores_as_of(store, [g.to_pydatetime() for g in set(grids.values())])
    score_of = {(g, a): s for g, a, s in scores[["as_of", "account_id", "score"]].values}
    segment = acc_idx["segment"].astype(object).where(acc_idx["segment"].notna(), "(none)")
    elig["segment"] = [segment.get(a) for a in elig["account_id"]]
    elig["score"] = [
        score_of.get((grids[d], a)) for d, a in zip(elig["anchor"], elig["account_id"], strict=True)
    ]
    ivt = iv_all["anchor"].to_numpy()
    iva = iv_all["account_id"].to_numpy()
    pools: list[pd.DataFrame] = []
    for anchor in elig["anchor"].unique():
        a = pd.Timestamp(anchor)
        ok = _eligible(acc, a, window, spec.needs_portal)
        # only the before-window and the day itself: excluding accounts that are acted on
        # later would favour accounts that churn before anyone can act (survivor bias)
        near = (ivt >= np.datetime64(a - window)) & (ivt <= np.datetime64(a))
        busy = set(iva[near])
        cand = acc[ok & ~acc["account_id"].isin(busy).to_numpy()]
        g = grids[a]
        pools.append(
            pd.DataFrame(
                {
                    "anchor": a,
                    "account_id": cand["account_id"].to_numpy(),
                    "segment": [segment.get(x) for x in cand["account_id"]],
                    "score": [score_of.get((g, x)) for x in cand["account_id"]],
                }
            )
        )
    pool = pd.concat(pools, ignore_index=True) if pools else pd.DataFrame()
    matches = match_controls(elig, pool, k=k, caliper=caliper)
    matched_eps = elig[elig["episode"].isin(matches["episode"])]

    # measure the outcome on treated episodes and on each (anchor, control) once
    ctrl = matches.merge(elig[["episode", "anchor"]], on="episode")
    ctrl_keys = ctrl[["anchor", "account_id"]].drop_duplicates().reset_index(drop=True)
    n_t = len(matched_eps)
    pairs = pd.concat(
        [
            pd.DataFrame(
                {
                    "pair": np.arange(n_t),
                    "account_id": matched_eps["account_id"].to_numpy(),
                    "anchor": matched_eps["anchor"].to_numpy(),
                }
            ),
            ctrl_keys.assign(pair=np.arange(n_t, n_t + len(ctrl_keys))),
        ],
        ignore_index=True,
    )
    values = measure(store, outcome, pairs, weeks).set_index("pair")
    treated = matched_eps.assign(
        pre=values["pre"].reindex(np.arange(n_t)).to_numpy(),
        post=values["post"].reindex(np.arange(n_t)).to_numpy(),
    )
    keyed = ctrl_keys.assign(
        pre=values["pre"].reindex(np.arange(n_t, n_t + len(ctrl_keys))).to_numpy(),
        post=values["post"].reindex(np.arange(n_t, n_t + len(ctrl_keys))).to_numpy(),
    )
    ctrl = ctrl.merge(keyed, on=["anchor", "account_id"]).dropna(subset=["pre", "post"])
    treated = treated.dropna(subset=["pre", "post"])
    treated = treated[treated["episode"].isin(ctrl["episode"])]
    ctrl = ctrl[ctrl["episode"].isin(treated["episode"])]
    ctrl["weight"] = 1.0 / ctrl.groupby("episode")["account_id"].transform("size")

    n_match = len(treated)
    n_tacc = int(treated["account_id"].nunique())
    n_cacc = int(ctrl["account_id"].nunique())
    warnings: list[str] = []
    if len(mine) == 0:
        warnings.append(f"no {kind} interventions recorded: no estimate")
    elif len(elig) == 0:
        why = ", ".join(f"{v} {r}" for r, v in reasons.items() if v)
        warnings.append(
            f"none of the {len(eps)} {kind} episodes can be compared ({why}): no estimate"
        )
    if len(elig) and len(elig) - n_match > _UNMATCHED_WARN * len(elig):
        warnings.append(
            f"{len(elig) - n_match} of {len(elig)} eligible {kind} episodes found no control "
            f"(same segment, no intervention, score within {caliper:g} points) and are left "
            "out: the estimate describes the matched ones"
        )
    estimate: DidEstimate | None = None
    if len(elig) and n_match < MIN_MATCHED:
        warnings.append(
            f"only {n_match} matched {kind} episode(s) (fewer than {MIN_MATCHED}): no estimate"
        )
    elif n_match:
        estimate = matched_did(
            treated[["episode", "account_id", "pre", "post"]],
            ctrl[["episode", "account_id", "weight", "pre", "post"]],
            n_boot=n_boot,
            seed=seed,
        )
        if n_match < SMALL_GROUP or n_cacc < SMALL_GROUP:
            warnings.append(
                f"small groups: {n_match} treated episodes on {n_tacc} accounts against "
                f"{n_cacc} control accounts (fewer than {SMALL_GROUP}); the interval is rough "
                "and one account can move the estimate"
            )
    if estimate is not None and treated["post"].nunique() == 1 and treated["pre"].nunique() == 1:
        warnings.append(
            f"the {n_match} treated episodes all have the same {spec.label.lower()} before and "
            "after (e.g. none churned): the bootstrap cannot show their uncertainty, so the "
            "interval is too narrow"
        )
    later = _acted_later(ctrl, iv_all, window)
    if len(ctrl) and later > _UNMATCHED_WARN * len(ctrl):
        warnings.append(
            f"{later} of {len(ctrl)} control uses got an intervention during their "
            "after-window (counted as untreated: if it helped them, the estimate leans to zero)"
        )
    if reasons["window not complete"] and len(elig):
        warnings.append(
            f"{reasons['window not complete']} recent {kind} episode(s) left out: their "
            f"{weeks}-week after-window is not over yet"
        )
    c_change = (ctrl["post"] - ctrl["pre"]) * ctrl["weight"]
    detail = treated.assign(
        controls=treated["episode"].map(ctrl.groupby("episode").size()).to_numpy(),
        control_change=treated["episode"].map(c_change.groupby(ctrl["episode"]).sum()).to_numpy(),
    )[
        [
            "intervention_id",
            "account_id",
            "anchor",
            "segment",
            "score",
            "pre",
            "post",
            "controls",
            "control_change",
        ]
    ].reset_index(drop=True)
    return InterventionEffect(
        kind=kind,
        outcome=outcome,
        label=spec.label,
        unit=spec.unit,
        higher_is_better=spec.higher_is_better,
        weeks=weeks,
        interventions=len(mine),
        episodes=len(eps),
        eligible=len(elig),
        matched=n_match,
        treated_accounts=n_tacc,
        control_accounts=n_cacc,
        estimate=estimate,
        method=_method(k, caliper, weeks, n_boot, seed),
        warnings=tuple(warnings),
        detail=detail,
    )


def intervention_effects(
    store: Store,
    *,
    kind: str | None = None,
    outcome: str | None = None,
    weeks: int = 13,
    controls: int = 5,
    caliper: float = 10.0,
    n_boot: int = 2000,
    seed: int = 0,
) -> EffectsReport:
    """Estimate the effect of each kind of intervention in ``store`` on its target outcome.

    Parameters
    ----------
    store
        The analytics store (or a copy restricted to one organisation's accounts).
    kind
        Only this kind (default: every kind that has interventions).
    outcome
        Measure this outcome for every kind (default: each kind's entry in
        :data:`~portalroi.interventions.outcomes.TARGETS`).
    weeks
        Length of the before and after windows.
    controls
        Controls per treated episode (nearest by health score).
    caliper
        Largest health-score difference between a treated account and its controls.
    n_boot, seed
        Bootstrap draws and their seed.

    Returns
    -------
    EffectsReport
        One :class:`InterventionEffect` per kind.

    Raises
    ------
    ConfigError
        An unknown kind or outcome, or settings out of range.
    """
    if kind is not None and kind not in INTERVENTION_KINDS:
        raise ConfigError(f"unknown kind {kind!r}; expected one of {', '.join(INTERVENTION_KINDS)}")
    if outcome is not None and outcome not in OUTCOMES:
        raise ConfigError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if weeks < 1 or controls < 1 or caliper < 0 or n_boot < 0:
        raise ConfigError("weeks and controls must be at least 1, caliper and n_boot at least 0")
    iv = store.con.execute(
        "SELECT intervention_id, account_id, kind, occurred_at FROM interventions "
        "WHERE occurred_at IS NOT NULL"
    ).df()
    iv["anchor"] = pd.to_datetime(iv["occurred_at"]).dt.floor("D")
    kinds = [kind] if kind is not None else sorted(iv["kind"].dropna().unique())
    try:
        _, data_end = data_period(store)
    except DataError:
        data_end = None
    effects: list[InterventionEffect] = []
    if data_end is not None:
        acc = store.con.execute(
            "SELECT account_id, segment, created_at, churned_at, portal_live_at FROM accounts"
        ).df()
        for k in kinds:
            effects.append(
                _one(
                    store,
                    str(k),
                    outcome or TARGETS[str(k)],
                    iv,
                    acc,
                    data_end,
                    weeks=weeks,
                    k=controls,
                    caliper=caliper,
                    n_boot=n_boot,
                    seed=seed,
                )
            )
    return EffectsReport(effects, data_end, weeks, controls, caliper, seed)
