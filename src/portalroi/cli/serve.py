"""``portalroi serve``: run the dashboard and HTTP API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from portalroi.cli._common import DbOption, console, exits_cleanly, settings_for


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    db: DbOption = None,
    app_db: Annotated[
        str | None,
        typer.Option("--app-db", help="App-state database URL (default: setting app_db_url)."),
    ] = None,
) -> None:
    """Serve the web dashboard and the JSON API (OpenAPI at /docs) on the embedded store."""
    import uvicorn

    from portalroi.api.app import create_app
    from portalroi.runtime import freeze_startup_objects

    settings = settings_for(db, app_db_url=app_db)
    with exits_cleanly():
        app = create_app(settings)
    freeze_startup_objects()  # keep full garbage collections off the request path
    console.print(f"portalroi serving {settings.db} on http://{host}:{port} (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the command line."""
    app.command("serve")(serve)
