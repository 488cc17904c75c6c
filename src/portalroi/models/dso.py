"""Days sales outstanding and receivables metrics, as pure functions over an invoices frame.

The frame has the canonical ``invoices`` columns: ``issued_at``, ``due_at``, ``paid_at`` (empty
while open), ``amount``, and optionally ``account_id``, ``disputed``, ``delivered_via_portal``.

Conventions (stated once, used everywhere):

* A period is a calendar period of ``freq`` (month by default) running from its first instant
  ``S`` to the first instant ``E`` of the next period; it has ``days = (E - S)`` days.
* **Receivables at the end of a period** are the amounts of invoices issued before ``E`` and
  not paid before ``E`` (an invoice paid on the last day is no longer outstanding). An invoice is
  **current** at ``E`` when its due date is on or after ``E``; otherwise it is **past due**.
  An invoice without a due date is treated as due on receipt (its issue date).
* **Credit sales** of a period are the amounts invoiced in it (every invoice is a credit sale).
* **DSO** (standard / "sales method") = receivables at end / credit sales in period x days.
* **Best possible DSO** = current receivables at end / credit sales x days;
  **average days delinquent** ADD = DSO - best possible DSO.
* **Countback DSO** at a month end: take receivables at the end and subtract whole months of
  credit sales going backwards (adding that month's days) until less than a month remains;
  add the remaining fraction of that month's days. If the history runs out first, the days
  counted so far are returned (a lower bound).
* **Collection effectiveness index** CEI = (opening receivables + credit sales - closing
  receivables) / (opening receivables + credit sales - closing current receivables) x 100.
* **Days to pay** = paid_at - issued_at in days; **days late** = max(0, paid_at - due_at);
  an invoice is **paid late** when paid after its due date. Only paid invoices enter these.
* Amounts are summed as they are: a frame with a ``currency`` column naming more than one
  currency is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from portalroi.errors import Issue, SchemaError, ValidationError

__all__ = [
    "countback_dso",
    "payment_behaviour",
    "receivables_by_period",
    "receivables_outstanding",
]

_DAY = pd.Timedelta(days=1)
_REQUIRED = ("issued_at", "amount")
_PERIOD_COLUMNS = (
    "period",
    "start",
    "end",
    "days",
    "credit_sales",
    "opening_receivables",
    "closing_receivables",
    "closing_current",
    "dso",
    "best_possible_dso",
    "average_days_delinquent",
    "cei",
)


def _prepare(invoices: pd.DataFrame) -> pd.DataFrame:
    """Typed copy of the invoice columns; raises listing every bad row."""
    missing = [c for c in _REQUIRED if c not in invoices.columns]
    if missing:
        raise SchemaError(
            f"invoices: missing required column(s) {missing}; present: {list(invoices.columns)}"
        )
    out = invoices.copy()
    issues: list[Issue] = []
    for col in ("issued_at", "due_at", "paid_at"):
        if col not in out.columns:
            out[col] = pd.NaT
        raw = out[col]
        parsed = pd.to_datetime(raw, errors="coerce", utc=True).dt.tz_localize(None)
        bad = parsed.isna() & raw.notna() if col != "issued_at" else parsed.isna()
        issues += [
            Issue(f"invoices row {i}, column {col}", "not a date", raw.iloc[i])
            for i in np.flatnonzero(bad.to_numpy())[:20]
        ]
        out[col] = parsed
    amount = pd.to_numeric(out["amount"], errors="coerce")
    issues += [
        Issue(f"invoices row {i}, column amount", "not a number", out["amount"].iloc[i])
        for i in np.flatnonzero(amount.isna().to_numpy())[:20]
    ]
    out["amount"] = amount.astype(float)
    if "currency" in out.columns:
        currencies = sorted({str(c).strip().upper() for c in out["currency"].dropna()})
        if len(currencies) > 1:
            issues.append(
                Issue(
                    "invoices, column currency",
                    "more than one currency; sums would add them up: convert the amounts to "
                    "one currency or pass each currency's invoices separately",
                    ", ".join(currencies),
                )
            )
    early = (out["paid_at"] < out["issued_at"]).to_numpy()
    issues += [
        Issue(f"invoices row {i}, column paid_at", "is before issued_at", out["paid_at"].iloc[i])
        for i in np.flatnonzero(early)[:20]
    ]
    if issues:
        raise ValidationError("invoices: cannot compute receivables metrics", issues)
    out["due_at"] = out["due_at"].fillna(out["issued_at"])
    return out.reset_index(drop=True)


def _days(delta: pd.Series) -> pd.Series:
    """Timedeltas as (fractional) days."""
    days: pd.Series = delta.dt.total_seconds() / 86_400.0
    return days


def _outstanding(inv: pd.DataFrame, at: pd.Timestamp) -> tuple[float, float]:
    """Total and current receivables at instant ``at``."""
    open_ = (inv["issued_at"] < at) & (inv["paid_at"].isna() | (inv["paid_at"] >= at))
    current = open_ & (inv["due_at"] >= at)
    return float(inv.loc[open_, "amount"].sum()), float(inv.loc[current, "amount"].sum())


def receivables_outstanding(invoices: pd.DataFrame, as_of: Any) -> dict[str, float]:
    """Receivables still open at the instant ``as_of``: total, current and past due.

    A time with a UTC offset is converted to UTC (the invoice times are UTC).

    Examples
    --------
    >>> inv = pd.DataFrame({"issued_at": ["2024-01-05", "2024-01-10"], "due_at": ["2024-02-04", "2024-01-20"],
    ...                     "paid_at": [None, None], "amount": [100.0, 50.0]})
    >>> receivables_outstanding(inv, "2024-02-01")
    {'total': 150.0, 'current': 100.0, 'past_due': 50.0}
    """
    inv = _prepare(invoices)
    at = pd.Timestamp(as_of)
    if at.tzinfo is not None:  # the invoice times are UTC
        at = at.tz_convert("UTC").tz_localize(None)
    total, current = _outstanding(inv, at)
    return {"total": total, "current": current, "past_due": total - current}


def _month_sales(inv: pd.DataFrame) -> pd.Series:
    months = inv["issued_at"].dt.to_period("M")
    return inv.groupby(months)["amount"].sum()


def _countback(receivables: float, sales: pd.Series, last: pd.Period) -> float:
    """Countback days for ``receivables`` against monthly ``sales`` ending at month ``last``."""
    remaining, days = receivables, 0.0
    first = sales.index.min() if len(sales) else last
    month = last
    while remaining > 0 and month >= first:
        month_sales = float(sales.get(month, 0.0))
        month_days = float(month.days_in_month)
        if remaining >= month_sales:
            days += month_days
            remaining -= month_sales
        else:
            days += month_days * remaining / month_sales
            remaining = 0.0
        month -= 1
    return days


def countback_dso(invoices: pd.DataFrame, month: Any) -> float:
    """Countback DSO at the end of calendar ``month`` (e.g. ``"2024-02"``).

    Examples
    --------
    >>> inv = pd.DataFrame({"issued_at": ["2024-01-10", "2024-02-01"], "due_at": [None, None],
    ...                     "paid_at": [None, None], "amount": [4000.0, 200.0]})
    >>> countback_dso(inv, "2024-02")  # 4200 owed: Feb's 200 (29 days) + all Jan's 4000 (31 days)
    60.0
    """
    inv = _prepare(invoices)
    period = pd.Period(month, freq="M")
    total, _ = _outstanding(inv, period.end_time.normalize() + _DAY)
    return _countback(total, _month_sales(inv), period)


def receivables_by_period(
    invoices: pd.DataFrame,
    freq: str = "M",
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Receivables metrics per calendar period (and per group, e.g. ``by="account_id"``).

    Columns: ``period``, ``start``, ``end`` (exclusive), ``days``, ``credit_sales``,
    ``opening_receivables``, ``closing_receivables``, ``closing_current``, ``dso``,
    ``best_possible_dso``, ``average_days_delinquent``, ``cei`` (percent) and, for monthly
    periods, ``countback_dso``. DSO figures are NaN where a period has no credit sales.
    See the module docstring for the conventions.

    Examples
    --------
    >>> inv = pd.DataFrame({"issued_at": ["2024-01-05", "2024-01-10"], "due_at": ["2024-02-04", "2024-01-20"],
    ...                     "paid_at": ["2024-01-20", None], "amount": [100.0, 50.0]})
    >>> float(receivables_by_period(inv)["dso"].iloc[0])  # 50 / 150 * 31
    10.333333333333332
    """
    inv = _prepare(invoices)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    absent = [k for k in keys if k not in inv.columns]
    if absent:
        raise SchemaError(f"invoices: cannot group by missing column(s) {absent}")
    if inv.empty:
        columns = [*keys, *_PERIOD_COLUMNS]
        if pd.Period("2024-01", freq=freq).freqstr == "M":
            columns.append("countback_dso")
        return pd.DataFrame(columns=columns)
    periods = pd.period_range(
        inv["issued_at"].min().to_period(freq), inv["issued_at"].max().to_period(freq), freq=freq
    )
    groups = inv.groupby(keys, sort=True, dropna=False) if keys else [((), inv)]
    rows: list[dict[str, Any]] = []
    for key, part in groups:
        labels = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        month_sales = _month_sales(part)
        for period in periods:
            start = period.start_time
            end = period.end_time.normalize() + _DAY
            days = float((end - start) / _DAY)
            in_period = (part["issued_at"] >= start) & (part["issued_at"] < end)
            sales = float(part.loc[in_period, "amount"].sum())
            opening, _ = _outstanding(part, start)
            closing, current = _outstanding(part, end)
            dso = closing / sales * days if sales > 0 else np.nan
            best = current / sales * days if sales > 0 else np.nan
            collectable = opening + sales - current
            row = {
                **labels,
                "period": str(period),
                "start": start,
                "end": end,
                "days": days,
                "credit_sales": sales,
                "opening_receivables": opening,
                "closing_receivables": closing,
                "closing_current": current,
                "dso": dso,
                "best_possible_dso": best,
                "average_days_delinquent": dso - best,
                "cei": (opening + sales - closing) / collectable * 100
                if collectable > 0
                else np.nan,
            }
            if period.freqstr == "M":
                row["countback_dso"] = _countback(closing, month_sales, pd.Period(period, "M"))
            rows.append(row)
    return pd.DataFrame(rows)


def payment_behaviour(
    invoices: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    freq: str | None = None,
) -> pd.DataFrame:
    """How fast invoices are paid: overall, per group (``by``) and/or per issue period (``freq``).

    Columns: ``invoices``, ``paid_invoices``, ``amount`` (billed), ``average_days_to_pay``,
    ``weighted_days_to_pay`` (weighted by amount), ``share_paid_late`` (0..1, of paid
    invoices), ``average_days_late`` (mean of max(0, paid - due) over paid invoices).

    Examples
    --------
    >>> inv = pd.DataFrame({"issued_at": ["2024-01-05", "2023-12-15"], "due_at": ["2024-02-04", "2024-01-14"],
    ...                     "paid_at": ["2024-01-20", "2024-02-03"], "amount": [1000.0, 500.0]})
    >>> payment_behaviour(inv)[["average_days_to_pay", "share_paid_late", "average_days_late"]]
       average_days_to_pay  share_paid_late  average_days_late
    0                 32.5              0.5               10.0
    """
    inv = _prepare(invoices)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    absent = [k for k in keys if k not in inv.columns]
    if absent:
        raise SchemaError(f"invoices: cannot group by missing column(s) {absent}")
    if freq is not None:
        inv["period"] = inv["issued_at"].dt.to_period(freq).astype(str)
        keys.append("period")
    paid = inv["paid_at"].notna()
    inv["_paid"] = paid.astype(float)
    inv["_days"] = _days(inv["paid_at"] - inv["issued_at"])
    inv["_late"] = np.where(paid, (inv["paid_at"] > inv["due_at"]).astype(float), np.nan)
    inv["_days_late"] = _days(inv["paid_at"] - inv["due_at"]).clip(lower=0)
    inv["_weighted"] = inv["_days"] * inv["amount"]
    inv["_paid_amount"] = inv["amount"].where(paid, 0.0)
    grouped = inv.groupby(keys, sort=True, dropna=False) if keys else inv.groupby(lambda _: 0)
    out = pd.DataFrame(
        {
            "invoices": grouped.size(),
            "paid_invoices": grouped["_paid"].sum().astype(int),
            "amount": grouped["amount"].sum(),
            "average_days_to_pay": grouped["_days"].mean(),
            "weighted_days_to_pay": grouped["_weighted"].sum() / grouped["_paid_amount"].sum(),
            "share_paid_late": grouped["_late"].mean(),
            "average_days_late": grouped["_days_late"].mean(),
        }
    )
    return out.reset_index() if keys else out.reset_index(drop=True)
