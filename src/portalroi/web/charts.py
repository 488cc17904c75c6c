"""Vega-Lite specs for the dashboard's time series, bars, intervals and cohort grids.

The yearly and tornado charts of the business case come from :mod:`portalroi.reports.charts`;
these builders add the shapes the dashboard needs. Every builder takes a data frame and returns
a spec with the rows inline, so the browser renders it without another request and the same
frame is what the chart's CSV download returns.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"month": ["2024-01", "2024-02"], "value": [1.0, 2.0]})
>>> line_spec(df, x="month", y="value", title="t", x_title="m", y_title="v")["mark"]["type"]
'line'
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["bar_spec", "heatmap_spec", "interval_spec", "line_spec", "rows_of"]

Spec = dict[str, Any]
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_PALETTE = ["#1F3A5F", "#2E7D32", "#C62828", "#F9A825", "#6A1B9A", "#00838F", "#8D6E63"]
_CONFIG: Spec = {
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#E6E6E6"},
    "legend": {"labelFontSize": 11, "orient": "bottom", "title": None},
    "title": {"fontSize": 13, "anchor": "start"},
    "range": {"category": _PALETTE},
}


def rows_of(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as JSON-ready dicts (timestamps as ISO text, NaN as null).

    Examples
    --------
    >>> rows_of(pd.DataFrame({"a": [1.5, float("nan")]}))
    [{'a': 1.5}, {'a': None}]
    """
    out: list[dict[str, Any]] = json.loads(
        df.to_json(orient="records", date_format="iso", default_handler=str)
    )
    return out


def _base(df: pd.DataFrame, title: str) -> Spec:
    return {
        "$schema": _SCHEMA,
        "title": title,
        "width": "container",
        "height": 220,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": _CONFIG,
        "data": {"values": rows_of(df)},
    }


def _x(field: str, x_title: str, temporal: bool) -> Spec:
    if temporal:
        return {"field": field, "type": "temporal", "title": x_title}
    return {"field": field, "type": "ordinal", "title": x_title, "sort": None}


def line_spec(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    y_format: str | None = None,
    temporal: bool = True,
) -> Spec:
    """A line per ``color`` value (or one line) of ``y`` over ``x``.

    Examples
    --------
    >>> df = pd.DataFrame({"day": ["2024-01-01"], "k": ["dau"], "v": [3]})
    >>> line_spec(df, x="day", y="v", color="k", title="t", x_title="d", y_title="n")[
    ...     "encoding"]["color"]["field"]
    'k'
    """
    spec = _base(df, title)
    y_enc: Spec = {"field": y, "type": "quantitative", "title": y_title}
    if y_format:
        y_enc["axis"] = {"format": y_format}
    enc: Spec = {"x": _x(x, x_title, temporal), "y": y_enc, "tooltip": [{"field": x}, {"field": y}]}
    if color:
        enc["color"] = {"field": color, "type": "nominal"}
        enc["tooltip"].append({"field": color})
    spec.update({"mark": {"type": "line", "point": len(df) <= 40}, "encoding": enc})
    return spec


def bar_spec(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    y_format: str | None = None,
    horizontal: bool = False,
) -> Spec:
    """Bars of ``y`` per ``x`` (stacked by ``color`` when given).

    Examples
    --------
    >>> df = pd.DataFrame({"f": ["a", "b"], "v": [0.2, 0.5]})
    >>> bar_spec(df, x="f", y="v", title="t", x_title="", y_title="", horizontal=True)[
    ...     "encoding"]["y"]["field"]
    'f'
    """
    spec = _base(df, title)
    cat: Spec = {"field": x, "type": "nominal", "title": x_title, "sort": None}
    val: Spec = {"field": y, "type": "quantitative", "title": y_title}
    if y_format:
        val["axis"] = {"format": y_format}
    enc: Spec = {"x": val, "y": cat} if horizontal else {"x": cat, "y": val}
    enc["tooltip"] = [{"field": x}, {"field": y}]
    if color:
        enc["color"] = {"field": color, "type": "nominal"}
    spec.update({"mark": {"type": "bar"}, "encoding": enc})
    if horizontal:
        spec["height"] = max(120, 22 * len(df))
    return spec


def interval_spec(
    df: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    low: str,
    high: str,
    title: str,
    x_title: str,
    x_format: str | None = None,
) -> Spec:
    """Point estimates with their intervals, one row per ``label``, and a zero rule.

    Examples
    --------
    >>> df = pd.DataFrame({"l": ["a"], "e": [1.0], "lo": [0.5], "hi": [1.5]})
    >>> [m["mark"]["type"] for m in interval_spec(df, label="l", estimate="e", low="lo",
    ...     high="hi", title="t", x_title="x")["layer"]]
    ['rule', 'rule', 'point']
    """
    spec = _base(df, title)
    axis = {"format": x_format} if x_format else {}
    y: Spec = {"field": label, "type": "nominal", "title": None, "sort": None}
    spec["height"] = max(80, 30 * len(df))
    spec["layer"] = [
        {
            "data": {"values": [{"zero": 0}]},
            "mark": {"type": "rule", "color": "#999999", "strokeDash": [4, 3]},
            "encoding": {"x": {"field": "zero", "type": "quantitative"}},
        },
        {
            "mark": {"type": "rule", "strokeWidth": 3, "color": _PALETTE[0]},
            "encoding": {
                "y": y,
                "x": {"field": low, "type": "quantitative", "title": x_title, "axis": axis},
                "x2": {"field": high},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 80, "color": _PALETTE[3]},
            "encoding": {
                "y": y,
                "x": {"field": estimate, "type": "quantitative"},
                "tooltip": [{"field": label}, {"field": estimate}, {"field": low}, {"field": high}],
            },
        },
    ]
    return spec


def heatmap_spec(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    title: str,
    x_title: str,
    y_title: str,
    value_format: str = ".0%",
) -> Spec:
    """A grid coloured by ``value`` (e.g. retention by cohort and months since first use).

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["2024-01"], "o": [0], "v": [1.0]})
    >>> heatmap_spec(df, x="o", y="c", value="v", title="t", x_title="", y_title="")[
    ...     "mark"]["type"]
    'rect'
    """
    spec = _base(df, title)
    spec["height"] = max(120, 14 * df[y].nunique()) if not df.empty else 120
    spec.update(
        {
            "mark": {"type": "rect"},
            "encoding": {
                "x": {"field": x, "type": "ordinal", "title": x_title},
                "y": {"field": y, "type": "ordinal", "title": y_title},
                "color": {
                    "field": value,
                    "type": "quantitative",
                    "scale": {"scheme": "blues"},
                    "legend": {"format": value_format},
                },
                "tooltip": [{"field": y}, {"field": x}, {"field": value, "format": value_format}],
            },
        }
    )
    return spec
