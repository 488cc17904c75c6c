"""The dashboard's ROI figures: the totals' range is called a range, and the earned basis shows."""

from __future__ import annotations

from portalroi.roi import RoiReport
from portalroi.roi.money import Interval, MoneyLine
from portalroi.roi.realised import realised_roi
from portalroi.web.views_money import roi_kpis


def _report(margin: float | None) -> RoiReport:
    details = {"live_churn_rate": 0.5, "clv": 1000.0}
    if margin is not None:
        details["margin_per_month"] = margin
    churn = MoneyLine(
        "churn", "c", Interval(100.0, 0.0, 200.0), Interval(0.1, 0.0, 0.2), "", "", details=details
    )
    # 1 account kept a month at CLV 1,000: 3,000 booked; earned 0 + 50 + 75 = 125 (see
    # tests/roi/test_realised.py); costs 100: ROI 29 (2,900 %) and 0.25 (25 %) earned
    realised = realised_roi(
        ["2024-01", "2024-02", "2024-03"], [100.0, 0, 0], [10.0] * 3, [churn], 0.0
    )
    return RoiReport("USD", "2024-03", [churn], {}, realised, None, None, 1.0, {}, {}, [])


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
