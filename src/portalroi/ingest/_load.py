"""One load, end to end: stage, map, validate, dedupe, merge atomically.

The store is touched only in the final transaction; everything before it works on TEMP tables
and views of the connection, which DuckDB never writes to the database file. Only one narrow
table is stored per load (``_pr_keys``: row number, key, bad flag, content hash); the rows
themselves are converted from the source again as they are inserted, so a large file costs
about two scans of it and one write. The transaction deletes the
rows being updated, inserts new and changed rows, records ``_quarantine`` and ``_loads`` rows and
runs the after-load hooks, then commits; anything that fails (or a killed process) leaves the
store exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from portalroi.errors import (
    ConfigError,
    DataError,
    IngestAbortedError,
    Issue,
    NotFoundError,
    PortalRoiError,
)
from portalroi.ingest._readers import (
    STAGE,
    Staged,
    case_unique,
    detect_format,
    sniff_json,
    stage_arrow,
    stage_file,
)
from portalroi.ingest._summary import LoadSummary
from portalroi.ingest._validate import (
    CONV,
    ISSUES,
    KEYS,
    Plan,
    build_mapped,
    content_hash,
    converted,
    find_issues,
    qi,
    ql,
)
from portalroi.ingest.adapters import ADAPTERS
from portalroi.ingest.mapping import Mapping, identity_mapping, load_mapping, with_same_named
from portalroi.schema import TABLES
from portalroi.settings import get_settings
from portalroi.store import Store, keys
from portalroi.store.hooks import run_after_load

__all__ = ["ingest_file", "ingest_frame"]

#: Private fault-injection seam for tests: called as ``hook(stage, n)`` after each staged batch
#: (``"batch"``, batch number) and inside the merge transaction just before COMMIT
#: (``"merge"``, rows merged). A hook that raises makes the load fail.
_fault_hook: Callable[[str, int], None] | None = None

_SRC = "_pr_src"
_RANKED = "_pr_ranked"
_ACTIONS = "_pr_actions"
_REPEATED = "_pr_repeated"
_HIT = "_pr_hit"
_TEMP = (STAGE, _SRC, KEYS, ISSUES, _RANKED, _ACTIONS, _REPEATED, _HIT)
_VIEWS = (CONV, STAGE)
_SAMPLE = 100


def ingest_file(
    store: Store,
    path: Path | str,
    *,
    table: str | None = None,
    fmt: str | None = None,
    mapping: Path | str | None = None,
    progress: bool = False,
    batch_rows: int | None = None,
) -> LoadSummary:
    """Load one file into a canonical table, safely.

    Parameters
    ----------
    store
        Open, writable store.
    path
        CSV (or a ``.zip`` holding one), Parquet or JSON Lines file, or an adapter's export.
    table
        Canonical table; required unless an adapter or a mapping names it.
    fmt
        ``csv``, ``parquet``, ``jsonl`` or an adapter (``zendesk``, ``salesforce``, ``servicenow``,
        ``segment``, ``receivables``); default: from the file extension.
    mapping
        YAML column-mapping file (see :mod:`portalroi.ingest.mapping`).
    progress
        Show a Rich progress bar.
    batch_rows
        Rows per streamed batch (default: setting ``ingest_batch_rows``).

    Returns
    -------
    LoadSummary
        Counts that reconcile: rows read = inserted + updated + duplicates + quarantined.

    Raises
    ------
    DataError
        The file or mapping is unusable (nothing was loaded).
    IngestAbortedError
        The load failed part-way; the store is exactly as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text("cost_id,date,category,amount\\nc1,2024-01-31,hosting,90\\n")
    >>> with Store(d / "s.duckdb") as s:
    ...     ingest_file(s, d / "c.csv", table="costs").inserted
    1
    """
    path = Path(path)
    settings = get_settings()
    adapter = ADAPTERS.get(fmt) if fmt else None
    if fmt and adapter is None and fmt not in ("csv", "parquet", "jsonl", "json"):
        raise ConfigError(
            f"unknown format {fmt!r}; expected csv, parquet, jsonl or one of {', '.join(ADAPTERS)}"
        )
    user_mapping = load_mapping(mapping) if mapping is not None else None
    target = _resolve_table(table, adapter.table if adapter else None, user_mapping)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; name one file to load (one table per file)")
    if not path.is_file():
        raise NotFoundError(f"{path}: file not found")
    if adapter is not None:
        reader = adapter.reader(path)
    elif fmt in ("csv", "parquet", "jsonl", "json"):
        reader = fmt
    elif user_mapping is not None and user_mapping.fmt:
        reader = user_mapping.fmt
    else:
        reader = detect_format(path)
    if reader == "jsonl" and path.suffix.lower() == ".json":
        reader = sniff_json(path)
    label = adapter.name if adapter else reader

    def mapping_for(columns: tuple[str, ...]) -> Mapping:
        if adapter is not None:
            return adapter.build(columns, user_mapping)
        if user_mapping is None:
            return identity_mapping(target, columns)
        return with_same_named(user_mapping, columns)

    with _progress(progress, path.name) as on_batch, _session(store, settings.ingest_memory_limit):
        staged = stage_file(
            store.con,
            path,
            reader,
            batch_rows or settings.ingest_batch_rows,
            on_batch,
            user_mapping.delimiter if user_mapping is not None else None,
            target,
        )
        return _finish(store, staged, mapping_for, str(path), label, _sha256(path))


def ingest_frame(
    store: Store, frame: pd.DataFrame | pa.Table, *, table: str, source_name: str
) -> LoadSummary:
    """Load an in-memory frame whose columns are named like the canonical table's.

    Columns with other names go to ``properties``; validation, dedupe, quarantine and atomicity
    are those of :func:`ingest_file`.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> frame = pd.DataFrame({"cost_id": ["c1"], "date": ["2024-01-31"],
    ...                       "category": ["hosting"], "amount": [90.0]})
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
    ...     ingest_frame(s, frame, table="costs", source_name="costs.py").inserted
    1
    """
    _resolve_table(table, None, None)
    arrow = _arrow(frame, source_name) if isinstance(frame, pd.DataFrame) else frame
    with _session(store, get_settings().ingest_memory_limit):
        staged = stage_arrow(store.con, arrow)
        return _finish(
            store, staged, lambda cols: identity_mapping(table, cols), source_name, "frame", None
        )


def _arrow(frame: pd.DataFrame, source_name: str) -> pa.Table:
    """``frame`` as Arrow; a column Arrow cannot type (ints and texts mixed) is named."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        problems = []
        for name in frame.columns:
            try:
                pa.array(frame[name], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                kinds = sorted({type(v).__name__ for v in frame[name].dropna()})
                problems.append(f"column {name} mixes {' and '.join(kinds)} values")
        raise DataError(
            f"{source_name}: {'; '.join(problems) or 'cannot convert the frame to Arrow'}; "
            "give each column one type (ids as text: frame[col].astype(str))"
        ) from None


def _resolve_table(table: str | None, adapter_table: str | None, mapping: Mapping | None) -> str:
    named = [t for t in (adapter_table, mapping.table if mapping else None) if t]
    if table is not None and table not in TABLES:
        raise NotFoundError(f"unknown table {table!r}; canonical tables: {', '.join(TABLES)}")
    if table is not None and named and named[0] != table:
        raise ConfigError(
            f"--table {table} conflicts with {named[0]}, which the format or mapping loads"
        )
    chosen = table or (named[0] if named else None)
    if chosen is None:
        raise ConfigError(f"name the target table (--table), one of {', '.join(TABLES)}")
    return chosen


def _finish(
    store: Store,
    staged: Staged,
    mapping_for: Callable[[tuple[str, ...]], Mapping],
    source_file: str,
    label: str,
    sha256: str | None,
) -> LoadSummary:
    con = store.con
    source, columns = _source_relation(con, staged)
    mapping = mapping_for(columns)
    if mapping.prepare is not None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _pr_prep AS {mapping.prepare(source, columns)}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_SRC} AS SELECT * FROM _pr_prep")
        con.execute("DROP TABLE _pr_prep")
        source, columns = _SRC, _columns(con, _SRC)
    plan = build_mapped(
        con, source, columns, mapping, json_source=staged.kind == "json", where=source_file
    )
    find_issues(con, plan)
    con.execute(f"ALTER TABLE {ISSUES} ADD COLUMN raw VARCHAR")
    for i, (row, text, reason) in enumerate(staged.malformed, start=1):
        con.execute(
            f"INSERT INTO {ISSUES} VALUES (?, NULL, NULL, ?, ?)",
            [row if row > 0 else -i, reason, json.dumps({"line": text})],
        )
    return _merge(store, plan, source, staged, source_file, label, sha256)


def _source_relation(con: duckdb.DuckDBPyConnection, staged: Staged) -> tuple[str, tuple[str, ...]]:
    if staged.kind != "json":
        return STAGE, _columns(con, STAGE)
    ok = "CASE WHEN json_valid(_json) THEN json_type(_json) = 'OBJECT' ELSE FALSE END"
    keys = [
        str(r[0])
        for r in con.execute(
            f"SELECT DISTINCT k FROM (SELECT unnest(json_keys(_json)) AS k FROM "
            f"(SELECT CASE WHEN {ok} THEN _json END AS _json FROM {STAGE})) ORDER BY k"
        ).fetchall()
    ]
    # keys differing only in case (Subject, subject) are different columns to JSON but one
    # identifier to DuckDB: the lower-case one keeps its name, the others become Subject.1
    names = case_unique(["_row", "_json", "_ok", *keys])[3:]
    extracted = "".join(
        f", CASE WHEN _ok THEN _json->>{ql(k)} END AS {qi(n)}"
        for k, n in zip(keys, names, strict=True)
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SRC} AS SELECT _row, _json, _ok{extracted} "
        f"FROM (SELECT _row, _json, {ok} AS _ok FROM {STAGE})"
    )
    return _SRC, _columns(con, _SRC)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[str, ...]:
    return tuple(str(r[0]) for r in con.execute(f"DESCRIBE {relation}").fetchall())


def _merge(
    store: Store,
    plan: Plan,
    source: str,
    staged: Staged,
    source_file: str,
    label: str,
    sha256: str | None,
) -> LoadSummary:
    con = store.con
    spec = plan.spec
    key = qi(spec.key)
    cols = [c.name for c in spec.columns]
    # Keys repeated within the file: usually none, so the ranking touches only those rows.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_REPEATED} AS SELECT _key FROM {KEYS} "
        f"WHERE NOT _bad GROUP BY ALL HAVING count(*) > 1"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_RANKED} AS SELECT _row, _key, _h, "
        f"row_number() OVER w AS _rn, first_value(_row) OVER w AS _first, "
        f"first_value(_h) OVER w AS _first_h FROM {KEYS} "
        f"WHERE NOT _bad AND _key IN (SELECT _key FROM {_REPEATED}) "
        f"WINDOW w AS (PARTITION BY _key ORDER BY _row)"
    )
    con.execute(
        f"INSERT INTO {ISSUES} SELECT _row, {ql(spec.key)}, _key, "
        f"'key repeats row ' || _first || ' of this file with different content', NULL "
        f"FROM {_RANKED} WHERE _rn > 1 AND _h <> _first_h"
    )
    # Stored rows sharing a key with the file; an empty table has none to look for.
    stored = _scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {spec.name} LIMIT 1)")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_HIT} AS SELECT {key} AS _key, "
        f"{content_hash(spec, plan.written)} AS _h FROM {spec.name} WHERE "
        + (f"{key} IN (SELECT _key FROM {KEYS} WHERE NOT _bad)" if stored else "FALSE")
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_ACTIONS} AS SELECT k._row, k._key, "
        f"CASE WHEN t._h = k._h THEN 'duplicate' ELSE 'update' END AS action "
        f"FROM {KEYS} k JOIN {_HIT} t USING (_key) WHERE NOT k._bad "
        f"AND k._row NOT IN (SELECT _row FROM {_RANKED} WHERE _rn > 1)"
    )
    if plan.update and stored:
        _update_actions(con, plan)
    elif stored and "properties" in (plan.written or spec.column_names):
        _same_but_reordered(con, plan)
    if plan.update:
        # an update changes stored rows only: a key that is not stored is a problem of its row
        con.execute(
            f"INSERT INTO {ISSUES} SELECT _row, {ql(spec.key)}, _key, "
            f"{ql('no such ' + spec.name.removesuffix('s'))}, NULL FROM {KEYS} WHERE NOT _bad "
            f"AND _row NOT IN (SELECT _row FROM {_RANKED} WHERE _rn > 1) "
            f"AND _row NOT IN (SELECT _row FROM {_ACTIONS})"
        )
    counts = dict(
        con.execute(f"SELECT action, count(*) FROM {_ACTIONS} GROUP BY action").fetchall()
    )
    same_in_file = _scalar(con, f"SELECT count(*) FROM {_RANKED} WHERE _rn > 1 AND _h = _first_h")
    candidates = _scalar(
        con,
        f"SELECT (SELECT count(*) FROM {KEYS} WHERE NOT _bad) - "
        f"(SELECT count(*) FROM {_RANKED} WHERE _rn > 1)",
    )
    # candidates have distinct keys, so a row matched twice means a key stored twice
    matched = _scalar(con, f"SELECT count(DISTINCT _row) FROM {_ACTIONS}")
    if sum(counts.values()) != matched:
        raise IngestAbortedError(
            f"{source_file}: {spec.name} already holds repeated {spec.key} values; "
            "nothing was loaded (deduplicate the table first)"
        )
    updated = int(counts.get("update", 0))
    inserted = 0 if plan.update else candidates - matched
    duplicates = int(counts.get("duplicate", 0)) + same_in_file
    quarantined = _scalar(con, f"SELECT count(DISTINCT _row) FROM {ISSUES}")
    source_rows = _scalar(con, f"SELECT count(*) FROM {KEYS}")
    rows_read = source_rows + len(staged.malformed)
    load_id = uuid.uuid4().hex
    summary = LoadSummary(
        load_id=load_id,
        table=spec.name,
        source_file=source_file,
        fmt=label,
        rows_read=rows_read,
        inserted=inserted,
        updated=updated,
        duplicates=duplicates,
        quarantined=quarantined,
        issues=_sample_issues(con, source_file),
        source_records=staged.records,
    )
    if not summary.reconciles:
        raise IngestAbortedError(
            f"{source_file}: counts do not reconcile ({rows_read} read, {inserted} inserted, "
            f"{updated} updated, {duplicates} duplicates, {quarantined} quarantined); nothing loaded"
        )
    raw = (
        "CASE WHEN json_valid(s._json) THEN s._json ELSE json_object('line', s._json) END"
        if "_json" in _columns(con, source)
        else "json_merge_patch(to_json(s), '{\"_row\": null}')"
    )
    col_list = ", ".join(qi(c) for c in cols)
    started = datetime.now(UTC).replace(tzinfo=None)
    try:
        with store.transaction():
            if plan.update:
                _update_rows(con, plan, updated)
            else:
                con.execute(
                    f"DELETE FROM {spec.name} WHERE {key} IN "
                    f"(SELECT _key FROM {_ACTIONS} WHERE action = 'update')"
                )
            if inserted + updated and not plan.update:
                # rows left out: quarantined, repeated in the file, already stored as they are
                skip = (
                    f"SELECT _row FROM {KEYS} WHERE _bad UNION ALL "
                    f"SELECT _row FROM {_RANKED} WHERE _rn > 1 UNION ALL "
                    f"SELECT _row FROM {_ACTIONS} WHERE action = 'duplicate'"
                )
                rows = (
                    f"WHERE NOT EXISTS (SELECT 1 FROM ({skip}) x WHERE x._row = src._row)"
                    if source_rows > inserted + updated
                    else ""  # every row of the source is loaded: nothing to leave out
                )
                if spec.name == "events":  # with the ids' integer keys (portalroi.store.keys)
                    keys.insert(con, col_list, converted(plan, rows))
                else:
                    con.execute(
                        f"INSERT INTO {spec.name} ({col_list}) "
                        f"SELECT {col_list} FROM {converted(plan, rows)}"
                    )
            con.execute(
                f"INSERT INTO _quarantine SELECT ?, ?, ?, i._row, i.column_name, i.value, i.reason, "
                f"coalesce(i.raw, {raw})::JSON, ? FROM {ISSUES} i LEFT JOIN {source} s USING (_row) "
                f"ORDER BY i._row",
                [load_id, spec.name, source_file, started],
            )
            con.execute(
                "INSERT INTO _loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    spec.name,
                    source_file,
                    label,
                    sha256,
                    started,
                    datetime.now(UTC).replace(tzinfo=None),
                    rows_read,
                    inserted,
                    updated,
                    duplicates,
                    quarantined,
                    "loaded_with_quarantine" if quarantined else "loaded",
                ],
            )
            if _fault_hook is not None:
                _fault_hook("merge", inserted + updated)
            run_after_load(con, spec.name, load_id)
    except PortalRoiError:
        raise
    except Exception as exc:
        raise IngestAbortedError(
            f"{source_file}: load failed and was rolled back, the store is unchanged: {exc}"
        ) from exc
    return summary


def _merged_properties(stored: str, new: str) -> str:
    """SQL of a stored row's ``properties`` with a file row's unmapped columns merged in."""
    return (
        f"CASE WHEN {new} IS NULL THEN {stored} "
        f"ELSE json_merge_patch(coalesce({stored}, '{{}}'::JSON), {new}) END"
    )


def _same_but_reordered(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Turn ``update`` actions into duplicates where the rows differ only in the order of
    their ``properties`` keys (the same data with its columns in another order)."""
    changed = f"SELECT _row FROM {_ACTIONS} WHERE action = 'update'"
    if not _scalar(con, f"SELECT count(*) FROM ({changed})"):
        return
    spec, key = plan.spec, qi(plan.spec.key)
    canonical = content_hash(spec, plan.written, canonical=True)
    con.execute(
        f"UPDATE {_ACTIONS} a SET action = 'duplicate' FROM ("
        f"SELECT f._row FROM (SELECT _row, {key} AS _key, {canonical} AS _c "
        f"FROM {converted(plan, f'WHERE _row IN ({changed})')}) f "
        f"JOIN (SELECT {key} AS _key, {canonical} AS _c FROM {spec.name} "
        f"WHERE {key} IN (SELECT _key FROM {_ACTIONS} WHERE action = 'update')) t "
        f"USING (_key) WHERE f._c = t._c) d WHERE a._row = d._row"
    )


def _update_actions(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """``mode: update``: a stored row is a duplicate when the file row would change nothing.

    The provided columns are compared by hash; ``properties`` gains the file row's unmapped
    columns, so it is compared after merging them in.
    """
    spec, key = plan.spec, qi(plan.spec.key)
    rows = f"WHERE src._row IN (SELECT _row FROM {_ACTIONS})"
    merged = _merged_properties("t.properties", "c.properties")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_ACTIONS} AS SELECT c._row, c.{key} AS _key, "
        f"CASE WHEN {content_hash(spec, plan.provided, 't')} = "
        f"{content_hash(spec, plan.provided, 'c')} "
        f"AND CAST({merged} AS VARCHAR) IS NOT DISTINCT FROM CAST(t.properties AS VARCHAR) "
        f"THEN 'duplicate' ELSE 'update' END AS action "
        f"FROM {converted(plan, rows)} c JOIN {spec.name} t ON t.{key} = c.{key}"
    )


def _update_rows(con: duckdb.DuckDBPyConnection, plan: Plan, updated: int) -> None:
    """``mode: update``: write the provided columns of the stored rows the file changes.

    The file row's unmapped columns are merged into the stored ``properties``.
    """
    if not updated:
        return
    spec, key = plan.spec, qi(plan.spec.key)
    sets = ", ".join(
        [f"{qi(c)} = c.{qi(c)}" for c in plan.provided if c != spec.key]
        + [f"properties = {_merged_properties(f'{spec.name}.properties', 'c.properties')}"]
        # an id may change: the rows are keyed again by the rollup refresh (keys.assign), so
        # that it need not check every row's keys (keys.stale: 10-12 s at 100M events)
        + ([f"{k} = NULL" for k in keys.COLUMNS] if spec.name == "events" else [])
    )
    rows = f"WHERE src._row IN (SELECT _row FROM {_ACTIONS} WHERE action = 'update')"
    con.execute(
        f"UPDATE {spec.name} SET {sets} FROM {converted(plan, rows)} c "
        f"WHERE {spec.name}.{key} = c.{key}"
    )


def _sample_issues(con: duckdb.DuckDBPyConnection, source_file: str) -> list[Issue]:
    rows = con.execute(
        f"SELECT _row, column_name, value, reason FROM {ISSUES} ORDER BY _row, column_name "
        f"LIMIT {_SAMPLE}"
    ).fetchall()
    out = []
    for row, column, value, reason in rows:
        where = f"{source_file}: row {row}" if row > 0 else f"{source_file}: row ?"
        if column:
            where += f", column {column}"
        out.append(Issue(where, str(reason), value))
    return out


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@contextmanager
def _session(store: Store, memory_limit: str) -> Iterator[None]:
    """Bound DuckDB's memory during the load; always drop the staging tables afterwards."""
    if store.read_only:
        raise ConfigError("the store is open read-only; cannot ingest")
    con = store.con
    before = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    ).fetchone()
    try:
        con.execute(f"SET memory_limit = {ql(memory_limit)}")
    except duckdb.Error as exc:
        raise ConfigError(
            f"setting ingest_memory_limit {memory_limit!r} is invalid: {exc}"
        ) from exc
    # row order within a load carries no meaning (``_row`` keeps the file's numbering); letting
    # DuckDB write in any order keeps its inserts parallel and its memory bounded
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    except PortalRoiError:
        raise
    except Exception as exc:
        raise IngestAbortedError(f"load failed, the store is unchanged: {exc}") from exc
    finally:
        for name in _VIEWS:  # the view over the source first: it may read a staged table
            _drop(con, "VIEW", name)
        for name in _TEMP:
            _drop(con, "TABLE", name)
        if before is not None:
            con.execute(f"SET memory_limit = {ql(before[0])}")
            con.execute(f"SET preserve_insertion_order = {bool(before[1])}")


def _drop(con: duckdb.DuckDBPyConnection, kind: str, name: str) -> None:
    """Drop a temp table or view if it exists as that kind (staging may be either)."""
    catalog = (
        "duckdb_views() WHERE view_name" if kind == "VIEW" else "duckdb_tables() WHERE table_name"
    )
    if _scalar(con, f"SELECT count(*) FROM {catalog} = {ql(name)} AND temporary"):
        con.execute(f"DROP {kind} {name}")


@contextmanager
def _progress(show: bool, name: str) -> Iterator[Callable[[int, int, float | None], None]]:
    def hook(batch: int, rows: int, done: float | None) -> None:
        if _fault_hook is not None:
            _fault_hook("batch", batch)

    if not show:
        yield hook
        return
    columns: list[Any] = [
        TextColumn(f"ingest {name}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("ingest", total=1.0, rows=0)

        def show_batch(batch: int, rows: int, done: float | None) -> None:
            bar.update(task, completed=done if done is not None else 0.0, rows=rows)
            hook(batch, rows, done)

        yield show_batch
