"""Measured impact of the portal on the store: one causal estimate per outcome.

:func:`estimate_effects` reads the canonical tables from the store (through Ibis), builds the
monthly account panels (:func:`portalroi.impact.outcomes.build_impact_data`) and estimates:

* ``tickets``, ``order_value`` (count outcomes) - Callaway-Sant'Anna staggered DiD with the
  account's pre-launch level as outcome-regression covariate (counts scale with the account's
  own level, so trends are parallel only given it);
* ``days_to_pay``, ``csat``, ``nps`` (mean outcomes) - the same DiD, unconditional;
* ``churn`` - discrete-time hazard (cloglog) with calendar-quarter fixed effects and
  pre-treatment covariates (segment, size, pre-launch ticket rate and days to pay), because
  healthier accounts go live first and churn less.

When an outcome has no comparison group (every account went live in the same month, or none is
never / not yet live) it falls back to the time-series counterfactual of the all-account monthly
series around the launch, and says so in ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from portalroi.errors import DataError, PortalRoiError
from portalroi.impact.baseline import compute_baselines
from portalroi.impact.did import ControlGroup, TooFewUnitsError, staggered_did
from portalroi.impact.its import its_effect
from portalroi.impact.outcomes import ImpactData, OutcomePanel, build_impact_data, month_label
from portalroi.impact.panel import Panel
from portalroi.impact.report import OUTCOMES, Baseline, Deflection, ImpactReport
from portalroi.impact.results import EffectEstimate
from portalroi.impact.survival import hazard_effect

__all__ = [
    "CHURN_PERIOD_BIN",
    "MIN_ACCOUNTS",
    "baselines_from_store",
    "estimate_effects",
    "estimate_from_data",
    "outcome_panel",
    "read_impact_frames",
]

#: Months per calendar fixed effect of the churn hazard (quarters: churn is rare per month).
CHURN_PERIOD_BIN = 3

#: Fewest accounts that went live, and fewest comparison accounts, a difference-in-differences
#: effect of the store must rest on; with fewer the outcome is skipped with the reason. The
#: analytic 95 % interval is a large-sample one: on simulated NPS answers with no effect it
#: covered the truth in 75 % of panels with 2 adopting accounts, 85 % with 4, 87-89 % with 5
#: and about 90 % from 6 on (2,000 panels each; docs/impact-methods.md).
MIN_ACCOUNTS = 6

_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "account_id",
        "created_at",
        "portal_live_at",
        "churned_at",
        "segment",
        "employees",
    ),
    "tickets": ("account_id", "created_at", "csat"),
    "invoices": ("account_id", "issued_at", "paid_at"),
    "surveys": ("account_id", "ts", "kind", "score"),
    "orders": ("account_id", "ts", "amount"),
}


def read_impact_frames(store: Any, as_of: datetime | str | None = None) -> dict[str, pd.DataFrame]:
    """The columns the impact analysis needs, read from the store's canonical tables via Ibis.

    Rows at or after ``as_of`` are filtered in the query (timestamps compare as UTC).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from portalroi.store import Store
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
    ...     sorted(read_impact_frames(s))
    ['accounts', 'invoices', 'orders', 'surveys', 'tickets']
    """
    cut = None if as_of is None else pd.Timestamp(as_of).tz_localize(None).to_pydatetime()
    times = {"tickets": "created_at", "invoices": "issued_at", "surveys": "ts", "orders": "ts"}
    frames: dict[str, pd.DataFrame] = {}
    for name, cols in _COLUMNS.items():
        tbl = store.table(name)
        expr = tbl.select([c for c in cols if c in tbl.columns])
        if cut is not None and name in times:
            expr = expr.filter(expr[times[name]] < cut)
        frames[name] = expr.execute()
    return frames


def outcome_panel(outcome: OutcomePanel) -> Panel:
    """The :class:`Panel` of one outcome (with its pre-launch level as covariate, if any).

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": ["a", "b"], "created_at": ["2024-01-01"] * 2,
    ...     "portal_live_at": ["2024-02-10", None], "churned_at": [None, None]})
    >>> tk = pd.DataFrame({"account_id": ["a", "b"], "created_at": ["2024-01-03", "2024-03-05"]})
    >>> outcome_panel(build_impact_data({"accounts": acc, "tickets": tk}).outcomes["tickets"]).y
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    data = outcome.data
    covs: list[str] = []
    if outcome.covariate is not None:
        data = data.assign(pre_level=data["account_id"].map(outcome.covariate))
        covs = ["pre_level"]
    panel = Panel.from_long(
        data,
        unit="account_id",
        period="month",
        outcome="y",
        first_treated="first_treated",
        covariates=covs,
        source=outcome.name,
    )
    return Panel(
        panel.units,
        panel.periods,
        panel.y,
        panel.first_treated,
        panel.covariates,
        ("pre-launch level",) if covs else (),
        outcome.unit,
    )


def _aggregate_series(data: ImpactData, outcome: OutcomePanel) -> pd.Series:
    g = outcome.months_per_period
    series = outcome.data.groupby("month")["y"].mean()
    return series.reindex(range(data.first_month // g, data.last_month // g + 1))


def _its(
    data: ImpactData, series: pd.Series, unit: str, level: float, grain: int = 1
) -> EffectEstimate:
    if not np.isfinite(data.launch_month):
        raise DataError("no account has gone live")
    series = series.dropna()
    launch = int(data.launch_month) // grain
    pre = int((series.index < launch).sum())
    season = 12 // grain if pre >= 24 // grain else None
    return its_effect(series, launch, season, level, unit).average


def _did_or_its(
    data: ImpactData, outcome: OutcomePanel, level: float, control: ControlGroup, notes: list[str]
) -> EffectEstimate:
    try:
        return staggered_did(
            outcome_panel(outcome),
            control,
            level,
            unit=outcome.unit,
            se_method=outcome.se_method,
            min_units=MIN_ACCOUNTS,
        )
    except TooFewUnitsError:
        # There is a comparison group, only too thin: the all-account series around the
        # launch is no better evidence, so no time-series fallback.
        raise
    except DataError as did_error:
        series = _aggregate_series(data, outcome)
        try:
            est = _its(data, series, outcome.unit, level, outcome.months_per_period)
        except DataError as its_error:
            raise DataError(
                f"no comparison group for difference-in-differences ({did_error}), and the "
                f"time-series counterfactual could not be fitted either ({its_error})"
            ) from its_error
        notes.append(
            f"{outcome.name}: no comparison group for difference-in-differences ({did_error}); "
            f"used the time-series counterfactual of the all-account monthly mean from "
            f"{month_label(data.launch_month)} instead"
        )
        return est


def _has_comparison(rows: pd.DataFrame) -> bool:
    bins = rows["month"] // CHURN_PERIOD_BIN
    mixed = rows.groupby(bins)["live"].nunique() > 1
    with_events = rows.groupby(bins)["churned"].max() > 0
    return bool((mixed & with_events).any())


def _churn(data: ImpactData, level: float, notes: list[str]) -> EffectEstimate:
    rows = data.grid.merge(data.churn_covariates, left_on="account_id", right_index=True)
    if rows["churned"].sum() == 0:
        raise DataError("no account churned in the window")
    live_churn = int(rows.loc[rows["live"].astype(bool), "churned"].sum())
    if int(rows["live"].sum()) > 0 and live_churn == 0:
        # With no churn in any live account-month the likelihood is maximised at a hazard
        # ratio of zero: the fit "converges" to an estimate like 3e-10 with an interval that
        # means nothing. Say so instead of reporting it.
        raise DataError(
            "no live account churned yet: the churn hazard ratio cannot be estimated "
            "(it would be 0 with an unbounded interval); wait for more live months"
        )
    if _has_comparison(rows):
        return hazard_effect(
            rows,
            unit="account_id",
            period="month",
            event="churned",
            treatment="live",
            covariates=list(data.churn_covariates.columns),
            period_bin=CHURN_PERIOD_BIN,
            level=level,
        )
    rate = rows.groupby("month")["churned"].mean()
    rate = rate.reindex(range(data.first_month, data.last_month + 1))
    its = _its(data, rate, "churn rate per account-month", level)
    observed = float(rate[rate.index >= data.launch_month].mean())

    def ratio(effect: float) -> float:
        return observed / (observed - effect) if observed - effect > 0 else float("inf")

    notes.append(
        "churn: no live and not-live accounts at risk in the same quarter; used the "
        "time-series counterfactual of the monthly churn rate, expressed as observed / "
        "counterfactual rate"
    )
    counterfactual = observed - its.estimate
    return EffectEstimate(
        estimand="ratio of the observed to the counterfactual monthly churn rate after launch",
        estimate=ratio(its.estimate),
        # a ratio's se is that of its logarithm (EffectEstimate): by the delta method,
        # d log(observed / (observed - effect)) / d effect = 1 / (observed - effect)
        se=its.se / counterfactual if counterfactual > 0 else float("inf"),
        ci_low=ratio(its.ci_low),
        ci_high=ratio(its.ci_high),
        n_treated=its.n_treated,
        n_control=0,
        method=its.method,
        assumptions=its.assumptions,
        unit="rate ratio",
        details={**its.details, "rate_effect": its.estimate, "rate_effect_se": its.se},
    )


def _deflection(data: ImpactData, est: EffectEstimate) -> Deflection:
    d = data.outcomes["tickets"].data
    treated = d[d["month"] >= d["first_treated"]]
    n = len(treated)
    observed = float(treated["y"].mean()) if n else 0.0
    counterfactual = observed - est.estimate
    return Deflection(
        per_account_month=-est.estimate,
        per_account_month_low=-est.ci_high,
        per_account_month_high=-est.ci_low,
        counterfactual_per_account_month=counterfactual,
        share=-est.estimate / counterfactual if counterfactual > 0 else float("nan"),
        treated_account_months=n,
        tickets_deflected=-est.estimate * n,
        tickets_deflected_low=-est.ci_high * n,
        tickets_deflected_high=-est.ci_low * n,
    )


def estimate_from_data(
    data: ImpactData,
    *,
    level: float = 0.95,
    control_group: ControlGroup = "not_yet_treated",
    as_of: str | None = None,
    outcomes: Sequence[str] = OUTCOMES,
) -> ImpactReport:
    """Estimate every outcome's effect from built panels (the pure core of the analysis).

    ``outcomes`` restricts the estimates to some of :data:`portalroi.impact.report.OUTCOMES`.

    Examples
    --------
    >>> from portalroi.sim import SimConfig, simulate
    >>> sim = simulate(SimConfig.preset("tiny", seed=4, events=False))
    >>> report = estimate_from_data(build_impact_data(sim.tables))
    >>> sorted(report.effects)
    ['churn', 'csat', 'days_to_pay', 'nps', 'order_value', 'tickets']
    """
    if not 0 < level < 1:
        raise DataError(f"level must lie between 0 and 1, got {level}")
    effects: dict[str, EffectEstimate] = {}
    skipped = dict(data.skipped)
    notes: list[str] = []
    unknown = sorted(set(outcomes) - set(OUTCOMES))
    if unknown:
        raise DataError(f"unknown outcomes {unknown}: choose from {', '.join(OUTCOMES)}")
    for name in ("tickets", "days_to_pay", "csat", "nps", "order_value"):
        if name not in data.outcomes or name not in outcomes:
            continue
        try:
            effects[name] = _did_or_its(data, data.outcomes[name], level, control_group, notes)
        except PortalRoiError as exc:
            skipped[name] = str(exc)
    try:
        if "churn" in outcomes:
            effects["churn"] = _churn(data, level, notes)
    except PortalRoiError as exc:
        skipped["churn"] = str(exc)
    order = ("tickets", "churn", "days_to_pay", "csat", "nps", "order_value")
    return ImpactReport(
        effects={k: effects[k] for k in order if k in effects},
        baselines=compute_baselines(data),
        period=(month_label(data.first_month), month_label(data.last_month)),
        level=level,
        control_group=control_group,
        deflection=_deflection(data, effects["tickets"]) if "tickets" in effects else None,
        skipped={k: skipped[k] for k in order if k in skipped},
        notes=tuple(notes),
        as_of=as_of,
    )


def estimate_effects(
    store: Any,
    *,
    level: float = 0.95,
    control_group: ControlGroup = "not_yet_treated",
    as_of: datetime | str | None = None,
) -> ImpactReport:
    """Causal effect of the portal on tickets, churn, days to pay, CSAT, NPS and order value.

    Parameters
    ----------
    store : an open :class:`portalroi.store.Store`.
    level : confidence level of every interval.
    control_group : ``"not_yet_treated"`` (accounts not live yet, and never-live ones) or
        ``"never_treated"``.
    as_of : analyse the data as it was at this time (later rows, go-lives and churn ignored).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from portalroi.store import Store
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
    ...     estimate_effects(s)
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: no tickets, invoices, surveys or orders to measure the impact on
    """
    frames: Mapping[str, pd.DataFrame] = read_impact_frames(store, as_of)
    data = build_impact_data(frames, as_of)
    label = None if as_of is None else pd.Timestamp(as_of).isoformat()
    return estimate_from_data(data, level=level, control_group=control_group, as_of=label)


def baselines_from_store(
    store: Any, *, as_of: datetime | str | None = None
) -> tuple[tuple[str, str], dict[str, Baseline]]:
    """The analysed period and the pre-launch baseline of every outcome the store supports.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from portalroi.store import Store
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
    ...     baselines_from_store(s)
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: no tickets, invoices, surveys or orders to measure the impact on
    """
    data = build_impact_data(read_impact_frames(store, as_of), as_of)
    period = (month_label(data.first_month), month_label(data.last_month))
    return period, compute_baselines(data)
