"""Turn the staged source into canonical rows and find every problem, in DuckDB SQL.

Set-based passes over the data, no per-row Python, nothing but keys stored:

1. ``_pr_conv`` (a view, never stored): one row per source row with each canonical column
   converted to its type (``TRY_CAST`` / ``try_strptime``), the source text beside it
   (``__raw__<column>``, to quote a bad value), and ``properties`` built from the unmapped columns;
2. ``_pr_keys``: ``(_row, _key, _bad, _h)`` per source row, ``_bad`` flagging a row that breaks
   any rule (every rule evaluated in the same scan) and ``_h`` hashing its content;
3. ``_pr_issues``: one row per problem (row, column, value, reason), computed only for the rows
   flagged ``_bad`` (none at all in a clean file), as a list of optional structs.

:func:`converted` gives the converted rows of a subset of the source, filtering the source
*before* converting it, so later steps pay only for the rows they need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from portalroi.errors import SchemaError
from portalroi.ingest.mapping import Mapping
from portalroi.schema import TABLES, Column, TableSpec

__all__ = [
    "CONV",
    "ISSUES",
    "KEYS",
    "SURVEY_SCALES",
    "build_mapped",
    "content_hash",
    "converted",
    "find_issues",
    "qi",
    "ql",
]

KEYS = "_pr_keys"
ISSUES = "_pr_issues"
CONV = "_pr_conv"

#: Scale of each survey kind (inclusive); a score outside its kind's scale is quarantined.
SURVEY_SCALES: dict[str, tuple[float, float]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
#: A time of day ending in a UTC offset (``10:00:00Z``, ``10:00 +02:00``, ``10:00:00.5-0500``);
#: a bare date such as ``2024-03-01`` is not one (its ``-01`` is the day).
_OFFSET = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|[+-]\d\d(:?\d\d)?)$"
#: The same with an offset that exists: at most 14 hours, minutes below 60.
_VALID_OFFSET = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|[+-](0\d|1[0-4])(:?[0-5]\d)?)$"
#: A time with minutes but no seconds before its offset (``2024-03-01T10:00Z``).
_MINUTES_OFFSET = r"^(.*[T ]\d?\d:\d\d)(\s*(Z|z|[+-]\d\d(:?\d\d)?))$"
#: A space between the time and its offset (``10:00:00 +02:00``), which DuckDB does not read.
_SPACED_OFFSET = r"^(.*\d)\s+(Z|z|[+-]\d\d(:?\d\d)?)$"
#: Dates and times outside these years are quarantined: a sign or digit slip (``-2024``,
#: ``20240``), not a portal's history.
YEARS = (1900, 2199)
#: Source columns the readers add (the staged row number); every other column of a source,
#: whatever its name, is mapped or kept in ``properties``.
INTERNAL_COLUMNS = frozenset({"_row"})


def qi(name: str) -> str:
    """Quote a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def ql(value: object) -> str:
    """Quote a SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Plan:
    """What :func:`build_mapped` decided: which canonical columns come from where."""

    spec: TableSpec
    provided: tuple[str, ...]
    formats: dict[str, str]
    #: SELECT list converting ``source`` (one row per source row), and the source relation.
    select: str = "*"
    source: str = ""
    #: ``mode: update``: only the provided columns are checked, hashed and written.
    update: bool = False
    #: The store's currency (see :func:`store_currency`) when the table has amounts.
    currency: str | None = None

    @property
    def written(self) -> tuple[str, ...] | None:
        """Columns a load writes: the provided ones (and ``properties``) in an update, else all."""
        return (*self.provided, "properties") if self.update else None


def build_mapped(
    con: duckdb.DuckDBPyConnection,
    source: str,
    columns: Sequence[str],
    mapping: Mapping,
    *,
    json_source: bool,
    where: str,
) -> Plan:
    """Create ``_pr_conv`` and ``_pr_keys`` from ``source``; raise SchemaError listing every gap."""
    spec = TABLES[mapping.table]
    present = set(columns)
    problems: list[str] = []
    exprs: dict[str, str] = {}
    used: set[str] = set(mapping.consumed)
    for name, candidates in mapping.columns.items():
        hit = next((c for c in candidates if c in present), None)
        if hit is not None:
            exprs[name] = qi(hit)
            used.add(hit)
        elif mapping.strict_columns:
            problems.append(
                f"{name} is mapped to source column {candidates[0]!r}, which {where} lacks"
            )
    for name, expr in mapping.exprs.items():
        # JSON paths must not be evaluated on lines that are not JSON objects
        exprs[name] = f"(CASE WHEN _ok THEN {expr} END)" if json_source else f"({expr})"
    for name, value in mapping.constants.items():
        exprs[name] = (
            "NULL"
            if value is None
            else ql(value if not isinstance(value, bool) else str(value).lower())
        )
    # an update changes only the mapped columns: the others are already stored
    required = [spec.key] if mapping.mode == "update" else spec.required_columns
    missing = [c for c in required if c not in exprs]
    if missing:
        problems.append(
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {spec.name} "
            f"not found (source columns: {', '.join(_source_columns(columns, json_source)) or 'none'})"
        )
    if problems:
        raise SchemaError(f"{where}: " + "; ".join(problems))

    types = _expr_types(con, source, exprs)
    na = ("", *mapping.na_values)
    select = ["_row"]
    for col in spec.columns:
        if col.name == "properties":
            continue
        if col.name not in exprs:
            select.append(f"CAST(NULL AS {col.type}) AS {qi(col.name)}")
            select.append(f"CAST(NULL AS VARCHAR) AS {qi('__raw__' + col.name)}")
            continue
        raw, rtype = exprs[col.name], types[col.name]
        if rtype == "VARCHAR":
            raw = f"CASE WHEN trim({raw}) IN ({', '.join(ql(v) for v in na)}) THEN NULL ELSE {raw} END"
        text = raw if rtype == "VARCHAR" else f"CAST({raw} AS VARCHAR)"
        value, vtype = raw, rtype
        if col.name in mapping.values:
            value, vtype = _value_map(text, mapping, col.name), "VARCHAR"
        select.append(f"{_convert(value, vtype, col, mapping)} AS {qi(col.name)}")
        select.append(f"{text} AS {qi('__raw__' + col.name)}")
    props = _properties(columns, used, mapping, json_source)
    if mapping.properties_expr:
        props = f"nullif(CAST({mapping.properties_expr} AS VARCHAR), '{{}}')::JSON"
        props = f"CASE WHEN _ok THEN {props} END" if json_source else props
    select.append(f"{props} AS properties")
    select.append("_ok" if json_source else "TRUE AS _ok")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {CONV} AS SELECT {', '.join(select)} FROM {source}")
    formats = {c: f for c in exprs if (f := mapping.format_for(c)) is not None}
    currency = store_currency(con) if "currency" in exprs else None
    plan = Plan(
        spec, tuple(exprs), formats, ", ".join(select), source, mapping.mode == "update", currency
    )
    # any rule broken; the same rules (and NULL semantics) as find_issues' CASE WHENs
    rules = " OR ".join(f"coalesce({cond}, FALSE)" for cond, _ in _checks(plan)[1:]) or "FALSE"
    bad = f"coalesce(NOT _ok, FALSE) OR (coalesce(_ok, FALSE) AND ({rules}))"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {KEYS} AS SELECT _row, {qi(spec.key)} AS _key, "
        f"{bad} AS _bad, {content_hash(spec, plan.written)} AS _h FROM {CONV}"
    )
    return plan


#: Canonical tables holding amounts with a ``currency`` column.
MONEY_TABLES = tuple(name for name, spec in TABLES.items() if "currency" in spec.column_names)


def store_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    """The one currency of the store's amounts: the first named in a money table (``None``
    while none is).

    portalroi adds, averages and compares amounts as stored (costs against savings, order
    values, cost per ticket), so a store holds one currency: a load's rows in another are
    quarantined (convert them first); the first load that names one sets it, with the
    currency of its first row that has one.
    """
    for table in MONEY_TABLES:
        row = con.execute(
            f"SELECT currency FROM {table} WHERE currency IS NOT NULL LIMIT 1"
        ).fetchone()
        if row is not None:
            return str(row[0])
    return None


def _source_columns(columns: Sequence[str], json_source: bool) -> list[str]:
    """The source's own columns: without the staged row number (and a JSON line's text)."""
    internal = INTERNAL_COLUMNS | ({"_json", "_ok"} if json_source else set())
    return [c for c in columns if c not in internal]


def content_hash(
    spec: TableSpec,
    columns: Sequence[str] | None = None,
    alias: str = "",
    *,
    canonical: bool = False,
) -> str:
    """SQL hashing the canonical columns of a row (how a stored row and a file row compare).

    ``columns`` limits the hash to some columns (an update compares only what it writes);
    ``alias`` qualifies them (``t``). ``canonical`` hashes ``properties`` with its keys in
    sorted order, so that the same data with its columns (or a JSON record's keys) in another
    order is the same row; it costs about 1 s per million rows, so loads compare the plain
    text first and this form only for the rows whose plain hashes differ.

    Examples
    --------
    >>> content_hash(TABLES["costs"]).startswith('hash("cost_id"')
    True
    """
    cols = [c.name for c in spec.columns if columns is None or c.name in columns]
    at = f"{alias}." if alias else ""
    props = _canonical if canonical else (lambda p: f"CAST({p} AS VARCHAR)")
    return (
        "hash("
        + ", ".join(props(at + qi(c)) if c == "properties" else at + qi(c) for c in cols)
        + ")"
    )


def _canonical(props: str) -> str:
    """SQL text of a ``properties`` JSON value with its top-level keys sorted."""
    return (
        f"CASE WHEN json_type({props}) = 'OBJECT' THEN "
        f"CAST(list_sort(map_entries(CAST({props} AS MAP(VARCHAR, JSON)))) AS VARCHAR) "
        f"ELSE CAST({props} AS VARCHAR) END"
    )


def converted(plan: Plan, where: str) -> str:
    """SQL of the converted source rows that pass ``where`` (on the source, aliased ``src``).

    Examples
    --------
    >>> converted(Plan(TABLES["costs"], (), {}, "_row", "s"), "WHERE _row = 1")
    '(SELECT _row FROM (SELECT * FROM s src WHERE _row = 1))'
    """
    return f"(SELECT {plan.select} FROM (SELECT * FROM {plan.source} src {where}))"


def _expr_types(
    con: duckdb.DuckDBPyConnection, source: str, exprs: dict[str, str]
) -> dict[str, str]:
    if not exprs:
        return {}
    cols = ", ".join(f"{e} AS {qi(n)}" for n, e in exprs.items())
    try:
        described = con.execute(f"DESCRIBE SELECT {cols} FROM {source}").fetchall()
    except duckdb.Error as exc:
        raise SchemaError(f"cannot map the source columns: {exc}") from exc
    return {str(r[0]): str(r[1]) for r in described}


def _convert(x: str, xtype: str, col: Column, mapping: Mapping) -> str:
    """SQL converting ``x`` (of DuckDB type ``xtype``) to the column's type; NULL when it cannot."""
    t = col.type
    if t == "VARCHAR":
        out = x if xtype == "VARCHAR" else f"CAST({x} AS VARCHAR)"
        if xtype in ("DOUBLE", "FLOAT"):
            # a whole number read as a float (pandas turns an integer column with gaps into
            # floats) is written as an integer: id 1 is '1', never '1.0' beside a stored '1'
            out = (
                f"CASE WHEN {x} = trunc({x}) AND abs({x}) < 9007199254740992 "
                f"THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) ELSE {out} END"
            )
        if col.allowed:
            return f"lower(trim({out}))"
        # an id padded with spaces by an export (' A1 ') is the id A1, not another account
        return f"trim({out})" if col.name.endswith("_id") else out
    if t in ("BIGINT", "DOUBLE"):
        nf = mapping.number_format_for(col.name)
        if nf is None or xtype != "VARCHAR":
            value = f"TRY_CAST({x} AS {t})"
            as_double = f"TRY_CAST({x} AS DOUBLE)"
        else:
            value = _number(x, t, nf.decimal, nf.thousands)
            as_double = _number(x, "DOUBLE", nf.decimal, nf.thousands)
        if t == "BIGINT" and xtype not in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT"):
            # a count is a whole number: 1.5 is not read as 2 (nor -0.5 as 0)
            return f"CASE WHEN {as_double} = {value} THEN {value} END"
        return value
    if t == "BOOLEAN":
        if xtype == "BOOLEAN":
            return x
        if xtype != "VARCHAR":
            return f"TRY_CAST({x} AS BOOLEAN)"
        low = f"lower(trim({x}))"
        return (
            f"CASE WHEN {low} IN ({', '.join(map(ql, _TRUE))}) THEN TRUE "
            f"WHEN {low} IN ({', '.join(map(ql, _FALSE))}) THEN FALSE END"
        )
    fmt = mapping.format_for(col.name)
    tz = mapping.timezone
    if t == "DATE":
        if xtype == "VARCHAR":
            if fmt:
                return f"CAST(try_strptime(trim({x}), {ql(fmt)}) AS DATE)"
            return f"coalesce(TRY_CAST({x} AS DATE), CAST(TRY_CAST({x} AS TIMESTAMP) AS DATE))"
        return f"TRY_CAST({x} AS DATE)"
    # TIMESTAMP: naive UTC
    if xtype.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"timezone('UTC', {x})"
    if xtype.startswith("TIMESTAMP") or xtype == "DATE":
        return _naive_to_utc(f"CAST({x} AS TIMESTAMP)", tz)
    if xtype in ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "UBIGINT"):
        return f"timezone('UTC', to_timestamp(TRY_CAST({x} AS DOUBLE)))"
    if fmt:
        parsed = f"try_strptime(trim({x}), {ql(fmt)})"
        if "%z" in fmt or "%Z" in fmt:
            return f"timezone('UTC', {parsed})"
        return _naive_to_utc(parsed, tz)
    # DuckDB reads an offset only after seconds: 10:00Z is read as 10:00:00Z
    spaced = f"regexp_replace(trim({x}), {ql(_SPACED_OFFSET)}, '\\1\\2')"
    with_seconds = f"regexp_replace({spaced}, {ql(_MINUTES_OFFSET)}, '\\1:00\\2')"
    return (
        f"CASE WHEN regexp_matches(trim({x}), {ql(_OFFSET)}) "
        f"THEN CASE WHEN regexp_matches(trim({x}), {ql(_VALID_OFFSET)}) "
        f"THEN timezone('UTC', TRY_CAST({with_seconds} AS TIMESTAMPTZ)) END "
        f"ELSE {_naive_to_utc(f'TRY_CAST(trim({x}) AS TIMESTAMP)', tz)} END"
    )


def _number(x: str, t: str, decimal: str, thousands: str) -> str:
    """SQL reading ``12 450,00``-style text; text not written in that format gives NULL."""
    text = f"trim({x})"
    if thousands == " ":  # exports often group with a (narrow) no-break space
        text = f"regexp_replace({text}, '[\u00a0\u202f]', ' ', 'g')"
    d = "\\" + decimal
    grouped = f"\\d{{1,3}}(\\{thousands}\\d{{3}})+|" if thousands else ""
    pattern = f"^[+-]?({grouped}\\d+)({d}\\d+)?$"
    plain = f"replace({text}, {ql(thousands)}, '')" if thousands else text
    if decimal != ".":
        plain = f"replace({plain}, {ql(decimal)}, '.')"
    return f"CASE WHEN regexp_matches({text}, {ql(pattern)}) THEN TRY_CAST({plain} AS {t}) END"


def _value_map(text: str, mapping: Mapping, column: str) -> str:
    """SQL mapping source text through ``values``: exact match first, then ignoring case."""
    vmap = mapping.values[column]
    exact = " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in vmap.items())
    folded: dict[str, str] = {}
    for k, v in vmap.items():
        folded.setdefault(k.strip().lower(), v)
    loose = " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in folded.items())
    default = mapping.value_defaults.get(column)
    other = (
        text if default is None else f"CASE WHEN {text} IS NULL THEN NULL ELSE {ql(default)} END"
    )
    return f"CASE trim({text}) {exact} ELSE CASE lower(trim({text})) {loose} ELSE {other} END END"


def _naive_to_utc(x: str, tz: str) -> str:
    if tz == "UTC":
        return x
    return f"timezone('UTC', timezone({ql(tz)}, {x}))"


def _properties(columns: Sequence[str], used: set[str], mapping: Mapping, json_source: bool) -> str:
    if json_source:
        # keep the original nested JSON; remove the keys that went to canonical columns
        if mapping.keep is not None:
            kept = ", ".join(f"{ql(k)}, _json->{ql(k)}" for k in mapping.keep)
            base = f"json_merge_patch('{{}}', json_object({kept}))" if kept else "NULL"
        else:
            drop = ", ".join(f"{ql(k)}, NULL" for k in sorted(used))
            base = f"json_merge_patch(_json, json_object({drop}))" if drop else "_json::JSON"
        return f"CASE WHEN _ok THEN nullif(CAST({base} AS VARCHAR), '{{}}')::JSON END"
    rest = [c for c in _source_columns(columns, False) if c not in used and c != "properties"]
    if mapping.keep is not None:
        rest = [c for c in rest if c in mapping.keep]
    base = "'{}'::JSON"
    if "properties" in columns and "properties" not in used:
        p = qi("properties")
        base = (
            f"CASE WHEN {p} IS NULL THEN '{{}}'::JSON WHEN json_valid(CAST({p} AS VARCHAR)) "
            f"THEN CAST({p} AS JSON) ELSE json_object('properties', {p}) END"
        )
    if rest:
        na = ", ".join(ql(v) for v in mapping.na_values)
        pairs = ", ".join(
            f"{ql(c)}, CASE WHEN CAST({qi(c)} AS VARCHAR) IN ({na}) THEN NULL ELSE {qi(c)} END"
            if na
            else f"{ql(c)}, {qi(c)}"
            for c in rest
        )
        base = f"json_merge_patch({base}, json_object({pairs}))"
    return f"nullif(CAST({base} AS VARCHAR), '{{}}')::JSON"


def _checks(plan: Plan) -> list[tuple[str, str]]:
    """Every rule as (condition, issue struct); the first is the "not a JSON object" rule."""
    checks: list[tuple[str, str]] = [
        ("NOT _ok", _issue("NULL", "NULL", ql("not a valid JSON object")))
    ]
    for col in plan.spec.columns:
        if col.name == "properties" or (
            col.name not in plan.provided and (plan.update or not col.required)
        ):
            continue
        v, r = qi(col.name), qi("__raw__" + col.name)
        name = ql(col.name)
        if col.required:
            checks.append(
                (
                    f"{v} IS NULL AND {r} IS NULL",
                    _issue(name, "NULL", ql("required value is missing")),
                )
            )
        reason = f"cannot read as {col.type.lower()}"
        if col.type in ("TIMESTAMP", "DATE") and col.name in plan.formats:
            reason += f" with format {plan.formats[col.name]}"
        checks.append((f"{r} IS NOT NULL AND {v} IS NULL", _issue(name, r, ql(reason))))
        if col.type == "DOUBLE":
            checks.append((f"NOT isfinite({v})", _issue(name, r, ql("not a finite number"))))
        if col.type in ("TIMESTAMP", "DATE"):
            first_year, last_year = YEARS
            checks.append(
                (
                    f"{v} < DATE '{first_year}-01-01' OR {v} >= DATE '{last_year + 1}-01-01'",
                    _issue(name, r, ql(f"outside the years {first_year}-{last_year}")),
                )
            )
        if col.allowed:
            allowed = ", ".join(map(ql, col.allowed))
            expected = "not an allowed value; expected one of " + ", ".join(col.allowed)
            checks.append((f"{v} NOT IN ({allowed})", _issue(name, r, ql(expected))))
        if col.minimum is not None and not (plan.spec.name == "surveys" and col.name == "score"):
            checks.append(
                (
                    f"isfinite({v}) AND {v} < {col.minimum}",
                    _issue(name, r, ql(f"below the minimum {col.minimum:g}")),
                )
            )
        if col.maximum is not None and not (plan.spec.name == "surveys" and col.name == "score"):
            checks.append(
                (
                    f"isfinite({v}) AND {v} > {col.maximum}",
                    _issue(name, r, ql(f"above the maximum {col.maximum:g}")),
                )
            )
    if plan.currency is not None or "currency" in plan.provided:
        # the store's currency, or (none yet) the file's first row's that has one
        first = (
            ql(plan.currency)
            if plan.currency is not None
            else f"(SELECT currency FROM {CONV} WHERE currency IS NOT NULL ORDER BY _row LIMIT 1)"
        )
        checks.append(
            (
                f"currency IS NOT NULL AND upper(trim(currency)) <> upper(trim({first}))",
                _issue(
                    ql("currency"),
                    qi("__raw__currency"),
                    f"'another currency than ' || {first} || ', the store''s: amounts are "
                    "added as stored, so convert them first'",
                ),
            )
        )
    for first, later in plan.spec.ordered:
        if first in plan.provided and later in plan.provided:
            checks.append(
                (
                    f"{qi(later)} < {qi(first)}",
                    _issue(ql(later), qi("__raw__" + later), ql(f"{later} is before {first}")),
                )
            )
    if plan.spec.name == "surveys":
        for kind, (lo, hi) in SURVEY_SCALES.items():
            checks.append(
                (
                    f"kind = {ql(kind)} AND (score < {lo} OR score > {hi})",
                    _issue(
                        ql("score"),
                        qi("__raw__score"),
                        ql(f"score outside the {kind} scale {lo:g}-{hi:g}"),
                    ),
                )
            )
    return checks


def find_issues(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create ``_pr_issues(_row, column_name, value, reason)``: every problem of every row.

    Only the rows ``_pr_keys`` flags as ``_bad`` are converted again to name their problems.
    """
    checks = [f"CASE WHEN {cond} THEN {issue} END" for cond, issue in _checks(plan)]
    # a broken JSON line gets one issue, not one per column
    guarded = [checks[0], *(f"CASE WHEN _ok THEN {c} END" for c in checks[1:])]
    row = con.execute(f"SELECT count(*) FROM {KEYS} WHERE _bad").fetchone()
    bad = f"WHERE _row IN (SELECT _row FROM {KEYS} WHERE _bad)" if row and row[0] else "LIMIT 0"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ISSUES} AS "
        f"SELECT _row, i.column_name, i.value, i.reason FROM ("
        f"SELECT _row, unnest(list_filter([{', '.join(guarded)}], x -> x IS NOT NULL)) AS i "
        f"FROM {converted(plan, bad)}) ORDER BY _row"
    )


def _issue(column: str, value: str, reason: str) -> str:
    return (
        f"struct_pack(column_name := CAST({column} AS VARCHAR), "
        f"value := CAST({value} AS VARCHAR), reason := CAST({reason} AS VARCHAR))"
    )
