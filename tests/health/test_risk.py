"""Churn risk on a simulated store: backtest mechanics, no look-ahead, faithful explanations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sklearn.metrics import roc_auc_score

from portalroi.health.features import account_features
from portalroi.health.risk import backtest, churn_risk, fit_risk_model
from portalroi.health.score import score_accounts, score_reasons
from portalroi.models.churn_eval import evaluate
from portalroi.store import Store


def test_backtest_trains_only_on_the_past_and_scores_both(sim_store: Store) -> None:
    bt = backtest(sim_store, horizon_days=180, test_snapshots=3)
    assert all(s + timedelta(days=180) <= bt.cutoff for s in bt.train_snapshots)
    assert bt.test_snapshots[0] == bt.cutoff
    assert len(bt.test_snapshots) == 3
    preds = bt.predictions
    # Independent recomputation of the reported figures with scikit-learn / evaluate().
    assert bt.model.roc_auc == pytest.approx(roc_auc_score(preds["churned"], preds["model_risk"]))
    assert bt.score.roc_auc == pytest.approx(roc_auc_score(preds["churned"], preds["score_risk"]))
    assert bt.model.n == len(preds)
    assert 0 < preds["churned"].sum() < len(preds)
    # Labels: churned within 180 days of the snapshot, from the accounts table.
    churned = (
        sim_store.con.execute(
            "SELECT account_id, churned_at FROM accounts WHERE churned_at IS NOT NULL"
        )
        .df()
        .set_index("account_id")["churned_at"]
    )
    for row in preds.sample(40, random_state=0).itertuples():
        when = churned.get(row.account_id)
        truth = when is not None and row.as_of <= when < row.as_of + timedelta(days=180)
        assert row.churned == int(truth)
    d = bt.as_dict()
    assert d["n_test"] == len(preds)
    assert d["fit_seconds"] < 60
    assert evaluate(preds["churned"], preds["model_risk"]).brier == pytest.approx(bt.model.brier)


@pytest.fixture(scope="module")
def fitted(sim_db):  # type: ignore[no-untyped-def]
    with Store(sim_db, read_only=True) as store:
        model = fit_risk_model(store, "2024-06-01")
        feats = account_features(store, "2024-06-01")
    return model, feats


def _one_account(feats, model=None):  # type: ignore[no-untyped-def]
    # A healthy live account with usage data: when one of its signals turns bad, that signal
    # must become the reason. Among the fifth with the best score, take the one the model
    # rates least at risk, so no other signal already dominates either explanation.
    live = feats[(feats["portal_live"] == 1) & feats["usage_trend"].notna()]
    scores = score_accounts(live)["score"]
    best = live[scores.to_numpy() >= scores.quantile(0.8)]
    if model is None:
        return best.iloc[[int(score_accounts(best)["score"].to_numpy().argmax())]].copy()
    risk = churn_risk(model, best)["risk"].to_numpy()
    return best.iloc[[int(risk.argmin())]].copy()


@pytest.mark.parametrize(
    ("feature", "bad_value"), [("tickets_per_seat_90d", 6.0), ("days_to_pay", 90.0)]
)
def test_one_feature_worse_moves_score_risk_and_top_reasons(fitted, feature, bad_value) -> None:  # type: ignore[no-untyped-def]
    model, feats = fitted
    before = _one_account(feats, model)
    after = before.copy()
    after[feature] = bad_value
    s0, s1 = score_accounts(before)["score"].iloc[0], score_accounts(after)["score"].iloc[0]
    r0, r1 = churn_risk(model, before), churn_risk(model, after)
    assert s1 < s0
    assert r1["risk"].iloc[0] > r0["risk"].iloc[0]
    assert r1["reasons"].iloc[0][0]["feature"] == feature
    assert feature not in [x["feature"] for x in r0["reasons"].iloc[0]][:1]
    assert score_reasons(after, top=1)["feature"].tolist() == [feature]
    assert feature not in score_reasons(before, top=1)["feature"].tolist()


def test_usage_collapse_lowers_the_score_and_becomes_its_top_reason(fitted) -> None:  # type: ignore[no-untyped-def]
    _, feats = fitted
    before = _one_account(feats)
    before["usage_trend"] = 0.0
    before["active_user_share"] = 0.8
    after = before.copy()
    after["usage_trend"] = -1.0  # use stopped in the last 30 days
    after["active_user_share"] = 0.0
    assert score_accounts(after)["score"].iloc[0] < score_accounts(before)["score"].iloc[0]
    assert score_reasons(after, top=1)["component"].tolist() == ["engagement"]
