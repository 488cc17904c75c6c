"""Read the columns the support analytics need from the store, as pandas frames.

Reads go through Ibis (:attr:`Store.backend`), so the same code reads a Spark or warehouse
backend holding the canonical tables.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from portalroi.errors import DataError
from portalroi.store import Store

__all__ = ["TICKET_COLUMNS", "load_articles", "load_searches", "load_tickets", "ticket_text"]

#: Ticket columns the support analytics read (missing optional ones are filled with nulls).
TICKET_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "account_id",
    "user_id",
    "created_at",
    "first_reply_at",
    "resolved_at",
    "channel",
    "priority",
    "category",
    "subject",
    "description",
    "resolution",
    "agent_replies",
    "reopens",
    "reassignments",
    "escalated",
    "automated",
    "sla_met",
    "knowledge_used",
    "handle_minutes",
    "cost",
    "csat",
)


def _backend(store: Store | Any) -> Any:
    return store.backend if isinstance(store, Store) else store


def load_tickets(store: Store | Any) -> pd.DataFrame:
    """Every ticket with the columns in :data:`TICKET_COLUMNS`, ordered by ``created_at``.

    ``store`` is a :class:`~portalroi.store.Store` or any Ibis backend with a ``tickets`` table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     len(load_tickets(store))
    0
    """
    table = _backend(store).table("tickets")
    frame: pd.DataFrame = table.select(*TICKET_COLUMNS).to_pandas()
    return frame.sort_values(["created_at", "ticket_id"], kind="stable").reset_index(drop=True)


def load_articles(store: Store | Any) -> pd.DataFrame:
    """Knowledge-base articles: ``article_id``, ``title``, ``body``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     list(load_articles(store).columns)
    ['article_id', 'title', 'body']
    """
    table = _backend(store).table("articles")
    frame: pd.DataFrame = table.select("article_id", "title", "body").to_pandas()
    return frame.sort_values("article_id", kind="stable").reset_index(drop=True)


def load_searches(store: Store | Any) -> pd.DataFrame:
    """Portal search events: ``ts``, ``account_id``, ``session_id``, ``query``, ``result_count``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     list(load_searches(store).columns)
    ['ts', 'account_id', 'session_id', 'query', 'result_count']
    """
    events = _backend(store).table("events")
    frame: pd.DataFrame = (
        events.filter(events.event_type == "search")
        .select("ts", "account_id", "session_id", "query", "result_count")
        .to_pandas()
    )
    return frame


def ticket_text(tickets: pd.DataFrame) -> pd.Series:
    """The text topics are found in: ``subject. description`` (either may be empty).

    Examples
    --------
    >>> t = pd.DataFrame({"subject": ["Reset link expired", None], "description": ["Help", "Hi"]})
    >>> ticket_text(t).tolist()
    ['Reset link expired. Help', 'Hi']
    """
    missing = [c for c in ("subject", "description") if c not in tickets.columns]
    if missing:
        raise DataError(f"tickets: missing column(s) {', '.join(missing)}")
    subject = tickets["subject"].astype("string").fillna("").str.strip()
    description = tickets["description"].astype("string").fillna("").str.strip()
    texts = [
        ". ".join(part for part in (s, d) if part)
        for s, d in zip(subject.tolist(), description.tolist(), strict=True)
    ]
    return pd.Series(texts, index=tickets.index, dtype=object)
