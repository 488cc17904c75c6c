"""Canonical data model (see ``docs/data-model.md``)."""

from __future__ import annotations

from portalroi.schema.tables import (
    ACCOUNT_SEGMENTS,
    EVENT_TYPES,
    INTERVENTION_KINDS,
    TABLE_NAMES,
    TABLES,
    Column,
    ColumnType,
    TableSpec,
)

__all__ = [
    "ACCOUNT_SEGMENTS",
    "EVENT_TYPES",
    "INTERVENTION_KINDS",
    "TABLES",
    "TABLE_NAMES",
    "Column",
    "ColumnType",
    "TableSpec",
]
