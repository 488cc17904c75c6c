"""Monthly account panels of every impact outcome, built from canonical-table frames.

One pure function, :func:`build_impact_data`, turns the canonical accounts, tickets, invoices,
surveys and orders (pandas frames, read from the store or straight from the simulator) into
the account-month panels the estimators use. The store path and the simulator path share it,
so both give identical estimates.

Conventions (months are integers ``year * 12 + month - 1``):

* The window runs from the first to the last month with any outcome record (tickets,
  invoices, surveys, orders); with ``as_of`` it ends with the last full month before it and
  everything at or after ``as_of`` is ignored (including go-lives and churn).
* An account is observed from the month it was created (or the window start) to the month it
  churned (inclusive) or the window end.
* Count outcomes (``tickets``, ``order_value``) are summed per full customer month (zero when
  none; the months an account joined or churned in are left out, being partial); the go-live
  month is the first treated month (it is partly live).
* Mean outcomes (``days_to_pay``, ``csat``, ``nps``) are averaged per account-month with records;
  the go-live month counts as treated only if one of its records came at or after go-live
  (e.g. an invoice issued on the 1st before a mid-month go-live is untreated).
* Churn rows are account-months at risk; a month is "live" when it starts at or after go-live.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

from portalroi.errors import DataError, Issue, ValidationError
from portalroi.impact.did import SeMethod
from portalroi.impact.frames import account_months, month_index

__all__ = ["ImpactData", "OutcomePanel", "build_impact_data", "month_label", "to_utc_naive"]

Kind = Literal["count", "mean"]

_NEEDED: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "created_at", "portal_live_at", "churned_at"),
    "tickets": ("account_id", "created_at"),
    "invoices": ("account_id", "issued_at", "paid_at"),
    "surveys": ("account_id", "ts", "kind", "score"),
    "orders": ("account_id", "ts", "amount"),
}
_TIME: dict[str, str] = {
    "tickets": "created_at",
    "invoices": "issued_at",
    "surveys": "ts",
    "orders": "ts",
}


def month_label(month: float) -> str:
    """``"YYYY-MM"`` of an integer month index.

    Examples
    --------
    >>> month_label(24288)
    '2024-01'
    """
    m = int(month)
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def to_utc_naive(values: pd.Series, name: str) -> pd.Series:
    """Timestamps as UTC without a time zone (naive values are taken to be UTC).

    Examples
    --------
    >>> to_utc_naive(pd.Series(["2024-01-01T10:00:00+02:00"]), "x").iloc[0]
    Timestamp('2024-01-01 08:00:00')
    """
    ts = pd.to_datetime(values, errors="coerce", utc=True)
    bad = values.notna() & ts.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:20]
        raise ValidationError(
            f"{name}: unreadable timestamps",
            [Issue(f"{name}: row {r}", "not a timestamp", values.iloc[r]) for r in rows],
        )
    return ts.dt.tz_localize(None).astype("datetime64[us]")


@dataclass(frozen=True)
class OutcomePanel:
    """Long account-month data of one outcome: ``account_id, month, y, first_treated``.

    ``covariate`` (count outcomes) is each account's pre-launch mean of the outcome, used by
    the outcome-regression DiD because count outcomes scale with the account's own level.
    ``months_per_period`` > 1 (NPS: quarters, as answers are sparse) means ``month`` and
    ``first_treated`` hold period indices ``month // months_per_period``.
    ``se_method`` is the difference-in-differences standard error of the overall effect:
    ``"jackknife"`` for order value, whose skewed account-month sums made the analytic
    intervals too short in simulation (:func:`portalroi.impact.did.jackknife_se`).
    """

    name: str
    unit: str
    kind: Kind
    data: pd.DataFrame
    covariate: pd.Series | None = None
    months_per_period: int = 1
    se_method: SeMethod = "analytic"


@dataclass(frozen=True)
class ImpactData:
    """Everything the estimators need, built by :func:`build_impact_data`."""

    first_month: int
    last_month: int
    launch_month: float
    accounts: pd.DataFrame
    grid: pd.DataFrame
    outcomes: dict[str, OutcomePanel]
    churn_covariates: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)


def _check(frames: Mapping[str, pd.DataFrame]) -> None:
    issues: list[Issue] = []
    if "accounts" not in frames:
        raise DataError("the accounts table is required to estimate the portal's impact")
    for name, cols in _NEEDED.items():
        if name in frames:
            issues += [
                Issue(f"{name}: column {c}", "required column is missing")
                for c in cols
                if c not in frames[name].columns
            ]
    if issues:
        raise ValidationError("impact: missing columns", issues)


def _month_start(month: pd.Series) -> pd.Series:
    m = month.astype(np.int64)
    return pd.to_datetime({"year": m // 12, "month": m % 12 + 1, "day": 1}).astype("datetime64[us]")


def _accounts(raw: pd.DataFrame, as_of: datetime | None) -> pd.DataFrame:
    acc = pd.DataFrame({"account_id": raw["account_id"].astype(str)})
    for c in ("created_at", "portal_live_at", "churned_at"):
        acc[c] = to_utc_naive(raw[c], f"accounts.{c}").to_numpy()
    if as_of is not None:
        acc = acc[acc["created_at"].isna() | (acc["created_at"] < as_of)].copy()
        for c in ("portal_live_at", "churned_at"):
            acc.loc[acc[c] >= as_of, c] = pd.NaT
    if acc["account_id"].duplicated().any():
        dup = acc.loc[acc["account_id"].duplicated(), "account_id"].unique()[:20]
        raise ValidationError(
            "accounts: duplicate account_id",
            [Issue(f"accounts: account {a}", "duplicate account_id") for a in dup],
        )
    # A go-live recorded after the account churned never reached it.
    acc.loc[acc["portal_live_at"] > acc["churned_at"], "portal_live_at"] = pd.NaT
    acc["go_live_month"] = month_index(acc["portal_live_at"], "accounts.portal_live_at")
    for c in ("segment", "employees"):
        if c in raw.columns:
            acc[c] = raw.loc[acc.index, c].to_numpy()
    return acc.reset_index(drop=True)


def _records(
    frames: Mapping[str, pd.DataFrame], name: str, as_of: datetime | None, known: pd.Index
) -> pd.DataFrame | None:
    if name not in frames or frames[name].empty:
        return None
    raw = frames[name]
    out = pd.DataFrame({"account_id": raw["account_id"].astype(str).to_numpy()})
    extra = ["csat"] if name == "tickets" and "csat" in raw.columns else []
    for c in [*_NEEDED[name][1:], *extra]:
        if c in (_TIME[name], "paid_at"):
            out[c] = to_utc_naive(raw[c], f"{name}.{c}").to_numpy()
        else:
            out[c] = raw[c].to_numpy()
    t = _TIME[name]
    out = out[out[t].notna() & out["account_id"].isin(known)]
    if as_of is not None:
        out = out[out[t] < as_of]
        if name == "invoices":
            out.loc[out["paid_at"] >= as_of, "paid_at"] = pd.NaT
    out = out.assign(month=month_index(out[t], f"{name}.{t}"))
    return out.reset_index(drop=True)


def _first_treated_mean(records: pd.DataFrame, acc: pd.DataFrame, t: str, grain: int) -> pd.Series:
    """Go-live period, or the period after when the go-live period has records and none of
    them is live (they are then untreated, and that period is the base of the comparison).

    An account with no record in its go-live period keeps it as first treated period: that
    period is not observed either way, and the period before it is the account's last
    untreated one. Moving it on would make the empty go-live period the account's base, and
    the account would drop out of every comparison (on a tiny simulated store 22 of 34
    adopters lost their NPS this way).
    """
    live_at = records["account_id"].map(acc.set_index("account_id")["portal_live_at"])
    gl = acc.set_index("account_id")["go_live_month"] // grain
    in_gl = records[records["month"] == records["account_id"].map(gl)]
    has_live = gl.index.isin(in_gl.loc[in_gl[t] >= live_at[in_gl.index], "account_id"].unique())
    has_any = gl.index.isin(in_gl["account_id"].unique())
    return pd.Series(np.where(has_live | ~has_any | gl.isna(), gl, gl + 1), index=gl.index)


def _pre_level(panel: pd.DataFrame, launch: float) -> pd.Series:
    """Per account: mean outcome before the launch, else before its own go-live (all months
    for a never-live account), else the overall mean."""
    before_launch = panel[panel["month"] < launch].groupby("account_id")["y"].mean()
    untreated = panel["first_treated"].isna() | (panel["month"] < panel["first_treated"])
    before_own = panel[untreated].groupby("account_id")["y"].mean()
    level = before_launch.combine_first(before_own)
    ids = panel["account_id"].unique()
    level = level.reindex(ids)
    return level.fillna(level.mean() if level.notna().any() else 0.0)


def build_impact_data(
    frames: Mapping[str, pd.DataFrame], as_of: datetime | str | None = None
) -> ImpactData:
    """Monthly panels of every outcome the frames support (see the module docstring).

    Parameters
    ----------
    frames : canonical tables by name; ``accounts`` is required, the others are optional.
    as_of : ignore everything at or after this time; the last month is the last full month
        before it.

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": ["a", "b"], "created_at": ["2024-01-01"] * 2,
    ...     "portal_live_at": ["2024-02-10", None], "churned_at": [None, None]})
    >>> tk = pd.DataFrame({"account_id": ["a", "b", "a"],
    ...     "created_at": ["2024-01-03", "2024-01-05", "2024-03-09"]})
    >>> d = build_impact_data({"accounts": acc, "tickets": tk})
    >>> d.outcomes["tickets"].data["y"].tolist()
    [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    """
    _check(frames)
    cut = None if as_of is None else pd.Timestamp(as_of).tz_localize(None).to_pydatetime()
    acc = _accounts(frames["accounts"], cut)
    known = pd.Index(acc["account_id"])
    recs = {
        n: _records(frames, n, cut, known) for n in ("tickets", "invoices", "surveys", "orders")
    }
    months = [r["month"] for r in recs.values() if r is not None and len(r)]
    if not months:
        raise DataError("no tickets, invoices, surveys or orders to measure the impact on")
    first = int(min(m.min() for m in months))
    last = int(max(m.max() for m in months))
    if cut is not None:
        last = min(last, int(month_index(pd.Series([cut]))[0]) - 1)
    if last <= first:
        raise DataError("the data cover less than two months")
    start = pd.Timestamp(month_label(first) + "-01")
    created = acc["created_at"].fillna(start)
    clipped = acc.assign(created_at=created.where(created >= start, start))
    clipped = clipped[clipped["churned_at"].isna() | (clipped["churned_at"] >= start)]
    grid = account_months(clipped, end_month=float(last))
    grid = grid[grid["month"] >= first].reset_index(drop=True)
    live_at = grid["account_id"].map(acc.set_index("account_id")["portal_live_at"])
    grid["live"] = (_month_start(grid["month"]) >= live_at).astype(int)
    # A customer for the whole month: counts in the month an account joined or left cover
    # part of it only, and joining and leaving are related to going live and to its effect.
    by_id = clipped.set_index("account_id")
    joined = grid["account_id"].map(by_id["created_at"])
    left = grid["account_id"].map(by_id["churned_at"])
    full = (_month_start(grid["month"]) >= joined) & (
        left.isna() | (_month_start(grid["month"] + 1) <= left)
    )
    launch = float(acc["go_live_month"].min()) if acc["go_live_month"].notna().any() else np.nan
    gl = acc.set_index("account_id")["go_live_month"]
    outcomes: dict[str, OutcomePanel] = {}
    skipped: dict[str, str] = {}

    def count_panel(
        name: str, unit: str, rec: pd.DataFrame, value: str | None, se: SeMethod = "analytic"
    ) -> None:
        rec = rec[rec["month"] <= last]
        agg = (
            rec.groupby(["account_id", "month"]).size()
            if value is None
            else (rec.groupby(["account_id", "month"])[value].sum())
        )
        data = grid.loc[full, ["account_id", "month"]].merge(
            agg.rename("y").astype(float),
            left_on=["account_id", "month"],
            right_index=True,
            how="left",
        )
        data["y"] = data["y"].fillna(0.0)
        data["first_treated"] = data["account_id"].map(gl)
        outcomes[name] = OutcomePanel(
            name, unit, "count", data, _pre_level(data, launch), se_method=se
        )

    def mean_panel(
        name: str, unit: str, rec: pd.DataFrame, t: str, y: pd.Series, grain: int = 1
    ) -> None:
        rec = rec.assign(y=y.to_numpy())
        rec = rec[rec["y"].notna() & (rec["month"] <= last)]
        rec = rec.assign(month=rec["month"] // grain)
        if rec.empty:
            skipped[name] = f"no {name} records in the window"
            return
        cells = rec.groupby(["account_id", "month"])["y"].mean()
        at_risk = grid[["account_id"]].assign(month=grid["month"] // grain).drop_duplicates()
        data = at_risk.merge(cells.rename("y"), left_on=["account_id", "month"], right_index=True)
        ft = _first_treated_mean(rec, acc, t, grain)
        data["first_treated"] = data["account_id"].map(ft)
        data = data.reset_index(drop=True)
        outcomes[name] = OutcomePanel(name, unit, "mean", data, months_per_period=grain)

    tickets, invoices, surveys, orders = (
        recs[n] for n in ("tickets", "invoices", "surveys", "orders")
    )
    if tickets is None:
        skipped["tickets"] = "no tickets table"
    else:
        count_panel("tickets", "tickets per account-month", tickets, None)
    if invoices is None:
        skipped["days_to_pay"] = "no invoices table"
    else:
        paid = invoices[invoices["paid_at"].notna()]
        days = (paid["paid_at"] - paid["issued_at"]).dt.total_seconds() / 86400.0
        # The slow payers among recent invoices are not paid yet: leave out issue months
        # closer to the window end than the 99th percentile of days to pay.
        horizon = float(np.nanpercentile(days, 99)) if len(days) else 0.0
        end = _month_start(pd.Series([last + 1])).iloc[0]
        paid = paid[paid["issued_at"] <= end - pd.Timedelta(days=horizon)]
        mean_panel(
            "days_to_pay", "days from invoice to payment", paid, "issued_at", days.loc[paid.index]
        )
    if tickets is not None and "csat" in tickets.columns and tickets["csat"].notna().any():
        score = pd.to_numeric(tickets["csat"], errors="coerce")
        mean_panel("csat", "CSAT points (1-5)", tickets, "created_at", score)
    elif surveys is not None and (surveys["kind"] == "csat").any():
        csat = surveys[surveys["kind"] == "csat"]
        mean_panel("csat", "CSAT points (1-5)", csat, "ts", pd.to_numeric(csat["score"]))
    else:
        skipped["csat"] = "no CSAT scores (tickets.csat or surveys of kind csat)"
    if surveys is not None and (surveys["kind"] == "nps").any():
        nps = surveys[surveys["kind"] == "nps"]
        score = pd.to_numeric(nps["score"], errors="coerce")
        # Mean of +100 (promoter, 9-10), 0 (passive), -100 (detractor, 0-6) is the NPS.
        points = pd.Series(np.where(score >= 9, 100.0, np.where(score <= 6, -100.0, 0.0)))
        # Quarterly periods: an account answers a few times a year at most, so monthly cells
        # would rarely hold both a go-live base period and a later answer.
        values = points.where(score.notna().to_numpy())
        mean_panel("nps", "NPS points", nps, "ts", values, grain=3)
    else:
        skipped["nps"] = "no NPS answers (surveys of kind nps)"
    if orders is None:
        skipped["order_value"] = "no orders table"
    else:
        count_panel("order_value", "order value per account-month", orders, "amount", "jackknife")
    return ImpactData(
        first, last, launch, acc, grid, outcomes, _churn_covariates(acc, outcomes), skipped
    )


def _churn_covariates(acc: pd.DataFrame, outcomes: dict[str, OutcomePanel]) -> pd.DataFrame:
    """Pre-treatment account traits that predict both churn and early adoption (standardised).

    Segment dummies and log employees (size) when the accounts table has them; the pre-launch
    ticket rate (log), mean days to pay and NPS: healthier accounts file fewer tickets, pay
    faster and recommend more, and they also go live first.
    """
    cov = pd.DataFrame(index=pd.Index(acc["account_id"], name="account_id"))
    if "segment" in acc.columns:
        seg = acc["segment"].astype("string").fillna("unknown")
        dummies = pd.get_dummies(seg, prefix="segment", dtype=float, drop_first=True)
        for c in dummies.columns:
            cov[str(c)] = dummies[c].to_numpy()
    if "employees" in acc.columns:
        emp = pd.to_numeric(acc["employees"], errors="coerce")
        cov["log_employees"] = np.log(emp.clip(lower=1)).to_numpy()
    if "tickets" in outcomes and outcomes["tickets"].covariate is not None:
        cov["log_pre_tickets"] = np.log1p(outcomes["tickets"].covariate.reindex(cov.index))
    if "days_to_pay" in outcomes:
        launch = acc["go_live_month"].min()
        pre = _pre_level(outcomes["days_to_pay"].data, launch if pd.notna(launch) else np.inf)
        cov["pre_days_to_pay"] = pre.reindex(cov.index)
    if "nps" in outcomes:
        launch = acc["go_live_month"].min() // 3
        pre = _pre_level(outcomes["nps"].data, launch if pd.notna(launch) else np.inf)
        cov["pre_nps"] = pre.reindex(cov.index)
    cov = cov.astype(float)
    cov = cov.fillna(cov.mean()).fillna(0.0)
    spread = cov.std(ddof=0)
    cov = cov.loc[:, spread > 0]
    return (cov - cov.mean()) / cov.std(ddof=0)
