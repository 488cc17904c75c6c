"""Sending a fired alert: e-mail over SMTP and a signed JSON webhook.

E-mail reuses :func:`portalroi.reports.mail.send_mail` (the ``smtp_*`` settings). A webhook is an
HTTP POST of the event's JSON payload (stdlib ``urllib``, 10 s timeout) signed as
:mod:`portalroi.alerts.signing` describes; any status other than 2xx is a failure, and a
redirect is not followed (it is a failure too).
Both raise on failure; the caller records the error and retries on the next run.

An organisation's admin may add a rule with a webhook, so the server would otherwise POST
wherever a tenant asks, including the vendor's own internal services (server-side request
forgery). Unless the setting ``webhook_allow_private`` is on, a webhook whose host resolves to
an address that is not globally reachable (loopback, private, link-local such as a cloud
metadata service, carrier-grade NAT, reserved) is refused before anything is sent
(:func:`check_webhook_host`). The check resolves the name just before the request; a DNS server
that answers differently moments later (DNS rebinding) is not covered: keep the server's own
network egress rules too.

Examples
--------
>>> email_text({"rule": {"name": "Risk"}, "account_id": "A1", "reason": "health 30 < 40",
...             "value": 30, "threshold": 40, "window": {"start": None, "end": "2025-01-01"},
...             "event_id": "ae_1"})[0]
'[portalroi] Risk: account A1'
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from portalroi.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from portalroi.errors import ConfigError
from portalroi.reports.mail import SmtpConfig, send_mail

__all__ = [
    "WEBHOOK_TIMEOUT_S",
    "check_webhook_host",
    "email_text",
    "payload_bytes",
    "post_webhook",
    "send_email",
]

#: Seconds a webhook receiver has to answer.
WEBHOOK_TIMEOUT_S = 10.0


def email_text(payload: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body of an alert e-mail (the subject is sent on one line by
    :func:`~portalroi.reports.mail.send_mail`)."""
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


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_webhook_host(url: str, allow_private: bool = False) -> None:
    """Refuse a webhook ``url`` whose host is, or resolves to, a non-public address.

    Raises :class:`~portalroi.errors.ConfigError` naming the host and the address (and the
    setting that allows it); :class:`OSError` when the name does not resolve. Does nothing when
    ``allow_private`` (setting ``webhook_allow_private``).

    Examples
    --------
    >>> check_webhook_host("http://127.0.0.1:8080/hook")
    Traceback (most recent call last):
    ...
    portalroi.errors.ConfigError: webhook host 127.0.0.1 is a non-public address (127.0.0.1); \
set PORTALROI_WEBHOOK_ALLOW_PRIVATE=true to deliver to loopback, private or link-local hosts
    >>> check_webhook_host("http://[::ffff:169.254.169.254]/latest")
    Traceback (most recent call last):
    ...
    portalroi.errors.ConfigError: webhook host ::ffff:169.254.169.254 is a non-public address ...
    >>> check_webhook_host("http://127.0.0.1:8080/hook", allow_private=True)
    >>> check_webhook_host("https://93.184.215.14/hook")  # a public address: nothing to say
    """
    if allow_private:
        return
    host = urllib.parse.urlsplit(url).hostname
    if not host:
        raise ConfigError(f"webhook URL {url!r} has no host")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise OSError(f"webhook host {host!r} does not resolve ({exc})") from None
    private = sorted(a for a in addresses if not _public(a))
    if private:
        what = "is" if private == [host] else "resolves to"
        raise ConfigError(
            f"webhook host {host} {what} a non-public address ({', '.join(private)}); set "
            "PORTALROI_WEBHOOK_ALLOW_PRIVATE=true to deliver to loopback, private or link-local "
            "hosts"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect answer is the receiver's answer (a failure), never a second request."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_webhook(
    url: str,
    secret: str,
    body: bytes,
    *,
    timeout: float = WEBHOOK_TIMEOUT_S,
    allow_private: bool = False,
) -> int:
    """POST ``body`` (JSON) to ``url`` with the signature headers; returns the HTTP status.

    The host is checked first (:func:`check_webhook_host`; ``allow_private`` is the setting
    ``webhook_allow_private``): a refused host raises
    :class:`~portalroi.errors.ConfigError` and nothing is sent. Raises :class:`OSError`
    (``urllib.error.URLError``) when the receiver cannot be reached or answers with a status
    other than 2xx, a redirect included.
    """
    check_webhook_host(url, allow_private)
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
        with _OPENER.open(request, timeout=timeout) as response:
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
