"""``portalroi schedules``: send the scheduled reports that are due (for cron)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import ConfigError

__all__ = ["parse_now", "register", "run_due_command"]

schedules_app = typer.Typer(help="Scheduled reports e-mailed over SMTP.", no_args_is_help=True)


def parse_now(text: str | None) -> datetime:
    """``--now`` as naive UTC (an ISO time; one with an offset is converted; default: now).

    Examples
    --------
    >>> parse_now("2026-12-01T09:30+01:00")
    datetime.datetime(2026, 12, 1, 8, 30)
    """
    if text is None:
        return datetime.now(UTC).replace(tzinfo=None)
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--now must be an ISO date or time (got {text!r})") from exc
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


@schedules_app.command("run-due")
def run_due_command(
    now: Annotated[
        str | None,
        typer.Option("--now", help="Run as if it were this time (ISO, UTC unless an offset)."),
    ] = None,
    db: DbOption = None,
    app_db: Annotated[
        str | None,
        typer.Option("--app-db", help="App-state database URL (default: setting app_db_url)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate and e-mail every scheduled report that is due; exit 1 if any send failed."""
    from portalroi.api.appstate.db import AppDB
    from portalroi.reports.schedule import SmtpConfig, run_due
    from portalroi.store import Store

    with exits_cleanly():
        at = parse_now(now)
        settings = settings_for(db, app_db_url=app_db)
        appdb = AppDB(settings.app_db_url)
        appdb.migrate()
        try:
            outcomes = run_due(
                appdb,
                lambda: Store(settings.db, read_only=True),
                SmtpConfig.from_settings(settings),
                at,
                settings.language,
            )
        finally:
            appdb.dispose()
    if as_json:
        print_json([o.__dict__ for o in outcomes])
    else:
        if not outcomes:
            console.print(f"no schedule due at {at.isoformat()} UTC")
        for o in outcomes:
            line = f"schedule {o.schedule_id} '{o.name}' {o.period}: {o.status}"
            detail = (
                f" ({o.error})"
                if o.error
                else f" to {', '.join(o.recipients)} (data to {o.data_to}"
                + (f"; STALE: {'; '.join(o.stale)})" if o.stale else ")")
            )
            console.print(line + detail, highlight=False, markup=False)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``schedules`` to the command line."""
    app.add_typer(schedules_app, name="schedules")
