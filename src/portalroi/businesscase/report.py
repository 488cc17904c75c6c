"""The business-case report: one to two A4 pages of HTML or PDF, in English or Swedish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from portalroi.businesscase.defaults import EC_GUIDE
from portalroi.businesscase.engine import evaluate
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.businesscase.uncertainty import (
    scenarios,
    simulate_uncertainty,
    switching_values,
    tornado,
)
from portalroi.reports import charts, i18n
from portalroi.reports.render import html_to_pdf, render_template

__all__ = ["render_html", "write_html", "write_pdf"]


def _short(key: str) -> str:
    return key.removeprefix("benefits.").removeprefix("costs.").removesuffix(".amount")


def render_html(
    inputs: BusinessCaseInputs,
    lang: str | None = None,
    draws: int = 10_000,
    seed: int = 0,
    today: dt.date | None = None,
) -> str:
    """The report as a standalone HTML page (charts inline as SVG); ``draws=0`` skips Monte Carlo.

    Examples
    --------
    >>> from portalroi.businesscase import example_inputs
    >>> html = render_html(example_inputs(), lang="sv", draws=500)
    >>> "Nettonuvärde" in html and "<svg" in html
    True
    """
    lang = lang or inputs.language
    language = lang

    def t(key: str) -> str:
        return i18n.text(key, language)

    result = evaluate(inputs)
    years = [t("year") + " " + str(y) for y in range(inputs.horizon_years + 1)]
    cash = charts.bar_line_spec(
        years,
        {
            t("benefits"): result.yearly_benefits,
            t("costs"): [-c for c in result.yearly_costs],
            t("net"): result.yearly_net,
        },
        title=t("cash_flow"),
        x_title=t("year"),
        y_title=result.currency,
    )
    cumulative = charts.cumulative_spec(
        result.months,
        result.cumulative_net,
        payback_month=result.payback_month,
        payback_label=t("payback").split()[0] + f" {result.payback_month}",
        title=t("cumulative_net"),
        x_title=t("month"),
        y_title=result.currency,
    )
    bars = tornado(inputs)[:8]
    tornado_chart = charts.tornado_spec(
        [(_short(b.key), b.npv_at_low, b.npv_at_high) for b in bars],
        base=result.npv,
        title=t("tornado"),
        x_title=t("npv") + f" ({result.currency})",
        low_label=t("low"),
        high_label=t("high"),
    )
    mc = simulate_uncertainty(inputs, draws=draws, seed=seed) if draws > 0 else None
    # ROI is undefined (NaN) in draws without costs: the histogram shows the defined ones
    histogram = (
        charts.render_svg(
            charts.histogram_spec(
                mc.roi[np.isfinite(mc.roi)].tolist(),
                title=t("roi_distribution"),
                x_title=t("roi"),
                y_title="n",
            ),
            lang,
        )
        if mc is not None and mc.roi_draws > 0
        else ""
    )
    switching = sorted(
        (s for s in switching_values(inputs) if s.value is not None),
        key=lambda s: abs(s.change) if s.change is not None else float("inf"),
    )[:6]
    return render_template(
        "business_case.html.j2",
        lang=lang,
        title=f"{t('business_case')}: {inputs.name}",
        r=result,
        scenarios=scenarios(inputs),
        mc=mc,
        switching=switching,
        today=today or dt.date.today(),
        method_note=EC_GUIDE,
        charts={
            "cash_flow": charts.render_svg(cash, lang),
            "cumulative": charts.render_svg(cumulative, lang),
            "tornado": charts.render_svg(tornado_chart, lang),
            "histogram": histogram,
        },
    )


def write_html(inputs: BusinessCaseInputs, path: str | Path, **options: object) -> Path:
    """Write the HTML report; ``options`` as for :func:`render_html`."""
    path = Path(path)
    path.write_text(render_html(inputs, **options), encoding="utf-8")  # type: ignore[arg-type]
    return path


def write_pdf(inputs: BusinessCaseInputs, path: str | Path, **options: object) -> Path:
    """Write the PDF report (WeasyPrint); ``options`` as for :func:`render_html`."""
    return html_to_pdf(render_html(inputs, **options), path)  # type: ignore[arg-type]
