"""ROI facts for a subset of accounts equal the facts of a store holding only those accounts."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from portalroi.errors import DataError
from portalroi.roi import measure_facts
from portalroi.roi.facts import subset_store
from portalroi.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, tiny_demo_db: Path) -> Path:
    db = tmp_path_factory.mktemp("scoped") / "s.duckdb"
    shutil.copy(tiny_demo_db, db)
    return db


def _only(demo: Path, tmp: Path, keep_sql: str, cost_share: float) -> Store:
    """A file copy of the store with every other account's rows deleted (independent of
    subset_store: DELETE on a copy instead of INSERT ... SELECT into a fresh store)."""
    db = tmp / "only.duckdb"
    shutil.copy(demo, db)
    store = Store(db)
    keep = f"(SELECT account_id FROM accounts WHERE {keep_sql})"
    for table in ("users", "events", "tickets", "invoices", "surveys", "orders"):
        store.con.execute(f"DELETE FROM {table} WHERE account_id NOT IN {keep}")
    store.con.execute(f"DELETE FROM accounts WHERE NOT ({keep_sql})")
    store.con.execute("UPDATE costs SET amount = amount * ?", [cost_share])
    return store


@pytest.mark.parametrize("segment", ["smb", "enterprise"])
def test_scoped_facts_equal_facts_of_a_store_with_only_those_accounts(
    demo: Path, tmp_path: Path, segment: str
) -> None:
    with Store(demo) as store:
        ids = [
            r[0]
            for r in store.con.execute(
                "SELECT account_id FROM accounts WHERE segment = ?", [segment]
            ).fetchall()
        ]
        whole = measure_facts(store)
        scoped = measure_facts(store, accounts=ids, cost_share=0.25)
    assert 0 < len(ids) < 60
    with _only(demo, tmp_path, f"segment = '{segment}'", 0.25) as only:
        expected = measure_facts(only)
    for f in dataclasses.fields(expected):
        got, want = getattr(scoped, f.name), getattr(expected, f.name)
        if isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-12), f.name
        else:
            assert got == want, f.name
    # The scope really changed the figures (a check that cannot pass by ignoring the scope).
    assert scoped.customers < whole.customers
    assert sum(scoped.monthly_costs) == pytest.approx(0.25 * sum(whole.monthly_costs))


def test_subset_store_copies_rows_and_checks_the_cost_share(demo: Path) -> None:
    with Store(demo) as store:
        sub = subset_store(store, ["no-such-account"])
        assert sub.con.execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert (
            sub.con.execute("SELECT count(*) FROM articles").fetchone()
            == store.con.execute("SELECT count(*) FROM articles").fetchone()
        )
        with pytest.raises(DataError, match="cost_share"):
            subset_store(store, [], cost_share=1.5)


def test_currency_comes_from_the_data_then_the_setting(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Costs name the currency first; without costs and invoices the tickets' currency counts;
    with no currency anywhere the ``currency`` setting does (never a hard-coded USD)."""
    from portalroi.settings import get_settings

    db = tmp_path / "cur.duckdb"
    shutil.copy(demo, db)
    with Store(db) as store:
        store.con.execute("UPDATE costs SET currency = 'SEK'")
        assert measure_facts(store).currency == "SEK"
        store.con.execute("DELETE FROM costs")
        store.con.execute("DELETE FROM invoices")
        store.con.execute("UPDATE tickets SET currency = 'EUR'")
        assert measure_facts(store).currency == "EUR"
        for table in ("tickets", "orders", "accounts"):
            store.con.execute(f"UPDATE {table} SET currency = NULL")
        monkeypatch.setenv("PORTALROI_CURRENCY", "NOK")
        assert get_settings().currency == "NOK"
        assert measure_facts(store).currency == "NOK"


def test_figures_per_month_and_year_divide_by_the_months_the_data_cover(
    demo: Path, tmp_path: Path
) -> None:
    """With six months of tickets, invoices and costs, tickets and billing per month are the
    six months' totals / 6 and the pre-filled yearly costs their spend × 12 / 6; dividing by 12
    halved them (a first ROI check soon after launch has less than a year of costs)."""
    import yaml

    from portalroi.roi import prefill_inputs

    db = tmp_path / "young.duckdb"
    shutil.copy(demo, db)
    with Store(db) as store:
        last = store.con.execute("SELECT max(created_at) FROM tickets").fetchone()[0]
        first = (last.year * 12 + last.month - 1) - 5
        cut = f"{first // 12:04d}-{first % 12 + 1:02d}-01"
        for table, col in [
            ("tickets", "created_at"),
            ("invoices", "issued_at"),
            ("events", "ts"),
            ("orders", "ts"),
            ("surveys", "ts"),
        ]:
            store.con.execute(f"DELETE FROM {table} WHERE {col} < ?::TIMESTAMP", [cut])
        store.con.execute("DELETE FROM costs WHERE date < ?::DATE", [cut])
        tickets, billing = store.con.execute(
            "SELECT (SELECT count(*) FROM tickets), (SELECT sum(amount) FROM invoices)"
        ).fetchone()
        licence = store.con.execute(
            "SELECT sum(amount) FROM costs WHERE category = 'licence'"
        ).fetchone()[0]
        facts = measure_facts(store)
        made = prefill_inputs(store)
    assert facts.months[-1] == f"{last:%Y-%m}"
    assert facts.tickets_per_month == pytest.approx(tickets / 6)
    assert facts.billing_per_month == pytest.approx(billing / 6)
    assert facts.sources["tickets_per_month"].endswith(f"{cut[:7]} to {last:%Y-%m}, / 6")
    assert licence > 0
    costs = yaml.safe_load(made.text)["costs"]
    assert costs["licence"]["basis"] == "annual"
    assert costs["licence"]["amount"] == pytest.approx(licence * 12 / 6, abs=0.01)
