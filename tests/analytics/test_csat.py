"""Predicted CSAT: sentiment, recovery of a known rule, held-out error on the simulator's tickets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analytics_sim import SimStore

from portalroi.analytics import CsatModel, evaluate_csat, sentiment, ticket_features
from portalroi.analytics._frames import load_tickets
from portalroi.errors import ConfigError, DataError
from portalroi.store import Store


def test_sentiment_signs_and_neutral_text() -> None:
    pos, neg, neutral = sentiment(["Thank you, great and fast help", "Terrible, still broken", ""])
    assert pos > 0.5
    assert neg < -0.5
    assert neutral == 0.0


def test_account_prior_uses_only_earlier_answers() -> None:
    t = pd.DataFrame(
        {
            "account_id": ["A", "A", "A", "B"],
            "created_at": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-01"]),
            "csat": [1.0, 5.0, np.nan, 2.0],
        }
    )
    f = ticket_features(t)
    # A: 01-01 (5) has nothing before it; 01-02 and 01-03 see only the 5 of 01-01
    assert np.isnan(f["account_prior_csat"].iloc[1])
    assert np.isnan(f["account_prior_csat"].iloc[3])
    assert f["account_prior_csat"].iloc[2] == 5.0
    assert f["account_prior_csat"].iloc[0] == 5.0
    assert f["account_prior_surveys"].tolist() == [1.0, 0.0, 1.0, 0.0]


def test_recovers_a_linear_rule() -> None:
    rng = np.random.default_rng(3)
    n = 600
    t = pd.DataFrame(
        {
            "reopens": rng.integers(0, 3, n),
            "escalated": rng.random(n) < 0.3,
            "subject": "",
            "description": "",
            "created_at": pd.date_range("2024-01-01", periods=n, freq="h"),
        }
    )
    t["csat"] = 4.6 - 0.8 * t["reopens"] - 0.5 * t["escalated"]
    model = CsatModel().fit(t)
    new = pd.DataFrame({"reopens": [0, 2], "escalated": [False, True]})
    assert model.predict(new) == pytest.approx([4.6, 2.5], abs=0.05)
    e = evaluate_csat(t)
    assert e.mae < 0.05 < e.baseline_mae


def test_bad_input_is_named() -> None:
    t = pd.DataFrame({"csat": [6.0] + [3.0] * 30, "subject": "", "description": ""})
    with pytest.raises(DataError, match=r"csat outside 1-5 in row\(s\) 0"):
        CsatModel().fit(t)
    with pytest.raises(DataError, match="at least 20 surveyed"):
        CsatModel().fit(t.head(5).assign(csat=3.0))
    with pytest.raises(ConfigError, match="not fitted"):
        CsatModel().predict(t)
    with pytest.raises(ConfigError, match="unknown CsatModel setting"):
        CsatModel({"depth": 3}).fit(t.assign(csat=3.0))


def test_beats_the_mean_baseline_on_held_out_simulated_tickets(sim_store: SimStore) -> None:
    with Store(sim_store.db, read_only=True) as store:
        tickets = load_tickets(store)
    e = evaluate_csat(tickets)
    # measured on this data set: RMSE 0.775 vs 0.844; MAE 0.637 vs 0.652;
    # per-account mean MAE 0.170 vs 0.335 (86 accounts with >= 5 held-out answers).
    # Per-ticket MAE is not asserted: on the demo data (seed 42) it is 0.651 vs 0.631, as a
    # least-squares estimate of a 1-5 answer is not what minimises absolute error.
    assert e.n_test > 1000
    assert e.rmse < e.baseline_rmse - 0.04
    assert e.account_mae < 0.7 * e.account_baseline_mae
    predicted = CsatModel().fit(tickets).predict_unsurveyed(tickets)
    assert len(predicted) == int(tickets["csat"].isna().sum())
    assert predicted["predicted_csat"].between(1, 5).all()
