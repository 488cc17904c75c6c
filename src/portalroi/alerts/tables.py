"""The alert tables in the analytics store: rules, condition state, events and deliveries.

``_alert_rules``
    one row per rule: id, name, kind, organisation (``NULL`` = vendor-wide), the rule as JSON;
``_alert_state``
    one row per (rule, condition) ever seen: whether it holds now, since when, when it last fired
    (what de-duplication reads);
``_alert_events``
    the history: one row per firing, with account, reason, value, threshold, window and the JSON
    payload that was sent;
``_alert_deliveries``
    one row per event and channel (``email`` / ``webhook``): status (``pending``, ``sent``,
    ``failed``, ``gave_up``, ``cancelled``), attempts and the last error.

Examples
--------
>>> from portalroi.store import Store
>>> from portalroi.alerts.rules import parse_rule
>>> store = Store(":memory:")
>>> rid = add_rule(store, parse_rule({"name": "Risk", "kind": "health_band", "below": 40}))
>>> [r.rule.name for r in list_rules(store)]
['Risk']
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from portalroi.alerts.rules import parse_rule
from portalroi.errors import NotFoundError
from portalroi.store import Store

__all__ = [
    "StoredRule",
    "add_rule",
    "ensure_tables",
    "events_frame",
    "get_rule",
    "list_rules",
    "new_id",
    "remove_rule",
    "tables_exist",
]

_DDL = (
    """CREATE TABLE IF NOT EXISTS _alert_rules (
        rule_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        org_id VARCHAR,
        spec JSON NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS _alert_state (
        rule_id VARCHAR NOT NULL,
        cond_key VARCHAR NOT NULL,
        account_id VARCHAR,
        org_id VARCHAR,
        active BOOLEAN NOT NULL,
        since TIMESTAMP,
        last_fired_at TIMESTAMP,
        last_event_id VARCHAR,
        cleared_at TIMESTAMP,
        PRIMARY KEY (rule_id, cond_key)
    )""",
    """CREATE TABLE IF NOT EXISTS _alert_events (
        event_id VARCHAR PRIMARY KEY,
        rule_id VARCHAR NOT NULL,
        rule_name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        org_id VARCHAR,
        account_id VARCHAR,
        subject VARCHAR,
        reason VARCHAR NOT NULL,
        value DOUBLE,
        threshold DOUBLE,
        window_start TIMESTAMP,
        window_end TIMESTAMP,
        as_of TIMESTAMP NOT NULL,
        fired_at TIMESTAMP NOT NULL,
        payload JSON NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS _alert_deliveries (
        event_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        target VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        last_error VARCHAR,
        last_attempt_at TIMESTAMP,
        delivered_at TIMESTAMP,
        PRIMARY KEY (event_id, channel)
    )""",
)


@dataclass(frozen=True)
class StoredRule:
    """A rule as stored: its id, when it was added, and the validated rule."""

    rule_id: str
    created_at: datetime
    rule: Any

    def public(self) -> dict[str, Any]:
        """The rule as JSON-ready data, with the webhook secret hidden."""
        spec = self.rule.model_dump(mode="json")
        if spec.get("webhook_secret"):
            spec["webhook_secret"] = "***"
        return {"rule_id": self.rule_id, "created_at": self.created_at, **spec}


def new_id(prefix: str) -> str:
    """A fresh random id such as ``ae_3f2a...`` (16 hex digits)."""
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def ensure_tables(store: Store) -> None:
    """Create the alert tables if they are missing."""
    for ddl in _DDL:
        store.con.execute(ddl)


def tables_exist(store: Store) -> bool:
    """Whether the store has the alert tables (a read-only store may not)."""
    row = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = '_alert_events'"
    ).fetchone()
    return bool(row and row[0])


def add_rule(store: Store, rule: Any, now: datetime | None = None) -> str:
    """Store a validated rule; returns its new id."""
    ensure_tables(store)
    rule_id = new_id("ar")
    store.con.execute(
        "INSERT INTO _alert_rules VALUES (?, ?, ?, ?, ?, ?)",
        [
            rule_id,
            rule.name,
            rule.kind,
            rule.org_id,
            json.dumps(rule.model_dump(mode="json")),
            now or datetime.now(),
        ],
    )
    return rule_id


def _stored(row: tuple[Any, ...]) -> StoredRule:
    rule_id, created_at, spec = row
    return StoredRule(str(rule_id), created_at, parse_rule(json.loads(spec), f"rule {rule_id}"))


def list_rules(store: Store, org_ids: frozenset[str] | None = None) -> list[StoredRule]:
    """Rules in creation order; with ``org_ids``, only those of these organisations."""
    if not tables_exist(store):
        return []
    rows = store.con.execute(
        "SELECT rule_id, created_at, spec, org_id FROM _alert_rules ORDER BY created_at, rule_id"
    ).fetchall()
    return [
        _stored(r[:3]) for r in rows if org_ids is None or (r[3] is not None and r[3] in org_ids)
    ]


def get_rule(store: Store, rule_id: str, org_ids: frozenset[str] | None = None) -> StoredRule:
    """One rule (:class:`~portalroi.errors.NotFoundError` if absent or outside ``org_ids``)."""
    for r in list_rules(store, org_ids):
        if r.rule_id == rule_id:
            return r
    raise NotFoundError(f"no alert rule {rule_id!r}; `portalroi alerts list` shows the rules")


def remove_rule(store: Store, rule_id: str, org_ids: frozenset[str] | None = None) -> None:
    """Delete a rule and its condition state (its history stays; undelivered sends stop)."""
    get_rule(store, rule_id, org_ids)
    with store.transaction() as con:
        con.execute("DELETE FROM _alert_rules WHERE rule_id = ?", [rule_id])
        con.execute("DELETE FROM _alert_state WHERE rule_id = ?", [rule_id])
        con.execute(
            "UPDATE _alert_deliveries SET status = 'cancelled', last_error = 'rule removed' "
            "WHERE status IN ('pending', 'failed') AND event_id IN "
            "(SELECT event_id FROM _alert_events WHERE rule_id = ?)",
            [rule_id],
        )


def events_frame(
    store: Store,
    org_ids: frozenset[str] | None = None,
    rule_id: str | None = None,
    account_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """Fired events, newest first, with each channel's delivery status; and the total count.

    ``details`` is the dict of figures the event's reason quotes (see
    :class:`~portalroi.alerts.conditions.Condition`).

    With ``org_ids`` only events of those organisations' rules (the rules
    :func:`list_rules` shows for the same ``org_ids``; the rule's organisation is kept on each
    event, so this holds after the rule is removed) about their accounts (or about no single
    account) are returned. Firings of vendor-wide rules (``org_id`` null) or of other
    organisations' rules are left out even when they concern one of these accounts: their rule
    names, reasons, recipients, webhook addresses and delivery errors are not these
    organisations' to see.
    """
    if not tables_exist(store):
        return pd.DataFrame(), 0
    where, params = ["TRUE"], []
    if org_ids is not None:
        marks = ", ".join("?" for _ in org_ids) or "NULL"
        where.append(
            f"e.org_id IN ({marks}) AND (e.account_id IS NULL OR e.account_id IN "
            f"(SELECT account_id FROM accounts WHERE org_id IN ({marks})))"
        )
        params += sorted(org_ids) * 2
    if rule_id is not None:
        where.append("e.rule_id = ?")
        params.append(rule_id)
    if account_id is not None:
        where.append("e.account_id = ?")
        params.append(account_id)
    cond = " AND ".join(where)
    total_row = store.con.execute(
        f"SELECT count(*) FROM _alert_events e WHERE {cond}", params
    ).fetchone()
    frame = store.con.execute(
        "SELECT e.event_id, e.rule_id, e.rule_name, e.kind, e.org_id, e.account_id, e.subject, "
        "e.reason, CAST(json_extract(e.payload, '$.details') AS VARCHAR) AS details, "
        "e.value, e.threshold, e.window_start, e.window_end, e.as_of, e.fired_at, "
        "coalesce((SELECT list({'channel': d.channel, 'target': d.target, 'status': d.status, "
        "'attempts': d.attempts, 'error': d.last_error, 'delivered_at': d.delivered_at} "
        "ORDER BY d.channel) FROM _alert_deliveries d WHERE d.event_id = e.event_id), []) "
        f"AS deliveries FROM _alert_events e WHERE {cond} "
        "ORDER BY e.fired_at DESC, e.rule_name, e.account_id NULLS FIRST, e.subject, e.event_id "
        "LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).df()
    # the figures the reason quotes ({} for firings recorded before they were kept)
    frame["details"] = [json.loads(d) if isinstance(d, str) else {} for d in frame["details"]]
    return frame, int(total_row[0]) if total_row else 0
