"""First-contact resolution: a hand-written case history and the simulator's true FCR flags."""

from __future__ import annotations

import pandas as pd
import pytest
from analytics_sim import SimStore

from portalroi.analytics import detect_fcr, fcr_agreement
from portalroi.analytics._frames import load_tickets
from portalroi.analytics.simcheck import align_truth
from portalroi.errors import ConfigError, DataError
from portalroi.store import Store


def history() -> pd.DataFrame:
    day = pd.Timestamp("2024-03-01")
    rows = [
        # id, account, user, created (days), resolved?, replies, reopens, category
        ("T1", "A", "u1", 0, True, 1, 0, "billing"),  # followed by T2 after 6 days -> not FCR
        ("T2", "A", "u1", 6, True, 1, 0, "billing"),  # FCR
        ("T3", "A", "u1", 20, True, 1, 0, "billing"),  # 14 days after T2: not a follow-up; FCR
        ("T4", "A", "u2", 21, True, 1, 0, "billing"),  # other user: T3 stays FCR (by user)
        ("T5", "B", "u3", 0, True, 2, 0, "access"),  # two agent replies -> not FCR
        ("T6", "B", "u3", 1, True, 1, 1, "access"),  # reopened -> not FCR
        ("T7", "B", "u3", 2, False, 1, 0, "orders"),  # never resolved -> not FCR
        ("T8", "B", "u3", 3, True, 0, 0, "users"),  # automated, no agent reply -> FCR
        ("T9", "B", None, 4, True, 1, 0, "users"),  # no user: account B; T8 -> account? no
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "ticket_id",
            "account_id",
            "user_id",
            "d",
            "ok",
            "agent_replies",
            "reopens",
            "category",
        ],
    )
    frame["created_at"] = day + pd.to_timedelta(frame["d"], unit="D")
    frame["resolved_at"] = frame["created_at"].where(frame["ok"]) + pd.Timedelta(hours=2)
    return frame.drop(columns=["d", "ok"])


def test_hand_written_history_by_user() -> None:
    got = detect_fcr(history()).set_index("ticket_id")
    assert got["fcr"].to_dict() == {
        "T1": False,
        "T2": True,
        "T3": True,
        "T4": True,
        "T5": False,
        "T6": False,
        "T7": False,
        "T8": True,
        "T9": True,
    }
    assert got.loc["T1", "follow_up"]
    assert not got.loc["T5", "one_touch"]
    assert not got.loc["T6", "no_reopen"]
    assert not got.loc["T7", "resolved"]


def test_by_account_and_window() -> None:
    by_account = detect_fcr(history(), by="account").set_index("ticket_id")["fcr"]
    assert not by_account["T3"]  # T4 (same account, billing) came one day later
    assert not by_account["T8"]  # T9 (same account, users) came one day later
    wide = detect_fcr(history(), window_days=14).set_index("ticket_id")["fcr"]
    assert not wide["T2"]  # T3 is exactly 14 days later: inside a 14-day window
    zero = detect_fcr(history(), window_days=0).set_index("ticket_id")["fcr"]
    assert zero["T1"]


def test_agreement_figures_by_hand() -> None:
    a = fcr_agreement([True, True, True, False, False], [True, True, False, False, True])
    assert a.precision == pytest.approx(2 / 3)
    assert a.recall == pytest.approx(2 / 3)
    assert a.agreement == pytest.approx(3 / 5)
    # kappa = (0.6 - pe) / (1 - pe), pe = 0.6*0.6 + 0.4*0.4 = 0.52
    assert a.kappa == pytest.approx((0.6 - 0.52) / 0.48)


def test_bad_input_is_named() -> None:
    with pytest.raises(DataError, match="reopens"):
        detect_fcr(history().drop(columns=["reopens"]))
    with pytest.raises(ConfigError, match="window_days"):
        detect_fcr(history(), window_days=-1)
    with pytest.raises(DataError, match="topics has 2 values"):
        detect_fcr(history(), topics=[1, 2])


def test_detection_agrees_with_simulator_truth(sim_store: SimStore) -> None:
    with Store(sim_store.db, read_only=True) as store:
        tickets = load_tickets(store)
    detected = detect_fcr(tickets)
    truth = align_truth(detected["ticket_id"], sim_store.truth)
    a = fcr_agreement(detected["fcr"], truth["true_fcr"])
    # measured on this data set: precision 1.00, recall 0.82, agreement 0.87, kappa 0.70.
    # The simulator gives 15 % of true first-contact cases a second reply, which caps recall.
    assert a.precision > 0.97
    assert a.recall > 0.75
    assert a.agreement > 0.82
    assert a.kappa > 0.6
    # a naive "every resolved case" rule agrees far less
    naive = fcr_agreement(tickets["resolved_at"].notna(), truth["true_fcr"])
    assert naive.kappa < a.kappa - 0.5
