"""Vega-Lite specs render offline to SVG and PNG with the data they were given."""

from __future__ import annotations

from portalroi.reports.charts import (
    bar_line_spec,
    cumulative_spec,
    histogram_spec,
    render_png,
    render_svg,
    tornado_spec,
)


def test_specs_render_to_svg_and_png() -> None:
    specs = [
        bar_line_spec(
            ["Y0", "Y1"],
            {"B": [0.0, 5.0], "C": [-2.0, -1.0]},
            title="Cash",
            x_title="y",
            y_title="$",
        ),
        cumulative_spec(
            [0, 1, 2],
            [-2.0, 0.5, 3.0],
            payback_month=1,
            payback_label="Payback 1",
            title="Cum",
            x_title="m",
            y_title="$",
        ),
        cumulative_spec(
            [0, 1],
            [-2.0, -1.0],
            payback_month=None,
            payback_label="",
            title="Cum",
            x_title="m",
            y_title="$",
        ),
        tornado_spec(
            [("alpha", 1.0, 3.0), ("beta", 1.5, 2.5)],
            base=2.0,
            title="Tornado",
            x_title="NPV",
            low_label="low",
            high_label="high",
        ),
        histogram_spec([0.1, 0.2, 0.25, 0.4], title="ROI", x_title="ROI", y_title="n", bins=3),
    ]
    for spec in specs:
        svg = render_svg(spec)
        assert svg.startswith("<svg")
        assert spec["title"] in svg
    assert render_png(specs[0]).startswith(b"\x89PNG")
    assert "Payback 1" in render_svg(specs[1])
    assert "alpha" in render_svg(specs[3])


def test_swedish_axis_numbers() -> None:
    spec = histogram_spec([0.0, 200_000.0], title="t", x_title="x", y_title="n", x_format=",.0f")
    assert ">100\u00a0000<" in render_svg(spec, "sv")
    assert ">100,000<" in render_svg(spec, "en")


def test_histogram_counts_all_finite_draws() -> None:
    spec = histogram_spec(
        [0.0, 1.0, 2.0, float("nan"), 3.0], title="t", x_title="x", y_title="n", bins=3
    )
    assert sum(r["count"] for r in spec["data"]["values"]) == 4
