"""Every simulated table fits the canonical data model exactly."""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc
import pytest

from portalroi.schema import TABLE_NAMES, TABLES
from portalroi.sim import SimResult
from portalroi.sim._arrow import arrow_schema


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_table_has_canonical_columns_types_and_values(tiny: SimResult, name: str) -> None:
    tbl = tiny.arrow[name]
    spec = TABLES[name]
    assert tbl.schema.equals(arrow_schema(name))
    assert tbl.num_rows > 0
    frame = tiny.tables[name]
    assert tuple(frame.columns) == spec.column_names
    assert frame[spec.key].is_unique
    for col in spec.columns:
        values = frame[col.name]
        if col.required:
            assert values.notna().all(), f"{name}.{col.name} has nulls"
        present = values.dropna()
        if col.allowed is not None:
            assert set(present) <= set(col.allowed), f"{name}.{col.name}"
        if col.minimum is not None:
            assert (present >= col.minimum).all(), f"{name}.{col.name} below minimum"
        if col.maximum is not None:
            assert (present <= col.maximum).all(), f"{name}.{col.name} above maximum"
    for early, late in spec.ordered:
        both = frame[[early, late]].dropna()
        assert (both[late] >= both[early]).all(), f"{name}: {late} before {early}"


def test_times_inside_period_and_references_resolve(tiny: SimResult) -> None:
    t = tiny.tables
    lo, hi = "2022-01-01", "2025-01-01"
    for name, col in (
        ("events", "ts"),
        ("tickets", "created_at"),
        ("invoices", "issued_at"),
        ("orders", "ts"),
        ("surveys", "ts"),
    ):
        assert t[name][col].min() >= pd.Timestamp(lo)
        assert t[name][col].max() < pd.Timestamp(hi)
    accounts = set(t["accounts"]["account_id"])
    users = set(t["users"]["user_id"])
    for name in ("users", "events", "tickets", "invoices", "surveys", "orders"):
        assert set(t[name]["account_id"]) <= accounts, name
    for name in ("events", "tickets", "surveys", "orders"):
        assert set(t[name]["user_id"].dropna()) <= users, name
    assert set(t["events"]["article_id"].dropna()) <= set(t["articles"]["article_id"])
    csat = t["surveys"][t["surveys"]["kind"] == "csat"]
    assert set(csat["ticket_id"]) <= set(t["tickets"]["ticket_id"])
    assert (csat["score"].between(1, 5)).all()
    nps = t["surveys"][t["surveys"]["kind"] == "nps"]
    assert len(nps) > 0
    assert nps["score"].between(0, 10).all()


def test_events_only_after_go_live_and_before_churn(tiny: SimResult) -> None:
    ev = tiny.tables["events"].merge(tiny.tables["accounts"], on="account_id")
    assert ev["portal_live_at"].notna().all()
    assert (ev["ts"] >= ev["portal_live_at"]).all()
    churned = ev["churned_at"].notna()
    assert (ev.loc[churned, "ts"] < ev.loc[churned, "churned_at"]).all()


def test_every_seed_action_appears(tiny: SimResult) -> None:
    types = set(tiny.tables["events"]["event_type"])
    wanted = {
        "login",
        "page_view",
        "search",
        "search_click",
        "article_view",
        "ticket_created",
        "ticket_viewed",
        "self_service_resolved",
        "order_placed",
        "order_tracked",
        "invoice_view",
        "invoice_download",
        "payment",
        "payment_method_change",
        "subscription_change",
        "feature_use",
        "report_export",
        "settings_change",
    }
    assert wanted <= types, wanted - types
    ev = tiny.arrow["events"]
    search = ev.filter(pc.equal(ev["event_type"], "search"))
    assert search["query"].null_count == 0
    assert pc.sum(pc.equal(search["result_count"], 0)).as_py() > 0  # zero-result searches
    placed = ev.filter(pc.equal(ev["event_type"], "order_placed")).to_pandas()
    orders = tiny.tables["orders"]
    portal = orders[orders["channel"] == "portal"].set_index("order_id")
    assert set(placed["object_id"]) <= set(portal.index)
    assert placed["amount"].to_numpy() == pytest.approx(
        portal.loc[placed["object_id"], "amount"].to_numpy()
    )
    created = ev.filter(pc.equal(ev["event_type"], "ticket_created")).to_pandas()
    tickets = tiny.tables["tickets"].set_index("ticket_id")
    assert (tickets.loc[created["object_id"], "channel"] == "portal").all()


def test_zero_result_searches_concentrate_on_knowledge_gaps(tiny: SimResult) -> None:
    from portalroi.sim.topics import TOPICS

    gap_queries = {q for t in TOPICS if not t.covered for q in t.queries}
    search = tiny.tables["events"].query("event_type == 'search'")
    zero = search["result_count"] == 0
    on_gap = search["query"].isin(gap_queries)
    assert zero[on_gap].mean() > 0.6
    assert zero[~on_gap].mean() < 0.15
    covered_categories = {t.key for t in TOPICS if t.covered}
    assert 0 < len(covered_categories) < len(TOPICS)
