"""Salesforce Case export (Data Loader / Data Export / API field names, CSV) -> tickets.

=====================  =========================================================
canonical              source (first present)
=====================  =========================================================
ticket_id              Id, CaseNumber, Case Number
account_id             AccountId, Account ID
user_id                ContactId, Contact ID
created_at             CreatedDate, Date/Time Opened (ISO 8601, e.g. ...T10:30:00.000Z)
closed_at              ClosedDate, Date/Time Closed
channel                Origin: Phone -> phone, Email -> email, Web / Portal / Community
                       -> portal, Chat -> chat, social networks -> social, else other
priority               Priority: Critical/Urgent -> urgent, High -> high, Medium -> normal,
                       Low -> low
status                 Status: New -> new, Working/Escalated -> open, On Hold / Waiting
                       -> pending, Closed -> closed; other values: IsClosed -> closed/open
category               Reason, Case Reason, Type
subject, description   Subject, Description
escalated              IsEscalated
=====================  =========================================================

Report exports with localised dates (``1/15/2024 10:30 AM``) need ``date_format`` in a mapping
given with the adapter. Every other field (CaseNumber, Type, OwnerId, ...) is kept in
``properties``; so are Origin, Priority and Status as exported.
"""

from __future__ import annotations

from portalroi.ingest.adapters._base import Adapter, case_map, overlay
from portalroi.ingest.mapping import Mapping

__all__ = ["SALESFORCE"]

ORIGINS = {
    "phone": "phone",
    "email": "email",
    "e-mail": "email",
    "web": "portal",
    "portal": "portal",
    "customer portal": "portal",
    "community": "portal",
    "chat": "chat",
    "live chat": "chat",
    "twitter": "social",
    "facebook": "social",
    "social": "social",
}
PRIORITIES = {
    "critical": "urgent",
    "urgent": "urgent",
    "high": "high",
    "medium": "normal",
    "normal": "normal",
    "low": "low",
}
STATUSES = {
    "new": "new",
    "working": "open",
    "escalated": "open",
    "in progress": "open",
    "on hold": "pending",
    "waiting on customer": "pending",
    "pending": "pending",
    "closed": "closed",
    "solved": "solved",
}


def _first(columns: tuple[str, ...], *names: str) -> str | None:
    return next((f'"{n}"' for n in names if n in columns), None)


def build(columns: tuple[str, ...], user: Mapping | None = None) -> Mapping:
    """The mapping for a Salesforce Case export (see the module docstring)."""
    exprs: dict[str, str] = {}
    origin = _first(columns, "Origin", "Case Origin")
    exprs["channel"] = case_map(origin, ORIGINS, "'other'") if origin else "'other'"
    exprs["channel"] = f"coalesce({exprs['channel']}, 'other')"
    priority = _first(columns, "Priority")
    if priority:
        exprs["priority"] = case_map(priority, PRIORITIES)
    status = _first(columns, "Status")
    closed = _first(columns, "IsClosed", "Closed")
    fallback = (
        f"CASE lower(CAST({closed} AS VARCHAR)) WHEN 'true' THEN 'closed' "
        f"WHEN '1' THEN 'closed' WHEN 'false' THEN 'open' WHEN '0' THEN 'open' END"
        if closed
        else "NULL"
    )
    if status:
        exprs["status"] = case_map(status, STATUSES, fallback)
    base = Mapping(
        table="tickets",
        columns={
            "ticket_id": ("Id", "CaseNumber", "Case Number", "Case ID"),
            "account_id": ("AccountId", "Account ID"),
            "user_id": ("ContactId", "Contact ID"),
            "created_at": ("CreatedDate", "Date/Time Opened", "Created Date"),
            "closed_at": ("ClosedDate", "Date/Time Closed", "Closed Date"),
            "category": ("Reason", "Case Reason", "Type", "Case Type"),
            "subject": ("Subject",),
            "description": ("Description",),
            "escalated": ("IsEscalated", "Escalated"),
        },
        exprs=exprs,
    )
    return overlay(base, user)


SALESFORCE = Adapter(
    name="salesforce",
    table="tickets",
    description="Salesforce Case export (CSV with API field names).",
    reader=lambda path: "csv",
    build=build,
)
