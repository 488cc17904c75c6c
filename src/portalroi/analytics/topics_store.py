"""Ticket topics and knowledge-base gaps over the store's tickets, articles and searches.

Topic discovery itself is :func:`portalroi.models.topics.discover_topics` (TF-IDF + NMF). To keep
a fit under a minute on a helpdesk with many tickets, the topics are fitted on a random sample of
at most ``max_fit`` tickets and every ticket then joins the topic whose TF-IDF centroid it is
most similar to (cosine); group sizes, shares, costs and centroids are computed over all tickets.
With ``backend="embeddings"`` (optional extra) k-means is fitted on the sample's sentence
embeddings and every ticket, embedded too, joins the nearest centre.
Each group is matched to the best ``articles`` row (a group without one above the similarity
threshold is a **knowledge gap**), and zero-result portal searches (``events`` with
``event_type = 'search'`` and ``result_count = 0``) are listed with the group they are about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from portalroi.analytics._frames import load_articles, load_searches, load_tickets, ticket_text
from portalroi.errors import ConfigError, DataError
from portalroi.models.topics import (
    TopicGroups,
    check_backend,
    check_k,
    choose_k,
    clean_text,
    discover_topics,
    embedding_labels,
    fit_tfidf,
    group_table,
)
from portalroi.models.topics_kb import draft_article_outline, match_articles, zero_result_searches
from portalroi.store import Store

__all__ = [
    "DAYS_PER_MONTH",
    "TopicReport",
    "draft_outline",
    "find_ticket_topics",
    "store_topic_report",
    "topic_report",
]

#: Average month length in days (365.25 / 12), for tickets per month.
DAYS_PER_MONTH = 365.25 / 12


def _order_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """Groups largest first; ties by cost (when known), then name, then topic id.

    The topic ids themselves carry no meaning: they are the order of the NMF components (or
    k-means centres), which for groups of equal weight is decided by floating-point rounding in
    the SVD of the initialisation, so it can differ between BLAS builds and CPUs. Equal ``n``
    must therefore not fall back on the id alone.
    """
    keys = ["n", "cost", "name", "topic"] if "cost" in groups.columns else ["n", "name", "topic"]
    ascending = [k in ("name", "topic") for k in keys]
    return groups.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)


def find_ticket_topics(
    texts: pd.Series | list[str],
    k: int | None = None,
    costs: pd.Series | np.ndarray | None = None,
    *,
    max_fit: int = 5000,
    k_max: int = 30,
    n_terms: int = 5,
    random_state: int = 0,
    backend: str = "tfidf",
) -> TopicGroups:
    """Topics of many tickets: fit on a sample of ``max_fit`` texts, assign all by centroid.

    Parameters
    ----------
    texts
        One text per ticket (see :func:`portalroi.analytics._frames.ticket_text`).
    k
        Number of topics; ``None``: ``round(sqrt(n_fit / 2))`` clipped to ``[2, k_max]``
        (:func:`~portalroi.models.topics.choose_k`).
    costs
        Cost of each ticket; adds ``cost`` and ``share_cost`` to the groups.
    max_fit
        Largest number of texts the topic model is fitted on (a seeded random sample).
    k_max
        Cap of the default ``k``: 30 keeps the list short enough to review by hand.
    backend
        ``"tfidf"`` (default): NMF topics on the sample, every ticket joins the topic whose
        TF-IDF centroid is most similar. ``"embeddings"`` (needs the ``embeddings`` extra):
        every ticket is embedded, k-means is fitted on the sample's embeddings and every
        ticket joins the nearest centre (:func:`~portalroi.models.topics.embedding_labels`).
        Either way groups are named, and matched to articles, by their TF-IDF centroids, and
        a ticket with no known term is unassigned (``-1``).

    Returns
    -------
    TopicGroups
        As :func:`~portalroi.models.topics.discover_topics`: ``groups`` largest (``n``) first,
        equal sizes by topic id. The ids are only labels: their numbering is the fitted
        model's and, for groups of equal weight, can differ between numerical library builds
        (:func:`topic_report` orders its groups without them).

    Examples
    --------
    >>> texts = ["reset my password", "password reset link expired", "forgot password reset",
    ...          "invoice amount wrong", "wrong invoice total", "invoice total is wrong"]
    >>> t = find_ticket_topics(texts * 5, k=2, max_fit=10)
    >>> sorted(t.groups["terms"].str[0]), t.groups["n"].tolist()
    (['invoice', 'password'], [15, 15])
    """
    items = list(texts)
    n = len(items)
    if max_fit < 2:
        raise ConfigError(f"max_fit must be at least 2, got {max_fit}")
    cost_arr = None if costs is None else np.asarray(costs, dtype=float)
    if cost_arr is not None and cost_arr.shape != (n,):
        raise DataError(f"costs has {cost_arr.shape[0]} values; there are {n} texts")
    rng = np.random.default_rng(random_state)
    fit_idx = np.sort(rng.choice(n, size=max_fit, replace=False)) if n > max_fit else np.arange(n)
    k = choose_k(len(fit_idx), k_max) if k is None else k
    docs = tuple(clean_text(t) for t in items)
    if check_backend(backend) == "tfidf":
        fitted = discover_topics([items[i] for i in fit_idx], k=k, random_state=random_state)
        vectorizer = fitted.vectorizer
        matrix = sparse.csr_matrix(vectorizer.transform(docs))
        keys = np.array(sorted(fitted.centroids))
        centres = normalize(np.vstack([fitted.centroids[t] for t in keys]))
        sims = np.asarray(matrix @ centres.T)
        labels = np.where(sims.max(axis=1) > 0, keys[sims.argmax(axis=1)], -1)
    else:
        check_k(k, len(fit_idx))
        vectorizer, _ = fit_tfidf([docs[i] for i in fit_idx])
        matrix = sparse.csr_matrix(vectorizer.transform(docs))
        labels = embedding_labels(docs, fit_idx, k, random_state)
        labels = np.where(np.asarray(matrix.sum(axis=1)).ravel() > 0, labels, -1)
    groups, centroids = group_table(labels, matrix, vectorizer, cost_arr, n_terms)
    return TopicGroups(
        labels=labels,
        groups=groups,
        vectorizer=vectorizer,
        matrix=matrix,
        centroids=centroids,
        texts=docs,
    )


@dataclass(frozen=True)
class TopicReport:
    """Ticket groups with knowledge-base coverage, and the zero-result searches.

    Attributes
    ----------
    topics
        The fitted groups (``topics.labels[i]`` is the group of ``tickets.iloc[i]``).
    groups
        One row per group, largest (``n``) first; equal sizes costliest first (when costs
        are known), then by ``name``, then ``topic``: ``topic``, ``name``, ``terms``, ``n``,
        ``share_volume``, ``cost``, ``share_cost``, ``tickets_per_month``, ``article_id``,
        ``similarity``, ``knowledge_gap``.
    zero_results
        Zero-result searches grouped by normalised query (``key``, ``example``, ``searches``,
        ``variants``), with the ``topic`` / ``topic_name`` they are most similar to (None
        below the threshold).
    tickets
        The tickets the groups were found in, with a ``topic`` column.
    """

    topics: TopicGroups
    groups: pd.DataFrame
    zero_results: pd.DataFrame
    tickets: pd.DataFrame


def _months(created: pd.Series) -> float:
    times = pd.to_datetime(created).dropna()
    if times.empty:
        return float("nan")
    days = (times.max() - times.min()).total_seconds() / 86_400
    return max(days / DAYS_PER_MONTH, 1.0)


def _search_topics(
    topics: TopicGroups, zero: pd.DataFrame, threshold: float
) -> tuple[list[int | None], list[str | None]]:
    if zero.empty:
        return [], []
    names = topics.groups.set_index("topic")["name"]
    keys = np.array(sorted(topics.centroids))
    centres = normalize(np.vstack([topics.centroids[t] for t in keys]))
    queries = normalize(topics.vectorizer.transform([clean_text(q) for q in zero["example"]]))
    sims = np.asarray(queries @ centres.T)
    best = sims.argmax(axis=1)
    ok = sims.max(axis=1) >= threshold
    ids = [int(keys[b]) if good else None for b, good in zip(best, ok, strict=True)]
    return ids, [None if t is None else str(names[t]) for t in ids]


def topic_report(
    tickets: pd.DataFrame,
    articles: pd.DataFrame,
    searches: pd.DataFrame,
    *,
    k: int | None = None,
    threshold: float = 0.1,
    max_fit: int = 5000,
    k_max: int = 30,
    random_state: int = 0,
    backend: str = "tfidf",
) -> TopicReport:
    """Group tickets into repeat questions, match articles, and list zero-result searches.

    Parameters
    ----------
    tickets
        Canonical ``tickets`` rows (``subject``, ``description``, ``created_at``; ``cost``
        when known).
    articles
        ``article_id``, ``title``, ``body``.
    searches
        ``query``, ``result_count`` (``search`` events).
    threshold
        Cosine similarity below which an article does not answer a group, and a search is
        not about a group.
    backend
        How tickets are grouped: ``"tfidf"`` or ``"embeddings"`` (see :func:`find_ticket_topics`).

    Examples
    --------
    >>> t = pd.DataFrame({"subject": ["Password reset", "Reset password", "Invoice wrong",
    ...                               "Wrong invoice"], "description": ["", "", "", ""],
    ...                   "created_at": pd.to_datetime(["2024-01-01", "2024-01-15",
    ...                                                 "2024-02-01", "2024-03-01"]),
    ...                   "cost": [10.0, 10.0, 20.0, 20.0]})
    >>> kb = pd.DataFrame({"article_id": ["A1"], "title": ["Reset your password"], "body": [""]})
    >>> s = pd.DataFrame({"query": ["invoice wrong", "password"], "result_count": [0, 4]})
    >>> r = topic_report(t, kb, s, k=2)
    >>> # two tickets each, so the costlier group (invoice) comes first
    >>> r.groups[["name", "share_cost", "knowledge_gap"]].values.tolist()
    [['invoice / wrong', 0.6666666666666666, True], ['password / reset', 0.3333333333333333, False]]
    >>> r.zero_results[["example", "topic_name"]].values.tolist()
    [['invoice wrong', 'invoice / wrong']]
    """
    if len(tickets) < 2:
        raise DataError(f"need at least 2 tickets to find topics, got {len(tickets)}")
    costs = tickets["cost"] if "cost" in tickets.columns else None
    topics = find_ticket_topics(
        ticket_text(tickets),
        k=k,
        costs=None if costs is None else costs.astype(float).to_numpy(),
        max_fit=max_fit,
        k_max=k_max,
        random_state=random_state,
        backend=backend,
    )
    matched = match_articles(topics, articles, threshold=threshold)
    groups = topics.groups.merge(
        matched[["topic", "article_id", "similarity", "knowledge_gap"]], on="topic", how="left"
    )
    groups = _order_groups(groups)
    months = _months(tickets["created_at"]) if "created_at" in tickets.columns else float("nan")
    groups.insert(list(groups.columns).index("n") + 1, "tickets_per_month", groups["n"] / months)
    zero = zero_result_searches(searches)
    topic_ids, topic_names = _search_topics(topics, zero, threshold)
    zero = zero.assign(
        topic=pd.Series(topic_ids, dtype=object), topic_name=pd.Series(topic_names, dtype=object)
    )
    labelled = tickets.reset_index(drop=True).assign(topic=topics.labels)
    return TopicReport(topics=topics, groups=groups, zero_results=zero, tickets=labelled)


def store_topic_report(store: Store | Any, **options: Any) -> TopicReport:
    """:func:`topic_report` over the store's ``tickets``, ``articles`` and ``search`` events.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     store_topic_report(store)
    Traceback (most recent call last):
    ...
    portalroi.errors.DataError: need at least 2 tickets to find topics, got 0
    """
    return topic_report(load_tickets(store), load_articles(store), load_searches(store), **options)


def draft_outline(report: TopicReport, topic: int, **options: Any) -> str:
    """A Markdown knowledge-base article outline for one group, marked DRAFT.

    Built by :func:`portalroi.models.topics_kb.draft_article_outline` from the group's most
    central tickets and its most frequent resolution sentences.

    Examples
    --------
    >>> t = pd.DataFrame({"subject": ["Password reset", "Reset password", "Invoice wrong",
    ...                               "Wrong invoice"], "description": ["", "", "", ""],
    ...                   "resolution": ["Sent link.", "Sent link.", "Fixed.", "Fixed."]})
    >>> r = topic_report(t, pd.DataFrame(columns=["article_id", "title", "body"]),
    ...                  pd.DataFrame(columns=["query", "result_count"]), k=2)
    >>> topic = int(r.groups.loc[r.groups["name"].str.startswith("password"), "topic"].iloc[0])
    >>> print(draft_outline(r, topic).splitlines()[0])
    > **DRAFT** — generated from 2 past tickets; review before publishing.
    """
    if "resolution" not in report.tickets.columns:
        raise DataError("tickets: missing column resolution (needed for a draft outline)")
    resolutions = (
        report.tickets["resolution"].astype(object).where(report.tickets["resolution"].notna(), "")
    )
    return draft_article_outline(report.topics, topic, resolutions.tolist(), **options)
