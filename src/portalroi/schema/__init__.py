"""Canonical data model (see ``docs/data-model.md``)."""

from __future__ import annotations

from portalroi.schema.tables import (
    ACCOUNT_SEGMENTS,
    EVENT_TYPES,
    TABLE_NAMES,
    TABLES,
    Column,
    ColumnType,
    TableSpec,
)

__all__ = [
    "ACCOUNT_SEGMENTS",
    "EVENT_TYPES",
    "TABLES",
    "TABLE_NAMES",
    "Column",
    "ColumnType",
    "TableSpec",
]
