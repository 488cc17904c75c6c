"""Stored risk scores on a simulated store: point-in-time models, idempotence, no peeking."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from portalroi.health.accuracy import accuracy_by_month
from portalroi.health.features import MODEL_FEATURES, account_features
from portalroi.health.history import SCORE_ONLY, backfill, record_scores, scores
from portalroi.health.model_store import latest_model, load_model, refit, saved_models
from portalroi.health.score import score_accounts
from portalroi.store import Store

D1 = "2024-01-01"


@pytest.fixture
def rw_store(sim_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A writable copy of the simulated store (tests change its data)."""
    path = tmp_path / "rw.duckdb"
    shutil.copy(sim_db, path)
    with Store(path) as store:
        yield store


def test_record_scores_stores_point_in_time_scores_once(rw_store: Store) -> None:
    n = record_scores(rw_store, D1)
    stored = scores(rw_store, score_date=D1)
    feats = account_features(rw_store, D1)
    assert n == len(stored) == len(feats) > 0
    # The model was fitted and saved as of D1: it saw no outcome after D1.
    (version,) = stored["model_version"].unique()
    saved = load_model(rw_store, version)
    assert saved.trained_until == datetime(2024, 1, 1)
    # Independent recomputation: the saved model on D1's features, the score on the same.
    expected = pd.Series(
        saved.model.predict_proba(feats[list(MODEL_FEATURES)]), index=feats.index
    ).sort_index()
    got = stored.set_index("account_id").sort_index()
    assert got["risk"].to_numpy() == pytest.approx(expected.to_numpy())
    health = score_accounts(feats).sort_index()
    assert got["health_score"].to_numpy() == pytest.approx(health["score"].to_numpy(), nan_ok=True)
    assert got["band"].tolist() == health["band"].tolist()
    # Idempotent: nothing new, nothing rewritten, no second model.
    assert record_scores(rw_store, D1) == 0
    pd.testing.assert_frame_equal(scores(rw_store, score_date=D1), stored)
    assert len(saved_models(rw_store)) == 1


@pytest.mark.slow
def test_later_data_never_changes_earlier_scores(rw_store: Store) -> None:
    """Issue 8 acceptance: change later outcomes and data; earlier stored scores stay."""
    record_scores(rw_store, D1)
    before = scores(rw_store, score_date=D1)
    report = accuracy_by_month(rw_store, known_until="2024-07-01")
    (jan,) = report.months
    # Change what happened after D1: a survivor churns in March, a churner's date moves past
    # the window, and a flood of portal events lands after D1.
    outcomes = rw_store.con.execute(
        "SELECT account_id, churned_at FROM accounts WHERE account_id IN "
        f"({', '.join('?' * len(before))})",
        before["account_id"].tolist(),
    ).df()
    survivor = outcomes[outcomes["churned_at"].isna()]["account_id"].iloc[0]
    window_churners = outcomes[
        (outcomes["churned_at"] >= pd.Timestamp(D1))
        & (outcomes["churned_at"] < pd.Timestamp(D1) + timedelta(days=180))
    ]["account_id"].tolist()
    assert window_churners, "the simulated store must have churners in the window"
    moved = window_churners[0]
    rw_store.con.execute(
        "UPDATE accounts SET churned_at = '2024-03-01' WHERE account_id = ?", [survivor]
    )
    rw_store.con.execute(
        "UPDATE accounts SET churned_at = '2024-12-01' WHERE account_id = ?", [moved]
    )
    rw_store.con.execute(
        "INSERT INTO events (event_id, ts, account_id, event_type) "
        "SELECT 'late-' || i, TIMESTAMP '2024-02-01' + i * INTERVAL 1 MINUTE, ?, 'login' "
        "FROM range(500) t(i)",
        [survivor],
    )
    # Recording again (the same day, the same saved model) stores nothing and changes nothing.
    assert record_scores(rw_store, D1) == 0
    pd.testing.assert_frame_equal(scores(rw_store, score_date=D1), before)
    # A model refitted now is a new version; the D1 history still uses the one trained by D1.
    refit(rw_store, "2024-12-01")
    pd.testing.assert_frame_equal(scores(rw_store, score_date=D1), before)
    latest = latest_model(rw_store, D1)
    assert latest is not None
    assert latest.trained_until <= datetime(2024, 1, 1)
    # The accuracy table judges the same stored scores against the outcomes known now.
    (jan_now,) = accuracy_by_month(rw_store, known_until="2024-07-01").months
    assert jan_now.n == jan.n
    assert jan_now.churned == jan.churned  # one churner added, one moved out of the window
    truth = rw_store.con.execute(
        "SELECT account_id FROM accounts WHERE churned_at >= ? AND churned_at < ?",
        [D1, datetime(2024, 1, 1) + timedelta(days=180)],
    ).df()["account_id"]
    assert survivor in set(truth)
    assert moved not in set(truth)
    assert jan_now.model is not None
    assert jan.model is not None
    assert jan_now.model.roc_auc != jan.model.roc_auc


@pytest.mark.slow
def test_backfill_uses_only_models_trained_by_each_date(rw_store: Store) -> None:
    counts = backfill(rw_store, "2023-01-01", "2024-01-01", step_days=120)
    assert list(counts) == ["2023-01-01", "2023-05-01", "2023-08-29", "2023-12-27"]
    stored = scores(rw_store)
    assert sorted(stored["score_date"].astype(str).unique()) == list(counts)
    models = saved_models(rw_store).set_index("model_version")
    used = stored[stored["model_version"] != SCORE_ONLY]
    assert not used.empty
    trained = pd.to_datetime(used["model_version"].map(models["trained_until"]))
    # Each score date got its own model, trained on outcomes known by that date.
    assert (trained == pd.to_datetime(used["score_date"])).all()
    # Reusing models: a second backfill over new dates picks the newest model trained by each.
    again = backfill(rw_store, "2024-02-01", "2024-02-01", reuse_models=True)
    assert again == {"2024-02-01": len(account_features(rw_store, "2024-02-01"))}
    feb = scores(rw_store, score_date="2024-02-01")
    assert feb["model_version"].unique().tolist() == [
        models.index[pd.to_datetime(models["trained_until"]) == datetime(2023, 12, 27)][0]
    ]
