"""Stream a source file, batch by batch, into a TEMP staging table with a row number.

Readers never hold the whole file: CSV and JSON Lines are read in blocks, Parquet by row
groups. Every staged row carries ``_row``, its 1-based data row number (the CSV header is not
counted; in JSON Lines it is the line number; in a JSON array, the position in the array).

CSV columns are staged as text (validation reads the text, so it can quote the bad value);
Parquet and data frames keep their types; JSON is staged as one ``_json`` text column per record.
"""

from __future__ import annotations

import csv
import io
import json
import mmap
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from portalroi.errors import DataError, SchemaError
from portalroi.schema import TABLE_NAMES

__all__ = [
    "STAGE",
    "Staged",
    "case_unique",
    "detect_delimiter",
    "detect_format",
    "sniff_json",
    "stage_arrow",
    "stage_file",
]

STAGE = "_pr_stage"
_BOM = b"\xef\xbb\xbf"
_JSON_BLOCK = 1 << 24
#: Keys under which exports and API pages hold their records (``{"tickets": [...], ...}``).
ENVELOPES = (*TABLE_NAMES, "results", "records", "data", "items", "batch", "rows")

#: ``callback(batch_number, rows_so_far, fraction_done)`` after each staged batch.
BatchCallback = Callable[[int, int, float | None], None]


@dataclass
class Staged:
    """What the reader staged."""

    kind: str  # "table" (one column per source column) or "json" (one `_json` column)
    records: int
    #: Rows the reader could not split into fields: (row number, raw text, reason).
    malformed: list[tuple[int, str, str]] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """Reader for a file name: ``csv``, ``parquet`` or ``jsonl`` (``.zip`` of one CSV is csv).

    Examples
    --------
    >>> detect_format(Path("x.ndjson"))
    'jsonl'
    """
    suffixes = [s.lower() for s in path.suffixes]
    last = suffixes[-1] if suffixes else ""
    if last in (".csv", ".txt", ".zip", ".tsv"):
        return "csv"
    if last in (".parquet", ".pq"):
        return "parquet"
    if last in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise SchemaError(
        f"{path}: cannot tell the format from the extension {last or '(none)'!r}; "
        "give --format csv|parquet|jsonl or an adapter"
    )


def sniff_json(path: Path) -> str:
    """``json`` for a JSON document (a list, or an object spanning lines), else ``jsonl``.

    A first line holding a whole object with a list under an envelope key (``items``,
    ``tickets``, ...) is a one-line document, unless more JSON follows on the next lines: then
    it is the first record of JSON Lines.
    """
    with path.open("rb") as fh:
        first = fh.readline().strip().removeprefix(_BOM)
        following = b""
        while not following and (line := fh.readline()):
            following = line.strip()
    if first.startswith(b"["):
        return "json"
    try:
        head = json.loads(first)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "json"
    envelope = isinstance(head, dict) and any(isinstance(head.get(k), list) for k in ENVELOPES)
    if envelope and following:
        try:
            json.loads(following)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return "json"
        return "jsonl"
    return "json" if envelope else "jsonl"


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    batch_rows: int,
    on_batch: BatchCallback,
    delimiter: str | None = None,
    table: str | None = None,
) -> Staged:
    """Stage ``path`` read as ``fmt`` (``csv``, ``parquet``, ``jsonl`` or ``json``).

    ``delimiter`` is the CSV field separator; ``None`` detects it from the header line
    (:func:`detect_delimiter`). ``table`` is the target table: a JSON document holding several
    lists (``{"accounts": [...], "tickets": [...]}``) is read from the list of that name.
    """
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if fmt == "csv":
        return _stage_csv(con, path, batch_rows, on_batch, delimiter or detect_delimiter(path))
    if fmt == "parquet":
        return _stage_parquet(con, path, batch_rows, on_batch)
    if fmt == "jsonl":
        return _stage_jsonl(con, path, on_batch)
    if fmt == "json":
        return _stage_json_document(con, path, on_batch, table)
    raise SchemaError(f"{path}: unknown format {fmt!r}")


def stage_arrow(con: duckdb.DuckDBPyConnection, table: pa.Table) -> Staged:
    """Stage an in-memory Arrow table (typed columns)."""
    _append(con, table, 0, first=True)
    return Staged("table", table.num_rows)


# -- CSV ------------------------------------------------------------------------------------------
@contextmanager
def _open_binary(path: Path) -> Iterator[IO[bytes]]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise SchemaError(f"{path}: a zip must hold exactly one file, found {len(members)}")
            with zf.open(members[0]) as fh:
                yield fh
    else:
        with path.open("rb") as fh:
            yield fh


def _first_line(path: Path) -> str:
    with _open_binary(path) as fh:
        try:
            return io.TextIOWrapper(fh, encoding="utf-8-sig", newline="").readline()
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path}: the header row is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "save the file as UTF-8"
            ) from None


class _QuoteCounter:
    """A binary file that counts the double quotes read through it (for :func:`_stage_csv`)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.quotes = 0
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self.quotes += data.count(b'"')
        return data

    def tell(self) -> int:
        return self._fh.tell()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _unclosed_quote(path: Path, delimiter: str) -> int | None:
    """The data row (1-based; 0 is the header) whose quoted field is never closed, or ``None``
    when every quoted field closes.

    The CSV reader takes a quote that opens a field and never closes as a value running to the
    end of the file: the rows after it would become part of one value. A field opens a quote
    only where it starts (as the reader does: ``5" screen`` is plain text); inside one, ``""``
    is a quote. Run only when the file holds an odd number of quotes (a slow, exact scan).
    """
    d = re.escape(delimiter.encode())
    field = re.compile(rb'"(?:[^"]|"")*(")?[^' + d + rb"\r\n]*|[^" + d + rb"\r\n]*")
    with _open_binary(path) as fh:
        if isinstance(fh, io.BufferedReader):
            if path.stat().st_size == 0:
                return None
            data: bytes | mmap.mmap = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        else:
            data = fh.read()
    pos, row, end = 0, 0, len(data)
    if data[:3] == b"\xef\xbb\xbf":
        pos = 3
    sep = delimiter.encode()
    while pos < end:
        m = field.match(data, pos)
        assert m is not None  # the second alternative matches the empty string
        if m.group(0).startswith(b'"') and m.group(1) is None:
            return row
        pos = m.end()
        if data[pos : pos + len(sep)] == sep:
            pos += len(sep)
        elif data[pos : pos + 2] == b"\r\n":
            pos, row = pos + 2, row + 1
        elif pos < end:  # \n or \r
            pos, row = pos + 1, row + 1
    return None


#: Separators tried by :func:`detect_delimiter`, the comma first (it wins ties).
_CANDIDATES = (",", ";", "\t", "|")


def detect_delimiter(path: Path) -> str:
    """The CSV field separator of ``path``: the candidate that splits its header into most fields.

    Candidates are ``,`` ``;`` tab and ``|``; the comma wins ties (a one-column header stays a
    comma file). A ``.tsv`` file is tab-separated.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text('Customer No;"Amount, EUR";Seats\\n1;2,5;3\\n', encoding="utf-8")
    >>> detect_delimiter(p)
    ';'
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    first = _first_line(path)
    fields = {d: len(next(csv.reader([first], delimiter=d), [])) for d in _CANDIDATES}
    return max(_CANDIDATES, key=lambda d: (fields[d], -_CANDIDATES.index(d)))


def _header(path: Path, delimiter: str = ",") -> list[str]:
    first = _first_line(path)
    names = next(csv.reader([first], delimiter=delimiter), [])
    if not names or all(not n.strip() for n in names):
        raise SchemaError(f"{path}: no header row (the first line must name the columns)")
    return case_unique([raw.strip() or f"column_{i}" for i, raw in enumerate(names, start=1)])


def case_unique(names: list[str]) -> list[str]:
    """``names`` made unique ignoring case, as DuckDB's identifiers are: a repeated name becomes
    ``name.1``, ``name.2`` (as pandas does). Of names that differ only in case, the lower-case
    one keeps its name (canonical columns are lower case) and the others are renamed.

    Examples
    --------
    >>> case_unique(["id", "Channel", "channel", "id", "Subject"])
    ['id', 'Channel.1', 'channel', 'id.1', 'Subject']
    """
    taken: set[str] = set()
    out: list[str | None] = [None] * len(names)
    # lower-case names first, so that they keep their names; then the rest in order
    order = sorted(range(len(names)), key=lambda i: names[i] != names[i].lower())
    for i in order:
        name, n = names[i], 0
        while name.lower() in taken:
            n += 1
            name = f"{names[i]}.{n}"
        taken.add(name.lower())
        out[i] = name
    return [n for n in out if n is not None]


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    batch_rows: int,
    on_batch: BatchCallback,
    delimiter: str = ",",
) -> Staged:
    names = _header(path, delimiter)
    malformed: list[tuple[int, str, str]] = []

    def invalid(row: Any) -> str:
        number = int(row.number) - 1 if row.number is not None else -1
        reason = f"row has {row.actual_columns} fields, the header has {row.expected_columns}"
        malformed.append((number, str(row.text), reason))
        return "skip"

    size = path.stat().st_size
    rows = 0
    number = 0
    with _open_binary(path) as raw:
        fh = _QuoteCounter(raw)
        try:
            reader = _open_csv(fh, names, batch_rows, delimiter, invalid)
            for number, batch in enumerate(reader, start=1):
                _append(con, pa.Table.from_batches([batch]), rows, first=number == 1)
                rows += batch.num_rows
                done = fh.tell() / size if size and path.suffix.lower() != ".zip" else None
                on_batch(number, rows, done)
        except pa.ArrowInvalid as exc:
            # a header with no line break after it: no rows for the reader to skip to
            if not (number == 0 and "Could not skip initial" in str(exc) and _one_line(path)):
                _check_quotes(path, delimiter)
                raise DataError(f"{path}: cannot read as CSV: {exc}") from exc
    if fh.quotes % 2:
        _check_quotes(path, delimiter)
    if number == 0:  # header only
        empty = pa.table({n: pa.array([], pa.string()) for n in names})
        _append(con, empty, 0, first=True)
    if malformed:
        _renumber_around(con, sorted(r for r, _, _ in malformed))
    return Staged("table", rows + len(malformed), malformed)


def _one_line(path: Path) -> bool:
    """Whether ``path`` holds a single line without a line break (a header and nothing else)."""
    with _open_binary(path) as fh:
        data = fh.read(1 << 20)
        return b"\n" not in data and b"\r" not in data and not fh.read(1)


def _check_quotes(path: Path, delimiter: str) -> None:
    """Raise when a quoted field of ``path`` never closes (see :func:`_unclosed_quote`)."""
    row = _unclosed_quote(path, delimiter)
    if row is not None:
        where = f"row {row}" if row else "the header row"
        raise DataError(
            f"{path}: {where}: a quoted value opened in this row is never closed, so every "
            "row after it would be read as part of that value; close the quote (a quote inside "
            'a quoted value is written twice: "")'
        )


def _open_csv(
    fh: _QuoteCounter,
    names: list[str],
    batch_rows: int,
    delimiter: str,
    invalid: Callable[[Any], str],
) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        fh,
        read_options=pacsv.ReadOptions(
            column_names=names,
            skip_rows=1,
            use_threads=False,
            block_size=int(min(max(batch_rows * 128, 1 << 18), 1 << 28)),
            encoding="utf8",
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        ),
    )


def _renumber_around(con: duckdb.DuckDBPyConnection, bad_rows: list[int]) -> None:
    """Give staged rows their true data row numbers, skipping the malformed rows' numbers.

    Good rows were numbered 1..N in order; the good row numbered ``p`` really is row
    ``p + #{i: bad[i] - i <= p}`` (bad sorted, i from 0).
    """
    adjusted = pa.table({"adj": pa.array([b - i for i, b in enumerate(bad_rows)], pa.int64())})
    con.register("_pr_bad", adjusted)
    try:
        con.execute(
            f"UPDATE {STAGE} SET _row = _row + "
            f"(SELECT count(*) FROM _pr_bad WHERE adj <= {STAGE}._row)"
        )
    finally:
        con.unregister("_pr_bad")


# -- Parquet --------------------------------------------------------------------------------------
def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, batch_rows: int, on_batch: BatchCallback
) -> Staged:
    """Stage a Parquet file as a view DuckDB reads directly: no copy, no trip through Python.

    DuckDB streams the row groups (in parallel, within the session's memory limit) each time
    the view is read; ``file_row_number`` gives the 1-based ``_row``.
    """
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: cannot read as Parquet: {exc}") from exc
    total = pf.metadata.num_rows
    names = pf.schema_arrow.names
    # a source column that is itself called _row keeps its values as _row_
    rename = " RENAME (_row AS _row_)" if "_row" in names else ""
    reader = f"read_parquet({_ql(str(path))}, file_row_number = true)"
    if "file_row_number" in names:  # would clash with DuckDB's row-number column
        return _stage_parquet_batches(con, pf, batch_rows, on_batch)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {STAGE} AS SELECT * EXCLUDE (file_row_number){rename}, "
            f"file_row_number + 1 AS _row FROM {reader}"
        )
        con.execute(f"DESCRIBE {STAGE}").fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{path}: cannot read as Parquet: {exc}") from exc
    on_batch(1, total, 1.0)
    return Staged("table", total)


def _stage_parquet_batches(
    con: duckdb.DuckDBPyConnection, pf: pq.ParquetFile, batch_rows: int, on_batch: BatchCallback
) -> Staged:
    total = pf.metadata.num_rows
    rows = 0
    number = 0
    for number, batch in enumerate(pf.iter_batches(batch_size=batch_rows), start=1):
        _append(con, pa.Table.from_batches([batch]), rows, first=number == 1)
        rows += batch.num_rows
        on_batch(number, rows, rows / total if total else None)
    if number == 0:
        _append(con, pf.schema_arrow.empty_table(), 0, first=True)
    return Staged("table", rows)


def _ql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- JSON -----------------------------------------------------------------------------------------
def _stage_jsonl(con: duckdb.DuckDBPyConnection, path: Path, on_batch: BatchCallback) -> Staged:
    size = path.stat().st_size
    line_no = 0
    number = 0
    records = 0
    rest = b""
    malformed: list[tuple[int, str, str]] = []
    with path.open("rb") as fh:
        while True:
            block = fh.read(_JSON_BLOCK)
            data = rest + block
            if block:
                cut = data.rfind(b"\n")
                rest, data = (data[cut + 1 :], data[: cut + 1]) if cut >= 0 else (data, b"")
                if not data:
                    continue
            else:
                rest = b""
            lines = data.split(b"\n")
            if data.endswith(b"\n"):
                lines.pop()
            if line_no == 0 and lines:
                lines[0] = lines[0].removeprefix(_BOM)
            numbers = np.arange(line_no + 1, line_no + 1 + len(lines), dtype=np.int64)
            keep = np.fromiter((bool(x.strip()) for x in lines), dtype=bool, count=len(lines))
            texts = []
            for i, (x, k) in enumerate(zip(lines, keep, strict=True)):
                if not k:
                    continue
                try:
                    texts.append(x.decode("utf-8"))
                except UnicodeDecodeError as exc:  # kept in the quarantine, never altered
                    keep[i] = False
                    reason = (
                        f"not UTF-8 text (byte 0x{x[exc.start]:02x} at position {exc.start + 1})"
                    )
                    malformed.append((line_no + i + 1, x.decode("utf-8", "replace"), reason))
            line_no += len(lines)
            number += 1
            _append(
                con,
                pa.table({"_json": pa.array(texts, pa.string())}),
                0,
                first=number == 1,
                rows=numbers[keep],
            )
            records += len(texts)
            on_batch(number, records, fh.tell() / size if size else None)
            if not block:
                break
    return Staged("json", records + len(malformed), malformed)


def _stage_json_document(
    con: duckdb.DuckDBPyConnection, path: Path, on_batch: BatchCallback, table: str | None = None
) -> Staged:
    """A whole JSON document: a list of records, or an object holding one (``tickets``, ...;
    the list named like the target ``table`` first)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid JSON: {exc}") from exc
    if isinstance(doc, dict):
        keys = ((table,) if table else ()) + ENVELOPES
        held = [doc[k] for k in keys if isinstance(doc.get(k), list)]
        single = [doc[k] for k in ("ticket", "record") if isinstance(doc.get(k), dict)]
        records = held[0] if held else single or [doc]
    elif isinstance(doc, list):
        records = doc
    else:
        raise DataError(f"{path}: expected a JSON list of records or an object holding one")
    texts = [json.dumps(r, ensure_ascii=False) for r in records]
    rows = np.arange(1, len(texts) + 1, dtype=np.int64)
    _append(con, pa.table({"_json": pa.array(texts, pa.string())}), 0, first=True, rows=rows)
    on_batch(1, len(texts), 1.0)
    return Staged("json", len(texts))


# -- staging --------------------------------------------------------------------------------------
def _append(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    offset: int,
    *,
    first: bool,
    rows: np.ndarray[Any, np.dtype[np.int64]] | None = None,
) -> None:
    if rows is None:
        rows = np.arange(offset + 1, offset + 1 + table.num_rows, dtype=np.int64)
    if "_row" in table.column_names:
        table = table.rename_columns([c if c != "_row" else "_row_" for c in table.column_names])
    batch = table.append_column("_row", pa.array(rows, pa.int64()))
    con.register("_pr_batch", batch)
    try:
        if first:
            con.execute(f"DROP TABLE IF EXISTS {STAGE}")
            con.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT * FROM _pr_batch")
        else:
            con.execute(f"INSERT INTO {STAGE} BY NAME SELECT * FROM _pr_batch")
    finally:
        con.unregister("_pr_batch")
