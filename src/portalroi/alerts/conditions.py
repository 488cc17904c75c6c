"""What a rule finds true now (a :class:`Condition`) and the windows it looks at.

Evaluation happens at a day boundary: ``as_of`` is a midnight (UTC) and every window is whole
days ending there, ``[as_of - N days, as_of)``. The default ``as_of`` is the midnight after the
store's last timestamp, so "the last day" is the last day that has data.

Examples
--------
>>> from datetime import datetime
>>> day_boundary(datetime(2024, 12, 31, 19, 53))
datetime.datetime(2025, 1, 1, 0, 0)
>>> day_boundary(datetime(2025, 1, 1))
datetime.datetime(2025, 1, 1, 0, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portalroi.store import Store

__all__ = ["Condition", "RuleContext", "data_end", "day_boundary", "org_accounts"]


@dataclass(frozen=True)
class Condition:
    """One (rule, account, subject) whose condition holds at ``as_of``.

    ``account_id`` is ``None`` for a portal-wide rule; ``subject`` names what else the condition
    is about (a ticket topic), empty otherwise. ``value`` and ``threshold`` are the numbers
    compared; ``reason`` says it in words (English), and ``details`` holds every figure the
    reason quotes, so that it can be said in another language (the dashboard's Swedish).
    """

    account_id: str | None
    subject: str
    reason: str
    value: float | None
    threshold: float | None
    window_start: datetime | None
    window_end: datetime
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identity of the condition within its rule (for de-duplication)."""
        return f"{self.account_id or '*'}|{self.subject}"


@dataclass(frozen=True)
class RuleContext:
    """What an evaluator gets besides its rule: the store and the evaluation instant."""

    store: Store
    as_of: datetime

    def source(self, org_id: str | None) -> Any:
        """The store, or a view of it restricted to one organisation's accounts."""
        if org_id is None:
            return self.store
        from portalroi.api.scope import ScopedBackend

        return ScopedBackend(self.store.backend, frozenset({org_id}))


def day_boundary(at: datetime) -> datetime:
    """``at`` rounded up to midnight (a midnight stays as it is)."""
    at = at.replace(tzinfo=None)
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == at else midnight + timedelta(days=1)


def data_end(store: Store) -> datetime | None:
    """The store's last event or ticket time (``None`` when it holds neither)."""
    row = store.con.execute(
        "SELECT greatest((SELECT max(ts) FROM events), (SELECT max(created_at) FROM tickets))"
    ).fetchone()
    value = row[0] if row else None
    return value if isinstance(value, datetime) else None


def org_accounts(store: Store, org_id: str | None) -> set[str] | None:
    """Account ids of an organisation (``None`` = no restriction)."""
    if org_id is None:
        return None
    rows = store.con.execute(
        "SELECT account_id FROM accounts WHERE org_id = ?", [org_id]
    ).fetchall()
    return {str(r[0]) for r in rows}
