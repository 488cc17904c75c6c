"""Options and error handling shared by every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from portalroi.errors import PortalRoiError
from portalroi.settings import Settings, get_settings

__all__ = [
    "DbOption",
    "JsonOption",
    "console",
    "err_console",
    "exits_cleanly",
    "print_json",
    "settings_for",
]

console = Console(markup=False)
err_console = Console(stderr=True, markup=False)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB store file (default: setting PORTALROI_DB, ./portalroi.duckdb)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

F = TypeVar("F", bound=Callable[..., Any])


def settings_for(db: Path | None = None, **overrides: object) -> Settings:
    """Settings with the command's options on top of the environment."""
    return get_settings(db=db, **overrides)


@contextmanager
def exits_cleanly() -> Iterator[None]:
    """Turn a portalroi error into one red line on stderr and exit status 2."""
    try:
        yield
    except PortalRoiError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True
        )
        raise typer.Exit(code=2) from exc


def print_json(obj: object) -> None:
    """Write ``obj`` as JSON to stdout (dates as ISO strings)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")
