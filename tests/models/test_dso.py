"""DSO and receivables metrics: a hand-written ledger, the IBM receivables sample, plain Python."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from portalroi.errors import SchemaError, ValidationError
from portalroi.models.dso import (
    countback_dso,
    payment_behaviour,
    receivables_by_period,
    receivables_outstanding,
)
from shared_paths import shared_data

# A small ledger (2024 is a leap year: February has 29 days).
HAND = pd.DataFrame(
    {
        "invoice_id": ["A", "B", "C", "D", "E"],
        "account_id": ["x", "x", "y", "y", "x"],
        "issued_at": ["2024-01-05", "2024-01-10", "2023-12-15", "2024-01-25", "2024-02-01"],
        "due_at": ["2024-02-04", "2024-02-09", "2024-01-14", "2024-01-30", "2024-03-02"],
        "paid_at": ["2024-01-20", None, "2024-02-03", None, None],
        "amount": [1000.0, 2000.0, 500.0, 1000.0, 200.0],
    }
)


def test_hand_ledger_by_month() -> None:
    out = receivables_by_period(HAND).set_index("period")
    assert out.index.tolist() == ["2023-12", "2024-01", "2024-02"]
    jan, feb = out.loc["2024-01"], out.loc["2024-02"]
    # January: sales A+B+D = 4000; open at Feb 1: B 2000 + C 500 + D 1000 = 3500, of which
    # current (due on/after Feb 1): B 2000. Opening = C 500.
    assert jan["credit_sales"] == 4000.0
    assert jan["closing_receivables"] == 3500.0
    assert jan["closing_current"] == 2000.0
    assert jan["opening_receivables"] == 500.0
    assert jan["dso"] == pytest.approx(27.125)  # 3500 / 4000 * 31
    assert jan["best_possible_dso"] == pytest.approx(15.5)  # 2000 / 4000 * 31
    assert jan["average_days_delinquent"] == pytest.approx(11.625)
    assert jan["cei"] == pytest.approx(40.0)  # (500 + 4000 - 3500) / (500 + 4000 - 2000)
    assert jan["countback_dso"] == pytest.approx(27.125)  # 3500 < Jan sales: 31 * 3500/4000
    # February: sales E 200; open at Mar 1: B 2000 + D 1000 + E 200 = 3200, current E 200.
    assert feb["days"] == 29.0
    assert feb["dso"] == pytest.approx(464.0)  # 3200 / 200 * 29
    assert feb["best_possible_dso"] == pytest.approx(29.0)
    assert feb["average_days_delinquent"] == pytest.approx(435.0)
    assert feb["cei"] == pytest.approx(500 / 3500 * 100)
    assert feb["countback_dso"] == pytest.approx(52.25)  # 29 + 31 * 3000/4000
    assert countback_dso(HAND, "2024-02") == pytest.approx(52.25)
    assert receivables_outstanding(HAND, "2024-02-01") == {
        "total": 3500.0,
        "current": 2000.0,
        "past_due": 1500.0,
    }


def test_hand_ledger_by_account_and_payment_behaviour() -> None:
    by_account = receivables_by_period(HAND, by="account_id").set_index(["account_id", "period"])
    # Account x in January: sales A+B = 3000, open at Feb 1: B 2000 -> 2000/3000*31.
    assert by_account.loc[("x", "2024-01"), "dso"] == pytest.approx(2000 / 3000 * 31)
    # Account y has no sales in February: DSO undefined.
    assert np.isnan(by_account.loc[("y", "2024-02"), "dso"])
    pay = payment_behaviour(HAND).iloc[0]
    # Paid: A in 15 days (on time), C in 50 days (20 days late).
    assert pay["invoices"] == 5
    assert pay["paid_invoices"] == 2
    assert pay["average_days_to_pay"] == pytest.approx(32.5)
    assert pay["weighted_days_to_pay"] == pytest.approx((1000 * 15 + 500 * 50) / 1500)
    assert pay["share_paid_late"] == pytest.approx(0.5)
    assert pay["average_days_late"] == pytest.approx(10.0)
    monthly = payment_behaviour(HAND, freq="M").set_index("period")
    assert monthly.loc["2023-12", "average_days_late"] == pytest.approx(20.0)


def test_bad_invoices_are_named() -> None:
    with pytest.raises(SchemaError, match="missing required column"):
        receivables_by_period(HAND.drop(columns="amount"))
    bad = HAND.assign(
        amount=[1.0, "x", 1.0, 1.0, 1.0],
        paid_at=["2024-01-01", None, None, None, None],
    )
    with pytest.raises(ValidationError) as info:
        payment_behaviour(bad)
    text = str(info.value)
    assert "invoices row 1, column amount: not a number" in text
    assert "invoices row 0, column paid_at: is before issued_at" in text


def test_more_than_one_currency_is_refused() -> None:
    # 100 USD and 1,000 SEK were summed to 1,100 "credit sales"
    usd = HAND.assign(currency="USD")
    assert receivables_by_period(usd)["dso"].tolist() == pytest.approx(
        receivables_by_period(HAND)["dso"].tolist(), nan_ok=True
    )
    mixed = HAND.assign(currency=["USD", "usd", "SEK", "USD", "USD"])
    for call in (
        lambda: receivables_by_period(mixed),
        lambda: payment_behaviour(mixed),
        lambda: countback_dso(mixed, "2024-02"),
        lambda: receivables_outstanding(mixed, "2024-02-01"),
    ):
        with pytest.raises(ValidationError, match=r"more than one currency.*'SEK, USD'"):
            call()


def test_an_instant_with_an_offset_is_read_in_utc() -> None:
    # 00:30 at +02:00 on 1 February is 22:30 UTC on 31 January: the invoice paid at 23:00 UTC
    # is still owed then (it raised TypeError: naive vs aware comparison)
    inv = pd.DataFrame(
        {
            "issued_at": ["2024-01-05"],
            "due_at": ["2024-02-04"],
            "paid_at": ["2024-01-31T23:00:00"],
            "amount": [100.0],
        }
    )
    owed = receivables_outstanding(inv, "2024-02-01T00:30:00+02:00")
    assert owed == {"total": 100.0, "current": 100.0, "past_due": 0.0}
    assert receivables_outstanding(inv, "2024-02-01")["total"] == 0.0


def test_no_invoices_gives_empty_tables() -> None:
    # was AttributeError: 'NaTType' object has no attribute 'to_period'
    out = receivables_by_period(HAND.iloc[:0])
    assert out.empty
    assert list(out.columns) == [*receivables_by_period(HAND).columns]
    by = receivables_by_period(HAND.iloc[:0], by="account_id")
    assert list(by.columns) == [*receivables_by_period(HAND, by="account_id").columns]
    assert "countback_dso" not in receivables_by_period(HAND.iloc[:0], freq="Q").columns


def test_credit_note_nets_against_sales_and_receivables() -> None:
    # January: invoice 1,000 (open, due 2024-02-09) and a credit note of -200 (open): credit
    # sales 800, receivables at 1 Feb 800, DSO = 800 / 800 x 31 = 31 days; February's refund
    # of the rest (a credit note of -800 issued 2024-02-10) leaves nothing owed at 1 March.
    ledger = pd.DataFrame(
        {
            "issued_at": ["2024-01-10", "2024-01-20", "2024-02-10"],
            "due_at": ["2024-02-09", None, None],
            "paid_at": [None, None, None],
            "amount": [1000.0, -200.0, -800.0],
        }
    )
    out = receivables_by_period(ledger).set_index("period")
    assert out.loc["2024-01", ["credit_sales", "closing_receivables", "dso"]].tolist() == [
        800.0,
        800.0,
        31.0,
    ]
    assert out.loc["2024-02", "closing_receivables"] == 0.0
    assert np.isnan(out.loc["2024-02", "dso"])  # no positive sales: no DSO
    assert countback_dso(ledger, "2024-01") == 31.0


# --- IBM accounts receivable sample -----------------------------------------------------------


@pytest.fixture(scope="module")
def ibm_path() -> str:
    return str(shared_data("accounts_receivable_ibm", "WA_Fn-UseC_-Accounts-Receivable.csv"))


@pytest.fixture(scope="module")
def ibm(ibm_path: str) -> pd.DataFrame:
    raw = pd.read_csv(ibm_path)
    frame = pd.DataFrame(
        {
            "invoice_id": raw["invoiceNumber"].astype(str),
            "account_id": raw["customerID"],
            "issued_at": pd.to_datetime(raw["InvoiceDate"], format="%m/%d/%Y"),
            "due_at": pd.to_datetime(raw["DueDate"], format="%m/%d/%Y"),
            "paid_at": pd.to_datetime(raw["SettledDate"], format="%m/%d/%Y"),
            "amount": raw["InvoiceAmount"],
            "disputed": raw["Disputed"].eq("Yes"),
            "delivered_via_portal": raw["PaperlessBill"].eq("Electronic"),
        }
    )
    return frame


@pytest.fixture(scope="module")
def ibm_monthly(ibm: pd.DataFrame) -> pd.DataFrame:
    return receivables_by_period(ibm).set_index("period")


def test_ibm_reference_figures(ibm: pd.DataFrame) -> None:
    overall = payment_behaviour(ibm).iloc[0]
    assert overall["invoices"] == 2466
    assert round(overall["amount"], 2) == 147703.18
    assert round(overall["average_days_to_pay"], 2) == 26.44
    assert round(overall["weighted_days_to_pay"], 2) == 26.70
    assert round(overall["share_paid_late"] * 100, 2) == 35.56
    assert round(overall["average_days_late"], 2) == 3.44
    disputed = payment_behaviour(ibm, by="disputed").set_index("disputed")
    assert round(disputed.loc[True, "average_days_late"], 2) == 8.58
    assert round(disputed.loc[False, "average_days_late"], 2) == 1.93
    portal = payment_behaviour(ibm, by="delivered_via_portal").set_index("delivered_via_portal")
    assert round(portal.loc[False, "average_days_to_pay"], 2) == 29.16
    assert round(portal.loc[True, "average_days_to_pay"], 2) == 23.59


def _plain_python_month_end(path: str, year: int, month: int) -> dict[str, float]:
    """Independent DSO at a month end: csv module, datetime, loops (no portalroi code)."""
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    sales = receivables = current = 0.0
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            issued = datetime.strptime(row["InvoiceDate"], "%m/%d/%Y").date()
            due = datetime.strptime(row["DueDate"], "%m/%d/%Y").date()
            settled = datetime.strptime(row["SettledDate"], "%m/%d/%Y").date()
            amount = float(row["InvoiceAmount"])
            if first <= issued < after:
                sales += amount
            # Still owed at the close of the month's last day?
            last_day = after - timedelta(days=1)
            if issued <= last_day and settled > last_day:
                receivables += amount
                if due > last_day:
                    current += amount
    days = (after - first).days
    return {
        "sales": sales,
        "receivables": receivables,
        "dso": receivables / sales * days,
        "best": current / sales * days,
    }


@pytest.mark.parametrize(
    ("year", "month"), [(2012, 2), (2012, 7), (2013, 1), (2013, 6), (2013, 11)]
)
def test_ibm_month_end_dso_matches_plain_python(
    ibm_monthly: pd.DataFrame, ibm_path: str, year: int, month: int
) -> None:
    expected = _plain_python_month_end(ibm_path, year, month)
    row = ibm_monthly.loc[f"{year}-{month:02d}"]
    assert row["credit_sales"] == pytest.approx(expected["sales"], rel=1e-12)
    assert row["closing_receivables"] == pytest.approx(expected["receivables"], rel=1e-12)
    assert row["dso"] == pytest.approx(expected["dso"], rel=1e-12)
    assert row["best_possible_dso"] == pytest.approx(expected["best"], rel=1e-12)
    # Every IBM invoice is due 30 days after issue, so month-end DSO sits near the 26-27 days to pay.
    assert 20 < row["dso"] < 35
