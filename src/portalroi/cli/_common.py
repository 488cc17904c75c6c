"""Options and error handling shared by every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from portalroi.errors import ConfigError, PortalRoiError
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
    """Turn a portalroi error, or a file that cannot be read or written (a missing folder, a
    folder given for a file, no permission), into one red line on stderr and exit status 2."""
    try:
        yield
    except PortalRoiError as exc:
        _fail(str(exc), exc)
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}", exc)


def _fail(message: str, exc: BaseException) -> None:
    err_console.print(
        f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True
    )
    raise typer.Exit(code=2) from exc


def check_output(path: Path | None, option: str) -> None:
    """Refuse an output ``path`` whose folder does not exist (or that is a folder) before any
    work, so that a command writing several files does not leave some written and fail on the
    next."""
    if path is None:
        return
    if path.is_dir():
        raise ConfigError(f"{option} {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ConfigError(f"{option} {path}: the folder {path.parent} does not exist")


def as_day(value: str | None, option: str) -> datetime | None:
    """``value`` (``YYYY-MM-DD``) as midnight, or ``None``; a clear error otherwise."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None
    return parsed.replace(hour=0, minute=0, second=0, microsecond=0)


def print_json(obj: object) -> None:
    """Write ``obj`` as JSON to stdout (dates as ISO strings)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")
