"""Churn model: recovery on simulated data, faithful reasons, evaluation figures, persistence."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.calibration import calibration_curve

from portalroi.errors import ConfigError, DataError, SchemaError, ValidationError
from portalroi.models.churn import ChurnModel
from portalroi.models.churn_eval import evaluate


def simulated(n: int = 3000, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Accounts whose churn log-odds are known: -1 - 1.5*logins_z + 1.0*tickets_z + 1.2*[plan=basic]."""
    rng = np.random.default_rng(seed)
    logins = rng.normal(20, 5, n)
    tickets = rng.poisson(3, n).astype(float)
    plan = rng.choice(["basic", "pro", "enterprise"], n)
    noise = rng.normal(0, 1, n)  # a feature with no effect
    logit = (
        -1.0 - 1.5 * (logins - 20) / 5 + 1.0 * (tickets - 3) / np.sqrt(3) + 1.2 * (plan == "basic")
    )
    p = 1 / (1 + np.exp(-logit))
    y = (rng.uniform(size=n) < p).astype(int)
    X = pd.DataFrame({"logins": logins, "tickets": tickets, "plan": plan, "noise": noise})
    return X, y, p


@pytest.fixture(scope="module")
def fitted() -> tuple[ChurnModel, pd.DataFrame, np.ndarray, np.ndarray]:
    X, y, p = simulated()
    return ChurnModel().fit(X, y), X, y, p


def test_recovers_the_true_probabilities(fitted):
    model, X, _, p = fitted
    q = model.predict_proba(X)
    # Calibrated probabilities track the simulator's truth closely.
    assert np.mean(np.abs(q - p)) < 0.03
    # The linear part recovers the true coefficients (per standard deviation of the feature).
    coef = dict(
        zip(
            model._base.named_steps["prep"].get_feature_names_out(),
            model._base.named_steps["clf"].coef_[0],
            strict=True,
        )
    )
    assert coef["num__logins"] == pytest.approx(-1.5, abs=0.2)
    assert coef["num__tickets"] == pytest.approx(1.0, abs=0.15)
    assert abs(coef["num__noise"]) < 0.1


def test_logistic_contributions_sum_to_the_log_odds(fitted):
    model, X, _, _ = fitted
    rows = X.iloc[:50]
    contrib = model.contributions(rows)
    base = model._base
    logit = base.decision_function(rows)
    average = (
        base.named_steps["clf"].intercept_[0] + model._mean_z @ base.named_steps["clf"].coef_[0]
    )
    np.testing.assert_allclose(contrib.sum(axis=1) + average, logit, atol=1e-9)


@pytest.mark.parametrize("method", ["logistic", "hgb"])
def test_reasons_are_faithful_to_a_one_feature_change(method):
    X, y, _ = simulated(2000, seed=2)
    model = ChurnModel({"method": method, "cv": 3, "max_iter": 50, "threads": 1}).fit(X, y)
    row = pd.DataFrame(
        {"logins": [20.0], "tickets": [3.0], "plan": ["pro"], "noise": [0.0]}, index=["acct-7"]
    )
    before = model.predict_proba(row)[0]
    reasons_before = model.explain(row)
    assert "logins" not in reasons_before["feature"].tolist()
    # Logins collapse: risk must rise and logins must become the top reason.
    changed = row.assign(logins=5.0)
    after = model.predict_proba(changed)[0]
    top = model.explain(changed).iloc[0]
    assert after > before + 0.2
    assert (top["row"], top["feature"], top["value"]) == ("acct-7", "logins", 5.0)
    # Raising a second feature (tickets) raises the score and names that feature too.
    heavy = changed.assign(tickets=12.0)
    assert model.predict_proba(heavy)[0] > after
    assert "tickets" in model.explain(heavy)["feature"].tolist()
    # Putting the top reason back to a typical value lowers the score and drops the reason.
    restored = heavy.assign(logins=model.reference_["logins"])
    assert model.predict_proba(restored)[0] < model.predict_proba(heavy)[0]
    assert "logins" not in model.explain(restored)["feature"].tolist()


@pytest.mark.parametrize("method", ["logistic", "hgb"])
def test_a_feature_without_any_value_carries_no_weight_and_no_warning(method):
    # E.g. nps_avg in a store without surveys, or a trend in a portal's first months. It used to
    # be dropped by the imputer with a UserWarning (and a RuntimeWarning for its median) on every
    # fit and score; warnings are errors in the tests.
    X, y, _ = simulated(800)
    empty = X.assign(nps=np.nan)
    with_empty = ChurnModel({"method": method, "cv": 3}).fit(empty, y)
    without = ChurnModel({"method": method, "cv": 3}).fit(X, y)
    np.testing.assert_allclose(
        with_empty.predict_proba(empty.head(50)), without.predict_proba(X.head(50)), atol=1e-9
    )
    contrib = with_empty.contributions(empty.head(50))
    assert (contrib["nps"] == 0.0).all()
    assert "nps" not in set(with_empty.explain(empty.head(50))["feature"])


def test_explain_format_and_ranks(fitted):
    model, X, _, _ = fitted
    reasons = model.explain(X.iloc[:20], top=2)
    assert list(reasons.columns) == [
        "row",
        "rank",
        "feature",
        "value",
        "contribution",
        "probability",
    ]
    assert (reasons["contribution"] > 0).all()
    assert reasons.groupby("row")["rank"].max().max() <= 2
    for _, group in reasons.groupby("row"):
        assert group["contribution"].is_monotonic_decreasing


def test_evaluate_hand_case():
    y = [0, 0, 1, 1, 0, 1, 0, 0, 0, 1]
    p = [0.05, 0.15, 0.95, 0.55, 0.25, 0.65, 0.35, 0.15, 0.45, 0.85]
    e = evaluate(y, p, bins=2)
    # Churners' scores 0.95, 0.55, 0.65, 0.85 beat every stayer's (max 0.45): AUC 1.
    assert e.roc_auc == 1.0
    assert e.average_precision == 1.0
    # Top decile = 1 row (0.95, churned); base rate 0.4 -> lift 2.5.
    assert e.top_decile_lift == pytest.approx(2.5)
    assert e.brier == pytest.approx(
        (
            0.05**2
            + 0.15**2
            + 0.05**2
            + 0.45**2
            + 0.25**2
            + 0.35**2
            + 0.35**2
            + 0.15**2
            + 0.45**2
            + 0.15**2
        )
        / 10
    )
    table = e.calibration
    assert table["n"].tolist() == [6, 4]
    assert table["observed_rate"].tolist() == [0.0, 1.0]
    assert table["mean_predicted"].tolist() == pytest.approx([1.4 / 6, 3.0 / 4])


def test_evaluate_against_independent_formulas():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 500)
    p = np.clip(0.3 * y + rng.uniform(0, 0.7, 500), 0, 1)
    e = evaluate(y, p)
    u = stats.mannwhitneyu(p[y == 1], p[y == 0]).statistic
    assert e.roc_auc == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()))
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(e.calibration["observed_rate"], observed)
    np.testing.assert_allclose(e.calibration["mean_predicted"], predicted)


def test_evaluate_rejects_bad_input():
    with pytest.raises(DataError, match="single class"):
        evaluate([1, 1], [0.2, 0.3])
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        evaluate([0, 1], [0.2, 1.3])


def test_save_load_roundtrip_and_version_check(fitted, tmp_path: Path):
    model, X, _, _ = fitted
    path = model.save(tmp_path / "churn.pkl")
    again = ChurnModel.load(path)
    np.testing.assert_array_equal(
        again.predict_proba(X.iloc[:30]), model.predict_proba(X.iloc[:30])
    )
    payload = pickle.loads(path.read_bytes())
    payload["version"] = 99
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(DataError, match="version 99"):
        ChurnModel.load(path)
    (tmp_path / "other.pkl").write_bytes(pickle.dumps({"format": "something else"}))
    with pytest.raises(DataError, match="not a portalroi churn model"):
        ChurnModel.load(tmp_path / "other.pkl")


def test_input_errors_are_clear(fitted):
    model, X, y, _ = fitted
    with pytest.raises(SchemaError, match="missing: tickets"):
        model.predict_proba(X.drop(columns="tickets"))
    bad = y.astype(object)
    bad[3] = "yes"
    with pytest.raises(ValidationError, match="label row 3"):
        ChurnModel().fit(X, bad)
    with pytest.raises(ConfigError, match="unknown churn model option"):
        ChurnModel({"depth": 3})
    with pytest.raises(ConfigError, match="not fitted"):
        ChurnModel().predict_proba(X)


@pytest.mark.parametrize("module", ["portalroi.models.churn", "portalroi.models.churn_eval"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
