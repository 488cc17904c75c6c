"""The dashboard's ROI figures: the totals' range is called a range, and the earned basis shows."""

from __future__ import annotations

from portalroi.roi import RoiReport
from portalroi.web.views_money import roi_kpis
from roi_cases import churn_line, churn_roi


def _report(margin: float | None) -> RoiReport:
    # tests/roi_cases.py: ROI 29 (2,900 %) at lifetime value, 0.25 (25 %) earned
    r = churn_roi(margin)
    return RoiReport("USD", "2024-03", [churn_line(margin)], {}, r, None, None, 1.0, {}, {}, [])


def test_earned_roi_and_ranges_on_the_dashboard() -> None:
    kpis = {k.label: k for k in roi_kpis(_report(50.0), "en")}
    assert kpis["Realised ROI to date"].value == "2,900.0%"
    assert kpis["Realised ROI to date"].detail.startswith("Range, every effect at its 95 % end:")
    earned = kpis["ROI, retained accounts at margin earned to date"]
    assert earned.value == "25.0%"
    assert earned.detail.startswith("not at lifetime value; the business case's basis; Range")
    assert "interval" not in kpis["Net present value"].detail
    sv = {k.label for k in roi_kpis(_report(50.0), "sv")}
    assert "ROI, kvarhållna konton till marginal hittills" in sv
    # without a margin per month (a hand-made churn line) there is no earned basis to show
    assert len(roi_kpis(_report(None), "en")) == len(kpis) - 1
