"""Entry point of the ``portalroi`` command.

Each command lives in its own module under :mod:`portalroi.cli` and exposes ``register(app)``;
this module only assembles them, in the order ``--help`` lists them.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from portalroi import __version__

app = typer.Typer(
    name="portalroi",
    help="Prove the value of a B2B customer portal: business case, adoption, deflection, "
    "causal impact and realised ROI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command modules, each with ``register(app)``. Listed here so a missing module fails loudly.
COMMAND_MODULES: tuple[str, ...] = (
    "portalroi.cli.alerts",
    "portalroi.cli.business_case",
    "portalroi.cli.demo",
    "portalroi.cli.health",
    "portalroi.cli.impact",
    "portalroi.cli.ingest",
    "portalroi.cli.interventions",
    "portalroi.cli.metrics",
    "portalroi.cli.report",
    "portalroi.cli.roi",
    "portalroi.cli.schedules",
    "portalroi.cli.serve",
    "portalroi.cli.status",
    "portalroi.cli.topics",
    "portalroi.cli.users",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"portalroi {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """portalroi command line."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Run the command line (the ``portalroi`` console script)."""
    app()
