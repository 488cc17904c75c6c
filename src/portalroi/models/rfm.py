"""Recency-frequency-monetary summary of raw transactions, the input of BG/NBD and Gamma-Gamma."""

from __future__ import annotations

from typing import Any

import pandas as pd

from portalroi.errors import Issue, SchemaError, ValidationError

__all__ = ["summary_from_transactions"]


def summary_from_transactions(
    transactions: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None = None,
    *,
    observation_end: Any = None,
    unit_days: float = 1.0,
    decimals: int | None = None,
) -> pd.DataFrame:
    """One row per customer: ``frequency``, ``recency``, ``T`` (and ``monetary_value``).

    Conventions (those of Fader, Hardie & Lee 2005 and of the CDNOW benchmark files):

    * a purchase occasion is a calendar day (UTC; times with an offset are converted): several
      transactions of a customer on one day count once, with their amounts summed;
    * ``frequency`` = number of purchase days after the first (repeat purchases);
    * ``recency`` = time from the first to the last purchase day; ``T`` = time from the first
      purchase day to ``observation_end`` (inclusive; later transactions are ignored, default: the
      last transaction date), both in units of ``unit_days`` days (7 for weeks);
    * ``monetary_value`` = mean amount of the repeat purchase days (0 when ``frequency`` is 0).

    Parameters
    ----------
    transactions
        One row per transaction (e.g. the canonical ``orders`` table).
    customer, date, amount
        Column names: customer id, transaction time (datetime-like), and optionally value.
    observation_end
        End of the calibration period (anything :func:`pandas.Timestamp` accepts).
    unit_days
        Length of the time unit in days.
    decimals
        Round recency and T to this many decimals (None: no rounding).

    Examples
    --------
    >>> tx = pd.DataFrame({"c": ["a", "a", "a", "b"],
    ...                    "d": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-10"]),
    ...                    "v": [10.0, 20.0, 40.0, 5.0]})
    >>> out = summary_from_transactions(tx, "c", "d", "v", observation_end="2024-01-22", unit_days=7)
    >>> out.loc["a"].tolist()  # frequency, recency, T (weeks), mean repeat spend
    [2.0, 2.0, 3.0, 30.0]
    >>> round(float(out.loc["b", "T"]), 4)
    1.7143
    """
    missing = [c for c in (customer, date, amount) if c is not None and c not in transactions]
    if missing:
        raise SchemaError(
            f"transactions: missing column(s) {missing}; present: {list(transactions.columns)}"
        )
    if not unit_days > 0:
        raise ValueError("unit_days must be > 0")
    frame = pd.DataFrame({"customer": transactions[customer]})
    # times with an offset are converted to UTC, and days are UTC days (as the store keeps them)
    parsed = pd.to_datetime(transactions[date], errors="coerce", utc=True).dt.tz_localize(None)
    frame["day"] = parsed.dt.normalize()
    frame["amount"] = (
        0.0 if amount is None else pd.to_numeric(transactions[amount], errors="coerce")
    )
    issues = [
        Issue(f"row {i}, column {col}", why, transactions.iloc[i][col])
        for col, why, bad in (
            (date, "not a date", frame["day"].isna()),
            (customer, "missing customer", frame["customer"].isna()),
            *([(amount, "not a number", frame["amount"].isna())] if amount is not None else []),
        )
        for i in [int(j) for j, flag in enumerate(bad.to_numpy()) if flag][:20]
    ]
    if issues:
        raise ValidationError("transactions: cannot summarise", issues)
    end = frame["day"].max() if observation_end is None else pd.Timestamp(observation_end)
    if end.tzinfo is not None:
        end = end.tz_convert("UTC").tz_localize(None)
    frame = frame[frame["day"] <= end]
    days = frame.groupby(["customer", "day"], as_index=False, sort=True)["amount"].sum()
    first = days.groupby("customer")["day"].transform("min")
    grouped = days.groupby("customer")
    unit = pd.Timedelta(days=unit_days)
    out = pd.DataFrame(
        {
            "frequency": grouped.size() - 1,
            "recency": (grouped["day"].max() - grouped["day"].min()) / unit,
            "T": (end - grouped["day"].min()) / unit,
        }
    )
    if amount is not None:
        repeat = days[days["day"] > first]
        out["monetary_value"] = repeat.groupby("customer")["amount"].mean().reindex(out.index)
        out["monetary_value"] = out["monetary_value"].fillna(0.0)
    if decimals is not None:
        out[["recency", "T"]] = out[["recency", "T"]].round(decimals)
    out.index.name = customer
    return out
