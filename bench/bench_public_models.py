"""Reproduce the public-data figures of the churn model and ticket topics (docs/health-models.md).

Usage::

    .venv/bin/python bench/bench_public_models.py            # everything
    .venv/bin/python bench/bench_public_models.py churn      # churn only
    .venv/bin/python bench/bench_public_models.py topics     # topics only
    .venv/bin/python bench/bench_public_models.py topics-embeddings  # needs the embeddings extra

Churn: IBM Telco 5-fold stratified CV (seed 0) and the Sparkify fixed train/test split, for
both methods with the default configuration (OpenMP limited to 1 thread so a busy machine
is not oversubscribed). Topics: the three labelled inbound samples of
the support-tweets set (read from ../shared/data only; non-commercial licence), default
settings, next to the published keyword baseline; ``topics-embeddings`` does the same with the
optional sentence-embedding backend (``pip install 'portalroi[embeddings]'``, not part of the
default part list).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from portalroi.models.churn import ChurnModel
from portalroi.models.churn_eval import evaluate
from portalroi.models.topics import agreement, discover_topics

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
COMPANIES = ("AmazonHelp", "AppleSupport", "SpotifyCares")


def telco() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(DATA / "telco_ibm" / "WA_Fn-UseC_-Telco-Customer-Churn.csv")
    y = (frame.pop("Churn") == "Yes").astype(int).to_numpy()
    frame = frame.drop(columns="customerID")
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"].str.strip().replace("", np.nan))
    return frame, y


def sparkify(part: str) -> tuple[pd.DataFrame, np.ndarray]:
    name = f"sparkify_full_user_features_{part}.csv.gz"
    frame = pd.read_csv(DATA / "sparkify_user_features" / name)
    return frame.drop(columns=["userId", "churn"]), frame["churn"].to_numpy()


def churn() -> None:
    X, y = telco()
    print("== Churn: IBM Telco, 5-fold stratified CV (shuffle, seed 0) ==")
    print(
        f"{'method':<9} {'AUC mean':>8} {'AUC sd':>7} {'pooled AP':>9} {'lift@10%':>8} {'Brier':>6} {'s':>6}"
    )
    for method in ("logistic", "hgb"):
        start = time.perf_counter()
        aucs, oof = [], np.zeros(len(y))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
            model = ChurnModel({"method": method, "threads": 1}).fit(X.iloc[train], y[train])
            oof[test] = model.predict_proba(X.iloc[test])
            aucs.append(evaluate(y[test], oof[test]).roc_auc)
        pooled = evaluate(y, oof)
        print(
            f"{method:<9} {np.mean(aucs):8.4f} {np.std(aucs):7.4f} {pooled.average_precision:9.4f}"
            f" {pooled.top_decile_lift:8.3f} {pooled.brier:6.4f} {time.perf_counter() - start:6.1f}"
        )
    print("floor (issue 6): mean fold AUC >= 0.84")

    X_train, y_train = sparkify("train")
    X_test, y_test = sparkify("test")
    print("\n== Churn: Sparkify fixed split (train 15,438 -> test 6,840) ==")
    print(f"{'method':<9} {'AUC':>7} {'AP':>7} {'lift@10%':>8} {'Brier':>6} {'s':>6}")
    last = None
    for method in ("logistic", "hgb"):
        start = time.perf_counter()
        model = ChurnModel({"method": method, "threads": 1}).fit(X_train, y_train)
        last = evaluate(y_test, model.predict_proba(X_test))
        print(
            f"{method:<9} {last.roc_auc:7.4f} {last.average_precision:7.4f}"
            f" {last.top_decile_lift:8.3f} {last.brier:6.4f} {time.perf_counter() - start:6.1f}"
        )
    print("floor (issue 6): AUC >= 0.92; published (repo README): LR 0.88, HistGB 0.93")
    assert last is not None
    print("\nSparkify hgb calibration (test split):")
    print(last.calibration.round(4).to_string(index=False))


def topics(backend: str = "tfidf") -> None:
    root = DATA / "twcs_support_tweets_labeled"
    method = "NMF" if backend == "tfidf" else "all-MiniLM-L6-v2 embeddings, spherical k-means"
    print(
        f"\n== Ticket topics: support tweets, inbound, default settings ({method}, "
        "k = round(sqrt(n/2))) =="
    )
    for company in COMPANIES:
        frame = pd.read_csv(root / "labeled" / f"twcs-{company}-200-inbound.csv")
        tags = frame.iloc[:, 9:]
        started = time.perf_counter()
        result = discover_topics(frame["text"], backend=backend)
        seconds = time.perf_counter() - started
        score = agreement(result.labels, tags)
        published = pd.read_csv(root / "published_results" / f"results-{company}-inbound.csv")
        keyword = published[published["Approach"] == "Keyword"].set_index("Topic/Activity")
        table = score.per_tag.set_index("tag")
        table["keyword_f1"] = keyword["F1"].reindex(table.index)
        table["keyword"] = keyword["Hypothesis/Keyword"].reindex(table.index)
        both = table.dropna(subset=["keyword_f1"])
        print(
            f"\n{company}: k={len(result.groups)}, ARI={score.adjusted_rand:.3f} "
            f"(over {score.n_single_tag} single-tag tweets), macro F1 {table['f1'].mean():.3f} "
            f"(tags with a published keyword: ours {both['f1'].mean():.3f} vs keyword "
            f"{both['keyword_f1'].mean():.3f}); {seconds:.2f} s"
        )
        print(table.round(3).to_string())


def main(argv: list[str]) -> None:
    parts = argv or ["churn", "topics"]
    start = time.perf_counter()
    for part in parts:
        {
            "churn": churn,
            "topics": topics,
            "topics-embeddings": lambda: topics("embeddings"),
        }[part]()
    print(f"\ntotal {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
