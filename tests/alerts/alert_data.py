"""Small hand-written stores for the alert tests, and local SMTP / webhook receivers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd

from portalroi.ingest import ingest_frame
from portalroi.store import Store

#: Midnight the tests evaluate at (windows end here).
AS_OF = datetime(2024, 6, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_accounts(store: Store, rows: dict[str, str | None]) -> None:
    """Accounts ``{account_id: org_id}`` created long before the tests' windows."""
    frame = pd.DataFrame(
        {
            "account_id": list(rows),
            "org_id": list(rows.values()),
            "name": [f"Account {a}" for a in rows],
            "created_at": "2022-01-01",
            "portal_live_at": "2022-06-01",
            "seats": 10,
        }
    )
    ingest_frame(store, frame, table="accounts", source_name="test-accounts")


def add_events(store: Store, rows: list[dict[str, Any]], name: str = "test-events") -> None:
    frame = pd.DataFrame(rows)
    frame["event_id"] = [f"{name}-{i}" for i in range(len(frame))]
    ingest_frame(store, frame, table="events", source_name=name)


def add_tickets(store: Store, rows: list[dict[str, Any]], name: str = "test-tickets") -> None:
    frame = pd.DataFrame(rows)
    frame["ticket_id"] = [f"{name}-{i}" for i in range(len(frame))]
    frame["channel"] = "email"
    ingest_frame(store, frame, table="tickets", source_name=name)


def day(n: int, hour: int = 12) -> str:
    """ISO time ``n`` days before :data:`AS_OF` (n = 1 is the last day of every window)."""
    return (AS_OF - timedelta(days=n) + timedelta(hours=hour)).isoformat()


def searches(account: str, days_ago: int, total: int, zero: int) -> list[dict[str, Any]]:
    """``total`` search events on one day, ``zero`` of them with no result."""
    return [
        {
            "ts": day(days_ago, 9 + i % 10),
            "account_id": account,
            "user_id": f"{account}-u{i % 3}",
            "event_type": "search",
            "result_count": 0 if i < zero else 4,
        }
        for i in range(total)
    ]


@dataclass
class Received:
    """What the webhook receiver got: (headers, raw body) per request."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, Received]]:
    """A local HTTP server recording each POST; answers 500 while ``fail_next`` > 0."""
    got = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if got.fail_next > 0:
                got.fail_next -= 1
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"receiver down")
                return
            got.requests.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
