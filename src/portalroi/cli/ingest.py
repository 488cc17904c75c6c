"""``portalroi ingest``: load a file into a canonical table, or list quarantined rows."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import ConfigError
from portalroi.ingest import ADAPTERS, LoadSummary, ingest_file
from portalroi.store import Store

_FORMATS = ", ".join(("csv", "parquet", "jsonl", *ADAPTERS))
_SHOWN = 10


def ingest(
    file: Annotated[
        Path | None, typer.Argument(help="File to load (CSV or .zip of one, Parquet, JSON Lines).")
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Canonical table to load into.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"Reader or adapter: {_FORMATS} (default: from extension)."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML column-mapping file.")
    ] = None,
    quarantine: Annotated[
        bool,
        typer.Option("--quarantine", help="List quarantined rows (of --table) instead of loading."),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows listed by --quarantine.")] = 50,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load FILE into a canonical table: validate, quarantine bad rows, skip duplicates, commit atomically."""
    # imported here, not at module level: the alerts engine imports portalroi.health, which loads
    # scikit-learn and would slow down the start of every portalroi command
    from portalroi.alerts import after_refresh

    settings = settings_for(db)
    with exits_cleanly():
        if quarantine:
            _list_quarantine(settings.db, table, limit, as_json)
            return
        if file is None:
            raise ConfigError("give a FILE to load (or --quarantine to list quarantined rows)")
        show = progress if progress is not None else (sys.stderr.isatty() and not as_json)
        with Store(settings.db) as store:
            summary = ingest_file(store, file, table=table, fmt=fmt, mapping=mapping, progress=show)
            after_refresh(store, settings)
    if as_json:
        out = dataclasses.asdict(summary)
        out["loaded"] = summary.loaded
        out["issues"] = [
            {"location": i.location, "reason": i.reason, "value": i.value} for i in summary.issues
        ]
        print_json(out)
    else:
        _print_summary(summary)
    if summary.quarantined:
        err_console.print(
            f"[yellow]warning:[/] {summary.quarantined:,} row(s) quarantined; list them with "
            f"`portalroi ingest --quarantine --table {escape(summary.table)}`",
            markup=True,
            highlight=False,
        )


def _print_summary(s: LoadSummary) -> None:
    console.print(
        f"{s.source_file} -> {s.table} ({s.fmt}): rows read {s.rows_read:,} = "
        f"loaded {s.loaded:,} (inserted {s.inserted:,}, updated {s.updated:,}) + "
        f"duplicates {s.duplicates:,} + quarantined {s.quarantined:,}",
        highlight=False,
        soft_wrap=True,
    )
    if s.source_records != s.rows_read:
        console.print(f"({s.source_records:,} source records aggregated)", highlight=False)
    for issue in s.issues[:_SHOWN]:
        console.print(f"  {issue}", highlight=False, markup=False, soft_wrap=True)
    if len(s.issues) > _SHOWN:
        console.print(f"  ... and more (load {s.load_id})", highlight=False)


def _list_quarantine(db: Path, table: str | None, limit: int, as_json: bool) -> None:
    with Store(db, read_only=True) as store:
        rows = store.quarantine(table, limit=limit)
    if as_json:
        print_json(rows.drop(columns=["raw"]).to_dict(orient="records"))
        return
    grid = Table(title=f"quarantine{f' of {table}' if table else ''} (newest first)")
    for col in ("table_name", "source_file", "row_number", "column_name", "value", "reason"):
        grid.add_column(col)
    for r in rows.itertuples():
        grid.add_row(
            str(r.table_name),
            str(r.source_file),
            str(r.row_number),
            "" if r.column_name is None else str(r.column_name),
            "" if r.value is None else str(r.value),
            str(r.reason),
        )
    console.print(grid)


def register(app: typer.Typer) -> None:
    """Add the command to the main app."""
    app.command("ingest")(ingest)
