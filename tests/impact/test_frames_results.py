"""Panels from canonical-shaped frames, the typed result, the plot spec and module doctests."""

from __future__ import annotations

import doctest
import importlib
import json

import numpy as np
import pandas as pd
import pytest
from impact_panels import churn_rows
from threadpoolctl import threadpool_limits

import portalroi.impact as impact
from portalroi.errors import ValidationError
from portalroi.impact import estimate_from_frames, event_study_frame, event_study_spec

ACCOUNTS = pd.DataFrame(
    {
        "account_id": [1, 2, 3],
        "created_at": ["2024-01-01T00:00:00Z"] * 3,
        "portal_live_at": ["2024-03-15T09:00:00Z", None, None],
        "churned_at": [None, None, None],
    }
)


def test_days_to_pay_by_hand():
    invoices = pd.DataFrame(
        {
            "account_id": [1, 1, 1, 2, 2, 3, 3, 3],
            "issued_at": [
                "2024-02-01", "2024-03-01", "2024-03-05", "2024-02-01",
                "2024-03-01", "2024-02-01", "2024-03-01", "2024-03-02",
            ],
            "paid_at": [
                "2024-03-02", "2024-03-21", "2024-03-29", "2024-03-12",
                "2024-04-12", "2024-03-07", "2024-04-07", None,
            ],
        }
    )  # fmt: skip
    # Account 1: Feb 30 days, Mar (20 + 24) / 2 = 22 -> -8. Controls: 40 -> 42 and 35 -> 37
    # (the unpaid invoice is left out) -> +2. Effect: -10 days. Account 4, a twin of 1, makes
    # two adopters (one alone gives no standard error: staggered_did refuses it).
    accounts = pd.concat([ACCOUNTS, ACCOUNTS.iloc[[0]].assign(account_id=4)], ignore_index=True)
    twin = invoices[invoices["account_id"] == 1].assign(account_id=4)
    est = estimate_from_frames("days_to_pay", accounts, invoices=pd.concat([invoices, twin]))
    assert est.estimate == pytest.approx(-10.0)
    assert est.unit == "days from invoice to payment"
    assert (est.n_treated, est.n_control) == (2, 2)


def test_tickets_with_churned_account_and_event_study():
    accounts = ACCOUNTS.assign(churned_at=[None, None, "2024-02-20"])
    accounts = pd.concat([accounts, ACCOUNTS.iloc[[1]].assign(account_id=4)], ignore_index=True)
    # account 5, a twin of the adopter 1 (one adopter alone gives no standard error)
    accounts = pd.concat([accounts, ACCOUNTS.iloc[[0]].assign(account_id=5)], ignore_index=True)
    tickets = pd.DataFrame(
        {
            "account_id": [1, 1, 1, 1, 2, 2, 3, 4],
            "created_at": [
                "2024-01-03", "2024-02-03", "2024-02-09", "2024-02-19",
                "2024-03-01", "2024-03-02", "2024-02-10", "2024-01-31",
            ],
        }
    )  # fmt: skip
    tickets = pd.concat([tickets, tickets[tickets["account_id"] == 1].assign(account_id=5)])
    # Base Feb -> Mar. Accounts 1 and 5: 3 -> 0. Controls observed both months: 2 (0 -> 2),
    # 4 (0 -> 0); 3 churned in Feb, so it is not observed in Mar. Effect: -3 - 1 = -4.
    est = estimate_from_frames("tickets", accounts, tickets=tickets)
    assert (est.n_treated, est.n_control) == (2, 2)
    assert est.estimate == pytest.approx(-4.0)
    table = event_study_frame(est)
    assert table["event_time"].tolist() == [-2, -1, 0]
    # Jan -> Feb relative to base: account 1: 1 - 3 = -2; controls 2, 3, 4: 0, -1, 1 -> 0.
    assert table.set_index("event_time").loc[-2, "estimate"] == pytest.approx(-2.0)


@pytest.mark.slow
def test_churn_hazard_from_frames_recovers_truth():
    rows = churn_rows(np.random.default_rng(4), 800, 0.5)
    start = pd.Timestamp("2022-01-01", tz="UTC")
    per_unit = rows.groupby("unit").agg(
        last=("period", "max"), churned=("event", "max"), health=("health", "first")
    )
    live_month = rows[rows["live"] == 1].groupby("unit")["period"].min()
    months = lambda k: start + pd.to_timedelta(31 * k + 3, unit="D")  # noqa: E731
    accounts = pd.DataFrame(
        {
            "account_id": per_unit.index,
            "created_at": start,
            "portal_live_at": months(live_month.reindex(per_unit.index)),
            "churned_at": months(per_unit["last"].where(per_unit["churned"] == 1)),
        }
    )
    with threadpool_limits(1):
        est = estimate_from_frames(
            "churn", accounts, covariates=per_unit[["health"]].rename_axis("account_id")
        )
    assert est.covers(0.5)
    assert est.unit == "hazard ratio"


def test_frames_name_the_bad_input():
    with pytest.raises(ValidationError, match="accounts: column churned_at"):
        estimate_from_frames("tickets", ACCOUNTS.drop(columns=["churned_at"]))
    bad = ACCOUNTS.assign(portal_live_at=["soon", None, None])
    with pytest.raises(ValidationError, match=r"accounts.portal_live_at: row 0.*'soon'"):
        estimate_from_frames(
            "tickets", bad, tickets=pd.DataFrame(columns=["account_id", "created_at"])
        )
    with pytest.raises(ValidationError, match="tickets: column created_at"):
        estimate_from_frames("tickets", ACCOUNTS, tickets=pd.DataFrame({"account_id": [1]}))


def test_result_json_and_vega_lite_spec():
    y = [[1.0, 1.0, 4.0], [1.0, 2.0, 3.0], [2.0, 2.0, 2.5], [0.0, 1.0, 1.5]]
    est = impact.staggered_did(impact.Panel.from_arrays(y, [0, 1, 2], [2, 2, np.inf, np.inf]))
    payload = json.loads(json.dumps(est.to_dict()))
    assert payload["estimate"] == pytest.approx(1.5)
    assert [r["event_time"] for r in payload["event_study"]] == [-2, -1, 0]
    spec = event_study_spec(est)
    assert spec["data"]["values"][2]["estimate"] == pytest.approx(1.5)
    layer_marks = [layer["mark"] for layer in spec["layer"]]
    assert {"type": "point", "filled": True} in layer_marks
    json.dumps(spec)  # a plain, serialisable dict


def test_public_names_sorted_and_importable():
    assert impact.__all__ == sorted(impact.__all__, key=lambda s: (not s.isupper(), s))
    for name in impact.__all__:
        assert getattr(impact, name) is not None


@pytest.mark.parametrize(
    "module",
    ["results", "panel", "did", "pretrend", "comparisons", "its", "survival", "frames", "plot"],
)
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"portalroi.impact.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
