"""A hand-computed churn case the realised-ROI, report and dashboard tests share.

Ten live accounts a month for three months, 0.1 [0, 0.2] accounts kept per live
account-month (1 [0, 2] a month), CLV 1,000, margin 50 a month, half the kept accounts leave
each month, costs 100 in the first month. At lifetime value the churn line books 3,000
[0, 6,000]; on the earned basis the stock of kept accounts is 0, 1, 1.5, earning 0 + 50 + 75 =
125 [0, 250]; ROI 29 and 0.25 [-1, 1.5].
"""

from __future__ import annotations

from portalroi.roi.money import Interval, MoneyLine
from portalroi.roi.realised import RealisedRoi, realised_roi

MONTHS = ["2024-01", "2024-02", "2024-03"]


def churn_line(margin: float | None = 50.0) -> MoneyLine:
    """The case's churn line; ``margin=None`` leaves out the margin per month (no earned basis)."""
    details = {"live_churn_rate": 0.5, "clv": 1000.0}
    if margin is not None:
        details["margin_per_month"] = margin
    kept = Interval(0.1, 0.0, 0.2)
    value = Interval(kept.estimate * 1000.0, kept.low * 1000.0, kept.high * 1000.0)
    return MoneyLine("churn", "c", value, kept, "accounts", "f", details=details)


def churn_roi(margin: float | None = 50.0, *others: MoneyLine) -> RealisedRoi:
    """The case's realised ROI (with any further lines)."""
    return realised_roi(MONTHS, [100.0, 0.0, 0.0], [10.0] * 3, [churn_line(margin), *others], 0.0)
