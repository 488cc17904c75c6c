"""Pre-launch baselines: the level and trend of each outcome before each account's go-live.

The baseline period of an account is every month before its own go-live month; for accounts
that never went live it is every month before the portal's launch (the first go-live in the
data), so their later months, shaped by whatever happened after launch, do not leak in.

* ``level``: mean outcome per account-month over the baseline account-months.
* ``trend_per_month``: within-account slope (least squares after removing each account's mean
  month and mean outcome), so the changing mix of accounts still in their baseline, as the
  healthier ones go live first, does not show up as a trend. Its standard error is clustered by
  account. For churn (an account churns once) the trend is the pooled slope of the churn
  indicator on the month, i.e. the slope of the monthly churn rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portalroi.impact.outcomes import ImpactData, month_label
from portalroi.impact.report import AccountBaseline, Baseline

__all__ = ["baseline_rows", "compute_baselines", "trend"]


def baseline_rows(rows: pd.DataFrame, go_live: pd.Series, launch: float) -> pd.DataFrame:
    """Rows (``account_id``, ``month``, ...) in each account's baseline period.

    Examples
    --------
    >>> rows = pd.DataFrame({"account_id": ["a", "a", "b", "b"], "month": [1, 2, 1, 2]})
    >>> baseline_rows(rows, pd.Series({"a": 2.0, "b": np.nan}), 2.0)["account_id"].tolist()
    ['a', 'b']
    """
    cut = rows["account_id"].map(go_live).fillna(launch if np.isfinite(launch) else np.inf)
    return rows[rows["month"] < cut]


def trend(
    rows: pd.DataFrame, y: str = "y", within: bool = True
) -> tuple[float | None, float | None]:
    """Slope of ``y`` per month and its account-clustered standard error.

    ``within=True`` removes each account's means first (account fixed effects).

    Examples
    --------
    >>> rows = pd.DataFrame({"account_id": ["a"] * 3 + ["b"] * 3, "month": [1, 2, 3] * 2,
    ...                      "y": [1.0, 2.0, 3.0, 5.0, 6.0, 7.0]})
    >>> trend(rows)[0]
    1.0
    """
    if rows["month"].nunique() < 3:
        return None, None
    m = rows["month"].astype(float)
    v = rows[y].astype(float)
    if within:
        m = m - m.groupby(rows["account_id"]).transform("mean")
        v = v - v.groupby(rows["account_id"]).transform("mean")
    else:
        m, v = m - m.mean(), v - v.mean()
    sxx = float((m * m).sum())
    if sxx == 0:
        return None, None
    slope = float((m * v).sum()) / sxx
    score = (m * (v - slope * m)).groupby(rows["account_id"]).sum()
    return slope, float(np.sqrt((score**2).sum()) / sxx)


def _per_account(rows: pd.DataFrame) -> tuple[AccountBaseline, ...]:
    by = rows.groupby("account_id", sort=True)
    m = rows["month"].astype(float) - by["month"].transform("mean")
    v = rows["y"].astype(float) - by["y"].transform("mean")
    parts = pd.DataFrame({"sxy": m * v, "sxx": m * m, "account_id": rows["account_id"]})
    sums = parts.groupby("account_id", sort=True)[["sxy", "sxx"]].sum()
    stats = pd.DataFrame(
        {"level": by["y"].mean(), "n": by.size(), "months": by["month"].nunique()}
    ).join(sums)
    return tuple(
        AccountBaseline(
            str(a),
            float(r.level),
            float(r.sxy / r.sxx) if r.months >= 3 and r.sxx > 0 else None,
            int(r.n),
        )
        for a, r in stats.iterrows()
    )


def compute_baselines(data: ImpactData) -> dict[str, Baseline]:
    """Baseline of every outcome in ``data`` (churn included when accounts are at risk).

    Examples
    --------
    >>> from portalroi.impact.outcomes import build_impact_data
    >>> acc = pd.DataFrame({"account_id": ["a", "b"], "created_at": ["2024-01-01"] * 2,
    ...     "portal_live_at": ["2024-04-10", None], "churned_at": [None, None]})
    >>> tk = pd.DataFrame({"account_id": ["a", "a", "a", "b", "a"],
    ...     "created_at": ["2024-01-03", "2024-02-05", "2024-02-07", "2024-03-01", "2024-04-20"]})
    >>> b = compute_baselines(build_impact_data({"accounts": acc, "tickets": tk}))["tickets"]
    >>> b.level, b.n_account_months
    (0.6666666666666666, 6)
    """
    go_live = data.accounts.set_index("account_id")["go_live_month"]
    out: dict[str, Baseline] = {}
    for name, outcome in data.outcomes.items():
        g = outcome.months_per_period
        rows = baseline_rows(outcome.data, go_live // g, data.launch_month // g)
        if rows.empty:
            continue
        slope, se = trend(rows)
        if g > 1:  # per period -> per month
            rows = rows.assign(month=rows["month"] * g)
            slope = None if slope is None else slope / g
            se = None if se is None else se / g
        out[name] = Baseline(
            outcome=name,
            unit=outcome.unit,
            level=float(rows["y"].mean()),
            trend_per_month=slope,
            trend_se=se,
            n_accounts=int(rows["account_id"].nunique()),
            n_account_months=len(rows),
            first_month=month_label(rows["month"].min()),
            last_month=month_label(rows["month"].max()),
            per_account=_per_account(rows),
        )
    rows = baseline_rows(data.grid, go_live, data.launch_month)
    if not rows.empty:
        slope, se = trend(rows, "churned", within=False)
        out["churn"] = Baseline(
            outcome="churn",
            unit="churn rate per account-month",
            level=float(rows["churned"].mean()),
            trend_per_month=slope,
            trend_se=se,
            n_accounts=int(rows["account_id"].nunique()),
            n_account_months=len(rows),
            first_month=month_label(rows["month"].min()),
            last_month=month_label(rows["month"].max()),
        )
    order = ("tickets", "churn", "days_to_pay", "csat", "nps", "order_value")
    return {k: out[k] for k in order if k in out}
