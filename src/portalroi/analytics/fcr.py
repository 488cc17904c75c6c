"""First-contact resolution (FCR) detected from case histories.

A ticket counts as resolved at first contact when all of these hold:

1. **one touch**: at most ``max_touches`` agent replies (default 1; a case closed by
   automation with no agent reply counts as one touch);
2. **no reopen**: ``reopens`` is 0;
3. **resolved**: ``resolved_at`` is set (an open case has not been resolved at all);
4. **no follow-up**: the same requester (``user_id``, or ``account_id`` when the user is
   unknown or ``by="account"``) opened no other ticket on the same topic within
   ``window_days`` (default 7) after it. A customer who comes back about the same question
   was not helped the first time.

The topic is the ticket's ``category`` unless the caller passes topic labels (for example the
groups of :func:`portalroi.analytics.topics_store.topic_report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, precision_score, recall_score

from portalroi.errors import ConfigError, DataError

__all__ = ["FcrAgreement", "detect_fcr", "fcr_agreement"]


def detect_fcr(
    tickets: pd.DataFrame,
    *,
    topics: Sequence[object] | np.ndarray | pd.Series | None = None,
    window_days: float = 7.0,
    max_touches: int = 1,
    by: Literal["user", "account"] = "user",
) -> pd.DataFrame:
    """Flag each ticket as resolved at first contact or not, with the reason.

    Parameters
    ----------
    tickets
        Canonical ``tickets`` rows: ``ticket_id``, ``account_id``, ``user_id``, ``created_at``,
        ``resolved_at``, ``agent_replies``, ``reopens``; ``category`` unless ``topics`` is given.
    topics
        Topic of each ticket (same order); default the ``category`` column.
    window_days
        A later ticket by the same requester on the same topic within this many days is a
        follow-up.

    Returns
    -------
    pandas.DataFrame
        ``ticket_id``, ``one_touch``, ``no_reopen``, ``resolved``, ``follow_up``, ``fcr``,
        in the order of ``tickets``.

    Examples
    --------
    >>> t = pd.DataFrame({
    ...     "ticket_id": ["T1", "T2", "T3", "T4"], "account_id": ["A", "A", "A", "B"],
    ...     "user_id": ["u1", "u1", "u2", "u3"],
    ...     "created_at": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-03"]),
    ...     "resolved_at": pd.to_datetime(["2024-01-01", "2024-01-06", "2024-01-03", None]),
    ...     "agent_replies": [1, 1, 3, 1], "reopens": [0, 0, 0, 0],
    ...     "category": ["billing", "billing", "billing", "access"]})
    >>> detect_fcr(t)[["ticket_id", "follow_up", "fcr"]].values.tolist()
    [['T1', True, False], ['T2', False, True], ['T3', False, False], ['T4', False, False]]
    """
    required = ["ticket_id", "created_at", "resolved_at", "agent_replies", "reopens"]
    if topics is None:
        required.append("category")
    missing = [c for c in required if c not in tickets.columns]
    if missing:
        raise DataError(f"tickets: missing column(s) {', '.join(missing)} (needed for FCR)")
    if window_days < 0:
        raise ConfigError(f"window_days must be >= 0, got {window_days}")
    if by not in ("user", "account"):
        raise ConfigError(f"by must be 'user' or 'account', got {by!r}")
    n = len(tickets)
    topic = pd.Series(list(tickets["category"] if topics is None else topics), dtype=object).astype(
        str
    )
    if len(topic) != n:
        raise DataError(f"topics has {len(topic)} values; there are {n} tickets")

    replies = pd.to_numeric(tickets["agent_replies"], errors="coerce").to_numpy(dtype=float)
    reopens = pd.to_numeric(tickets["reopens"], errors="coerce").to_numpy(dtype=float)
    one_touch = replies <= max_touches
    no_reopen = reopens == 0
    resolved = tickets["resolved_at"].notna().to_numpy()

    none = pd.Series([None] * n, index=tickets.index, dtype=object)
    account = tickets["account_id"] if "account_id" in tickets.columns else none
    user = tickets["user_id"] if "user_id" in tickets.columns and by == "user" else none
    by_account = ("a:" + account.astype(str)).where(account.notna(), None)
    requester = ("u:" + user.astype(str)).where(user.notna(), by_account).to_numpy()

    frame = pd.DataFrame(
        {
            "pos": np.arange(n),
            "who": requester,
            "topic": topic.to_numpy(),
            "at": pd.to_datetime(tickets["created_at"]).to_numpy(),
        }
    ).dropna(subset=["who", "at"])
    frame = frame.sort_values(["who", "topic", "at", "pos"], kind="stable")
    following = frame.groupby(["who", "topic"], sort=False)["at"].shift(-1)
    gap = (following - frame["at"]).dt.total_seconds() / 86_400
    follow_up = np.zeros(n, dtype=bool)
    follow_up[frame["pos"].to_numpy()] = (gap <= window_days).fillna(False).to_numpy(dtype=bool)

    return pd.DataFrame(
        {
            "ticket_id": tickets["ticket_id"].to_numpy(),
            "one_touch": one_touch,
            "no_reopen": no_reopen,
            "resolved": resolved,
            "follow_up": follow_up,
            "fcr": one_touch & no_reopen & resolved & ~follow_up,
        }
    )


@dataclass(frozen=True)
class FcrAgreement:
    """How detected FCR flags agree with reference flags (see :func:`fcr_agreement`)."""

    n: int
    detected_rate: float
    reference_rate: float
    precision: float
    recall: float
    agreement: float
    kappa: float


def fcr_agreement(
    detected: Sequence[bool] | np.ndarray | pd.Series,
    reference: Sequence[bool] | np.ndarray | pd.Series,
) -> FcrAgreement:
    """Precision, recall, raw agreement and Cohen's kappa of detected against reference FCR.

    Examples
    --------
    >>> a = fcr_agreement([True, True, False, False], [True, False, False, False])
    >>> a.precision, a.recall, a.agreement
    (0.5, 1.0, 0.75)
    """
    d = np.asarray(detected, dtype=bool)
    r = np.asarray(reference, dtype=bool)
    if d.shape != r.shape:
        raise DataError(f"detected has {d.size} flags; reference has {r.size}")
    if d.size == 0:
        raise DataError("no tickets to compare")
    return FcrAgreement(
        n=int(d.size),
        detected_rate=float(d.mean()),
        reference_rate=float(r.mean()),
        precision=float(precision_score(r, d, zero_division=0)),
        recall=float(recall_score(r, d, zero_division=0)),
        agreement=float((d == r).mean()),
        kappa=float(cohen_kappa_score(r, d)),
    )
