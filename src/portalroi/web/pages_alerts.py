"""The alerts page: the caller's alert rules and the recent firings, each linked to its account.

Examples
--------
>>> sorted(r.path for r in router.routes)
['/alerts']
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from portalroi.alerts import events_frame, list_rules
from portalroi.api.deps import StoreDep
from portalroi.api.frames import records
from portalroi.web.alert_text import alert_reason, delivery_text
from portalroi.web.i18n_strings import t
from portalroi.web.render import LANG_COOKIE, page_principal, pick_language, render

__all__ = ["RECENT", "router"]

router = APIRouter(include_in_schema=False)

#: Firings shown on the page (newest first).
RECENT = 100

_CONDITION_SKIP = {
    "rule_id",
    "created_at",
    "name",
    "kind",
    "org_id",
    "email",
    "webhook_url",
    "webhook_secret",
    "enabled",
    "renotify_days",
}


def _rule_row(stored: Any) -> dict[str, str]:
    spec = stored.public()
    channels = [*spec["email"], *([spec["webhook_url"]] if spec["webhook_url"] else [])]
    condition = ", ".join(
        f"{k}={v}" for k, v in spec.items() if k not in _CONDITION_SKIP and v is not None
    )
    return {
        "name": stored.rule.name,
        "kind": stored.rule.kind,
        "condition": condition,
        "org": stored.rule.org_id or "-",
        "channels": ", ".join(channels) or "-",
    }


def _days(start: str | None, end: str | None) -> str:
    """``first – last`` day of a window whose end instant is exclusive (the last day shown)."""
    if end is None:
        return ""
    last = (datetime.fromisoformat(end) - timedelta(microseconds=1)).date().isoformat()
    return f"{start[:10]} – {last}" if start else last


def _event_row(e: dict[str, Any], lang: str) -> dict[str, Any]:
    delivery = ", ".join(
        delivery_text(d["channel"], d["status"], d["error"], lang) for d in e["deliveries"]
    )
    window = _days(e["window_start"], e["window_end"])
    account = e["account_id"]
    return {
        "fired_at": str(e["fired_at"])[:16].replace("T", " "),
        "rule": e["rule_name"],
        "account": account,
        "link": f"/accounts/{quote(account, safe='')}" if account else None,
        "subject": e["subject"] or "",
        "reason": alert_reason(e["kind"], e.get("details"), e["reason"], lang),
        "window": window,
        "delivery": delivery or "-",
    }


@router.get("/alerts")
def alerts(
    request: Request, store: StoreDep, lang: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """Alert rules and the most recent firings the signed-in user may see."""
    principal = page_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    language = pick_language(
        lang, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", "")
    )
    rules = [_rule_row(r) for r in list_rules(store, principal.scope)]
    frame, total = events_frame(store, principal.scope, limit=RECENT)
    events = [_event_row(e, language) for e in records(frame)]
    return render(
        request,
        "alerts.html.j2",
        language,
        title=t("alerts", language),
        principal=principal,
        rules=rules,
        events=events,
        total=total,
    )
