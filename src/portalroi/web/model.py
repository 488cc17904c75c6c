"""What a dashboard page shows: headline numbers with trends, charts with their data, tables.

Pages are built by pure-ish functions (a source, filters and a language in, a :class:`PageData`
out); templates only lay them out. A :class:`Chart` keeps the frame its spec was drawn from, so
the chart's CSV download is exactly the chart's data.

Examples
--------
>>> k = kpi_from_series("MAU", [10.0, 12.0], "users", "en")
>>> k.value, k.trend
('12', '+20.0%')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from portalroi.metrics import compute
from portalroi.reports.i18n import format_currency, format_number, format_percent
from portalroi.web.filters import Filters

__all__ = [
    "Chart",
    "Kpi",
    "Metrics",
    "PageData",
    "Table",
    "fmt_value",
    "kpi_from_series",
    "metric_frame",
    "spreadsheet_safe",
]


@dataclass(frozen=True)
class Kpi:
    """A headline number: label, formatted value, optional trend and detail line."""

    label: str
    value: str
    trend: str | None = None
    good: bool | None = None
    detail: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart: id (unique on its page), Vega-Lite spec and the frame behind it."""

    id: str
    spec: dict[str, Any]
    frame: pd.DataFrame

    def csv(self) -> str:
        """The chart's data as CSV, text cells made safe to open in a spreadsheet.

        A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
        ``@``, a tab or a carriage return, or ``-`` when it is not a number) gets a leading
        ``'``, as OWASP advises against CSV injection: a search query, account name or ticket
        subject typed as ``=HYPERLINK(...)`` stays text. Numbers are written as they are.

        Examples
        --------
        >>> frame = pd.DataFrame({"query": ["=1+1", "-2", "-x", "ok"], "n": [1, -2, 3, 4]})
        >>> frame["kind"] = pd.Categorical(["@a", "b", "b", "+c"])
        >>> print(Chart("c", {}, frame).csv(), end="")
        query,n,kind
        '=1+1,1,'@a
        -2,-2,b
        '-x,3,b
        ok,4,'+c
        """
        return spreadsheet_safe(self.frame).to_csv(index=False)


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _safe_cell(value: object) -> object:
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START):
        return "'" + value
    if value.startswith("-"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula prefixed by ``'``
    (see :meth:`Chart.csv`); numeric columns untouched."""
    out = frame.copy()
    types = pd.api.types
    for column in out.columns:
        values = out[column]
        if types.is_numeric_dtype(values) or types.is_datetime64_any_dtype(values):
            continue  # booleans are numeric here
        out[column] = values.astype(object).map(_safe_cell)
    return out


@dataclass(frozen=True)
class Table:
    """A table with a title, column headers and already formatted cells."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    #: Per row, where its first cell links to (``None``: no link).
    links: list[str | None] | None = None
    #: Per column, the URL that sorts the table by it (``None``: not sortable).
    sort_links: list[str | None] | None = None


@dataclass
class PageData:
    """Everything one page shows."""

    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Shown at the top of the page, marked: what the reader must know before the figures
    #: (stale data).
    warnings: list[str] = field(default_factory=list)

    def chart(self, chart_id: str) -> Chart | None:
        """The chart called ``chart_id``, if the page has it."""
        return next((c for c in self.charts if c.id == chart_id), None)


def fmt_value(value: float | None, unit: str, lang: str, currency: str = "USD") -> str:
    """A metric value written for ``unit`` (ratio as a percentage, currency as money).

    Examples
    --------
    >>> fmt_value(0.256, "ratio", "en"), fmt_value(12.5, "currency per ticket", "en")
    ('25.6%', '$12.50')
    >>> fmt_value(None, "users", "en")
    '–'
    """
    if value is None or pd.isna(value):
        return "–"
    if unit == "ratio":
        return format_percent(float(value), lang, 1)
    if unit.startswith("currency"):
        if currency in ("USD", "EUR", "SEK"):
            return format_currency(float(value), currency, lang, 2)
        return f"{format_number(float(value), lang, 2)} {currency}"
    decimals = 0 if unit in ("users", "tickets", "sessions", "searches", "views") else 1
    return format_number(float(value), lang, decimals)


def kpi_from_series(
    label: str,
    values: Sequence[float],
    unit: str,
    lang: str,
    *,
    higher_is_better: bool | None = True,
    currency: str = "USD",
    detail: str = "",
) -> Kpi:
    """A headline from a series: its last value and the change from the value before it.

    The trend is the relative change for counts and money, and the change in percentage
    points for ratios (written ``pp`` / ``p.e.``).

    Examples
    --------
    >>> kpi_from_series("Deflection", [0.20, 0.25], "ratio", "en").trend
    '+5.0 pp'
    >>> kpi_from_series("x", [], "users", "en").value
    '–'
    """
    clean = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not clean:
        return Kpi(label, "–", detail=detail)
    last = clean[-1]
    trend: str | None = None
    good: bool | None = None
    if len(clean) >= 2:
        prev = clean[-2]
        if unit == "ratio":
            delta = (last - prev) * 100
            points = "pp" if lang == "en" else "p.e."
            trend = f"{'+' if delta >= 0 else '−'}{format_number(abs(delta), lang, 1)} {points}"
        elif prev != 0:
            delta = last / prev - 1
            sign = "+" if delta >= 0 else "−"
            trend = sign + format_percent(abs(delta), lang, 1)
        else:
            delta = 0.0
        if higher_is_better is not None and delta != 0:
            good = (delta > 0) == higher_is_better
    return Kpi(label, fmt_value(last, unit, lang, currency), trend, good, detail)


def metric_frame(source: Any, name: str, filters: Filters, by: str | None = None) -> pd.DataFrame:
    """The metric ``name`` on ``source`` within the filters' dates (segment applied by caller).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> metric_frame(Store(":memory:"), "mau", Filters()).empty
    True
    """
    return compute(source, name, by=by, start=filters.start, end=filters.end)


class Metrics:
    """The metrics a page reads: ``m(name, by)`` on one source and filters, memoised.

    ``memo`` (a callable taking a key and a function) lets the server share computed frames
    across pages and languages; without it each frame is computed on every call.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> m = Metrics(Store(":memory:"), Filters())
    >>> m("wau").empty
    True
    """

    def __init__(
        self,
        source: Any,
        filters: Filters,
        memo: Callable[[tuple[Any, ...], Callable[[], pd.DataFrame]], pd.DataFrame] | None = None,
    ) -> None:
        self.source = source
        self.filters = filters
        self._memo = memo

    def __call__(self, name: str, by: str | None = None) -> pd.DataFrame:
        """The metric ``name`` (split ``by`` a dimension) under the filters."""

        def run() -> pd.DataFrame:
            return metric_frame(self.source, name, self.filters, by)

        if self._memo is None:
            return run()
        return self._memo((name, by), run)
