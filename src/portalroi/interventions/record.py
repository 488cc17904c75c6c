"""Recording, listing and importing interventions (the ``interventions`` table).

An intervention is one customer-success action on an account: a call, a training, a QBR, a
playbook step, a discount, a new knowledge-base article, or another action. Every path that
writes one (CLI, API, web form, CSV import) goes through the ingestion pipeline, so the load is
validated, deduplicated by ``intervention_id`` and recorded in ``_loads`` like any other.

Examples
--------
>>> from portalroi.store import Store
>>> store = Store(":memory:")
>>> _ = store.con.execute(
...     "INSERT INTO accounts (account_id, created_at) VALUES ('A1', '2023-01-01')")
>>> iid = record_intervention(store, account_id="A1", kind="call", occurred_at="2024-03-01")
>>> list_interventions(store)[["account_id", "kind"]].values.tolist()
[['A1', 'call']]
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from portalroi.errors import Issue, ValidationError
from portalroi.ingest import LoadSummary, ingest_file, ingest_frame
from portalroi.schema import INTERVENTION_KINDS
from portalroi.store import Store

__all__ = [
    "KINDS",
    "import_interventions",
    "list_interventions",
    "parse_when",
    "record_intervention",
]

#: Kinds of intervention, as the schema allows them.
KINDS: tuple[str, ...] = INTERVENTION_KINDS

#: Columns :func:`list_interventions` returns, in order.
LIST_COLUMNS: tuple[str, ...] = (
    "intervention_id",
    "account_id",
    "kind",
    "occurred_at",
    "owner",
    "note",
    "alert_id",
    "reason",
)

#: A recorded time may lie this far ahead of now (clock skew between machines).
_SKEW = timedelta(minutes=5)


def parse_when(value: date | datetime | str) -> datetime:
    """A naive UTC datetime from a date, datetime or ISO text (``2024-03-01[T10:30]``).

    Examples
    --------
    >>> parse_when("2024-03-01")
    datetime.datetime(2024, 3, 1, 0, 0)
    >>> parse_when("2024-03-01T10:30:00+01:00")
    datetime.datetime(2024, 3, 1, 9, 30)
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        dt = datetime.fromisoformat(str(value).strip())
    if dt.tzinfo is not None:
        dt = (dt - dt.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]
    return dt


def record_intervention(
    store: Store,
    *,
    account_id: str,
    kind: str,
    occurred_at: date | datetime | str,
    owner: str | None = None,
    note: str | None = None,
    alert_id: str | None = None,
    reason: str | None = None,
    intervention_id: str | None = None,
    source: str = "record",
    now: datetime | None = None,
) -> str:
    """Validate and store one intervention; return its id.

    Parameters
    ----------
    store
        The analytics store.
    account_id, kind, occurred_at
        The account acted on (must exist), one of :data:`KINDS`, and when (not in the future).
    owner, note, alert_id, reason
        Optional: who did it, a note, the alert event and the risk or reason that prompted it.
    intervention_id
        Id to store (default: a new ``IV-`` id); recording the same id again changes nothing.
    source
        Label of the load in ``_loads`` (e.g. ``cli``, ``api:tenant:user``).
    now
        The current UTC time (default: the clock), for the future-date check.

    Raises
    ------
    ValidationError
        Every problem found, each naming the field and the reason.

    Examples
    --------
    >>> store = Store(":memory:")
    >>> record_intervention(store, account_id="nope", kind="hug", occurred_at="2999-01-01")
    Traceback (most recent call last):
    ...
    portalroi.errors.ValidationError: 3 problems with the intervention: ...
    """
    issues: list[Issue] = []
    if kind not in KINDS:
        issues.append(Issue("kind", f"unknown kind; expected one of {', '.join(KINDS)}", kind))
    when: datetime | None = None
    try:
        when = parse_when(occurred_at)
    except ValueError:
        issues.append(Issue("occurred_at", "not a date (YYYY-MM-DD[THH:MM])", str(occurred_at)))
    current = (now or datetime.now(UTC)).replace(tzinfo=None)
    if when is not None and when > current + _SKEW:
        issues.append(
            Issue("occurred_at", f"in the future (now is {current:%Y-%m-%d %H:%M} UTC)", str(when))
        )
    found = store.con.execute(
        "SELECT count(*) FROM accounts WHERE account_id = ?", [account_id]
    ).fetchone()
    if not found or not found[0]:
        issues.append(Issue("account_id", "no such account in the store", account_id))
    if issues:
        word = "problem" if len(issues) == 1 else "problems"
        raise ValidationError(f"{len(issues)} {word} with the intervention", issues=issues)
    iid = intervention_id or f"IV-{uuid.uuid4().hex[:12]}"
    row = {
        "intervention_id": iid,
        "account_id": account_id,
        "kind": kind,
        "occurred_at": when,
        "owner": owner,
        "note": note,
        "alert_id": alert_id,
        "reason": reason,
    }
    summary = ingest_frame(store, pd.DataFrame([row]), table="interventions", source_name=source)
    if summary.quarantined:
        raise ValidationError("the intervention was refused", issues=list(summary.issues))
    return iid


def list_interventions(
    store: Store,
    account_id: str | None = None,
    *,
    accounts: Collection[str] | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Interventions, newest first, optionally of one account, a set of accounts or a kind.

    Examples
    --------
    >>> list_interventions(Store(":memory:")).shape
    (0, 8)
    """
    where: list[str] = []
    params: list[object] = []
    if account_id is not None:
        where.append("account_id = ?")
        params.append(account_id)
    if accounts is not None:
        where.append("account_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(sorted(accounts))
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    sql = f"SELECT {', '.join(LIST_COLUMNS)} FROM interventions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY occurred_at DESC, intervention_id"
    frame: pd.DataFrame = store.con.execute(sql, params).df()
    return frame


def import_interventions(
    store: Store, path: Path | str, mapping: Path | str | None = None
) -> LoadSummary:
    """Load a CSV/CRM export of interventions through the ingestion pipeline.

    Rows with an unknown kind, a bad date or a missing field are quarantined with file, row,
    column and reason (see ``portalroi status``); the others are stored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "iv.csv"
    >>> _ = f.write_text("intervention_id,account_id,kind,occurred_at\\n1,A1,call,2024-03-01\\n")
    >>> import_interventions(Store(":memory:"), f).inserted
    1
    """
    return ingest_file(store, path, table="interventions", mapping=mapping)
