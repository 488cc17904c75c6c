"""``portalroi metrics``: list, explain and compute the registered metrics."""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import ConfigError
from portalroi.metrics import (
    compute,
    formula_text,
    get_metric,
    list_metrics,
    metric_sql,
    refresh_rollups,
)
from portalroi.store import Store

metrics_app = typer.Typer(help="List, explain and compute portal metrics.", no_args_is_help=True)


@metrics_app.command("list")
def list_command(
    category: Annotated[
        str | None, typer.Option(help="Only this category (adoption, self-service, ...).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List every metric with its definition, unit, grain and good direction."""
    with exits_cleanly():
        metrics = list_metrics(category)
    if as_json:
        print_json([_describe(m.name) for m in metrics])
        return
    grid = Table(title="portalroi metrics")
    for col in ("name", "category", "unit", "grain", "good", "definition"):
        grid.add_column(col, overflow="fold")
    for m in metrics:
        grid.add_row(m.name, m.category, m.unit, m.grain, m.good, m.definition)
    console.print(grid)


def _describe(name: str) -> dict[str, object]:
    m = get_metric(name)
    return {
        "name": m.name,
        "category": m.category,
        "definition": m.definition,
        "unit": m.unit,
        "grain": m.grain,
        "good": m.good,
        "runner": m.kind,
        "by": list(m.dims),
    }


@metrics_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Metric name (see `portalroi metrics list`).")],
    sql: Annotated[
        bool, typer.Option("--sql", help="Also print the SQL it compiles to on the store.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Show a metric's definition and its formula (the Ibis code, optionally compiled SQL)."""
    with exits_cleanly():
        info = _describe(name)
        for key, value in info.items():
            console.print(f"[bold]{key}[/]: {escape(str(value))}", markup=True, highlight=False)
        console.print("[bold]formula[/]:", markup=True)
        sys.stdout.write(formula_text(name) + "\n")
        if sql:
            with Store(settings_for(db).db, read_only=True) as store:
                sys.stdout.write(metric_sql(store, name) + "\n")


@metrics_app.command("compute")
def compute_command(
    name: Annotated[str, typer.Argument(help="Metric name (see `portalroi metrics list`).")],
    by: Annotated[
        str | None, typer.Option("--by", help="Split by account, segment, role or device.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    grain: Annotated[
        str, typer.Option("--grain", help="month, or all for one row over the whole range.")
    ] = "month",
    fmt: Annotated[
        Literal["table", "csv", "json"], typer.Option("--format", help="Output format.")
    ] = "table",
    db: DbOption = None,
) -> None:
    """Compute a metric on the store and print it as a table, CSV or JSON."""
    with exits_cleanly():
        if by is not None and by not in ("account", "segment", "role", "device"):
            raise ConfigError(f"--by must be account, segment, role or device; got {by!r}")
        with Store(settings_for(db).db, read_only=True) as store:
            df = compute(store, name, by=by, start=start, end=end, grain=grain)
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", date_format="iso", indent=2) + "\n")
    else:
        grid = Table(title=f"{name} ({get_metric(name).unit})")
        if grain == "all" and "month" in df.columns and df["month"].isna().all():
            df = df.drop(columns="month")  # one row over the whole range has no month
        for col in df.columns:
            grid.add_column(str(col))
        for row in df.itertuples(index=False):
            grid.add_row(*(_cell(v) for v in row))
        console.print(grid)


@metrics_app.command("refresh")
def refresh_command(
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="Rebuild every rollup from the events, even if they look current."
        ),
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Bring the store's metric rollups up to date (loads do this themselves).

    Needed only after events were changed outside ``portalroi ingest`` and the API: rows
    added or deleted by hand are noticed and folded in or rebuilt; rows updated in place are
    not, so pass ``--rebuild`` after such an edit.
    """
    with (
        exits_cleanly(),
        Store(settings_for(db).db, create=False) as store,
        store.transaction() as con,
    ):
        outcome = refresh_rollups(con, rebuild=rebuild)
    if as_json:
        print_json({"rollups": outcome})
    else:
        console.print(f"rollups: {outcome}", highlight=False)


def _cell(value: object) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text[:10] if text.endswith(" 00:00:00") else text


def register(app: typer.Typer) -> None:
    """Add the ``metrics`` command group to the main app."""
    app.add_typer(metrics_app, name="metrics")
