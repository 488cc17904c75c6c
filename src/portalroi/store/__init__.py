"""The embedded DuckDB store, opened through Ibis."""

from __future__ import annotations

from portalroi.store.duckdb_store import SCHEMA_VERSION, Store, TableStatus

__all__ = ["SCHEMA_VERSION", "Store", "TableStatus"]
