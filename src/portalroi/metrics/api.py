"""The metric library's public functions: list, look up, explain and compute metrics.

Examples
--------
>>> from portalroi.store import Store
>>> store = Store(":memory:")
>>> "dau" in [m.name for m in list_metrics()]
True
>>> compute(store, "ticket_volume").empty
True
"""

from __future__ import annotations

import inspect
from datetime import date, datetime
from typing import Any

import ibis

# Ibis imports these on the first execute of a process; importing them with the metric
# library moves that cost (about 20 ms) from a server's first metric request to its start
import ibis.backends.duckdb.converter
import ibis.expr.types.groupby
import ibis.formats.pandas
import pandas as pd

from portalroi.errors import ConfigError, NotFoundError
from portalroi.metrics._complete import complete
from portalroi.metrics._query import GRAINS, GROUP, Query, backend_of
from portalroi.metrics.registry import METRICS, Metric
from portalroi.metrics.rollups import freshness_scope
from portalroi.metrics.runners import RUNNERS

__all__ = ["build", "compute", "formula_text", "get_metric", "list_metrics", "metric_sql"]


def list_metrics(category: str | None = None) -> list[Metric]:
    """All registered metrics (optionally of one category), in declaration order.

    Examples
    --------
    >>> [m.name for m in list_metrics("adoption")][:3]
    ['dau', 'wau', 'mau']

    An unknown category is a :class:`~portalroi.errors.ConfigError` naming the categories.
    """
    categories = sorted({m.category for m in METRICS.values()})
    if category is not None and category not in categories:
        raise ConfigError(f"no metric category {category!r}; one of {', '.join(categories)}")
    return [m for m in METRICS.values() if category is None or m.category == category]


def get_metric(name: str) -> Metric:
    """The metric called ``name``; :class:`~portalroi.errors.NotFoundError` if there is none.

    Examples
    --------
    >>> get_metric("stickiness").unit
    'ratio'
    """
    try:
        return METRICS[name]
    except KeyError:
        raise NotFoundError(
            f"unknown metric {name!r}; `portalroi metrics list` shows the {len(METRICS)} metrics"
        ) from None


def _as_date(value: date | str | None, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date YYYY-MM-DD; got {value!r}") from None


def _query(source: Any, metric: Metric, by: str | None, start: Any, end: Any, grain: str) -> Query:
    if by is not None and by not in metric.dims:
        allowed = ", ".join(metric.dims) or "none"
        raise ConfigError(f"metric {metric.name} cannot be split by {by!r} (allowed: {allowed})")
    if grain not in GRAINS:
        raise ConfigError(f"--grain must be one of {', '.join(GRAINS)}; got {grain!r}")
    monthly = metric.grain.startswith("month") and metric.kind != "histogram"
    if grain != "month" and not monthly:
        raise ConfigError(
            f"metric {metric.name} has grain {metric.grain!r}; --grain all applies to monthly metrics"
        )
    return Query(backend_of(source), by, _as_date(start, "--from"), _as_date(end, "--to"), grain)


def build(
    source: Any,
    name: str,
    by: str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    grain: str = "month",
) -> Any:
    """The Ibis expression of a metric (not yet executed).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> build(Store(":memory:"), "search_volume").columns[-1]
    'value'
    """
    metric = get_metric(name)
    return _build(metric, _query(source, metric, by, start, end, grain))


def _build(metric: Metric, q: Query) -> Any:
    with freshness_scope():
        expr = RUNNERS[metric.kind](q, **metric.params)
    if q.grain == "all" and "month" in expr.columns:
        expr = expr.mutate(month=ibis.null("date"))  # one row for the whole range: no month
    return expr


def compute(
    source: Any,
    name: str,
    by: str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    grain: str = "month",
) -> pd.DataFrame:
    """Compute a metric on a store or an Ibis backend and return it as a data frame.

    Parameters
    ----------
    source
        A :class:`~portalroi.store.Store` or any Ibis backend holding the canonical tables.
    name
        Metric name (see :func:`list_metrics`).
    by
        Split by ``account``, ``segment``, ``role`` or ``device`` (column named after it).
    start, end
        Inclusive first and last day of the data used (date or ``YYYY-MM-DD``).
    grain
        ``"month"`` or ``"all"`` (whole range in one row) for metrics whose grain is month.

    Returns
    -------
    pandas.DataFrame
        Key columns (period, group, ...), then ``value`` and the metric's supporting columns,
        sorted by the key columns. Counts (and DAU / WAU / MAU) also have rows with 0 for the
        periods of the range and the groups (accounts that were customers in the range, their
        segments, the roles of the users table) without activity: see
        :mod:`portalroi.metrics._complete`.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> list(compute(Store(":memory:"), "dau").columns)
    ['day', 'dau', 'wau', 'mau', 'value']
    """
    metric = get_metric(name)
    q = _query(source, metric, by, start, end, grain)
    df: pd.DataFrame = _build(metric, q).execute()
    if GROUP in df.columns and by is not None:
        df = df.rename(columns={GROUP: by})
    df = complete(df, metric, q)
    keys = [c for c in df.columns if not pd.api.types.is_float_dtype(df[c]) and c != "value"]
    if keys and not df.empty:
        # a first key with no repeats orders the rows alone (and sorting 20,000 accounts by
        # six keys would cost 20 ms): same order, fewer keys
        keys = keys[:1] if df[keys[0]].is_unique else keys
        df = df.sort_values(keys, kind="stable", na_position="last")
    return df.reset_index(drop=True)


def formula_text(name: str) -> str:
    """The Python source of a metric's formula (its Ibis definition) and runner parameters.

    Examples
    --------
    >>> "def login_frequency" in formula_text("login_frequency")
    True
    """
    metric = get_metric(name)
    params = dict(metric.params)
    target = params.pop("formula", None) or RUNNERS[metric.kind]
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        source = repr(target)
    head = f"# runner: {metric.kind}" + (f"  params: {params}" if params else "")
    return f"{head}\n{source}"


def metric_sql(source: Any, name: str, by: str | None = None, dialect: str = "duckdb") -> str:
    """The SQL a metric compiles to on ``dialect`` (for ``portalroi metrics show``).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> "SELECT" in metric_sql(Store(":memory:"), "zero_result_rate")
    True
    """
    return str(ibis.to_sql(build(source, name, by), dialect=dialect))
