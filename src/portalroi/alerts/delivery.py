"""Sending a fired alert: e-mail over SMTP and a signed JSON webhook.

E-mail reuses :func:`portalroi.reports.mail.send_mail` (the ``smtp_*`` settings). A webhook is an
HTTP POST of the event's JSON payload (stdlib ``urllib``, 10 s timeout) signed as
:mod:`portalroi.alerts.signing` describes; any status other than 2xx is a failure.
Both raise on failure; the caller records the error and retries on the next run.

Examples
--------
>>> email_text({"rule": {"name": "Risk"}, "account_id": "A1", "reason": "health 30 < 40",
...             "value": 30, "threshold": 40, "window": {"start": None, "end": "2025-01-01"},
...             "event_id": "ae_1"})[0]
'[portalroi] Risk: account A1'
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from portalroi.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from portalroi.reports.mail import SmtpConfig, send_mail

__all__ = ["WEBHOOK_TIMEOUT_S", "email_text", "payload_bytes", "post_webhook", "send_email"]

#: Seconds a webhook receiver has to answer.
WEBHOOK_TIMEOUT_S = 10.0


def email_text(payload: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body of an alert e-mail."""
    who = f"account {payload['account_id']}" if payload.get("account_id") else "portal-wide"
    subject = f"[portalroi] {payload['rule']['name']}: {who}"
    window = payload.get("window") or {}
    lines = [
        payload["reason"],
        "",
        f"Rule:      {payload['rule']['name']}",
        f"Account:   {payload.get('account_id') or '-'}",
        f"Value:     {payload.get('value')}",
        f"Threshold: {payload.get('threshold')}",
        f"Window:    {window.get('start') or '-'} to {window.get('end')}",
        f"Event:     {payload['event_id']}",
    ]
    return subject, "\n".join(lines) + "\n"


def send_email(smtp: SmtpConfig, recipients: Sequence[str], payload: dict[str, Any]) -> None:
    """E-mail one alert to ``recipients``."""
    subject, body = email_text(payload)
    send_mail(smtp, recipients, subject, body, [])


def post_webhook(url: str, secret: str, body: bytes, *, timeout: float = WEBHOOK_TIMEOUT_S) -> int:
    """POST ``body`` (JSON) to ``url`` with the signature headers; returns the HTTP status.

    Raises :class:`OSError` (``urllib.error.URLError``) when the receiver cannot be reached or
    answers with a status other than 2xx.
    """
    ts = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "portalroi-alerts",
            TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: sign(secret, body, ts),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        exc.close()
        raise OSError(f"HTTP {exc.code} from {url}: {detail or exc.reason}") from None
    if not 200 <= status < 300:
        raise OSError(f"HTTP {status} from {url}")
    return status


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (compact JSON, keys sorted)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
