"""``portalroi business-case``: evaluate a business case and write Excel, PDF, HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from portalroi.cli._common import JsonOption, check_output, console, exits_cleanly, print_json
from portalroi.errors import ConfigError
from portalroi.reports.i18n import format_currency, format_number, format_percent, text


def business_case(
    inputs: Annotated[Path | None, typer.Argument(help="Inputs YAML file.")] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Write a commented example inputs file.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --example: file to write (default stdout).")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the live Excel model.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF report.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report.")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Report language: en or sv (default: inputs).")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", min=0, help="Monte Carlo draws.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Forecast ROI, payback, NPV and IRR of a customer portal, with uncertainty."""
    from portalroi import businesscase as bc

    with exits_cleanly():
        for path, option in ((out, "--out"), (xlsx, "--xlsx"), (pdf, "--pdf"), (html, "--html")):
            check_output(path, option)
        if example:
            if out is None:
                typer.echo(bc.example_inputs_yaml(), nl=False)
            else:
                out.write_text(bc.example_inputs_yaml(), encoding="utf-8")
                console.print(f"wrote {out}")
            return
        if inputs is None:
            raise ConfigError("give an inputs YAML file, or --example to write one")
        if lang is not None and lang not in ("en", "sv"):
            raise ConfigError(f"--lang must be en or sv, got {lang!r}")
        case = bc.load_inputs(inputs)
        result = bc.evaluate(case)
        mc = bc.simulate_uncertainty(case, draws=draws, seed=seed) if draws > 0 else None
        written = []
        if xlsx is not None:
            written.append(bc.write_excel(case, xlsx))
        if pdf is not None:
            written.append(bc.write_pdf(case, pdf, lang=lang, draws=draws, seed=seed))
        if html is not None:
            written.append(bc.write_html(case, html, lang=lang, draws=draws, seed=seed))
    if as_json:
        print_json(
            {
                "result": result.to_dict(),
                "monte_carlo": mc.summary() if mc else None,
                "written": [str(p) for p in written],
            }
        )
        return
    language = lang or case.language

    def money(v: float) -> str:
        return format_currency(v, result.currency, language)

    def pct(v: float | None) -> str:  # None (undefined, e.g. ROI without costs): n/a
        return format_percent(v, language, 1)

    grid = Table(title=f"{result.name} ({result.horizon_years} {text('years', language)})")
    grid.add_column("")
    grid.add_column(text("expected", language), justify="right")
    rows = [
        (text("total_benefits", language), money(result.total_benefits)),
        (text("total_costs", language), money(result.total_costs)),
        (text("net_benefit", language), money(result.net_benefit)),
        (text("roi", language), pct(result.roi)),
        (text("npv", language), money(result.npv)),
        (
            text("irr", language),
            pct(result.irr)
            if result.irr is not None
            else text("not_unique" if result.irr_status == "not unique" else "none", language),
        ),
        (
            text("bcr", language),
            text("n_a", language)
            if result.benefit_cost_ratio is None
            else format_number(result.benefit_cost_ratio, language, 2),
        ),
        (
            text("payback", language),
            text("never", language) if result.payback_month is None else str(result.payback_month),
        ),
    ]
    if mc is not None:
        rows += [
            (
                f"{text('roi', language)} P10 / P50 / P90",
                " / ".join(pct(x) for x in (mc.roi_p10, mc.roi_p50, mc.roi_p90)),
            ),
            (
                f"{text('npv', language)} P10 / P50 / P90",
                " / ".join(money(x) for x in (mc.npv_p10, mc.npv_p50, mc.npv_p90)),
            ),
            (text("prob_roi_positive", language), pct(mc.prob_roi_positive)),
        ]
    for label, value in rows:
        grid.add_row(label, value)
    console.print(grid)
    if result.irr_note:
        console.print(result.irr_note, highlight=False)
    for path in written:
        console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``business-case`` to the command line."""
    app.command("business-case")(business_case)
