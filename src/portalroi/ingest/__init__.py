"""Safe ingestion: files and frames into the canonical tables.

Every load streams the source into a TEMP staging table, maps it onto the canonical table,
validates every row (collecting every problem), sets bad rows aside in ``_quarantine``, skips
rows already stored, and merges the rest in one transaction with its ``_loads`` record. The
counts always reconcile: rows read = inserted + updated + duplicates + quarantined.

Examples
--------
>>> import tempfile, pathlib
>>> from portalroi.store import Store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "c.csv").write_text("cost_id,date,category,amount\\nc1,2024-01-31,hosting,90\\n")
>>> with Store(d / "s.duckdb") as s:
...     first = ingest_file(s, d / "c.csv", table="costs")
...     again = ingest_file(s, d / "c.csv", table="costs")
>>> (first.inserted, again.inserted, again.duplicates)
(1, 0, 1)
"""

from __future__ import annotations

from portalroi.ingest._load import ingest_file, ingest_frame
from portalroi.ingest._summary import LoadSummary
from portalroi.ingest.adapters import ADAPTERS, Adapter
from portalroi.ingest.mapping import Mapping, load_mapping

__all__ = [
    "ADAPTERS",
    "Adapter",
    "LoadSummary",
    "Mapping",
    "ingest_file",
    "ingest_frame",
    "load_mapping",
]
