"""``portalroi roi``: realised ROI from the store, optionally against a business-case plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    check_output,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import ConfigError
from portalroi.store import Store

if TYPE_CHECKING:
    # portalroi.roi imports portalroi.impact (statsmodels): the commands import it when they run
    from portalroi.roi.money import Interval

__all__ = ["register", "roi"]


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _iv(x: Interval) -> str:
    return f"{_money(x.estimate)} [{_money(x.low)}, {_money(x.high)}]"


def roi(
    plan: Annotated[
        Path | None,
        typer.Option("--plan", help="Business-case inputs YAML to compare with, line by line."),
    ] = None,
    prefill: Annotated[
        Path | None,
        typer.Option(
            "--prefill", help="Write a business-case inputs YAML pre-filled from the data to F."
        ),
    ] = None,
    margin: Annotated[
        float | None,
        typer.Option(
            "--margin",
            help="Gross margin (0-1) for retained accounts and extra orders "
            "(default: the plan's margin on existing customers; none: those lines not valued).",
        ),
    ] = None,
    discount_rate: Annotated[
        float | None,
        typer.Option(
            "--discount-rate", help="Annual discount rate (default: the plan's, else 4 %)."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Realised ROI: benefits (with 95 % intervals) and costs to date, payback, NPV, plan vs actual."""
    from portalroi.businesscase import load_inputs
    from portalroi.roi import Assumptions, prefill_inputs, roi_from_store

    with exits_cleanly():
        check_output(prefill, "--prefill")
        settings = settings_for(db)
        if margin is not None and not 0 <= margin <= 1:
            raise ConfigError(f"--margin must be between 0 and 1 (got {margin})")
        if discount_rate is not None and not 0 <= discount_rate < 1:
            # as the business case's discount_rate: 0 (no discounting) up to, not including, 1
            raise ConfigError(f"--discount-rate must be >= 0 and < 1 (got {discount_rate})")
        inputs = load_inputs(plan) if plan is not None else None
        with Store(settings.db, read_only=True) as store:
            if prefill is not None:
                made = prefill_inputs(store)
                prefill.write_text(made.text, encoding="utf-8")
                if as_json:
                    print_json({"prefill": str(prefill)})
                else:
                    console.print(
                        f"Pre-filled business-case inputs written to [bold]{escape(str(prefill))}[/]",
                        markup=True,
                    )
                return
            base = (
                Assumptions.from_plan(inputs, margin)
                if inputs
                else Assumptions(gross_margin=margin)
            )
            if discount_rate is not None:
                base = Assumptions(
                    discount_rate, base.cost_of_capital, base.gross_margin, base.day_convention
                )
            report = roi_from_store(store, plan=inputs, assumptions=base)
        if as_json:
            from portalroi.impact.report import json_safe

            # an unbounded interval end (inf) or a NaN is null, as in the HTTP API
            print_json(json_safe(report.to_dict()))
            return
        _print(report)


def _print(report: object) -> None:
    from portalroi.roi import RoiReport

    assert isinstance(report, RoiReport)
    r = report.realised
    cur = report.currency
    table = Table(title=f"Realised ROI to {report.as_of} ({cur}; 95 % intervals)")
    table.add_column("line")
    table.add_column("to date", justify="right")
    table.add_column("run-rate / year", justify="right")
    table.add_column("note")
    notes = {m.id: m.note for m in report.lines}
    for line in r.lines:
        label = line.id + ("" if line.counted else " (not added)")
        # a line that is part of another says which, so it does not read as double counting
        note = "" if line.counted else notes.get(line.id, "")
        table.add_row(label, _iv(line.to_date), _iv(line.run_rate), note)
    for line_id, why in report.skipped.items():
        table.add_row(line_id, "-", "-", why)
    console.print(table)
    console.print("Formulas (value per live account-month):")
    for money_line in report.lines:
        console.print(f"  {money_line.id}: {money_line.formula}", highlight=False)
    roi_text = "n/a" if r.roi is None else _pct(r.roi)
    payback = _payback_text(r.payback_reached, r.payback_month, r.expected_payback_month)
    console.print(
        f"Benefits to date {_iv(r.benefits_to_date)}; costs {_money(r.costs_to_date)}; "
        f"ROI {roi_text}; payback {payback}; NPV at {r.discount_rate:.1%} {_iv(r.npv)}"
    )
    if r.earned is not None:
        e = r.earned
        earned_roi = "n/a" if e.roi is None else _pct(e.roi)
        console.print(
            f"Churn counted by the margin retained accounts earned to date (not at lifetime "
            f"value): churn {_iv(e.churn_to_date)}; benefits {_iv(e.benefits_to_date)}; "
            f"ROI {earned_roi}; payback "
            f"{_payback_text(e.payback_reached, e.payback_month, e.expected_payback_month)}. "
            "The business case counts kept customers this way."
        )
    console.print(
        "[dim]Ranges of the totals (benefits, ROI, NPV): every effect at the end of its 95 % "
        "interval at once; a cautious range, wider than a 95 % interval unless the effects "
        "err together.[/]",
        markup=True,
    )
    if report.plan_rows:
        plan = Table(title=f"Plan vs actual: {report.plan_name}")
        for col in ("line", "plan to date", "actual to date", "variance", "cause"):
            plan.add_column(col, justify="left" if col in ("line", "cause") else "right")
        for row in report.plan_rows:
            plan.add_row(
                f"{row.id} ({row.kind})",
                "-" if row.plan_to_date is None else _money(row.plan_to_date),
                "-" if row.actual_to_date is None else _money(row.actual_to_date.estimate),
                "-" if row.variance is None else _money(row.variance),
                row.cause,
            )
        console.print(plan)
    for note in report.assumptions:
        console.print(f"[dim]{escape(note)}[/]", markup=True)


def _payback_text(reached: bool, month: str | None, expected: str | None) -> str:
    if reached:
        return f"reached {month}"
    return f"expected {expected}" if expected else "not in sight at the run-rate"


def _pct(x: Interval) -> str:
    return f"{x.estimate:.0%} [{x.low:.0%}, {x.high:.0%}]"


def register(app: typer.Typer) -> None:
    """Add the command to the main app."""
    app.command("roi")(roi)


def roi_headline(summary: object, store: Store) -> list[str]:
    """The ROI lines closing ``portalroi demo``: realised ROI, payback, biggest benefit line
    (and any counted line below zero, so that the lines visibly add up to the total).

    Valued with the example business case's assumptions (4 % discount rate, 8 % cost of
    capital, 40 % gross margin), which the line says.
    """
    from portalroi.businesscase import example_inputs
    from portalroi.errors import PortalRoiError
    from portalroi.roi import Assumptions, roi_from_store

    try:
        report = roi_from_store(store, assumptions=Assumptions.from_plan(example_inputs()))
    except PortalRoiError as exc:
        return [f"[bold]Realised ROI[/]: not available ({escape(str(exc))})"]
    r = report.realised
    roi_text = (
        "n/a"
        if r.roi is None
        # the total's range puts every effect at the end of its 95 % interval at once: wider
        # than a 95 % interval unless the effects err together, so it is not called one
        else f"{r.roi.estimate:.0%} (range {r.roi.low:.0%} to {r.roi.high:.0%}, every effect "
        "at the end of its 95 % interval)"
    )
    payback = _payback_text(r.payback_reached, r.payback_month, r.expected_payback_month)

    def _line(x: Interval) -> str:
        return f"{_money(x.estimate)} (95 % {_money(x.low)} to {_money(x.high)})"

    big = r.biggest_line
    biggest = "none" if big is None else f"{big.id} {_line(big.to_date)} {report.currency} to date"
    # lines that take value away are named, so the biggest line exceeding the total adds up
    lowering = [x for x in r.lines if x.counted and x.to_date.estimate < 0]
    if lowering:
        biggest += "; below zero: " + ", ".join(f"{x.id} {_line(x.to_date)}" for x in lowering)
    earned = ""
    e = r.earned
    if e is not None and e.roi is not None:
        pb = _payback_text(e.payback_reached, e.payback_month, e.expected_payback_month)
        earned = (
            f". Counting retained accounts by the margin earned to date instead of at "
            f"lifetime value: {e.roi.estimate:.0%} (range {e.roi.low:.0%} to "
            f"{e.roi.high:.0%}); payback {pb}"
        )
    return [
        f"[bold]Realised ROI[/] to {report.as_of}: {roi_text}; payback {payback}{earned}",
        f"Benefits {_money(r.benefits_to_date.estimate)} vs costs {_money(r.costs_to_date)} "
        f"{report.currency}; biggest benefit line: {biggest}",
        "[dim](valued at the example business case's 4 % discount rate, 8 % cost of capital, "
        "40 % gross margin; `portalroi roi` for the detail)[/]",
    ]
