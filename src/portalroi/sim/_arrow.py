"""Small vectorised helpers that turn numpy arrays into typed Arrow columns and tables.

Times inside the simulator are float days since the first simulated day; they become
microsecond UTC timestamps only here, at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from portalroi.schema import TABLES

__all__ = ["arrow_schema", "cat", "day_of_week", "ids", "table", "ts"]

_US_PER_DAY = 86_400_000_000

_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
}


def arrow_schema(name: str) -> pa.Schema:
    """Arrow schema of a canonical table (JSON columns are strings)."""
    return pa.schema([pa.field(c.name, _TYPES[c.type]) for c in TABLES[name].columns])


def _epoch_day(start: date) -> int:
    return int(np.datetime64(start, "D").astype(np.int64))


def ts(days: np.ndarray[Any, Any], start: date) -> pa.Array:
    """Timestamps from float days since ``start``; NaN becomes null."""
    days = np.asarray(days, dtype=np.float64)
    missing = np.isnan(days)
    us = (_epoch_day(start) * _US_PER_DAY + np.where(missing, 0, days) * _US_PER_DAY).astype(
        np.int64
    )
    return pa.array(us, type=pa.int64(), mask=missing).cast(pa.timestamp("us"))


def day_of_week(days: np.ndarray[Any, Any], start: date) -> np.ndarray[Any, Any]:
    """Weekday (Monday = 0) of float days since ``start``."""
    # 1970-01-01 was a Thursday (weekday 3)
    out: np.ndarray[Any, Any] = (np.floor(days).astype(np.int64) + _epoch_day(start) + 3) % 7
    return out


def ids(prefix: str, numbers: np.ndarray[Any, Any], width: int = 6) -> pa.Array:
    """String identifiers such as ``t000042`` from integers."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def cat(
    labels: Sequence[str],
    index: np.ndarray[Any, Any],
    mask: np.ndarray[Any, Any] | None = None,
) -> pa.Array:
    """Strings ``labels[index]``; null where ``mask`` is true."""
    idx = pa.array(np.asarray(index, dtype=np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(labels), pa.string())).cast(
        pa.string()
    )


def table(name: str, columns: dict[str, Any], n: int) -> pa.Table:
    """A canonical table from ``columns``; every column not given is null."""
    schema = arrow_schema(name)
    unknown = set(columns) - set(schema.names)
    if unknown:
        raise KeyError(f"{name} has no columns {sorted(unknown)}")
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            arrays.append(pa.nulls(n, field.type))
        elif isinstance(value, pa.Array | pa.ChunkedArray):
            arrays.append(value.cast(field.type))
        else:
            arrays.append(pa.array(value, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
