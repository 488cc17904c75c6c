"""A test message through a rule's channels (``portalroi alerts test --send``): nothing recorded.

Examples
--------
>>> from portalroi.alerts.rules import parse_rule
>>> from portalroi.alerts.tables import StoredRule
>>> from datetime import datetime
>>> from portalroi.settings import Settings
>>> rule = parse_rule({"name": "r", "kind": "health_band", "below": 40})
>>> send_test(StoredRule("ar_1", datetime(2025, 1, 1), rule), Settings())
{}
"""

from __future__ import annotations

from datetime import datetime

from portalroi.alerts.delivery import payload_bytes, post_webhook, send_email
from portalroi.alerts.tables import StoredRule
from portalroi.errors import PortalRoiError
from portalroi.reports.mail import SmtpConfig
from portalroi.settings import Settings

__all__ = ["send_test"]


def send_test(stored: StoredRule, settings: Settings) -> dict[str, str]:
    """Send a test payload (``"test": true``) to each channel; outcome per channel."""
    now = datetime.now().replace(microsecond=0).isoformat() + "Z"
    payload = {
        "event_id": "test",
        "test": True,
        "rule": {"id": stored.rule_id, "name": stored.rule.name, "kind": stored.rule.kind},
        "org_id": stored.rule.org_id,
        "account_id": None,
        "subject": None,
        "reason": "test message from `portalroi alerts test --send`",
        "value": None,
        "threshold": None,
        "window": {"start": None, "end": now},
        "as_of": now,
        "fired_at": now,
    }
    out: dict[str, str] = {}
    if stored.rule.email:
        try:
            send_email(SmtpConfig.from_settings(settings), list(stored.rule.email), payload)
            out["email"] = "sent"
        # ValueError: a message the mail library refuses (a header with a line break)
        except (OSError, ValueError, PortalRoiError) as exc:
            out["email"] = f"failed: {exc}"
    if stored.rule.webhook_url:
        secret = stored.rule.webhook_secret or settings.secret_key
        try:
            post_webhook(
                str(stored.rule.webhook_url),
                secret,
                payload_bytes(payload),
                allow_private=settings.webhook_allow_private,
            )
            out["webhook"] = "sent"
        # ValueError: a message the mail library refuses (a header with a line break)
        except (OSError, ValueError, PortalRoiError) as exc:
            out["webhook"] = f"failed: {exc}"
    return out
