"""The embedded analytics store: one DuckDB file holding the canonical tables.

The store is opened through Ibis (:attr:`Store.backend`) so metric code written as Ibis
expressions runs here and, unchanged, on Spark or a warehouse. Raw DuckDB (:attr:`Store.con`) is
used only where Ibis has no equivalent: transactions and bulk loading.

Besides the eight canonical tables (see :mod:`portalroi.schema`) the store keeps:

``_loads``
    one row per ingest: file, format, checksum, counts and outcome;
``_quarantine``
    one row per rejected field or row: file, row number, column, value, reason and the raw row;
``_meta``
    the schema version;
``_key_*``
    dense integer keys of the event ids, beside the strings in ``events``
    (:mod:`portalroi.store.keys`).

Examples
--------
>>> import tempfile, pathlib
>>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
...     store.row_count("tickets")
0
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import ibis
import pandas as pd

from portalroi.errors import NotFoundError, StoreError
from portalroi.schema import TABLE_NAMES, TABLES
from portalroi.store import keys

__all__ = ["SCHEMA_VERSION", "Store", "TableStatus"]

SCHEMA_VERSION = 1

_SYSTEM_DDL = (
    """CREATE TABLE IF NOT EXISTS _meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS _loads (
        load_id VARCHAR PRIMARY KEY,
        table_name VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        source_format VARCHAR NOT NULL,
        sha256 VARCHAR,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        rows_read BIGINT,
        inserted BIGINT,
        updated BIGINT,
        duplicates BIGINT,
        quarantined BIGINT,
        status VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS _quarantine (
        load_id VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        row_number BIGINT,
        column_name VARCHAR,
        value VARCHAR,
        reason VARCHAR NOT NULL,
        raw JSON,
        quarantined_at TIMESTAMP NOT NULL
    )""",
)


@dataclass(frozen=True)
class TableStatus:
    """What one canonical table holds."""

    table: str
    rows: int
    first: datetime | None
    last: datetime | None
    quarantined: int


class Store:
    """A DuckDB analytics store with the canonical tables.

    Parameters
    ----------
    path
        DuckDB file; created with the canonical tables if it does not exist. ``":memory:"``
        gives a throw-away store.
    read_only
        Open without write access (several readers may share a file).
    create
        Create the file (and its folder) when it does not exist; with ``False`` a missing
        store is an error, as it always is for ``read_only``.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False, create: bool = True) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None and (read_only or not create) and not self.path.exists():
            raise NotFoundError(
                f"no store at {self.path}; run `portalroi demo` or `portalroi ingest`"
            )
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.backend: Any = ibis.duckdb.connect(
                str(self.path) if self.path else ":memory:", read_only=read_only
            )
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        self.con: duckdb.DuckDBPyConnection = self.backend.con
        self.read_only = read_only
        if not read_only:
            self.ensure_schema()

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (the file stays)."""
        self.backend.disconnect()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def ensure_schema(self) -> None:
        """Create any missing canonical or system table; record the schema version."""
        for ddl in _SYSTEM_DDL:
            self.con.execute(ddl)
        for spec in TABLES.values():
            self.con.execute(spec.ddl())
        keys.ensure(self.con)
        self.con.execute(
            "INSERT OR REPLACE INTO _meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )

    # -- access ----------------------------------------------------------------------------------
    def table(self, name: str) -> Any:
        """The Ibis table expression of a canonical or system table."""
        if name not in TABLES and name not in ("_loads", "_quarantine"):
            raise NotFoundError(
                f"unknown table {name!r}; canonical tables: {', '.join(TABLE_NAMES)}"
            )
        return self.backend.table(name)

    def query(self, sql: str, params: list[object] | None = None) -> pd.DataFrame:
        """Run raw SQL on DuckDB and return a data frame (for internal and diagnostic use)."""
        return self.con.execute(sql, params or []).df()

    def row_count(self, name: str) -> int:
        """Rows in a canonical table."""
        if name not in TABLES:
            raise NotFoundError(f"unknown table {name!r}")
        row = self.con.execute(f"SELECT count(*) FROM {name}").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All statements inside run as one transaction: all or nothing."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    # -- status ----------------------------------------------------------------------------------
    def status(self) -> list[TableStatus]:
        """Row count, date range and quarantined rows of every canonical table.

        Quarantined rows are those of each source file's latest load: loading the same file
        again does not count its bad rows twice, and loading a corrected file clears them
        (``_quarantine`` keeps every load's records as its history).
        """
        quarantined = dict(
            self.con.execute(
                "SELECT table_name, count(DISTINCT (load_id, row_number)) FROM _quarantine "
                "WHERE load_id IN (SELECT load_id FROM _loads QUALIFY row_number() OVER "
                "(PARTITION BY table_name, source_file ORDER BY started_at DESC, load_id DESC) = 1) "
                "GROUP BY table_name"
            ).fetchall()
        )
        out = []
        for spec in TABLES.values():
            rows, first, last = self.con.execute(
                f"SELECT count(*), min({spec.time_column}), max({spec.time_column}) FROM {spec.name}"
            ).fetchone() or (0, None, None)
            out.append(
                TableStatus(
                    table=spec.name,
                    rows=int(rows),
                    first=_as_datetime(first),
                    last=_as_datetime(last),
                    quarantined=int(quarantined.get(spec.name, 0)),
                )
            )
        return out

    def loads(self, limit: int = 20) -> pd.DataFrame:
        """The most recent loads, newest first."""
        return self.query("SELECT * FROM _loads ORDER BY started_at DESC LIMIT ?", [limit])

    def quarantine(self, table: str | None = None, limit: int = 100) -> pd.DataFrame:
        """Quarantined rows and fields (optionally of one table), newest first."""
        where = "WHERE table_name = ?" if table else ""
        params: list[object] = [table] if table else []
        return self.query(
            f"SELECT * FROM _quarantine {where} ORDER BY quarantined_at DESC, row_number LIMIT ?",
            [*params, limit],
        )


def _as_datetime(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    # DATE columns (costs.date) come back as datetime.date
    return datetime.fromisoformat(str(value))
