"""A local SMTP server's message store for the tests (aiosmtpd handler).

A module of its own, shared by the alert, report-schedule and STARTTLS tests; not ``conftest``
(several folders have one, and ``from conftest import ...`` picks whichever was imported first).
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


@dataclass
class Inbox:
    """Messages the local SMTP server received: (envelope recipients, parsed message)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"
