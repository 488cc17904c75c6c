"""Small Ibis helpers shared by the metric formulas (portable to DuckDB and Spark)."""

from __future__ import annotations

from typing import Any

import ibis

__all__ = [
    "days_between",
    "hours_between",
    "minutes_between",
    "month_of",
    "months_between",
    "ratio",
]


def ratio(num: Any, den: Any) -> Any:
    """``num / den`` as a float, NULL when ``den`` is 0 (Spark's ANSI mode refuses x/0)."""
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def month_of(ts: Any) -> Any:
    """First day of the calendar month of a timestamp or date, as a DATE."""
    return ts.truncate("M").cast("date")


def months_between(later: Any, earlier: Any) -> Any:
    """Whole calendar months from ``earlier`` to ``later`` (both month starts)."""
    return (later.year() - earlier.year()) * 12 + (later.month() - earlier.month())


def _micros_between(later: Any, earlier: Any) -> Any:
    # whole microseconds on every engine: DuckDB DATE_DIFF, Spark DATEDIFF(MICROSECOND, ...)
    # (epoch seconds would drop the fraction on Spark, whose UNIX_TIMESTAMP is whole seconds)
    return later.delta(earlier, unit="microsecond").cast("float64")


def hours_between(later: Any, earlier: Any) -> Any:
    """Elapsed hours between two timestamps, as a float (NULL when either is NULL)."""
    return _micros_between(later, earlier) / 3_600_000_000.0


def minutes_between(later: Any, earlier: Any) -> Any:
    """Elapsed minutes between two timestamps, as a float (NULL when either is NULL)."""
    return _micros_between(later, earlier) / 60_000_000.0


def days_between(later: Any, earlier: Any) -> Any:
    """Elapsed days (of 24 hours) between two timestamps, as a float."""
    return _micros_between(later, earlier) / 86_400_000_000.0
