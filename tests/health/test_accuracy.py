"""Accuracy of stored scores: hand-written cases, scikit-learn as oracle, closed windows only."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from portalroi.health.accuracy import (
    accuracy_by_month,
    auc,
    average_precision,
    calibration_deciles,
    month_accuracy,
    scored_outcomes,
)
from portalroi.health.history import ensure_table
from portalroi.store import Store


def test_hand_written_case() -> None:
    # y: 0 0 1 1 ; p: .1 .4 .35 .8. Pairs (churner > stayer): (.35>.1), (.8>.1), (.8>.4) = 3 of 4.
    y, p = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert auc(y, p) == 0.75
    # Thresholds .8 (P=1, R=.5), .4 (P=.5, R=.5), .35 (P=2/3, R=1), .1: AP = .5*1 + .5*2/3.
    assert average_precision(y, p) == pytest.approx(0.5 + 0.5 * 2 / 3)
    # Ties count half: churner 0.5 vs stayer 0.5 -> 0.5; churner 0.5 vs stayer 0.1 -> 1.
    assert auc([1, 0, 0], [0.5, 0.5, 0.1]) == 0.75
    # One threshold holding both rows of a tie: precision 1/2 at recall 1.
    assert average_precision([1, 0], [0.5, 0.5]) == 0.5
    assert auc([0, 0], [0.1, 0.2]) is None
    assert average_precision([0, 0], [0.1, 0.2]) is None


def test_month_accuracy_hand_written() -> None:
    # 10 accounts, 2 churned (rows 8 and 9). Model ranks row 9 highest, row 8 third.
    y = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    risk = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.30, 0.20, 0.50]
    health = [90, 85, 80, 75, 70, 65, 60, 55, 35, None]
    band = ["healthy"] * 5 + ["neutral"] * 3 + ["at_risk", "unknown"]
    m = month_accuracy("2024-01", 180, y, risk, health, band)
    assert (m.n, m.churned) == (10, 2)
    # Churners 0.20 and 0.50 vs 8 stayers: 0.50 beats all 8, 0.20 beats 7 of 8 -> 15/16.
    assert m.model is not None
    assert m.model.roc_auc == 15 / 16
    # Top decile = 1 row (0.50, a churner).
    assert m.model.top_decile_precision == 1.0
    # Brier: sum of squares / 10.
    sq = sum((p - t) ** 2 for p, t in zip(risk, y, strict=True))
    assert m.model.brier == pytest.approx(sq / 10)
    # Baseline: risk 1 - score/100, missing score 0.5: churners 0.65 and 0.5 beat every stayer
    # (stayers' baseline risks 0.10 ... 0.45) -> AUC 1.
    assert m.health_score.roc_auc == 1.0
    # at_risk band holds one account (row 8, churned).
    assert (m.at_risk_n, m.at_risk_precision) == (1, 1.0)
    # Calibration deciles of 10 rows are the rows themselves: ECE = mean |p - y|.
    ece = sum(abs(p - t) for p, t in zip(risk, y, strict=True)) / 10
    assert m.model.ece == pytest.approx(ece)
    assert any(w.startswith("small sample") for w in m.warnings)


def test_calibration_deciles_hand_written() -> None:
    cal = calibration_deciles([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.9], groups=3)
    assert cal.to_dict("records") == [
        {"decile": 1, "n": 2, "predicted": 0.15, "observed": 0.0},
        {"decile": 2, "n": 2, "predicted": 0.35, "observed": 0.5},
        {"decile": 3, "n": 2, "predicted": 0.7, "observed": 1.0},
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 20)),  # coarse scores make many ties
        min_size=2,
        max_size=60,
    )
)
def test_metrics_match_scikit_learn(rows: list[tuple[int, int]]) -> None:
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] / 20 for r in rows])
    if y.min() == y.max():
        assert auc(y, p) is None
        return
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p))
    assert average_precision(y, p) == pytest.approx(average_precision_score(y, p))
    m = month_accuracy("m", 180, y, p, np.full(len(y), 50.0), ["neutral"] * len(y))
    assert m.model is not None
    assert m.model.brier == pytest.approx(brier_score_loss(y, p))


def _insert(store: Store, rows: list[tuple[str, str, float | None, float, str]]) -> None:
    ensure_table(store)
    for score_date, account, risk, health, band in rows:
        store.con.execute(
            "INSERT INTO risk_scores VALUES (?, ?, ?, ?, ?, 'm1', 180, '2024-01-01')",
            [score_date, account, risk, health, band],
        )


def test_accuracy_by_month_on_a_hand_built_store(store: Store) -> None:
    store.con.execute(
        """INSERT INTO accounts (account_id, org_id, created_at, churned_at) VALUES
        ('A', 'o1', '2022-01-01', '2023-03-01'),  -- churns 59 days after the January score
        ('B', 'o1', '2022-01-01', NULL),
        ('C', 'o2', '2022-01-01', '2023-12-01'),  -- churns after the January window (180 d)
        ('D', 'o2', '2022-01-01', NULL)"""
    )
    _insert(
        store,
        [
            ("2023-01-01", "A", 0.6, 30.0, "at_risk"),
            ("2023-01-01", "B", 0.1, 80.0, "healthy"),
            ("2023-01-01", "C", 0.3, 60.0, "neutral"),
            ("2023-01-01", "D", 0.2, 75.0, "healthy"),
            # A score whose window (to 2023-12-28) is not closed by 2023-12-01: left out.
            ("2023-07-01", "B", 0.2, 70.0, "healthy"),
        ],
    )
    until = datetime(2023, 12, 1)
    report = accuracy_by_month(store, known_until=until)
    assert [m.month for m in report.months] == ["2023-01"]
    jan = report.months[0]
    assert (jan.n, jan.churned) == (4, 1)  # only A churned inside [2023-01-01, 2023-06-30)
    assert jan.model is not None
    assert jan.model.roc_auc == 1.0
    assert jan.at_risk_precision == 1.0
    # Scoped to organisation o2's accounts: C and D, neither churned in the window.
    scoped = accuracy_by_month(store, accounts=["C", "D"], known_until=until)
    assert scoped.months[0].n == 2
    assert scoped.months[0].model is not None
    assert scoped.months[0].model.roc_auc is None
    assert any("one outcome only" in w for w in scoped.months[0].warnings)
    # By mid-2024 July's window has closed too; C's churn stays outside its January window.
    later = scored_outcomes(store, known_until="2024-06-01")
    assert later[["account_id", "churned"]].values.tolist() == [
        ["A", 1],
        ["B", 0],
        ["C", 0],
        ["D", 0],
        ["B", 0],
    ]


def test_empty_store_has_no_months(store: Store) -> None:
    assert accuracy_by_month(store).months == []
