"""Vega-Lite specification of an event-study plot (a plain dict; rendering is done elsewhere)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from portalroi.impact.results import EffectEstimate

__all__ = ["event_study_spec"]


def event_study_spec(estimate: EffectEstimate, title: str | None = None) -> dict[str, Any]:
    """Vega-Lite v5 spec: effect by periods since go-live, with interval bars and a zero line.

    Examples
    --------
    >>> from portalroi.impact.results import EventTimeEffect
    >>> rows = (EventTimeEffect(-1, 0.0, 0.0, 0.0, 0.0, 5), EventTimeEffect(0, -1.0, 0.2, -1.4, -0.6, 5))
    >>> e = EffectEstimate("ATT", -1.0, 0.2, -1.4, -0.6, 5, 5, "m", (), event_study=rows)
    >>> spec = event_study_spec(e)
    >>> spec["$schema"].endswith("v5.json"), len(spec["data"]["values"])
    (True, 2)
    """
    y_title = f"effect ({estimate.unit})" if estimate.unit else "effect"
    x = {"field": "event_time", "type": "quantitative", "title": "months since go-live"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title or f"Effect by months since go-live: {estimate.method}",
        "width": 480,
        "height": 280,
        "data": {"values": [asdict(r) for r in estimate.event_study]},
        "layer": [
            {
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "gray"},
                "encoding": {"y": {"datum": 0}},
            },
            {
                "mark": {"type": "rule", "color": "gray"},
                "encoding": {"x": {"datum": -0.5}},
            },
            {
                "mark": "rule",
                "encoding": {
                    "x": x,
                    "y": {"field": "ci_low", "type": "quantitative", "title": y_title},
                    "y2": {"field": "ci_high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "estimate", "type": "quantitative"},
                    "tooltip": [
                        {"field": "event_time", "title": "months since go-live"},
                        {"field": "estimate", "format": ".3f"},
                        {"field": "ci_low", "format": ".3f"},
                        {"field": "ci_high", "format": ".3f"},
                        {"field": "n_treated"},
                    ],
                },
            },
        ],
    }
