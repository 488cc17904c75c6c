"""Vega-Lite chart specs and offline rendering to SVG / PNG with vl-convert.

Each builder takes plain data and labels and returns a Vega-Lite spec (a dict), so the same
spec can be rendered server-side here (reports, e-mail) or by vega-embed in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import vl_convert as vlc

__all__ = [
    "LOCALES",
    "bar_line_spec",
    "cumulative_spec",
    "histogram_spec",
    "render_png",
    "render_svg",
    "tornado_spec",
]

Spec = dict[str, Any]
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_COLORS = {"benefit": "#2E7D32", "cost": "#C62828", "net": "#1F3A5F", "accent": "#F9A825"}
_CONFIG = {
    "font": "DejaVu Sans",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 10, "gridColor": "#E6E6E6"},
    "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
    "title": {"fontSize": 12, "anchor": "start"},
}


def _base(title: str, width: int, height: int) -> Spec:
    return {
        "$schema": _SCHEMA,
        "title": title,
        "width": width,
        "height": height,
        "config": _CONFIG,
        "background": "white",
    }


def bar_line_spec(
    periods: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    colors: Sequence[str] = (_COLORS["benefit"], _COLORS["cost"], _COLORS["net"]),
    width: int = 300,
    height: int = 170,
) -> Spec:
    """Grouped bars per period, one bar per series (e.g. benefits, costs, net per year).

    Examples
    --------
    >>> spec = bar_line_spec(["Y1"], {"Benefits": [3.0]}, title="t", x_title="x", y_title="y")
    >>> spec["mark"]["type"]
    'bar'
    """
    rows = [
        {"period": p, "series": name, "value": float(v)}
        for name, values in series.items()
        for p, v in zip(periods, values, strict=True)
    ]
    spec = _base(title, width, height)
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "bar"},
            "encoding": {
                "x": {
                    "field": "period",
                    "type": "nominal",
                    "title": x_title,
                    "sort": list(periods),
                },
                "xOffset": {"field": "series", "sort": list(series)},
                "y": {"field": "value", "type": "quantitative", "title": y_title},
                "color": {
                    "field": "series",
                    "title": None,
                    "sort": list(series),
                    "scale": {"domain": list(series), "range": list(colors)[: len(series)]},
                },
            },
        }
    )
    return spec


def cumulative_spec(
    months: Sequence[int],
    cumulative: Sequence[float],
    *,
    payback_month: int | None,
    payback_label: str,
    title: str,
    x_title: str,
    y_title: str,
    width: int = 300,
    height: int = 170,
) -> Spec:
    """Cumulative net benefit by month, a zero line, and a rule at the payback month.

    Examples
    --------
    >>> spec = cumulative_spec([0, 1], [-5.0, 1.0], payback_month=1, payback_label="payback",
    ...                        title="t", x_title="m", y_title="v")
    >>> len(spec["layer"])
    3
    """
    rows = [{"month": int(m), "value": float(v)} for m, v in zip(months, cumulative, strict=True)]
    layers: list[Spec] = [
        {
            "mark": {"type": "area", "line": {"color": _COLORS["net"]}, "color": "#C9D6E8"},
            "encoding": {
                "x": {"field": "month", "type": "quantitative", "title": x_title},
                "y": {"field": "value", "type": "quantitative", "title": y_title},
            },
        },
        {
            "data": {"values": [{"zero": 0}]},
            "mark": {"type": "rule", "color": "#777777"},
            "encoding": {"y": {"field": "zero", "type": "quantitative"}},
        },
    ]
    if payback_month is not None:
        layers.append(
            {
                "data": {"values": [{"month": payback_month, "label": payback_label}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": _COLORS["accent"], "strokeWidth": 2},
                        "encoding": {"x": {"field": "month", "type": "quantitative"}},
                    },
                    {
                        "mark": {"type": "text", "align": "left", "dx": 4, "dy": -4, "y": 8},
                        "encoding": {
                            "x": {"field": "month", "type": "quantitative"},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )
    else:
        layers.append({"data": {"values": []}, "mark": "point"})
    spec = _base(title, width, height)
    spec.update({"data": {"values": rows}, "layer": layers})
    return spec


def tornado_spec(
    bars: Sequence[tuple[str, float, float]],
    *,
    base: float,
    title: str,
    x_title: str,
    low_label: str,
    high_label: str,
    width: int = 300,
    height: int | None = None,
) -> Spec:
    """Tornado: for each (label, value at low, value at high) a bar from base to each end.

    Examples
    --------
    >>> spec = tornado_spec([("a", 1.0, 3.0)], base=2.0, title="t", x_title="NPV",
    ...                     low_label="low", high_label="high")
    >>> [r["end"] for r in spec["data"]["values"]]
    ['low', 'high']
    """
    rows = []
    for label, at_low, at_high in bars:
        rows.append({"figure": label, "end": low_label, "from": base, "to": float(at_low)})
        rows.append({"figure": label, "end": high_label, "from": base, "to": float(at_high)})
    order = [label for label, _, _ in bars]
    spec = _base(title, width, height or max(60, 18 * len(bars)))
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "height": 12},
            "encoding": {
                "y": {
                    "field": "figure",
                    "type": "nominal",
                    "sort": order,
                    "title": None,
                    "axis": {"labelLimit": 220},
                },
                "x": {"field": "from", "type": "quantitative", "title": x_title},
                "x2": {"field": "to"},
                "color": {
                    "field": "end",
                    "title": None,
                    "scale": {
                        "domain": [low_label, high_label],
                        "range": ["#90A4AE", _COLORS["net"]],
                    },
                },
            },
        }
    )
    return spec


def histogram_spec(
    values: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    x_format: str = ".0%",
    bins: int = 40,
    width: int = 300,
    height: int = 150,
) -> Spec:
    """Histogram of draws (e.g. ROI over the Monte Carlo draws), pre-binned to stay small.

    Examples
    --------
    >>> spec = histogram_spec([0.1, 0.2, 0.2], title="t", x_title="ROI", y_title="n", bins=2)
    >>> sum(r["count"] for r in spec["data"]["values"])
    3
    """
    import numpy as np

    arr = np.asarray(values, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    counts, edges = np.histogram(arr, bins=bins) if arr.size else (np.zeros(0), np.zeros(1))
    rows = [
        {"start": float(a), "end": float(b), "count": int(c)}
        for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
    spec = _base(title, width, height)
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "color": _COLORS["net"]},
            "encoding": {
                "x": {
                    "field": "start",
                    "type": "quantitative",
                    "bin": {"binned": True},
                    "title": x_title,
                    "axis": {"format": x_format},
                },
                "x2": {"field": "end"},
                "y": {"field": "count", "type": "quantitative", "title": y_title},
            },
        }
    )
    return spec


#: vl-convert number/time format locale per report language.
LOCALES: dict[str, Literal["en-US", "sv-SE"]] = {"en": "en-US", "sv": "sv-SE"}


def render_svg(spec: Spec, lang: str = "en") -> str:
    """Render a Vega-Lite spec to SVG text, offline, with the language's number format.

    Examples
    --------
    >>> render_svg(histogram_spec([1.0, 2.0], title="t", x_title="x", y_title="y")).startswith("<svg")
    True
    """
    return str(vlc.vegalite_to_svg(spec, format_locale=LOCALES[lang]))


def render_png(spec: Spec, scale: float = 2.0, lang: str = "en") -> bytes:
    """Render a Vega-Lite spec to PNG bytes, offline, with the language's number format.

    Examples
    --------
    >>> render_png(histogram_spec([1.0], title="t", x_title="x", y_title="y"))[:4]
    b'\\x89PNG'
    """
    return bytes(vlc.vegalite_to_png(spec, scale=scale, format_locale=LOCALES[lang]))
