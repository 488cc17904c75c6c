"""Shared report infrastructure: charts (Vega-Lite), i18n formatting, HTML and PDF rendering.

Used by the business-case report and, later, the impact / ROI report.
"""

from __future__ import annotations

from portalroi.reports.charts import (
    bar_line_spec,
    cumulative_spec,
    histogram_spec,
    render_png,
    render_svg,
    tornado_spec,
)
from portalroi.reports.i18n import (
    LANGUAGES,
    format_currency,
    format_date,
    format_number,
    format_percent,
    text,
)
from portalroi.reports.render import html_to_pdf, render_template

__all__ = [
    "LANGUAGES",
    "bar_line_spec",
    "cumulative_spec",
    "format_currency",
    "format_date",
    "format_number",
    "format_percent",
    "histogram_spec",
    "html_to_pdf",
    "render_png",
    "render_svg",
    "render_template",
    "text",
    "tornado_spec",
]
