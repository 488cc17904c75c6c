"""``portalroi topics``: repeat questions in the tickets, knowledge gaps, deflection simulation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import ConfigError
from portalroi.store import Store

__all__ = ["register", "topics"]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(key): value for key, value in row.items()} for row in rows]


def topics(
    k: Annotated[
        int | None, typer.Option("--k", help="Number of ticket groups (default: from the volume).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Groups to list and to answer.")] = 10,
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate-deflection",
            help="Estimate tickets deflected per month and the saving if the top groups "
            "were answered.",
        ),
    ] = False,
    share: Annotated[
        float | None,
        typer.Option(
            "--share", help="Deflectable share of an answered group (default: 25% benchmark)."
        ),
    ] = None,
    draft: Annotated[
        int | None,
        typer.Option("--draft", help="Print a DRAFT knowledge-base outline for this group id."),
    ] = None,
    backend: Annotated[
        Literal["tfidf", "embeddings"] | None,
        typer.Option(
            "--backend",
            help="How tickets are grouped: tfidf (TF-IDF + NMF) or embeddings (sentence "
            "embeddings + k-means; needs the embeddings extra). Default: setting topics_backend.",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Group tickets into repeat questions with share of volume and cost, matched article or
    GAP, and zero-result searches."""
    from portalroi.analytics import draft_outline, simulate_deflection, store_topic_report

    with exits_cleanly():
        if top < 1:
            raise ConfigError(f"--top must be at least 1, got {top}")
        if k is not None and k < 2:
            raise ConfigError(f"--k must be at least 2, got {k}")
        settings = settings_for(db)
        with Store(settings.db, read_only=True) as store:
            report = store_topic_report(store, k=k, backend=backend or settings.topics_backend)
        sim = (
            simulate_deflection(report.tickets, report.groups, top=top, share=share)
            if simulate
            else None
        )
        outline = draft_outline(report, draft) if draft is not None else None
        groups = report.groups.head(top)
        zero = report.zero_results.head(top)
        if as_json:
            payload: dict[str, Any] = {
                "tickets": len(report.tickets),
                "groups": _records(groups),
                "zero_result_searches": _records(zero),
            }
            if sim is not None:
                payload["deflection_simulation"] = {
                    "window": [str(sim.window[0]), str(sim.window[1])],
                    "tickets_per_month": sim.tickets_per_month,
                    "deflected_per_month": sim.deflected_per_month,
                    "deflected_share": sim.deflected_share,
                    "yearly_saving": sim.yearly_saving,
                    "share_source": sim.share_source,
                    "groups": _records(sim.table),
                    "business_case_line": sim.business_case_line(),
                }
            if outline is not None:
                payload["draft_outline"] = outline
            print_json(payload)
            return
        _print(report.groups.head(top), zero, len(report.tickets))
        if sim is not None:
            _print_sim(sim)
        if outline is not None:
            console.print(outline, markup=False, highlight=False)


def _print(groups: pd.DataFrame, zero: pd.DataFrame, n: int) -> None:
    has_cost = "share_cost" in groups.columns
    table = Table(title=f"Repeat questions in {n:,} tickets (top {len(groups)})")
    for col in ("group", "key terms", "tickets", "share of volume"):
        table.add_column(col, justify="right" if col != "key terms" else "left")
    if has_cost:
        table.add_column("share of cost", justify="right")
    table.add_column("article")
    for _, g in groups.iterrows():
        row: list[str | Text] = [
            str(g["topic"]),
            ", ".join(g["terms"]),
            f"{g['n']:,}",
            f"{g['share_volume']:.1%}",
        ]
        if has_cost:
            row.append(f"{g['share_cost']:.1%}")
        row.append(Text("GAP", style="bold red") if g["knowledge_gap"] else str(g["article_id"]))
        table.add_row(*row)
    console.print(table)
    searches = Table(title="Zero-result searches (most frequent)")
    for col in ("query", "searches", "variants", "about group"):
        searches.add_column(col)
    for _, z in zero.iterrows():
        topic = "" if z["topic"] is None else f"{z['topic']} ({z['topic_name']})"
        searches.add_row(str(z["example"]), f"{z['searches']:,}", str(z["variants"]), topic)
    console.print(searches)


def _print_sim(sim: Any) -> None:
    table = Table(
        title=f"Deflection simulation: history {sim.window[0]:%Y-%m-%d} to {sim.window[1]:%Y-%m-%d}"
    )
    for col in (
        "rank",
        "group",
        "tickets/month",
        "share",
        "deflected/month",
        "cost/ticket",
        "saving/year",
    ):
        table.add_column(col, justify="right" if col != "group" else "left")
    for _, r in sim.table.iterrows():
        cost = f"{r['cost_per_ticket']:,.2f}" + (
            " (default)" if r["cost_source"] == "default" else ""
        )
        table.add_row(
            str(r["rank"]),
            str(r["name"]),
            f"{r['tickets_per_month']:,.1f}",
            f"{r['deflectable_share']:.0%}",
            f"{r['deflected_per_month']:,.1f}",
            cost,
            f"{r['yearly_saving']:,.0f}",
        )
    console.print(table)
    console.print(
        f"Deflected: {sim.deflected_per_month:,.1f} of {sim.tickets_per_month:,.1f} tickets a month "
        f"({sim.deflected_share:.1%}); saving {sim.yearly_saving:,.0f} a year at full adoption.\n"
        f"Share assumption: {sim.share_source}",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add the command to the main app."""
    app.command("topics")(topics)
