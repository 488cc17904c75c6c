"""Knowledge-base gaps for ticket topics: article matching, zero-result searches, draft outlines.

* **Article match**: cosine similarity between a topic's TF-IDF centroid and each article's
  ``title + body`` in the same TF-IDF space (the vectoriser fitted on the tickets). The best
  article per topic is reported; below ``threshold`` the topic is a **knowledge gap**.
* **Zero-result searches**: portal searches that returned nothing, grouped by a normalised key
  (cleaned text, English stop words dropped, remaining words sorted), so "reset password" and
  "Password reset?" count as one question.
* **Draft outline**: for one topic, a Markdown outline built from its most central tickets and
  the most frequent resolution sentences, headed ``DRAFT`` so it is never published unread.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

from portalroi.errors import DataError, NotFoundError, SchemaError
from portalroi.models.topics import TopicGroups, clean_text

__all__ = ["draft_article_outline", "match_articles", "search_key", "zero_result_searches"]

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(f"{what}: missing column(s) {', '.join(missing)}")


def match_articles(
    topics: TopicGroups, articles: pd.DataFrame, threshold: float = 0.1
) -> pd.DataFrame:
    """Best knowledge-base article for each topic, and whether the topic is a knowledge gap.

    Parameters
    ----------
    articles
        Columns ``article_id``, ``title``, ``body`` (the canonical ``articles`` table).
    threshold
        Cosine similarity below which the best match does not count.

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``name``, ``n``, ``article_id`` (None when there are no articles),
        ``similarity``, ``knowledge_gap``; in the order of ``topics.groups``.

    Examples
    --------
    >>> from portalroi.models.topics import discover_topics
    >>> t = discover_topics(["reset my password", "password reset fails",
    ...                      "invoice total wrong", "wrong invoice total"], k=2)
    >>> kb = pd.DataFrame({"article_id": ["A1"], "title": ["How to reset your password"],
    ...                    "body": ["Use the reset password link."]})
    >>> match_articles(t, kb).set_index("name")["knowledge_gap"].to_dict()
    {'invoice / invoice total / total': True, 'password / reset': False}
    """
    _require(articles, ["article_id", "title", "body"], "articles")
    docs = [
        clean_text(f"{t} {b}")
        for t, b in zip(articles["title"].fillna(""), articles["body"].fillna(""), strict=True)
    ]
    art = normalize(topics.vectorizer.transform(docs)) if docs else None
    rows = []
    for _, g in topics.groups.iterrows():
        topic = int(g["topic"])
        centroid = normalize(topics.centroids[topic].reshape(1, -1))
        best_id, best = None, 0.0
        if art is not None:
            sims = np.asarray(art @ centroid.T).ravel()
            i = int(np.argmax(sims))
            best_id, best = articles["article_id"].iloc[i], float(sims[i])
        rows.append(
            {
                "topic": topic,
                "name": g["name"],
                "n": int(g["n"]),
                "article_id": best_id,
                "similarity": best,
                "knowledge_gap": best < threshold,
            }
        )
    return pd.DataFrame(rows)


def search_key(query: object) -> str:
    """Normalised grouping key of a search query.

    Examples
    --------
    >>> search_key("How do I reset my Password?") == search_key("password reset")
    True
    """
    words = {w for w in _WORD.findall(clean_text(query)) if w not in ENGLISH_STOP_WORDS}
    return " ".join(sorted(words))


def zero_result_searches(searches: pd.DataFrame, min_count: int = 1) -> pd.DataFrame:
    """Group searches that returned no results, most frequent first.

    Parameters
    ----------
    searches
        Columns ``query`` and ``result_count`` (one row per search event).
    min_count
        Keep groups searched at least this many times.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``example`` (the most frequent spelling), ``searches``, ``variants``.

    Examples
    --------
    >>> s = pd.DataFrame({"query": ["Reset password", "password reset?", "vat id", "vat id"],
    ...                   "result_count": [0, 0, 0, 3]})
    >>> zero_result_searches(s)[["key", "searches"]].values.tolist()
    [['password reset', 2], ['id vat', 1]]
    """
    _require(searches, ["query", "result_count"], "searches")
    counts = pd.to_numeric(searches["result_count"], errors="coerce")
    bad = counts.isna() & searches["result_count"].notna()
    if bad.any():
        where = ", ".join(str(i) for i in searches.index[bad][:10])
        raise DataError(f"searches: result_count is not a number in row(s) {where}")
    zero = searches.loc[counts == 0, ["query"]].copy()
    zero["key"] = zero["query"].map(search_key)
    zero = zero[zero["key"] != ""]
    rows = []
    for key, group in zero.groupby("key", sort=False):
        spellings = group["query"].astype(str).str.strip().value_counts()
        rows.append(
            {
                "key": key,
                "example": spellings.index[0],
                "searches": len(group),
                "variants": int(spellings.size),
            }
        )
    out = pd.DataFrame(rows, columns=["key", "example", "searches", "variants"])
    out = out[out["searches"] >= min_count]
    return out.sort_values(["searches", "key"], ascending=[False, True]).reset_index(drop=True)


def draft_article_outline(
    topics: TopicGroups,
    topic: int,
    resolutions: Sequence[str] | pd.Series,
    n_questions: int = 3,
    n_steps: int = 5,
) -> str:
    """A Markdown outline for a knowledge-base article answering one topic, marked DRAFT.

    Parameters
    ----------
    resolutions
        Resolution text of every ticket, in the order the texts were given to
        :func:`~portalroi.models.topics.discover_topics`.

    Examples
    --------
    >>> from portalroi.models.topics import discover_topics
    >>> t = discover_topics(["reset my password", "password reset fails",
    ...                      "invoice total wrong", "wrong invoice total"], k=2)
    >>> topic = int(t.groups.loc[t.groups["name"].str.startswith("password"), "topic"].iloc[0])
    >>> text = draft_article_outline(t, topic, ["Sent reset link.", "Sent reset link.", "", ""])
    >>> text.splitlines()[0]
    '> **DRAFT** — generated from 2 past tickets; review before publishing.'
    """
    if topic not in topics.centroids:
        raise NotFoundError(f"topic {topic} does not exist")
    if len(resolutions) != len(topics.labels):
        raise DataError(
            f"resolutions has {len(resolutions)} values; topics were found in {len(topics.labels)} texts"
        )
    members = np.flatnonzero(topics.labels == topic)
    group = topics.groups.set_index("topic").loc[topic]
    centroid = normalize(topics.centroids[topic].reshape(1, -1))
    closeness = np.asarray(topics.matrix[members] @ centroid.T).ravel()
    central = members[np.argsort(-closeness, kind="stable")]
    questions: list[str] = []
    for i in central:
        if topics.texts[i] and topics.texts[i] not in questions:
            questions.append(topics.texts[i])
        if len(questions) == n_questions:
            break
    sentences: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for i in members:
        for sentence in _SENTENCE.split(str(resolutions[int(i)] or "").strip()):
            key = clean_text(sentence).rstrip(".!? ")
            if key:
                sentences[key] += 1
                shown.setdefault(key, sentence.strip())
    steps = [shown[key] for key, _ in sentences.most_common(n_steps)]
    lines = [
        f"> **DRAFT** — generated from {len(members)} past tickets; review before publishing.",
        "",
        f"# {str(group['name']).capitalize()}",
        "",
        "## What customers ask",
        *[f"- {q}" for q in questions],
        "",
        "## How it was resolved",
        *([f"{n}. {s}" for n, s in enumerate(steps, start=1)] or ["- (no resolutions recorded)"]),
        "",
        f"## Related terms\n{', '.join(group['terms'])}",
    ]
    return "\n".join(lines) + "\n"
