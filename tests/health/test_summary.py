"""Account summaries: data-built text, and the optional OpenAI-compatible hook on a local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from portalroi.errors import NotFoundError
from portalroi.health.summary import account_facts, account_summary, facts_text
from portalroi.settings import Settings
from portalroi.store import Store


def _load(store: Store) -> None:
    q = store.con.execute
    q("INSERT INTO accounts (account_id, created_at) VALUES ('A1', '2023-01-01')")
    for i in range(4):  # previous period: 4 events; this period: 2
        q(
            "INSERT INTO events (event_id, ts, account_id, event_type) VALUES (?, ?, 'A1', 'login')",
            [f"p{i}", "2023-12-15"],
        )
    for i in range(2):
        q(
            "INSERT INTO events (event_id, ts, account_id, event_type) VALUES (?, ?, 'A1', 'login')",
            [f"e{i}", "2024-01-15"],
        )
    q(
        "INSERT INTO tickets (ticket_id, account_id, created_at, resolved_at, channel, escalated, "
        "csat) VALUES ('t1','A1','2024-01-03','2024-01-04','email', true, 3),"
        "('t2','A1','2024-01-20', NULL,'portal', false, NULL)"
    )
    q(
        "INSERT INTO surveys (response_id, account_id, ts, kind, score) VALUES "
        "('s1','A1','2024-01-10','nps', 8)"
    )


EXPECTED = (
    "A1, 2024-01-01 to 2024-01-31: 2 portal events (down 50% on the previous period). "
    "2 tickets opened, 1 escalated; 1 still open. CSAT 3.0/5, NPS answers average 8.0/10. "
    "Health score 42/100 (neutral, trend down). Churn risk 31%, mainly from: "
    "tickets opened in the last 90 days per licensed seat."
)
HEALTH = {"score": 42.4, "band": "neutral", "trend": "down"}
RISK = {"risk": 0.31, "reasons": [{"feature": "tickets_per_seat_90d", "value": 2.0}]}


def test_data_built_summary(store: Store) -> None:
    _load(store)
    s = account_summary(store, "A1", "2024-01-01", "2024-02-01", HEALTH, RISK)
    assert (s.source, s.text) == ("data", EXPECTED)
    assert account_facts(store, "A1", "2024-01-01", "2024-02-01")["events_change"] == -0.5
    with pytest.raises(NotFoundError):
        account_summary(store, "nobody", "2024-01-01", "2024-02-01")


def test_summary_shows_the_score_in_the_band_it_names() -> None:
    # 69.87 is "neutral" (healthy starts at 70); rounded it read "Health score 70/100 (neutral"
    facts = {"account_id": "A1", "start": "2024-01-01", "end": "2024-01-31", "events": 0,
             "tickets": 0, "escalations": 0, "open_tickets": 0,
             "health": {"score": 69.87, "band": "neutral", "trend": "flat"}}  # fmt: skip
    assert "Health score 69/100 (neutral, trend flat)." in facts_text(facts)


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            return
        answer = {
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "Reworded summary."}}
            ]
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.requests = []
    _Handler.status = 200
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_llm_hook_rewrites_from_the_facts(store: Store, server: str) -> None:
    _load(store)
    settings = Settings(llm_base_url=server, llm_model="local-model", llm_api_key="k")
    s = account_summary(store, "A1", "2024-01-01", "2024-02-01", HEALTH, RISK, settings)
    assert (s.source, s.text) == ("llm", "Reworded summary.")
    req = _Handler.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == "Bearer k"
    assert req["body"]["model"] == "local-model"
    assert EXPECTED in req["body"]["messages"][-1]["content"]


def test_llm_failure_falls_back_to_data(store: Store, server: str) -> None:
    _load(store)
    _Handler.status = 500
    settings = Settings(llm_base_url=server, llm_model="m")
    s = account_summary(store, "A1", "2024-01-01", "2024-02-01", HEALTH, RISK, settings)
    assert (s.source, s.text) == ("data", EXPECTED)
    unreachable = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    s2 = account_summary(store, "A1", "2024-01-01", "2024-02-01", settings=unreachable)
    assert s2.source == "data"
