"""A tiny canonical data set written by hand; tests state its metric values literally.

Active days: u1 (A1) 01-10, 01-15, 01-20, 02-05; u2 (A1) 01-11, 01-15; u3 (A2) 01-12, 02-06,
02-07; u5 (A1) 02-20; u4 (A1) never. One anonymous event (no user) must be ignored.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from portalroi.schema import TABLES

T = pd.Timestamp

ACCOUNTS = [
    {
        "account_id": "A1",
        "segment": "smb",
        "created_at": T("2024-01-01"),
        "portal_live_at": T("2024-01-10"),
    },
    {
        "account_id": "A2",
        "segment": "enterprise",
        "created_at": T("2023-12-01"),
        "portal_live_at": None,
    },
    {
        "account_id": "A3",
        "segment": "mid_market",
        "created_at": T("2024-01-01"),
        "portal_live_at": T("2024-03-01 12:00"),
    },
]
USERS = [
    {"user_id": "u1", "account_id": "A1", "role": "admin"},
    {"user_id": "u2", "account_id": "A1", "role": "end_user"},
    {"user_id": "u3", "account_id": "A2", "role": "end_user"},
    {"user_id": "u4", "account_id": "A1", "role": "end_user"},
    {"user_id": "u5", "account_id": "A1", "role": "end_user"},
]


def _ev(
    i: int, ts: str, acc: str, user: str | None, sess: str, etype: str, device: str, **kw: Any
) -> dict[str, Any]:
    return dict(
        event_id=f"e{i}",
        ts=T(ts),
        account_id=acc,
        user_id=user,
        session_id=sess,
        event_type=etype,
        device=device,
        **kw,
    )


EVENTS = [
    _ev(1, "2024-01-10 09:00", "A1", "u1", "s1", "login", "desktop"),
    _ev(2, "2024-01-10 09:05", "A1", "u1", "s1", "search", "desktop", result_count=0),
    _ev(3, "2024-01-10 09:06", "A1", "u1", "s1", "search", "desktop", result_count=5),
    _ev(4, "2024-01-10 09:07", "A1", "u1", "s1", "search_click", "desktop"),
    _ev(5, "2024-01-10 09:20", "A1", "u1", "s1", "ticket_created", "desktop"),
    _ev(6, "2024-01-11 10:00", "A1", "u2", "s2", "login", "mobile"),
    _ev(7, "2024-01-11 10:10", "A1", "u2", "s2", "feature_use", "mobile", feature="invoices"),
    _ev(8, "2024-01-11 10:30", "A1", "u2", "s2", "article_view", "mobile"),
    _ev(9, "2024-01-12 08:00", "A2", "u3", "s3", "login", "desktop"),
    _ev(10, "2024-01-12 08:01", "A2", "u3", "s3", "feature_use", "desktop", feature="orders"),
    _ev(11, "2024-01-12 08:02", "A2", "u3", "s3", "order_placed", "desktop", amount=100.0),
    _ev(12, "2024-01-15 09:00", "A1", "u1", "s4", "login", "desktop"),
    _ev(13, "2024-01-15 09:30", "A1", "u1", "s4", "self_service_resolved", "desktop"),
    _ev(14, "2024-01-15 11:00", "A1", "u2", "s5", "ticket_created", "desktop"),
    _ev(15, "2024-01-20 14:00", "A1", "u1", "s6", "feature_use", "desktop", feature="invoices"),
    _ev(16, "2024-02-05 09:00", "A1", "u1", "s7", "login", "desktop"),
    _ev(17, "2024-02-05 09:10", "A1", "u1", "s7", "invoice_view", "desktop", object_id="I1"),
    _ev(18, "2024-02-06 12:00", "A2", "u3", "s8", "search", "desktop", result_count=2),
    _ev(19, "2024-02-06 12:05", "A2", "u3", "s8", "article_view", "desktop"),
    _ev(20, "2024-02-20 16:00", "A1", "u5", "s9", "login", "mobile"),
    _ev(21, "2024-01-10 08:00", "A1", None, "s0", "page_view", "desktop"),
    _ev(22, "2024-02-07 09:00", "A2", "u3", "s10", "page_view", "desktop"),
]


def _tk(
    tid: str,
    acc: str,
    user: str | None,
    created: str,
    reply: str | None,
    resolved: str | None,
    closed: str | None,
    channel: str,
    replies: int | None,
    reopens: int | None,
    reassign: int | None,
    escalated: bool | None,
    automated: bool | None,
    sla: bool | None,
    kb: bool | None,
    cost: float | None,
    csat: float | None,
) -> dict[str, Any]:
    def ts(x: str | None) -> Any:
        return T(x) if x else None

    return {
        "ticket_id": tid,
        "account_id": acc,
        "user_id": user,
        "created_at": T(created),
        "first_reply_at": ts(reply),
        "resolved_at": ts(resolved),
        "closed_at": ts(closed),
        "channel": channel,
        "agent_replies": replies,
        "reopens": reopens,
        "reassignments": reassign,
        "escalated": escalated,
        "automated": automated,
        "sla_met": sla,
        "knowledge_used": kb,
        "cost": cost,
        "csat": csat,
    }


TICKETS = [
    _tk(
        "t1",
        "A1",
        "u1",
        "2024-01-10 09:20",
        "2024-01-10 10:20",
        "2024-01-10 13:20",
        "2024-01-12 09:20",
        "portal",
        1,
        0,
        0,
        False,
        False,
        True,
        True,
        20.0,
        5.0,
    ),
    _tk(
        "t2",
        "A1",
        "u2",
        "2024-01-15 11:00",
        "2024-01-15 13:00",
        "2024-01-16 11:00",
        "2024-01-18 11:00",
        "portal",
        3,
        1,
        0,
        True,
        False,
        False,
        False,
        40.0,
        2.0,
    ),
    _tk(
        "t3",
        "A2",
        "u3",
        "2024-01-20 08:00",
        "2024-01-20 08:30",
        "2024-01-20 10:00",
        None,
        "email",
        1,
        0,
        1,
        False,
        True,
        True,
        False,
        30.0,
        None,
    ),
    _tk(
        "t4",
        "A1",
        None,
        "2024-02-03 10:00",
        None,
        None,
        None,
        "phone",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
    _tk(
        "t5",
        "A2",
        "u3",
        "2024-02-06 15:00",
        "2024-02-06 16:00",
        "2024-02-07 15:00",
        "2024-02-08 15:00",
        "chat",
        2,
        0,
        0,
        False,
        False,
        True,
        True,
        50.0,
        4.0,
    ),
]
ORDERS = [
    {
        "order_id": "o1",
        "account_id": "A2",
        "user_id": "u3",
        "ts": T("2024-01-12 08:02"),
        "amount": 100.0,
        "channel": "portal",
    },
    {
        "order_id": "o2",
        "account_id": "A1",
        "user_id": "u1",
        "ts": T("2024-01-25 10:00"),
        "amount": 300.0,
        "channel": "phone",
    },
    {
        "order_id": "o3",
        "account_id": "A1",
        "user_id": "u2",
        "ts": T("2024-02-10 10:00"),
        "amount": 50.0,
        "channel": "portal",
    },
]
INVOICES = [
    {
        "invoice_id": "I1",
        "account_id": "A1",
        "issued_at": T("2024-01-31"),
        "due_at": T("2024-02-29"),
        "paid_at": T("2024-02-10"),
        "amount": 1000.0,
        "delivered_via_portal": True,
        "paid_via_portal": True,
    },
    {
        "invoice_id": "I2",
        "account_id": "A2",
        "issued_at": T("2024-01-31"),
        "paid_at": T("2024-03-01"),
        "amount": 500.0,
        "delivered_via_portal": False,
        "paid_via_portal": False,
    },
    {
        "invoice_id": "I3",
        "account_id": "A1",
        "issued_at": T("2024-02-29"),
        "amount": 700.0,
        "delivered_via_portal": True,
    },
]

DATA: dict[str, list[dict[str, Any]]] = {
    "accounts": ACCOUNTS,
    "users": USERS,
    "events": EVENTS,
    "tickets": TICKETS,
    "orders": ORDERS,
    "invoices": INVOICES,
}

_PANDAS = {
    "VARCHAR": "string",
    "JSON": "string",
    "TIMESTAMP": "datetime64[us]",
    "DATE": "datetime64[us]",
    "DOUBLE": "Float64",
    "BIGINT": "Int64",
    "BOOLEAN": "boolean",
}


def frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with every canonical column of ``table`` and its type."""
    spec = TABLES[table]
    df = pd.DataFrame(rows, columns=list(spec.column_names))
    return df.astype({c.name: _PANDAS[c.type] for c in spec.columns})


def load_duckdb(con: Any, data: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Insert the rows into the canonical tables of a DuckDB store connection."""
    for table, rows in (data or DATA).items():
        con.register("_tiny_rows", frame(table, rows))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _tiny_rows")
        con.unregister("_tiny_rows")
