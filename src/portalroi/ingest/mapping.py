"""Column mappings: how the columns of a source turn into the columns of a canonical table.

A :class:`Mapping` is plain data. Users write one as YAML for an arbitrary export
(:func:`load_mapping`); the built-in adapters build one in code (they may also use SQL expressions
and a pre-aggregation step, which a YAML file may not).

YAML shape::

    table: tickets                   # canonical table (required)
    columns:                         # canonical column: source column (or a list of candidates)
      ticket_id: Case Number
      created_at: Opened
    values:                          # value maps applied before validation
      channel: {"E-mail": email, "Web form": portal}
    date_formats: {created_at: "%d/%m/%Y %H:%M"}
    date_format: "%Y-%m-%d"          # default for every time column without its own format
    constants: {currency: EUR}
    timezone: Europe/Stockholm       # zone of naive timestamps (default UTC)
    properties: all                  # unmapped columns kept in `properties`: all | none | [names]
    na_values: ["?", "N/A"]          # texts that mean "no value" (the empty text always does)
    number_format: {decimal: ",", thousands: "."}   # default for every number column
    number_formats: {amount: {decimal: ".", thousands: ","}}
    mode: update                     # update only the mapped columns of existing rows
    delimiter: ";"                   # CSV field separator (default: detected from the header)

Examples
--------
>>> m = parse_mapping({"table": "tickets", "columns": {"ticket_id": "Case"}}, "m.yaml")
>>> m.columns["ticket_id"]
('Case',)
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from portalroi.errors import MappingError
from portalroi.schema import TABLES

__all__ = [
    "Mapping",
    "NumberFormat",
    "identity_mapping",
    "load_mapping",
    "parse_mapping",
    "with_same_named",
]

#: ``prepare(source_relation, source_columns) -> SQL SELECT`` run before mapping (aggregation).
Prepare = Callable[[str, tuple[str, ...]], str]

_KEYS = (
    "table",
    "format",
    "columns",
    "values",
    "date_formats",
    "date_format",
    "constants",
    "timezone",
    "properties",
    "na_values",
    "number_format",
    "number_formats",
    "mode",
    "delimiter",
)

#: Characters accepted as a decimal mark and as a thousands separator ("" = none).
DECIMAL_MARKS = (".", ",")
THOUSANDS_SEPARATORS = ("", ",", ".", " ", "'", "_")
#: ``upsert`` inserts new rows and replaces changed ones; ``update`` changes only the mapped
#: columns of rows whose key is already stored.
MODES = ("upsert", "update")
#: CSV field separators a mapping may name (``tab`` is accepted for ``"\t"``).
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class NumberFormat:
    """How a number is written in the source: ``12 450,00`` is ``NumberFormat(",", " ")``.

    Examples
    --------
    >>> NumberFormat(decimal=",", thousands=".").decimal
    ','
    """

    decimal: str = "."
    thousands: str = ""


@dataclass(frozen=True)
class Mapping:
    """How a source's columns become a canonical table's columns.

    Parameters
    ----------
    table
        Canonical table to load.
    columns
        Canonical column -> candidate source columns; the first one the file has is used.
    exprs
        Canonical column -> DuckDB SQL expression over the source (adapters only).
    values
        Canonical column -> {source text: canonical text}, applied before type conversion.
    formats
        Canonical time column -> ``strptime`` format (``%d/%m/%Y %H:%M``).
    default_format
        Format for time columns without their own (``None``: ISO 8601, with or without offset).
    constants
        Canonical column -> value used for every row.
    timezone
        IANA zone of timestamps without an offset; converted to UTC.
    keep
        Unmapped source columns kept in ``properties`` (``None``: all of them).
    na_values
        Texts meaning "no value" besides the empty text.
    consumed
        Source columns an expression reads, so they are not copied into ``properties``.
    prepare
        Optional SQL step over the staged source (aggregating adapters).
    strict_columns
        Every named source column must exist (YAML mappings); adapters list candidates instead.
    fmt
        Reader the mapping file asks for (``csv``, ``parquet``, ``jsonl``).
    properties_expr
        SQL building ``properties`` (adapters); default: the unmapped columns.
    number_formats
        Canonical number column -> :class:`NumberFormat` of its source text.
    default_number_format
        Number format of number columns without their own (``None``: plain ``1234.5``).
    value_defaults
        Canonical column -> value for a source text its ``values`` map lacks (adapters only;
        without one, an unmapped text is kept and validated as it is).
    mode
        ``upsert`` (default) or ``update`` (only the mapped columns of stored rows change).
    delimiter
        CSV field separator (``None``: detected from the header line).
    """

    table: str
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exprs: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    default_format: str | None = None
    constants: dict[str, object] = field(default_factory=dict)
    timezone: str = "UTC"
    keep: tuple[str, ...] | None = None
    na_values: tuple[str, ...] = ()
    consumed: tuple[str, ...] = ()
    prepare: Prepare | None = None
    strict_columns: bool = False
    fmt: str | None = None
    properties_expr: str | None = None
    number_formats: dict[str, NumberFormat] = field(default_factory=dict)
    default_number_format: NumberFormat | None = None
    value_defaults: dict[str, str] = field(default_factory=dict)
    mode: str = "upsert"
    delimiter: str | None = None

    def number_format_for(self, column: str) -> NumberFormat | None:
        """The :class:`NumberFormat` of a number column, if one is set."""
        return self.number_formats.get(column, self.default_number_format)

    def format_for(self, column: str) -> str | None:
        """The ``strptime`` format of a time column, if one is set."""
        return self.formats.get(column, self.default_format)


def identity_mapping(table: str, source_columns: tuple[str, ...]) -> Mapping:
    """Map every source column named like a canonical column onto it; keep the rest.

    Examples
    --------
    >>> identity_mapping("costs", ("cost_id", "note")).columns
    {'cost_id': ('cost_id',)}
    """
    spec = TABLES[table]
    names = set(source_columns)
    return Mapping(
        table=table,
        columns={c: (c,) for c in spec.column_names if c in names and c != "properties"},
    )


def with_same_named(mapping: Mapping, source_columns: tuple[str, ...]) -> Mapping:
    """``mapping`` plus the canonical columns it leaves unnamed that the source has by name.

    A mapping that names only the columns whose names differ (or only sets ``timezone``) still
    reads ``channel`` from a column called ``channel``. Not in ``mode: update``, which writes
    only the columns it names; a source column the mapping already reads stays where it is.

    Examples
    --------
    >>> m = parse_mapping({"table": "tickets", "columns": {"ticket_id": "Case"}}, "m.yaml")
    >>> sorted(with_same_named(m, ("Case", "created_at", "channel", "ticket_id")).columns)
    ['channel', 'created_at', 'ticket_id']
    """
    if mapping.mode == "update":
        return mapping
    named = {*mapping.columns, *mapping.exprs, *mapping.constants}
    read = {c for candidates in mapping.columns.values() for c in candidates} | set(
        mapping.consumed
    )
    extra = {
        c: (c,)
        for c in identity_mapping(mapping.table, source_columns).columns
        if c not in named and c not in read
    }
    return replace(mapping, columns={**mapping.columns, **extra}) if extra else mapping


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a YAML mapping file; every problem is named by its YAML path.

    Raises
    ------
    MappingError
        The file is missing, is not YAML, or breaks the shape above.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"
    >>> _ = p.write_text("table: costs\\ncolumns: {cost_id: id}\\n")
    >>> load_mapping(p).table
    'costs'
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: mapping file not found") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    return parse_mapping(doc, str(path))


def parse_mapping(doc: object, source: str = "mapping") -> Mapping:
    """Check a parsed mapping document and build the :class:`Mapping`.

    Examples
    --------
    >>> try:
    ...     parse_mapping({"table": "nope"}, "m.yaml")
    ... except MappingError as exc:
    ...     print(str(exc)[:50])
    m.yaml: invalid mapping: table: unknown table 'nop
    """
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise MappingError(f"{source}: invalid mapping: (top level): expected a mapping of keys")
    for key in doc:
        if key not in _KEYS:
            problems.append(f"{key}: unknown key; expected one of {', '.join(_KEYS)}")
    table = doc.get("table")
    spec = TABLES.get(table) if isinstance(table, str) else None
    if spec is None:
        problems.append(f"table: unknown table {table!r}; expected one of {', '.join(TABLES)}")
    canonical = set(spec.column_names) - {"properties"} if spec else set()

    def _canon(path: str, name: object) -> bool:
        if spec is not None and name not in canonical:
            problems.append(f"{path}: {name!r} is not a column of {spec.name}")
            return False
        return spec is not None

    columns: dict[str, tuple[str, ...]] = {}
    for name, src in _section(doc, "columns", problems).items():
        if not _canon(f"columns.{name}", name):
            continue
        if isinstance(src, str) and src:
            columns[name] = (src,)
        elif isinstance(src, list) and src and all(isinstance(s, str) and s for s in src):
            columns[name] = tuple(src)
        else:
            problems.append(f"columns.{name}: expected a source column name or a list of names")
    values: dict[str, dict[str, str]] = {}
    for name, vmap in _section(doc, "values", problems).items():
        if not _canon(f"values.{name}", name):
            continue
        if not isinstance(vmap, dict) or not vmap:
            problems.append(f"values.{name}: expected a mapping of source value: canonical value")
            continue
        allowed = spec.column(name).allowed if spec else None
        for k, v in vmap.items():
            if isinstance(v, (dict, list)) or v is None:
                problems.append(f"values.{name}.{k}: expected a single value")
            elif allowed and str(v).lower() not in allowed:
                problems.append(
                    f"values.{name}.{k}: {v!r} is not allowed; expected one of {', '.join(allowed)}"
                )
        values[name] = {_text(k): _text(v) for k, v in vmap.items()}
    formats: dict[str, str] = {}
    for name, fmt in _section(doc, "date_formats", problems).items():
        if not _canon(f"date_formats.{name}", name):
            continue
        if spec and spec.column(name).type not in ("TIMESTAMP", "DATE"):
            problems.append(f"date_formats.{name}: {name} is not a time column")
        elif not isinstance(fmt, str) or "%" not in fmt:
            problems.append(f"date_formats.{name}: expected a strptime format such as %Y-%m-%d")
        else:
            formats[name] = fmt
    default_format = doc.get("date_format")
    if default_format is not None and (
        not isinstance(default_format, str) or "%" not in default_format
    ):
        problems.append("date_format: expected a strptime format such as %Y-%m-%d")
    constants: dict[str, object] = {}
    for name, value in _section(doc, "constants", problems).items():
        if not _canon(f"constants.{name}", name):
            continue
        if isinstance(value, (dict, list)):
            problems.append(f"constants.{name}: expected a single value")
        else:
            constants[name] = value
            if name in columns:
                problems.append(f"constants.{name}: also mapped in columns.{name}")
    tz = doc.get("timezone", "UTC")
    try:
        if not isinstance(tz, str):
            raise ZoneInfoNotFoundError(str(tz))
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"timezone: unknown time zone {tz!r} (use an IANA name such as Europe/Stockholm)"
        )
        tz = "UTC"
    keep: tuple[str, ...] | None = None
    props = doc.get("properties", "all")
    if props == "none":
        keep = ()
    elif isinstance(props, list) and all(isinstance(p, str) for p in props):
        keep = tuple(props)
    elif props != "all":
        problems.append("properties: expected all, none or a list of source column names")
    na = doc.get("na_values", [])
    if not isinstance(na, list) or not all(isinstance(v, (str, int, float)) for v in na):
        problems.append("na_values: expected a list of texts")
        na = []
    number_formats: dict[str, NumberFormat] = {}
    for name, nf in _section(doc, "number_formats", problems).items():
        if not _canon(f"number_formats.{name}", name):
            continue
        if spec and spec.column(name).type not in ("BIGINT", "DOUBLE"):
            problems.append(f"number_formats.{name}: {name} is not a number column")
            continue
        parsed = _number_format(f"number_formats.{name}", nf, problems)
        if parsed is not None:
            number_formats[name] = parsed
    default_nf = None
    if doc.get("number_format") is not None:
        default_nf = _number_format("number_format", doc["number_format"], problems)
    mode = doc.get("mode", "upsert")
    if mode not in MODES:
        problems.append(f"mode: expected one of {', '.join(MODES)}")
    elif mode == "update" and spec is not None and spec.key not in columns:
        problems.append(f"mode: update needs the key column {spec.key} under columns")
    delimiter = doc.get("delimiter")
    if delimiter == "tab":
        delimiter = "\t"
    if delimiter is not None and delimiter not in DELIMITERS:
        problems.append("delimiter: expected one of ',' ';' '|' or tab")
        delimiter = None
    fmt = doc.get("format")
    if fmt is not None and fmt not in ("csv", "parquet", "jsonl"):
        problems.append("format: expected csv, parquet or jsonl")
    if problems:
        raise MappingError(f"{source}: invalid mapping: " + "; ".join(problems))
    assert spec is not None
    return Mapping(
        table=spec.name,
        columns=columns,
        values=values,
        formats=formats,
        default_format=default_format,
        constants=constants,
        timezone=tz,
        keep=keep,
        na_values=tuple(_text(v) for v in na),
        strict_columns=True,
        fmt=fmt,
        number_formats=number_formats,
        default_number_format=default_nf,
        mode=str(mode),
        delimiter=delimiter,
    )


def _number_format(path: str, doc: object, problems: list[str]) -> NumberFormat | None:
    if not isinstance(doc, dict) or set(doc) - {"decimal", "thousands"}:
        problems.append(f"{path}: expected {{decimal: <mark>, thousands: <separator>}}")
        return None
    decimal, thousands = doc.get("decimal", "."), doc.get("thousands", "")
    thousands = "" if thousands is None else thousands
    if decimal not in DECIMAL_MARKS:
        problems.append(f"{path}.decimal: expected one of {' '.join(map(repr, DECIMAL_MARKS))}")
    elif thousands not in THOUSANDS_SEPARATORS:
        problems.append(
            f"{path}.thousands: expected one of {' '.join(map(repr, THOUSANDS_SEPARATORS))}"
        )
    elif thousands == decimal:
        problems.append(f"{path}: the decimal mark and thousands separator must differ")
    else:
        return NumberFormat(decimal=str(decimal), thousands=str(thousands))
    return None


def _section(doc: AbcMapping[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{key}: expected a mapping")
        return {}
    return value


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
