"""Zendesk ticket export -> tickets: the CSV export, or the API's ticket objects as JSON / JSONL.

=====================  ===================================================================
canonical              API ticket object (JSON)         CSV export column
=====================  ===================================================================
ticket_id              id                               Id
account_id             organization_id                  Organization id / Organization
user_id                requester_id                     Requester id
created_at             created_at                       Created at
resolved_at            (not in the object)              Solved at
channel                via.channel                      Via
priority, status       priority, status (hold -> pending)   Priority, Status
category               type                             Ticket type
subject, description   subject, description             Subject, Description
csat                   satisfaction_rating.score        Satisfaction Score
reopens, agent_replies (not in the object)              Reopens, Replies
=====================  ===================================================================

Channel: web, web form, help center, mobile -> portal; email -> email; voice, phone -> phone;
chat, messaging -> chat; twitter, facebook, instagram, whatsapp -> social; api and others ->
other. Zendesk's CSAT is good/bad: good -> 5, bad -> 1, offered/unoffered -> no score.
Everything else (tags, custom_fields as ``[{id, value}]``, updated_at, via, ...) is kept in
``properties``.
"""

from __future__ import annotations

from pathlib import Path

from portalroi.ingest.adapters._base import Adapter, case_map, csv_or_json, overlay
from portalroi.ingest.mapping import Mapping

__all__ = ["ZENDESK"]

STATUSES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "pending",
    "on-hold": "pending",
    "solved": "solved",
    "closed": "closed",
}
SCORES = {"good": "5", "bad": "1"}


def _channel(v: str) -> str:
    low = f"lower(trim(CAST({v} AS VARCHAR)))"
    return (
        f"CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN {low} IN ('web', 'web form', 'web_form', 'web widget', 'web_widget', 'help_center', "
        f"'help center', 'mobile', 'mobile_sdk', 'mobile sdk', 'web service') THEN 'portal' "
        f"WHEN {low} LIKE '%mail%' THEN 'email' "
        f"WHEN {low} = 'voice' OR {low} LIKE 'phone%' OR {low} LIKE 'voicemail%' THEN 'phone' "
        f"WHEN {low} LIKE '%chat%' OR {low} LIKE '%messaging%' THEN 'chat' "
        f"WHEN {low} IN ('twitter', 'facebook', 'instagram', 'whatsapp', 'instagram_dm', "
        f"'facebook post', 'facebook message', 'twitter dm', 'tweet') THEN 'social' "
        f"ELSE 'other' END"
    )


def build(columns: tuple[str, ...], user: Mapping | None = None) -> Mapping:
    """The mapping for a Zendesk export (see the module docstring)."""
    if "_json" in columns:
        base = Mapping(
            table="tickets",
            columns={
                "ticket_id": ("id",),
                "account_id": ("organization_id",),
                "user_id": ("requester_id",),
                "created_at": ("created_at",),
                "category": ("type",),
                "subject": ("subject",),
                "description": ("description",),
                "priority": ("priority",),
            },
            exprs={
                "channel": _channel("_json->>'$.via.channel'"),
                "status": case_map("_json->>'status'", STATUSES),
                "csat": case_map("_json->>'$.satisfaction_rating.score'", SCORES),
            },
            consumed=("status",),
        )
    else:
        via = next((f'"{c}"' for c in ("Via", "via") if c in columns), None)
        status = next((f'"{c}"' for c in ("Status", "status") if c in columns), None)
        score = next(
            (f'"{c}"' for c in ("Satisfaction Score", "Satisfaction score") if c in columns), None
        )
        exprs = {"channel": _channel(via) if via else "'other'"}
        if status:
            exprs["status"] = case_map(status, STATUSES)
        if score:
            exprs["csat"] = case_map(score, SCORES)
        base = Mapping(
            table="tickets",
            columns={
                "ticket_id": ("Id", "id", "Ticket ID", "Ticket id"),
                "account_id": (
                    "Organization id",
                    "Organization ID",
                    "organization_id",
                    "Organization",
                ),
                "user_id": ("Requester id", "Requester ID", "requester_id"),
                "created_at": ("Created at", "created_at"),
                "resolved_at": ("Solved at", "solved_at"),
                "category": ("Ticket type", "type"),
                "subject": ("Subject", "subject"),
                "description": ("Description", "description"),
                "priority": ("Priority", "priority"),
                "reopens": ("Reopens",),
                "agent_replies": ("Replies",),
            },
            exprs=exprs,
        )
    return overlay(base, user)


def _reader(path: Path) -> str:
    return csv_or_json(path)


ZENDESK = Adapter(
    name="zendesk",
    table="tickets",
    description="Zendesk tickets: CSV export, or API ticket objects as JSON / JSON Lines.",
    reader=_reader,
    build=build,
)
