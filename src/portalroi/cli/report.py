"""``portalroi report``: the leadership report (PDF, HTML, Excel) from the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from portalroi.cli._common import DbOption, check_output, console, exits_cleanly, settings_for
from portalroi.errors import ConfigError
from portalroi.services.leadership import tickets_by_month
from portalroi.store import Store

__all__ = ["register", "report"]


def report(
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF report here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Write the Excel workbook here.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json-out", help="Also write the figures as JSON here.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or sv.")] = "en",
    plan: Annotated[
        Path | None, typer.Option("--plan", help="Business-case inputs YAML for plan vs actual.")
    ] = None,
    margin: Annotated[
        float | None,
        typer.Option("--margin", help="Gross margin (0-1) for retained accounts and orders."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Leadership report: adoption, support, financial impact with intervals, and realised ROI."""
    from portalroi.businesscase import load_inputs
    from portalroi.metrics import snapshot
    from portalroi.reports.freshness import data_freshness
    from portalroi.reports.leadership import (
        write_leadership_excel,
        write_leadership_html,
        write_leadership_pdf,
    )
    from portalroi.roi import Assumptions, roi_from_store

    with exits_cleanly():
        if lang not in ("en", "sv"):
            raise ConfigError(f"--lang must be en or sv (got {lang!r})")
        if not (pdf or html or xlsx or json_out):
            raise ConfigError("give at least one of --pdf, --html, --xlsx, --json-out")
        for path, option in (
            (pdf, "--pdf"),
            (html, "--html"),
            (xlsx, "--xlsx"),
            (json_out, "--json-out"),
        ):
            check_output(path, option)
        if margin is not None and not 0 <= margin <= 1:
            raise ConfigError(f"--margin must be between 0 and 1 (got {margin})")
        settings = settings_for(db)
        inputs = load_inputs(plan) if plan is not None else None
        assumptions = (
            Assumptions.from_plan(inputs, margin) if inputs else Assumptions(gross_margin=margin)
        )
        # one state of the store for every figure, whatever a load commits meanwhile
        with Store(settings.db, read_only=True) as store, snapshot(store):
            result = roi_from_store(store, plan=inputs, assumptions=assumptions)
            tickets = tickets_by_month(store)
            fresh = data_freshness(store)
        written = []
        if pdf:
            written.append(write_leadership_pdf(result, tickets, pdf, lang, freshness=fresh))
        if html:
            written.append(write_leadership_html(result, tickets, html, lang, freshness=fresh))
        if xlsx:
            written.append(write_leadership_excel(result, xlsx, freshness=fresh))
        if json_out:
            json_out.write_text(
                json.dumps(result.to_dict(), indent=2, default=str, ensure_ascii=False),
                encoding="utf-8",
            )
            written.append(json_out)
        for path in written:
            console.print(f"wrote [bold]{escape(str(path))}[/]", markup=True)


def register(app: typer.Typer) -> None:
    """Add the command to the main app."""
    app.command("report")(report)
