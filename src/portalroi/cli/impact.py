"""``portalroi impact``: the portal's measured (causal) effect on each outcome, or the baselines."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    as_day,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.store import Store

if TYPE_CHECKING:
    from portalroi.impact.report import Baseline, ImpactReport

__all__ = ["register"]


def _num(value: float | None, digits: int = 3) -> str:
    if value is not None and math.isinf(value):
        return "∞" if value > 0 else "-∞"  # an interval with no end (a rate ratio's ci_high)
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.{digits}g}" if abs(value) < 1 else f"{value:,.2f}"


def _print_baselines(period: tuple[str, str], baselines: dict[str, Baseline]) -> None:
    grid = Table(title=f"pre-launch baselines (data {period[0]} to {period[1]})")
    for col in ("outcome", "level", "trend / month", "± se", "accounts", "acct-months", "months"):
        grid.add_column(col, justify="left" if col in ("outcome", "months") else "right")
    for b in baselines.values():
        grid.add_row(
            f"{b.outcome} ({b.unit})",
            _num(b.level),
            _num(b.trend_per_month),
            _num(b.trend_se),
            f"{b.n_accounts:,}",
            f"{b.n_account_months:,}",
            f"{b.first_month} to {b.last_month}",
        )
    console.print(grid)


def _print_report(report: ImpactReport) -> None:
    pct = f"{report.level:.0%}"
    grid = Table(
        title=f"portal impact {report.period[0]} to {report.period[1]} "
        f"({report.control_group.replace('_', '-')} comparison)"
    )
    for col in ("outcome", "effect", f"{pct} interval", "pre-trend p", "treated", "control"):
        grid.add_column(col, justify="left" if col == "outcome" else "right")
    for name, est in report.effects.items():
        grid.add_row(
            f"{name} ({est.unit})",
            _num(est.estimate),
            f"{_num(est.ci_low)} to {_num(est.ci_high)}",
            _num(est.pretrend_pvalue),
            f"{est.n_treated:,}",
            f"{est.n_control:,}",
        )
    console.print(grid)
    d = report.deflection
    if d is not None:
        console.print(
            f"Tickets deflected: {d.tickets_deflected:,.0f} "
            f"({pct} interval {d.tickets_deflected_low:,.0f} to {d.tickets_deflected_high:,.0f}) "
            f"over {d.treated_account_months:,} live account-months, "
            f"{d.share:.1%} of the counterfactual {d.counterfactual_per_account_month:.2f} "
            "tickets per account-month."
        )
    for name, reason in report.skipped.items():
        console.print(f"[yellow]not estimated[/] {escape(name)}: {escape(reason)}", markup=True)
    for note in report.notes:
        console.print(f"[yellow]note[/] {escape(note)}", markup=True)
    console.print("[bold]Assumptions[/]", markup=True)
    seen: set[str] = set()
    for name, est in report.effects.items():
        for a in est.assumptions:
            if a not in seen:
                seen.add(a)
                method = escape(est.method.split(" (")[0])
                console.print(f"  - {escape(a)} [dim]({method}; {escape(name)})[/]", markup=True)


def impact(
    db: DbOption = None,
    as_json: JsonOption = False,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline",
            help="Only show each outcome's pre-launch level and trend (fast; no effects).",
        ),
    ] = False,
    level: Annotated[
        float, typer.Option("--level", min=0.5, max=0.999, help="Confidence level.")
    ] = 0.95,
    control: Annotated[
        Literal["not_yet_treated", "never_treated"],
        typer.Option(
            "--control", help="Comparison accounts: not yet live (and never live), or never live."
        ),
    ] = "not_yet_treated",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Analyse the data as of this date (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Measured impact of the portal: effect on tickets, churn, days to pay, CSAT, NPS and
    order value, with intervals, pre-trend checks and assumptions."""
    # imported here, not at module level: portalroi.impact loads statsmodels, which would slow
    # down the start of every portalroi command
    from portalroi.impact.analysis import baselines_from_store, estimate_effects

    settings = settings_for(db)
    with exits_cleanly(), Store(settings.db, read_only=True) as store:
        as_day(as_of, "--as-of")  # a clear error for a date that is not one
        if baseline:
            period, baselines = baselines_from_store(store, as_of=as_of)
            if as_json:
                from portalroi.impact.report import json_safe

                print_json(
                    json_safe(
                        {
                            "period": {"first_month": period[0], "last_month": period[1]},
                            "baselines": {k: b.to_dict() for k, b in baselines.items()},
                        }
                    )
                )
            else:
                _print_baselines(period, baselines)
            return
        report = estimate_effects(store, level=level, control_group=control, as_of=as_of)
    if as_json:
        from portalroi.impact.report import json_safe

        # an unbounded interval end (inf) or a NaN share is null, as in the HTTP API
        print_json(json_safe(report.to_dict()))
    else:
        _print_report(report)


def register(app: typer.Typer) -> None:
    """Add ``impact`` to the command line."""
    app.command("impact")(impact)
