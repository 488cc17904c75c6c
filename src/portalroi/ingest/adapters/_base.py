"""What an adapter is: a reader choice plus a function from source columns to a mapping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from portalroi.ingest.mapping import Mapping

__all__ = ["Adapter", "case_map", "csv_or_json", "overlay"]


@dataclass(frozen=True)
class Adapter:
    """A built-in adapter for one real export format.

    Parameters
    ----------
    name
        Name given to ``--format``.
    table
        Canonical table it loads.
    description
        One line for the documentation and ``--help``.
    reader
        ``path -> reader`` (``csv``, ``parquet``, ``jsonl`` or ``json``).
    build
        ``(source columns, user mapping or None) -> Mapping``; a user's YAML mapping given with
        the adapter overrides or extends what the adapter maps (see :func:`overlay`).
    """

    name: str
    table: str
    description: str
    reader: Callable[[Path], str]
    build: Callable[[tuple[str, ...], Mapping | None], Mapping]


def csv_or_json(path: Path) -> str:
    """``csv`` for ``.csv``/``.zip``/``.txt``; ``jsonl`` for ``.jsonl``/``.ndjson``/``.json``."""
    return "jsonl" if path.suffix.lower() in (".json", ".jsonl", ".ndjson") else "csv"


def case_map(expr: str, values: dict[str, str], default: str | None = "NULL") -> str:
    """SQL ``CASE`` mapping the (trimmed, lower-cased) text of ``expr`` through ``values``.

    Examples
    --------
    >>> case_map("x", {"web": "portal"}, "'other'")
    "CASE WHEN x IS NULL THEN NULL ELSE CASE lower(trim(CAST(x AS VARCHAR))) WHEN 'web' THEN 'portal' ELSE 'other' END END"
    """
    whens = " ".join(
        "WHEN '{}' THEN '{}'".format(k.lower().replace("'", "''"), v.replace("'", "''"))
        for k, v in values.items()
    )
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL ELSE "
        f"CASE lower(trim(CAST({expr} AS VARCHAR))) {whens} ELSE {default} END END"
    )


def overlay(base: Mapping, user: Mapping | None) -> Mapping:
    """``base`` with a user's mapping on top: their columns, values, formats and constants win.

    A user's ``values`` entries for a column take precedence over the adapter's map for it, whether
    or not the user names the column under ``columns``; a column the user maps (``columns`` or
    ``constants``) drops the adapter's SQL expression for it.

    Examples
    --------
    >>> b = Mapping("tickets", exprs={"channel": "'email'"})
    >>> overlay(b, Mapping("tickets", constants={"channel": "phone"})).exprs
    {}
    """
    if user is None:
        return base
    mine = set(user.columns) | set(user.constants)
    return replace(
        base,
        columns={**base.columns, **user.columns},
        exprs={k: v for k, v in base.exprs.items() if k not in mine},
        # per column, the user's entries win and the adapter's others stay
        values={
            **base.values,
            **{k: {**base.values.get(k, {}), **v} for k, v in user.values.items()},
        },
        formats={**base.formats, **user.formats},
        default_format=user.default_format or base.default_format,
        constants={**{k: v for k, v in base.constants.items() if k not in mine}, **user.constants},
        timezone=user.timezone if user.timezone != "UTC" else base.timezone,
        keep=user.keep if user.keep is not None else base.keep,
        na_values=base.na_values + user.na_values,
        number_formats={**base.number_formats, **user.number_formats},
        default_number_format=user.default_number_format or base.default_number_format,
        mode=user.mode,
    )
