"""Fixtures of the alert tests: a local SMTP server (aiosmtpd) and a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from alert_data import Received, free_port, webhook_receiver


class Inbox:
    """aiosmtpd handler keeping every received message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, int(controller.port)
    finally:
        controller.stop()


@pytest.fixture
def hook() -> Iterator[tuple[str, Received]]:
    with webhook_receiver() as receiver:
        yield receiver
