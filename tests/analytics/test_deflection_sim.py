"""Deflection simulation: hand-computed case, the business-case engine, the simulator's truth."""

from __future__ import annotations

import pandas as pd
import pytest
from analytics_sim import SimStore

from portalroi.analytics import simulate_deflection, topic_report
from portalroi.analytics._frames import load_articles, load_searches, load_tickets
from portalroi.analytics.simcheck import deflection_vs_truth
from portalroi.businesscase import evaluate, example_inputs
from portalroi.businesscase.inputs import parse_inputs
from portalroi.errors import ConfigError, DataError
from portalroi.store import Store

GROUPS = pd.DataFrame({"topic": [0, 1, 2], "name": ["password", "invoice", "api"]})


def hand_tickets() -> pd.DataFrame:
    # the first and the last ticket are exactly two average months (2 x 30.4375 days) apart
    start = pd.Timestamp("2024-01-01")
    span = pd.Timedelta(days=2 * 365.25 / 12)
    rows = (
        [(0, 4.0)] * 40  # password: 40 tickets, 4 each -> 20 a month
        + [(1, 10.0)] * 20  # invoice: 20 tickets, 10 each -> 10 a month
        + [(2, None)] * 10  # api: 10 tickets, no cost recorded -> 5 a month
        + [(-1, 1.0)] * 10  # no group
    )
    frame = pd.DataFrame(rows, columns=["topic", "cost"])
    frame["created_at"] = [start + span * i / (len(frame) - 1) for i in range(len(frame))]
    return frame


def test_hand_computed_volumes_and_savings() -> None:
    sim = simulate_deflection(hand_tickets(), GROUPS, top=3, window_months=6)
    t = sim.table.set_index("name")
    assert t.index.tolist() == ["password", "invoice", "api"]
    assert t["tickets_per_month"].tolist() == pytest.approx([20.0, 10.0, 5.0])
    assert t["deflected_per_month"].tolist() == pytest.approx([5.0, 2.5, 1.25])  # 25 % default
    assert t["cost_per_ticket"].tolist() == pytest.approx([4.0, 10.0, 10.0])  # api: $10 default
    assert t["cost_source"].tolist() == ["observed", "observed", "default"]
    # yearly: 5*4*12 + 2.5*10*12 + 1.25*10*12 = 240 + 300 + 150
    assert sim.yearly_saving == pytest.approx(690.0)
    assert sim.tickets_per_month == pytest.approx(40.0)  # 80 tickets over 2 months
    assert sim.deflected_share == pytest.approx(8.75 / 40)


def test_rank_by_cost_per_group_shares_and_top() -> None:
    by_cost = simulate_deflection(hand_tickets(), GROUPS, top=1, rank_by="cost")
    assert by_cost.table["name"].tolist() == ["invoice"]  # 200 of cost vs 160
    shares = simulate_deflection(hand_tickets(), GROUPS, top=2, share={1: 0.6})
    assert shares.table["deflectable_share"].tolist() == [0.25, 0.6]
    flat = simulate_deflection(hand_tickets(), GROUPS, top=2, share=0.4, cost_per_ticket=2.0)
    assert flat.yearly_saving == pytest.approx((20 + 10) * 0.4 * 2.0 * 12)


def test_business_case_engine_prices_the_same_saving() -> None:
    sim = simulate_deflection(hand_tickets(), GROUPS, top=3)
    line = sim.business_case_line()
    data = example_inputs().model_dump(mode="json", exclude_none=True)
    data["benefits"]["deflection"] = {**line, "risk_adjustment": 0.0}
    result = evaluate(parse_inputs(data))
    deflection = next(r for r in result.lines if r.id == "deflection")
    assert deflection.yearly_value[0] == pytest.approx(sim.yearly_saving)


def test_bad_input_is_named() -> None:
    with pytest.raises(ConfigError, match="top"):
        simulate_deflection(hand_tickets(), GROUPS, top=0)
    with pytest.raises(ConfigError, match="share of 1"):
        simulate_deflection(hand_tickets(), GROUPS, share={1: 1.5})
    with pytest.raises(DataError, match="topic"):
        simulate_deflection(hand_tickets().drop(columns=["topic"]), GROUPS)


@pytest.mark.slow
def test_simulation_from_pre_portal_history_matches_simulator_truth(sim_store: SimStore) -> None:
    with Store(sim_store.db, read_only=True) as store:
        tickets, articles = load_tickets(store), load_articles(store)
        searches = load_searches(store)
    history = tickets[tickets["created_at"] < sim_store.first_go_live]
    report = topic_report(history, articles, searches)
    every = simulate_deflection(report.tickets, report.groups, top=len(report.groups))
    check = deflection_vs_truth(every, report.tickets, sim_store.truth)
    # measured: predicted 25.0 % of tickets, truth-implied 25.7 %, realised 25.8 %
    assert check.predicted_share == pytest.approx(0.25)
    assert check.truth_share == pytest.approx(check.predicted_share, abs=0.03)
    assert check.truth_realised_share == pytest.approx(check.predicted_share, abs=0.03)
    top5 = deflection_vs_truth(
        simulate_deflection(report.tickets, report.groups, top=5), report.tickets, sim_store.truth
    )
    # measured: 32.1 predicted vs 35.4 truth-implied tickets a month. The top groups are mostly
    # topics with articles, which the simulator deflects more often than the 25 % average.
    assert top5.predicted_per_month == pytest.approx(top5.truth_per_month, rel=0.2)
    assert top5.predicted_per_month < top5.truth_per_month
