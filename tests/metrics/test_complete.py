"""Counts are 0, not missing, for periods and groups without activity (hand-written timeline).

The timeline is ``metrics_tiny``'s: A1 and A2 are active in January and February 2024, A3
(created 2024-01-01) never; the last event is on 2024-02-20. Sessions per account, worked out
by hand: A1 January s1 s2 s4 s5 s6 (5), February s7 s9 (2); A2 January s3 (1), February s8
s10 (2). Each case runs on DuckDB and on Spark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from metrics_fixtures import spark_backend_fixture, tiny_store_fixture
from metrics_tiny import load_duckdb

from portalroi.metrics import compute
from portalroi.store import Store

__all__ = ["spark_backend_fixture", "tiny_store_fixture"]

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.slow)]


@pytest.fixture(params=ENGINES)
def source(request: pytest.FixtureRequest, tiny_store: Store) -> Any:
    if request.param == "spark":
        return request.getfixturevalue("spark_backend")
    return tiny_store


def _rows(df: pd.DataFrame, *cols: str) -> list[tuple[Any, ...]]:
    out = df[list(cols)].copy()
    for c in cols:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    return sorted(out.itertuples(index=False, name=None))


def test_monthly_count_by_account_lists_every_customer_and_month(source: Any) -> None:
    df = compute(source, "sessions", by="account", start="2024-01-01", end="2024-03-31")
    assert _rows(df, "account", "month", "sessions", "value") == [
        ("A1", "2024-01-01", 5, 5),
        ("A1", "2024-02-01", 2, 2),
        ("A1", "2024-03-01", 0, 0),
        ("A2", "2024-01-01", 1, 1),
        ("A2", "2024-02-01", 2, 2),
        ("A2", "2024-03-01", 0, 0),
        ("A3", "2024-01-01", 0, 0),
        ("A3", "2024-02-01", 0, 0),
        ("A3", "2024-03-01", 0, 0),
    ]
    assert str(df["sessions"].dtype) == "int64"


def test_a_range_after_the_data_gives_zeros_not_nothing(source: Any) -> None:
    # nothing in 2024-04 nor in the 29 days before it that MAU reads (the last event: 02-20)
    mau = compute(source, "mau", start="2024-04-01", end="2024-04-03")
    assert _rows(mau, "day", "dau", "wau", "mau", "value") == [
        ("2024-04-01", 0, 0, 0, 0),
        ("2024-04-02", 0, 0, 0, 0),
        ("2024-04-03", 0, 0, 0, 0),
    ]
    sticky = compute(source, "stickiness", start="2024-04-01", end="2024-04-02")
    assert list(sticky["mau"]) == [0, 0]
    assert sticky["value"].isna().all()  # 0 / 0: no value
    volume = compute(source, "search_volume", start="2024-03-01", end="2024-04-30")
    assert _rows(volume, "month", "value") == [("2024-03-01", 0), ("2024-04-01", 0)]


def test_rolling_split_adds_the_silent_groups_only(source: Any) -> None:
    df = compute(source, "mau", by="account")
    # A1 and A2 keep their rows from their first active day (01-10, 01-12) to 02-20;
    # A3, never active, is 0 on each of the result's 42 days
    assert df.groupby("account").size().to_dict() == {"A1": 42, "A2": 40, "A3": 42}
    a3 = df[df.account == "A3"]
    assert (a3[["dau", "wau", "mau", "value"]] == 0).all().all()
    assert a3["day"].min() == pd.Timestamp("2024-01-10")
    roles = compute(source, "mau", by="role", start="2024-04-01", end="2024-04-01")
    assert _rows(roles, "role", "mau") == [("admin", 0), ("end_user", 0)]


def test_ratios_and_counts_with_a_further_key_are_not_filled(source: Any) -> None:
    # a ratio without a denominator has no value; ticket volume is keyed by channel too
    logins = compute(source, "login_frequency", by="account")
    assert set(logins["account"]) == {"A1", "A2"}
    tickets = compute(source, "ticket_volume", start="2024-04-01", end="2024-04-30")
    assert tickets.empty


@pytest.fixture
def churned(tmp_path: Path) -> Iterator[Store]:
    """The timeline plus A4, created after February, and A5, churned before January."""
    with Store(tmp_path / "churned.duckdb") as store:
        load_duckdb(store.con)
        store.con.execute(
            "INSERT INTO accounts (account_id, segment, created_at, churned_at) VALUES "
            "('A4', 'enterprise', '2024-03-05', NULL), "
            "('A5', 'mid_market', '2023-01-01', '2023-12-15')"
        )
        yield store


def test_only_accounts_that_were_customers_in_the_range(churned: Store) -> None:
    df = compute(churned, "search_volume", by="account", start="2024-01-01", end="2024-02-29")
    assert sorted(set(df["account"])) == ["A1", "A2", "A3"]
    later = compute(churned, "search_volume", by="account", start="2024-03-01", end="2024-03-31")
    assert sorted(set(later["account"])) == ["A1", "A2", "A3", "A4"]
    whole = compute(churned, "search_volume", by="account")
    assert sorted(set(whole["account"])) == ["A1", "A2", "A3", "A4", "A5"]
    # in late December only A2 (enterprise, created 2023-12-01) was a customer: A1 (smb) and
    # A3 (mid_market) came on 2024-01-01, A5 (mid_market) left on 2023-12-15
    seg = compute(churned, "search_volume", by="segment", start="2023-12-20", end="2023-12-31")
    assert _rows(seg, "segment", "month", "value") == [("enterprise", "2023-12-01", 0)]
