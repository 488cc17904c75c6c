"""ServiceNow incident event log -> tickets (one ticket per incident, its last state).

The export has one row per update of an incident (``number``, ``incident_state``,
``sys_updated_at``, ``sys_mod_count``, ...). The adapter keeps, per incident, the event with the
latest ``sys_updated_at`` (ties: highest ``sys_mod_count``, then the later row) and maps it:

=====================  ==========================================================
canonical              source
=====================  ==========================================================
ticket_id              number
user_id                caller_id
created_at             opened_at (``d/m/YYYY HH:MM``)
resolved_at/closed_at  resolved_at / closed_at
channel                contact_type: Phone, IVR -> phone; Self service -> self_service;
                       Email -> email; Direct opening and others -> other
priority               1 -> urgent, 2 -> high, 3 -> normal, 4 and 5 -> low; the display
                       values too (``1 - Critical``, ``2 - High``, ``3 - Moderate``,
                       ``4 - Low``, ``5 - Planning``); another value is quarantined
status                 New -> new; Active -> open; Awaiting * -> pending;
                       Resolved -> solved; Closed -> closed (case ignored); another
                       value is quarantined
category               category (``subcategory`` kept in properties)
sla_met                made_sla
knowledge_used         knowledge
reassignments/reopens  reassignment_count / reopen_count
=====================  ==========================================================

``?`` means no value. The channel, priority and status maps are ``values`` maps, so a ``values:``
entry in a mapping file given with ``--format servicenow`` takes precedence over them. Every other field of the last event, and ``event_count`` (events of the
incident), is kept in ``properties``.
"""

from __future__ import annotations

from portalroi.errors import SchemaError
from portalroi.ingest.adapters._base import Adapter, overlay
from portalroi.ingest.mapping import Mapping

__all__ = ["SERVICENOW"]

TIME_FORMAT = "%d/%m/%Y %H:%M"
CHANNELS = {
    "phone": "phone",
    "ivr": "phone",
    "self service": "self_service",
    "email": "email",
    "direct opening": "other",
}
PRIORITIES = {
    "1": "urgent",
    "2": "high",
    "3": "normal",
    "4": "low",
    "5": "low",
    "1 - Critical": "urgent",
    "2 - High": "high",
    "3 - Moderate": "normal",
    "4 - Low": "low",
    "5 - Planning": "low",
}
STATES = {
    "new": "new",
    "active": "open",
    "awaiting user info": "pending",
    "awaiting problem": "pending",
    "awaiting vendor": "pending",
    "awaiting evidence": "pending",
    "resolved": "solved",
    "closed": "closed",
}


def _state_column(columns: tuple[str, ...]) -> str:
    # some published copies damaged the header to `ident_state`
    return "incident_state" if "incident_state" in columns else "ident_state"


def _last_event(source: str, columns: tuple[str, ...]) -> str:
    missing = [c for c in ("number", "opened_at") if c not in columns]
    if missing:
        raise SchemaError(
            f"not a ServiceNow incident log: column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} missing"
        )
    order = []
    if "sys_updated_at" in columns:
        order.append(f"try_strptime(sys_updated_at, '{TIME_FORMAT}') DESC NULLS LAST")
    if "sys_mod_count" in columns:
        order.append("TRY_CAST(sys_mod_count AS BIGINT) DESC NULLS LAST")
    order.append("_row DESC")
    sub = "category.1" in columns and "subcategory" not in columns
    incident = "coalesce(number, '#' || _row)"  # an event without a number stays its own row
    exclude = '"category.1", _rn' if sub else "_rn"
    rename = ', "category.1" AS subcategory' if sub else ""
    return (
        f"SELECT * EXCLUDE ({exclude}){rename} FROM ("
        f"SELECT *, row_number() OVER (PARTITION BY {incident} ORDER BY {', '.join(order)}) AS _rn, "
        f"count(*) OVER (PARTITION BY {incident}) AS event_count FROM {source}) WHERE _rn = 1"
    )


def build(columns: tuple[str, ...], user: Mapping | None = None) -> Mapping:
    """The mapping for a ServiceNow incident event log (see the module docstring)."""
    state = _state_column(columns)
    base = Mapping(
        table="tickets",
        columns={
            "ticket_id": ("number",),
            "user_id": ("caller_id",),
            "created_at": ("opened_at",),
            "resolved_at": ("resolved_at",),
            "closed_at": ("closed_at",),
            "category": ("category",),
            "reassignments": ("reassignment_count",),
            "reopens": ("reopen_count",),
            "sla_met": ("made_sla",),
            "knowledge_used": ("knowledge",),
            "channel": ("contact_type",),
            "priority": ("priority",),
            "status": (state,),
        },
        values={"channel": CHANNELS, "priority": PRIORITIES, "status": STATES},
        value_defaults={"channel": "other"},
        formats=dict.fromkeys(("created_at", "resolved_at", "closed_at"), TIME_FORMAT),
        na_values=("?",),
        prepare=_last_event,
    )
    return overlay(base, user)


SERVICENOW = Adapter(
    name="servicenow",
    table="tickets",
    description="ServiceNow incident event log (CSV or a .zip of it): one ticket per incident.",
    reader=lambda path: "csv",
    build=build,
)
