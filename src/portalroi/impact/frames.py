"""Build monthly panels from canonical-shaped frames and estimate the portal's effect.

Accounts (``account_id``, ``created_at``, ``portal_live_at``, ``churned_at``) define who is
observed when: an account is at risk from the month it was created (or the window start) to
the month it churned (inclusive) or the window end. Go-live month = month of
``portal_live_at`` (the first treated month, even if go-live was mid-month).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from portalroi.errors import DataError, Issue, ValidationError
from portalroi.impact.did import ControlGroup, staggered_did
from portalroi.impact.panel import Panel
from portalroi.impact.results import EffectEstimate
from portalroi.impact.survival import hazard_effect

__all__ = ["account_months", "estimate_from_frames", "month_index"]

Outcome = Literal["tickets", "days_to_pay", "churn"]


def month_index(values: pd.Series, name: str = "timestamp") -> pd.Series:
    """Months since year 0 (``year * 12 + month - 1``) of timestamps; NaT stays missing.

    Examples
    --------
    >>> month_index(pd.Series(["2024-01-31", "2024-02-01", None])).tolist()
    [24288.0, 24289.0, nan]
    """
    ts = pd.to_datetime(values, errors="coerce", utc=True)
    bad = values.notna() & ts.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:20]
        raise ValidationError(
            f"{name}: unreadable timestamps",
            [Issue(f"{name}: row {r}", "not a timestamp", values.iloc[r]) for r in rows],
        )
    return (ts.dt.year * 12 + ts.dt.month - 1).astype(float)


def _require(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{name}: missing columns",
            [Issue(f"{name}: column {c}", "required column is missing") for c in missing],
        )


def account_months(accounts: pd.DataFrame, end_month: float | None = None) -> pd.DataFrame:
    """One row per account and month at risk: account_id, month, first_treated, churned.

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": ["a"], "created_at": ["2024-01-05"],
    ...                     "portal_live_at": ["2024-02-10"], "churned_at": ["2024-03-02"]})
    >>> account_months(acc)[["month", "first_treated", "churned"]].values.tolist()
    [[24288.0, 24289.0, 0.0], [24289.0, 24289.0, 0.0], [24290.0, 24289.0, 1.0]]
    """
    _require(accounts, "accounts", ["account_id", "created_at", "portal_live_at", "churned_at"])
    start = month_index(accounts["created_at"], "accounts.created_at")
    live = month_index(accounts["portal_live_at"], "accounts.portal_live_at")
    churn = month_index(accounts["churned_at"], "accounts.churned_at")
    if start.isna().any():
        rows = np.flatnonzero(start.isna().to_numpy())[:20]
        raise ValidationError(
            "accounts: created_at is required",
            [Issue(f"accounts: row {r}, column created_at", "missing") for r in rows],
        )
    if end_month is None:
        end_month = float(np.nanmax([churn.max(), start.max(), live.max()]))
    last = end_month
    stop = churn.fillna(last).clip(upper=last)
    lengths = (stop - start + 1).clip(lower=0).astype(int).to_numpy()
    idx = np.repeat(np.arange(len(accounts)), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out = pd.DataFrame(
        {
            "account_id": accounts["account_id"].to_numpy()[idx],
            "month": start.to_numpy()[idx] + offset,
            "first_treated": live.to_numpy()[idx],
        }
    )
    out["churned"] = (out["month"] == churn.to_numpy()[idx]).astype(float)
    return out


def estimate_from_frames(
    outcome: Outcome,
    accounts: pd.DataFrame,
    tickets: pd.DataFrame | None = None,
    invoices: pd.DataFrame | None = None,
    covariates: pd.DataFrame | None = None,
    control_group: ControlGroup = "not_yet_treated",
    level: float = 0.95,
) -> EffectEstimate:
    """Effect of go-live on monthly tickets per account, days to pay, or the churn hazard.

    * ``"tickets"``: tickets (``account_id``, ``created_at``) counted per account-month at
      risk (zero when none), staggered DiD, effect in tickets per account-month.
    * ``"days_to_pay"``: paid invoices (``account_id``, ``issued_at``, ``paid_at``), mean days
      from issue to payment per account-month of issue, staggered DiD, effect in days.
    * ``"churn"``: discrete-time hazard on account-months, hazard ratio while live.

    ``covariates``: optional numeric pre-period covariates, one row per account, indexed by
    ``account_id``.

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": [1, 2, 3, 4], "created_at": ["2024-01-01"] * 4,
    ...     "portal_live_at": ["2024-03-01", "2024-03-01", None, None], "churned_at": [None] * 4})
    >>> tk = pd.DataFrame({"account_id": [1, 1, 1, 2, 3, 3, 4],
    ...     "created_at": ["2024-01-02", "2024-02-02", "2024-02-03", "2024-02-02",
    ...                    "2024-02-09", "2024-03-04", "2024-03-05"]})
    >>> round(estimate_from_frames("tickets", acc, tickets=tk).estimate, 6)
    -2.0
    """
    _require(accounts, "accounts", ["account_id", "created_at", "portal_live_at", "churned_at"])
    ends = [
        month_index(accounts[c], f"accounts.{c}").max()
        for c in ("created_at", "portal_live_at", "churned_at")
    ]
    if tickets is not None and "created_at" in tickets.columns:
        ends.append(month_index(tickets["created_at"], "tickets.created_at").max())
    if invoices is not None and "issued_at" in invoices.columns:
        ends.append(month_index(invoices["issued_at"], "invoices.issued_at").max())
    grid = account_months(accounts, end_month=float(np.nanmax(ends)))
    cov_names: list[str] = []
    if covariates is not None:
        cov_names = [str(c) for c in covariates.columns]
        grid = grid.merge(covariates, left_on="account_id", right_index=True, how="left")
        missing = grid[cov_names].isna().any(axis=1)
        if missing.any():
            ids = grid.loc[missing, "account_id"].unique()[:20]
            raise ValidationError(
                "covariates: every account needs a value",
                [Issue(f"covariates: account {a}", "missing covariate value") for a in ids],
            )
    if outcome == "churn":
        return hazard_effect(
            grid.assign(live=(grid["month"] >= grid["first_treated"]).astype(int)),
            unit="account_id",
            period="month",
            event="churned",
            treatment="live",
            covariates=cov_names,
            level=level,
        )
    if outcome == "tickets":
        if tickets is None:
            raise DataError("outcome 'tickets' needs the tickets frame")
        _require(tickets, "tickets", ["account_id", "created_at"])
        counts = (
            tickets.assign(month=month_index(tickets["created_at"], "tickets.created_at"))
            .groupby(["account_id", "month"])
            .size()
            .rename("y")
        )
        data = grid.merge(counts, left_on=["account_id", "month"], right_index=True, how="left")
        data["y"] = data["y"].fillna(0.0)
        label = "tickets per account-month"
    elif outcome == "days_to_pay":
        if invoices is None:
            raise DataError("outcome 'days_to_pay' needs the invoices frame")
        _require(invoices, "invoices", ["account_id", "issued_at", "paid_at"])
        issued = pd.to_datetime(invoices["issued_at"], errors="coerce", utc=True)
        paid = pd.to_datetime(invoices["paid_at"], errors="coerce", utc=True)
        days = (paid - issued).dt.total_seconds() / 86400.0
        per_month = (
            pd.DataFrame(
                {
                    "account_id": invoices["account_id"],
                    "month": month_index(invoices["issued_at"], "invoices.issued_at"),
                    "y": days,
                }
            )
            .dropna()
            .groupby(["account_id", "month"])["y"]
            .mean()
        )
        data = grid.merge(per_month, left_on=["account_id", "month"], right_index=True)
        label = "days from invoice to payment"
    else:
        raise DataError(f"unknown outcome {outcome!r}: use tickets, days_to_pay or churn")
    panel = Panel.from_long(
        data,
        unit="account_id",
        period="month",
        outcome="y",
        first_treated="first_treated",
        covariates=cov_names,
        source=outcome,
    )
    panel = Panel(
        panel.units,
        panel.periods,
        panel.y,
        panel.first_treated,
        panel.covariates,
        panel.covariate_names,
        label,
    )
    return staggered_did(panel, control_group=control_group, level=level, unit=label)
