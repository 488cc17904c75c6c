"""``portalroi demo``: being built (issue 2); this module is replaced by the real command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the command to the main app (nothing yet)."""
