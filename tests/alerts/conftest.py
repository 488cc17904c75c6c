"""Fixtures of the alert tests: a local SMTP server (aiosmtpd) and a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from alert_data import Received, free_port, webhook_receiver

from smtp_inbox import Inbox


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
