"""Matched DiD and matching on hand-written cases whose answers are written out."""

from __future__ import annotations

import pandas as pd
import pytest

from portalroi.interventions import match_controls, matched_did


def _case() -> tuple[pd.DataFrame, pd.DataFrame]:
    # episode 0: A goes 10 -> 14 (+4); controls C (+1) and D (+1): DiD +3
    # episode 1: B goes 4 -> 6 (+2); control C again, 3 -> 3 (0): DiD +2
    # episode 2: A again later, 12 -> 11 (-1); control E 7 -> 9 (+2): DiD -3
    treated = pd.DataFrame(
        {
            "episode": [0, 1, 2],
            "account_id": ["A", "B", "A"],
            "pre": [10.0, 4.0, 12.0],
            "post": [14.0, 6.0, 11.0],
        }
    )
    controls = pd.DataFrame(
        {
            "episode": [0, 0, 1, 2],
            "account_id": ["C", "D", "C", "E"],
            "weight": [0.5, 0.5, 1.0, 1.0],
            "pre": [8.0, 5.0, 3.0, 7.0],
            "post": [9.0, 6.0, 3.0, 9.0],
        }
    )
    return treated, controls


def test_matched_did_hand_case() -> None:
    t, c = _case()
    e = matched_did(t, c, n_boot=500, seed=3)
    assert e.effect == pytest.approx((3 + 2 - 3) / 3)  # 0.6667
    assert e.naive_change == pytest.approx((4 + 2 - 1) / 3)  # 1.6667
    assert e.control_change == pytest.approx((1 + 0 + 2) / 3)  # 1.0
    assert e.treated_pre == pytest.approx(26 / 3)
    assert e.treated_post == pytest.approx(31 / 3)
    # relative: effect / (treated after - effect) = (2/3) / (31/3 - 2/3) = 2 / 29
    assert e.relative_effect == pytest.approx(2 / 29)
    assert e.ci_low is not None
    assert e.ci_high is not None
    assert e.ci_low <= e.effect <= e.ci_high
    assert e.naive_ci_low is not None
    assert e.naive_ci_low <= e.naive_change


def test_bootstrap_is_seeded_and_resamples_accounts() -> None:
    t, c = _case()
    a = matched_did(t, c, n_boot=400, seed=7)
    b = matched_did(t, c, n_boot=400, seed=7)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low is not None
    assert a.ci_high is not None
    assert a.ci_low < a.effect < a.ci_high
    none = matched_did(t, c, n_boot=0)
    assert none.ci_low is None
    assert none.effect == pytest.approx(2 / 3)


def test_match_controls_exact_on_segment_and_anchor_nearest_within_caliper() -> None:
    treated = pd.DataFrame(
        {
            "episode": [0, 1, 2],
            "anchor": ["2024-03-05", "2024-03-05", "2024-04-02"],
            "segment": ["smb", "smb", "smb"],
            "score": [40.0, 90.0, 40.0],
        }
    )
    pool = pd.DataFrame(
        {
            "anchor": ["2024-03-05"] * 5 + ["2024-04-02"],
            "account_id": ["B", "C", "D", "E", "F", "G"],
            "segment": ["smb", "smb", "mid_market", "smb", "smb", "smb"],
            "score": [43.0, 37.0, 40.0, 55.0, 41.0, 60.0],
        }
    )
    m = match_controls(treated, pool, k=2, caliper=10.0)
    # episode 0: F (1 point) and then B or C (3 points each; tie broken by id: B)
    # episode 1: nobody within 10 points of 90; episode 2: G is 20 points away
    assert m.values.tolist() == [[0, "F", 0.5, 1.0], [0, "B", 0.5, 3.0]]
    wide = match_controls(treated, pool, k=5, caliper=25.0)
    assert sorted(wide[wide["episode"] == 0]["account_id"]) == ["B", "C", "E", "F"]
    assert wide[wide["episode"] == 2]["account_id"].tolist() == ["G"]
    assert 1 not in set(wide["episode"])
