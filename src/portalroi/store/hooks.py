"""Work that must happen inside the same transaction as a load (e.g. maintaining rollups).

Ingestion calls :func:`run_after_load` after it has merged a batch into a canonical table and
before it commits; a hook that raises makes the whole load roll back. Packages register hooks at
import time (``portalroi/__init__.py`` imports the packages that do).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

__all__ = ["AfterLoadHook", "register_after_load", "registered_hooks", "run_after_load"]

#: ``hook(con, table, load_id)``: ``con`` is inside the load's open transaction.
AfterLoadHook = Callable[[duckdb.DuckDBPyConnection, str, str], None]

_HOOKS: list[AfterLoadHook] = []


def register_after_load(hook: AfterLoadHook) -> AfterLoadHook:
    """Register ``hook`` (idempotent); usable as a decorator."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def registered_hooks() -> tuple[AfterLoadHook, ...]:
    """The hooks in registration order."""
    return tuple(_HOOKS)


def run_after_load(con: duckdb.DuckDBPyConnection, table: str, load_id: str) -> None:
    """Run every hook for a load into ``table``."""
    for hook in _HOOKS:
        hook(con, table, load_id)
