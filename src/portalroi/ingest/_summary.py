"""The result of one load: what was read, what happened to every row."""

from __future__ import annotations

from dataclasses import dataclass, field

from portalroi.errors import Issue

__all__ = ["LoadSummary"]


@dataclass(frozen=True)
class LoadSummary:
    """What one ingest did; ``rows_read == inserted + updated + duplicates + quarantined``.

    Parameters
    ----------
    load_id
        Identifier of the load in ``_loads`` and ``_quarantine``.
    table
        Canonical table loaded.
    source_file
        File (or frame name) the rows came from.
    fmt
        Reader or adapter used (``csv``, ``parquet``, ``jsonl``, ``servicenow``, ...).
    rows_read
        Canonical rows the source produced (after an adapter's aggregation, e.g. one row per
        incident for ServiceNow event logs).
    inserted, updated, duplicates, quarantined
        Rows new to the store, rows that replaced a stored row with the same key but different
        content, rows already stored identically (or repeated identically in the file), and rows
        set aside in ``_quarantine``.
    issues
        A sample (at most 100) of the problems found, each naming file, row and column.
    source_records
        Records read from the file before aggregation (equals ``rows_read`` unless the adapter
        aggregates, as ServiceNow's event log does).

    Examples
    --------
    >>> s = LoadSummary("l1", "tickets", "t.csv", "csv", 3, 1, 1, 0, 1, [], 3)
    >>> s.loaded
    2
    """

    load_id: str
    table: str
    source_file: str
    fmt: str
    rows_read: int
    inserted: int
    updated: int
    duplicates: int
    quarantined: int
    issues: list[Issue] = field(default_factory=list)
    source_records: int = 0

    @property
    def loaded(self) -> int:
        """Rows written to the table by this load (inserted + updated)."""
        return self.inserted + self.updated

    @property
    def reconciles(self) -> bool:
        """True when every row read is accounted for."""
        return self.rows_read == self.inserted + self.updated + self.duplicates + self.quarantined
