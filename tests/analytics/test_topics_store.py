"""Ticket topics on the store: hand-written cases, agreement with the simulator's true topics."""

from __future__ import annotations

import pandas as pd
import pytest
from analytics_sim import SimStore

from portalroi.analytics import draft_outline, find_ticket_topics, store_topic_report, topic_report
from portalroi.analytics.simcheck import topic_ari
from portalroi.errors import DataError
from portalroi.store import Store

TEXTS = {
    "password": ["Password reset", "Reset my password", "Password reset link expired"],
    "invoice": ["Invoice total wrong", "Wrong invoice total", "Invoice amount wrong"],
}


def hand_tickets() -> pd.DataFrame:
    subjects = TEXTS["password"] * 2 + TEXTS["invoice"] * 2
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(12)],
            "subject": subjects,
            "description": [""] * 12,
            "resolution": ["Sent a reset link."] * 6 + ["Corrected the invoice."] * 6,
            "created_at": pd.date_range("2024-01-01", periods=12, freq="D"),
            # password tickets cost 5 each (30), invoice tickets 15 each (90): cost shares 1/4, 3/4
            "cost": [5.0] * 6 + [15.0] * 6,
        }
    )


def test_hand_written_groups_shares_gaps_and_searches() -> None:
    kb = pd.DataFrame(
        {"article_id": ["kb1"], "title": ["How to reset your password"], "body": ["Reset link"]}
    )
    searches = pd.DataFrame(
        {
            "query": ["wrong invoice", "Invoice wrong?", "password", "vat"],
            "result_count": [0, 0, 3, 0],
        }
    )
    report = topic_report(hand_tickets(), kb, searches, k=2)
    g = report.groups.set_index(report.groups["terms"].str[0])
    assert g.loc["password", "n"] == 6
    assert g.loc["invoice", "n"] == 6
    assert g.loc["password", "share_volume"] == 0.5
    assert g.loc["password", "share_cost"] == pytest.approx(0.25)
    assert g.loc["invoice", "share_cost"] == pytest.approx(0.75)
    assert g.loc["invoice", "cost"] == pytest.approx(90.0)
    assert not g.loc["password", "knowledge_gap"]
    assert g.loc["password", "article_id"] == "kb1"
    assert g.loc["invoice", "knowledge_gap"]
    # 12 tickets over 11 days = 1 month (the minimum span) -> 6 tickets a month per group
    assert g.loc["password", "tickets_per_month"] == pytest.approx(6.0)
    zero = report.zero_results.set_index("key")
    assert zero.loc["invoice wrong", "searches"] == 2
    assert zero.loc["invoice wrong", "variants"] == 2
    assert zero.loc["invoice wrong", "topic"] == g.loc["invoice", "topic"]
    assert zero.loc["vat", "topic"] is None  # "vat" is no term of any group
    assert "password" not in zero.index  # it had results


@pytest.mark.parametrize(("password_cost", "first"), [(5.0, "invoice"), (25.0, "password")])
def test_groups_of_equal_size_come_costliest_first(password_cost: float, first: str) -> None:
    # Two groups of 6: which one NMF numbers 0 is floating-point rounding (equal singular
    # values), so the order must come from the costs, whichever way round they are.
    tickets = hand_tickets().assign(cost=[password_cost] * 6 + [15.0] * 6)
    none = pd.DataFrame(columns=["article_id", "title", "body"])
    report = topic_report(tickets, none, pd.DataFrame(columns=["query", "result_count"]), k=2)
    assert report.groups["terms"].str[0].iloc[0] == first


def test_groups_of_equal_size_without_costs_come_by_name() -> None:
    tickets = hand_tickets().drop(columns="cost")
    none = pd.DataFrame(columns=["article_id", "title", "body"])
    report = topic_report(tickets, none, pd.DataFrame(columns=["query", "result_count"]), k=2)
    assert report.groups["terms"].str[0].tolist() == ["invoice", "password"]


def test_sampled_fit_assigns_every_ticket_like_a_full_fit() -> None:
    texts = hand_tickets()["subject"].tolist() * 10
    full = find_ticket_topics(texts, k=2, max_fit=len(texts))
    sampled = find_ticket_topics(texts, k=2, max_fit=20)
    same = pd.crosstab(full.labels, sampled.labels)
    # a relabelling: each full-fit group maps onto exactly one sampled group
    assert ((same > 0).sum(axis=1) == 1).all()
    assert sampled.groups["n"].sum() == len(texts)


def test_draft_outline_lists_questions_and_resolutions() -> None:
    report = topic_report(
        hand_tickets(),
        pd.DataFrame(columns=["article_id", "title", "body"]),
        pd.DataFrame(columns=["query", "result_count"]),
        k=2,
    )
    topic = int(report.groups.loc[report.groups["terms"].str[0] == "invoice", "topic"].iloc[0])
    text = draft_outline(report, topic)
    assert text.startswith("> **DRAFT** — generated from 6 past tickets")
    assert "1. Corrected the invoice." in text
    assert "Sent a reset link." not in text


def test_too_few_tickets_is_a_clear_error(store: Store) -> None:
    with pytest.raises(DataError, match="need at least 2 tickets"):
        store_topic_report(store)


@pytest.mark.slow
def test_topics_on_simulated_store_agree_with_true_topics(sim_store: SimStore) -> None:
    with Store(sim_store.db, read_only=True) as store:
        report = store_topic_report(store)  # its time: bench/bench_support_analytics.py
        fixed = store_topic_report(store, k=24)  # the simulator's number of topics
    assert len(report.groups) == 30  # default k = choose_k(5000 sampled) capped at 30
    ari, ari24 = (
        topic_ari(report.tickets, sim_store.truth),
        topic_ari(fixed.tickets, sim_store.truth),
    )
    # measured 0.77 and 0.84 on this data set (seed 7); a random grouping scores ~0
    assert ari > 0.65
    assert ari24 > 0.7
    # every knowledge gap the simulator knows about is a group without a matching article
    aligned = sim_store.truth.dropna(subset=["ticket_id"]).set_index("ticket_id")
    major = (
        fixed.tickets.assign(
            covered=aligned.loc[fixed.tickets["ticket_id"], "topic_covered"].values
        )
        .groupby("topic")["covered"]
        .mean()
    )
    gaps = fixed.groups.set_index("topic")["knowledge_gap"]
    agree = ((major > 0.5) == ~gaps.loc[major.index]).mean()
    assert agree >= 0.9
    # zero-result searches are about uncovered topics: most map onto a knowledge-gap group
    zero = fixed.zero_results.dropna(subset=["topic"])
    weights = zero["searches"]
    on_gap = gaps.loc[zero["topic"].astype(int)].to_numpy()
    assert (weights * on_gap).sum() / weights.sum() > 0.7
