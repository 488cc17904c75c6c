"""``portalroi status``: what the store holds."""

from __future__ import annotations

import dataclasses

import typer
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.store import Store


def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show what is loaded: rows and date range per canonical table, quarantine and recent loads."""
    settings = settings_for(db)
    with exits_cleanly(), Store(settings.db, read_only=True) as store:
        tables = store.status()
        loads = store.loads(limit=10)
    if as_json:
        print_json(
            {
                "db": str(settings.db),
                "tables": [dataclasses.asdict(t) for t in tables],
                "recent_loads": loads.to_dict(orient="records"),
            }
        )
        return
    grid = Table(title=f"portalroi store {settings.db}")
    for col in ("table", "rows", "first", "last", "quarantined"):
        grid.add_column(col, justify="right" if col in ("rows", "quarantined") else "left")
    for t in tables:
        grid.add_row(
            t.table,
            f"{t.rows:,}",
            t.first.isoformat(sep=" ") if t.first else "-",
            t.last.isoformat(sep=" ") if t.last else "-",
            f"{t.quarantined:,}",
        )
    console.print(grid)
    if not loads.empty:
        recent = Table(title="recent loads")
        for col in (
            "table_name",
            "source_file",
            "status",
            "rows_read",
            "inserted",
            "updated",
            "duplicates",
            "quarantined",
        ):
            recent.add_column(col)
        for row in loads.itertuples():
            recent.add_row(
                *(
                    str(getattr(row, c))
                    for c in (
                        "table_name",
                        "source_file",
                        "status",
                        "rows_read",
                        "inserted",
                        "updated",
                        "duplicates",
                        "quarantined",
                    )
                )
            )
        console.print(recent)


def register(app: typer.Typer) -> None:
    """Add the command to the main app."""
    app.command("status")(status)
