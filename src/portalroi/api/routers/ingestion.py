"""Live ingestion: POST batches of events or tickets as JSON (idempotent by id).

Each request is one load through :func:`portalroi.ingest.ingest_frame`: validated, deduplicated
by the table's key (re-posting the same rows changes nothing), bad rows quarantined, all in one
transaction. An organisation's user may only post rows of its own accounts; a batch with any
other ``account_id`` is refused whole (403) before anything is written. Keys (``event_id``,
``ticket_id``) are unique across the whole store, so a scoped caller's batch is also refused
whole, with the same 403, when any posted key is already stored for an account outside the
caller's scope: a load would otherwise replace another organisation's row, and ``updated``
would tell that the id exists there. After a load the result
cache is cleared, so metrics reflect the new rows on the next request. Risk scores and alerts
run after the response, in the background (:mod:`portalroi.api.after_loads`).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, BackgroundTasks, Body, Path, Request
from pydantic import BaseModel, Field

from portalroi.api.deps import AnalystPrincipal, ResultCacheDep, SettingsDep, StoreDep
from portalroi.api.errors import ApiError
from portalroi.api.scope import account_ids_in_scope
from portalroi.errors import Issue, ValidationError
from portalroi.ingest import ingest_frame
from portalroi.schema import TABLES
from portalroi.store import Store

__all__ = ["INGESTIBLE", "WRITE_LOCK", "router"]

router = APIRouter(prefix="/ingest", tags=["ingestion"])

#: Tables that can be posted live.
INGESTIBLE: tuple[str, ...] = ("events", "tickets")

#: DuckDB allows one writer transaction at a time per table; loads (and the work after them)
#: queue here instead of failing.
WRITE_LOCK = threading.Lock()

SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class Batch(BaseModel):
    """Rows named like the canonical table's columns (other names go to ``properties``)."""

    rows: list[dict[str, Any]] = Field(min_length=1)
    source: str | None = Field(
        None,
        pattern=SOURCE_PATTERN,
        description="Label recorded as the load's source (letters, digits, . _ -; no paths).",
    )


class IssuePublic(BaseModel):
    """One problem with a row."""

    location: str
    reason: str


class LoadPublic(BaseModel):
    """What the load did (``rows_read = inserted + updated + duplicates + quarantined``)."""

    load_id: str
    table: str
    rows_read: int
    inserted: int
    updated: int
    duplicates: int
    quarantined: int
    issues: list[IssuePublic]


def _key_texts(values: pd.Series) -> list[str]:
    """Every text a posted key value may be stored as (a number ``5`` or ``5.0`` as ``"5"``;
    ``" eb0 "`` as ``"eb0"``: ingestion trims ids)."""
    out: set[str] = set()
    for v in values.dropna():
        out.add(str(v))
        out.add(str(v).strip())
        if isinstance(v, bool):
            out.add(str(v).lower())
        elif isinstance(v, float) and v.is_integer():
            out.add(str(int(v)))
    return sorted(out)


def _foreign_keys(
    store: Store, table: str, frame: pd.DataFrame, scope: frozenset[str]
) -> list[str]:
    """Posted keys of ``table`` already stored for an account outside ``scope`` (or none)."""
    key = TABLES[table].key
    if key not in frame:
        return []
    posted = _key_texts(frame[key])
    if not posted:
        return []
    rows = store.con.execute(
        f'SELECT DISTINCT "{key}", account_id FROM {table} '
        f'WHERE "{key}" IN (SELECT unnest(CAST(? AS VARCHAR[])))',
        [posted],
    ).fetchall()
    accounts = sorted({str(a) for _, a in rows if a is not None})
    allowed = account_ids_in_scope(store, scope, accounts)
    return sorted({str(k) for k, a in rows if a is None or str(a) not in allowed})


def _check_rows(batch: Batch, table: str, most: int) -> pd.DataFrame:
    if len(batch.rows) > most:
        raise ApiError(
            413, f"{len(batch.rows)} rows in one request; at most {most} (api_max_batch_rows)"
        )
    spec = TABLES[table]
    issues = []
    for i, row in enumerate(batch.rows):
        for col in (c.name for c in spec.columns if c.required):
            if row.get(col) in (None, ""):
                issues.append(Issue(f"rows[{i}].{col}", "required field is missing"))
        for col, value in row.items():
            if isinstance(value, dict | list) and col != "properties":
                issues.append(Issue(f"rows[{i}].{col}", "must be a plain value"))
    if issues:
        raise ValidationError(f"batch of {table} refused", issues)
    return pd.DataFrame(batch.rows)


@router.post("/{table}")
def ingest_batch(
    table: Annotated[str, Path(description=f"One of {', '.join(INGESTIBLE)}.")],
    batch: Annotated[Batch, Body()],
    principal: AnalystPrincipal,
    store: StoreDep,
    settings: SettingsDep,
    cache: ResultCacheDep,
    request: Request,
    background: BackgroundTasks,
) -> LoadPublic:
    """Load a batch of rows into ``events`` or ``tickets``; risk scores and alerts follow the
    response in the background.

    An organisation's user gets 403, and nothing is written, when a row names an account outside
    its organisation or reuses a key (``event_id``, ``ticket_id``) stored for such an account.
    """
    if table not in INGESTIBLE:
        raise ApiError(
            404, f"cannot post to {table!r}; live ingestion takes {', '.join(INGESTIBLE)}"
        )
    frame = _check_rows(batch, table, settings.api_max_batch_rows)
    if principal.scope is not None:
        ids = [str(x) for x in frame.get("account_id", pd.Series(dtype=str)).dropna().unique()]
        allowed = account_ids_in_scope(store, principal.scope, ids)
        missing = "account_id" not in frame or frame["account_id"].isna().any()
        foreign = sorted(set(ids) - allowed)
        if missing or foreign:
            shown = ", ".join(foreign[:10]) or "rows without account_id"
            raise ApiError(403, f"rows for accounts outside your organisation: {shown}")
    source = f"api:{principal.tenant}:{batch.source or principal.email}"
    with WRITE_LOCK:
        if principal.scope is not None:
            # Checked under the lock, so no other load can store the key between check and load.
            taken = _foreign_keys(store, table, frame, principal.scope)
            if taken:
                # The caller's own keys only: never whose they are.
                key = TABLES[table].key
                shown = ", ".join(f"{key} {k}" for k in taken[:10])
                raise ApiError(403, f"rows for accounts outside your organisation: {shown}")
        summary = ingest_frame(store, frame, table=table, source_name=source)
    cache.clear()
    background.add_task(request.app.state.after_loads)
    return LoadPublic(
        load_id=summary.load_id,
        table=summary.table,
        rows_read=summary.rows_read,
        inserted=summary.inserted,
        updated=summary.updated,
        duplicates=summary.duplicates,
        quarantined=summary.quarantined,
        issues=[IssuePublic(location=i.location, reason=i.reason) for i in summary.issues],
    )
