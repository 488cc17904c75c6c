"""Firing once per condition, re-firing after it clears, delivery by e-mail and webhook.

A real SMTP server (aiosmtpd) and a real HTTP receiver run on 127.0.0.1 for each test; the
setting ``webhook_allow_private`` is on for them (the default refuses loopback hosts, which
the tests at the end check).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from alert_data import AS_OF, Received, add_accounts, add_tickets, day, free_port
from typer.testing import CliRunner

from portalroi.alerts import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    add_rule,
    events_frame,
    parse_rule,
    run_alerts,
    verify_signature,
)
from portalroi.cli.main import app
from portalroi.errors import ValidationError
from portalroi.settings import Settings
from portalroi.store import Store
from portalroi.web.alert_text import delivery_text
from smtp_inbox import Inbox

SECRET = "shared-secret-123"
WALL = datetime(2024, 7, 1, 9, 0)


@pytest.fixture(autouse=True)
def _local_receivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers run on 127.0.0.1, which the default settings refuse."""
    monkeypatch.setenv("PORTALROI_WEBHOOK_ALLOW_PRIVATE", "true")


def _spiky_store(store: Store) -> None:
    """A: 1 ticket a day for 60 days, plus 5 more on days 30 and 10 before AS_OF. B: 1 a day."""
    add_accounts(store, {"A": None, "B": None})
    rows = [{"created_at": day(n, 8), "account_id": a} for n in range(1, 61) for a in "AB"]
    rows += [{"created_at": day(n, 9 + k), "account_id": "A"} for n in (30, 10) for k in range(5)]
    add_tickets(store, rows)


def _rule(hook_url: str, **extra: object) -> object:
    return parse_rule(
        {
            "name": "Ticket spike",
            "kind": "spike",
            "count": "tickets",
            "threshold": 3,
            "scope": "account",
            "email": ["cs-lead@vendor.example"],
            "webhook_url": hook_url,
            "webhook_secret": SECRET,
        }
        | extra
    )


def _settings(port: int) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="alerts@vendor.example")


def test_fires_once_rearms_after_clearing_and_carries_account_and_reason(
    store: Store, smtp: tuple[Inbox, int], hook: tuple[str, Received]
) -> None:
    inbox, port = smtp
    url, got = hook
    _spiky_store(store)
    rule_id = add_rule(store, _rule(url))
    settings = _settings(port)
    spike_1 = AS_OF - timedelta(days=29)  # the last day is day 30: 6 tickets
    first = run_alerts(store, settings, spike_1, wall=WALL)
    assert len(first.fired) == 1
    assert first.delivered == 2
    assert first.failed == 0
    for hour in range(1, 4):  # hourly re-evaluation while it still holds: silent
        again = run_alerts(store, settings, spike_1, wall=WALL + timedelta(hours=hour))
        assert again.fired == []
        assert again.still_active == 1
    cleared = run_alerts(store, settings, spike_1 + timedelta(days=1), wall=WALL + timedelta(1))
    assert cleared.fired == []
    assert cleared.cleared == 1
    spike_2 = AS_OF - timedelta(days=9)  # the last day is day 10: 6 tickets again
    second = run_alerts(store, settings, spike_2, wall=WALL + timedelta(days=2))
    assert len(second.fired) == 1
    assert run_alerts(store, settings, spike_2, wall=WALL + timedelta(days=3)).fired == []

    # Two firings, each by e-mail and by webhook, about account A only.
    assert len(inbox.received) == 2
    assert len(got.requests) == 2
    rcpt, msg = inbox.received[0]
    assert rcpt == ["cs-lead@vendor.example"]
    assert msg["Subject"] == "[portalroi] Ticket spike: account A"
    text = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "tickets spiked (account A): 6 in the last 1 day(s)" in text
    payloads = got.payloads()
    assert [p["account_id"] for p in payloads] == ["A", "A"]
    assert [p["event_id"] for p in payloads] == [first.fired[0], second.fired[0]]
    assert payloads[0]["rule"] == {"id": rule_id, "name": "Ticket spike", "kind": "spike"}
    assert payloads[0]["value"] == 6.0
    assert payloads[0]["threshold"] == 3.0
    # 28 baseline days and the 1-day window before 3 May
    assert payloads[0]["window"] == {"start": "2024-04-04T00:00:00Z", "end": "2024-05-03T00:00:00Z"}
    # baseline of the second firing: 27 days with 1 ticket and day 30 with 6 -> mean 33/28
    assert payloads[1]["value"] == round(6 / (33 / 28), 6)
    assert payloads[1]["reason"].startswith("tickets spiked (account A): 6 in the last 1 day(s)")

    # History: two events, both channels delivered.
    frame, total = events_frame(store)
    assert total == 2
    assert set(frame["account_id"]) == {"A"}
    for deliveries in frame["deliveries"]:
        assert sorted((d["channel"], d["status"]) for d in deliveries) == [
            ("email", "sent"),
            ("webhook", "sent"),
        ]


def test_webhook_signature_verifies_and_fails_when_tampered(
    store: Store, hook: tuple[str, Received]
) -> None:
    url, got = hook
    _spiky_store(store)
    add_rule(store, _rule(url, email=[]))
    run_alerts(store, Settings(), AS_OF - timedelta(days=29), wall=WALL)
    ((headers, body),) = got.requests
    signature, ts = headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
    assert signature.startswith("sha256=")
    assert len(signature) == 7 + 64
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, body, signature, ts)
    assert not verify_signature("another-secret", body, signature, ts)
    tampered = body.replace(b'"account_id":"A"', b'"account_id":"B"')
    assert tampered != body
    assert not verify_signature(SECRET, tampered, signature, ts)
    assert not verify_signature(SECRET, body, signature, str(int(ts) + 1))  # moved timestamp
    assert not verify_signature(SECRET, body, signature, ts, now=float(ts) + 3600)  # replay


def test_webhook_secret_defaults_to_the_secret_key_setting(
    store: Store, hook: tuple[str, Received]
) -> None:
    url, got = hook
    _spiky_store(store)
    add_rule(store, _rule(url, email=[], webhook_secret=None))
    run_alerts(store, Settings(secret_key="server-wide-key"), AS_OF - timedelta(29), wall=WALL)
    ((headers, body),) = got.requests
    assert verify_signature(
        "server-wide-key", body, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
    )


def test_failed_delivery_is_recorded_and_retried_on_the_next_run(
    store: Store, smtp: tuple[Inbox, int], hook: tuple[str, Received]
) -> None:
    inbox, port = smtp
    url, got = hook
    _spiky_store(store)
    add_rule(store, _rule(url))
    got.fail_next = 1  # the receiver answers 500 once
    at = AS_OF - timedelta(days=29)
    first = run_alerts(store, Settings(), at, wall=WALL)  # and no SMTP host is set
    assert len(first.fired) == 1
    assert first.failed == 2
    assert first.delivered == 0
    frame, _ = events_frame(store)
    status = {d["channel"]: d for d in frame["deliveries"][0]}
    assert status["webhook"]["status"] == "failed"
    assert "HTTP 500" in status["webhook"]["error"]
    assert "receiver down" in status["webhook"]["error"]
    assert status["email"]["status"] == "failed"
    assert "smtp_host is not set" in status["email"]["error"]
    retry = run_alerts(store, _settings(port), at, wall=WALL + timedelta(hours=1))
    assert retry.fired == []
    assert retry.delivered == 2
    assert retry.failed == 0
    assert len(inbox.received) == 1
    assert len(got.requests) == 1
    assert got.payloads()[0]["event_id"] == first.fired[0]
    frame, _ = events_frame(store)
    status = {d["channel"]: d for d in frame["deliveries"][0]}
    assert status["webhook"]["attempts"] == 2
    assert status["webhook"]["error"] is None
    assert status["email"]["status"] == "sent"


def test_renotify_days_fires_again_while_still_true(store: Store) -> None:
    _spiky_store(store)
    add_rule(store, _rule("http://127.0.0.1:9/unused", email=[], webhook_url=None, renotify_days=1))
    at = AS_OF - timedelta(days=29)
    assert len(run_alerts(store, Settings(), at, wall=WALL).fired) == 1
    assert run_alerts(store, Settings(), at, wall=WALL + timedelta(hours=23)).fired == []
    assert len(run_alerts(store, Settings(), at, wall=WALL + timedelta(hours=25)).fired) == 1


def test_a_failing_rule_keeps_its_state(store: Store, monkeypatch: object) -> None:
    from portalroi.alerts import engine

    _spiky_store(store)
    add_rule(store, _rule("http://127.0.0.1:9/unused", email=[], webhook_url=None))
    at = AS_OF - timedelta(days=29)
    assert len(run_alerts(store, Settings(), at, wall=WALL).fired) == 1

    def broken(rule: object, ctx: object) -> list[object]:
        raise ValueError("metric backend unavailable")

    monkeypatch.setitem(engine.EVALUATORS, "spike", broken)  # type: ignore[attr-defined]
    failed = run_alerts(store, Settings(), at, wall=WALL + timedelta(hours=1))
    assert failed.cleared == 0
    assert list(failed.errors.values()) == ["ValueError: metric backend unavailable"]
    monkeypatch.undo()  # type: ignore[attr-defined]
    assert run_alerts(store, Settings(), at, wall=WALL + timedelta(hours=2)).fired == []


def test_ingest_runs_the_alerts_after_the_load(tmp_path: Path, hook: tuple[str, Received]) -> None:
    url, got = hook
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        add_accounts(store, {"A": None})
        add_tickets(store, [{"created_at": day(n, 8), "account_id": "A"} for n in range(2, 40)])
        add_rule(store, _rule(url, email=[], threshold=4))
    # The new file: 6 tickets on one day after the others; its load runs the alert.
    new = pd.DataFrame(
        {
            "ticket_id": [f"new-{k}" for k in range(6)],
            "account_id": "A",
            "created_at": [day(1, 8 + k) for k in range(6)],
            "channel": "email",
        }
    )
    new.to_csv(tmp_path / "tickets.csv", index=False)
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "tickets.csv"), "--table", "tickets", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert [p["account_id"] for p in got.payloads()] == ["A"]
    assert got.payloads()[0]["as_of"] == "2024-06-01T00:00:00Z"


def test_an_unreachable_receiver_is_tried_once_per_run(store: Store) -> None:
    _spiky_store(store)
    dead = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
    add_rule(store, _rule(dead, email=[], threshold=1))  # fires for A and B
    result = run_alerts(store, Settings(), AS_OF - timedelta(days=29), wall=WALL)
    assert len(result.fired) == 2
    assert result.failed == 2
    frame, _ = events_frame(store)
    tried = sorted((d["attempts"], d["error"][:19]) for ds in frame["deliveries"] for d in ds)
    assert tried == [(0, "not tried this run:"), (1, "URLError: <urlopen ")]
    # the alerts page words the engine's own text in Swedish, the server's error as it came
    swedish = sorted(
        delivery_text(d["channel"], d["status"], d["error"], "sv")
        for ds in frame["deliveries"]
        for d in ds
    )
    assert swedish[0].startswith("webhook: misslyckades (URLError: <urlopen ")
    assert swedish[1].startswith("webhook: misslyckades (inte försökt i denna körning: URLError: ")


def test_cli_run_history_and_test_send(tmp_path: Path, hook: tuple[str, Received]) -> None:
    url, got = hook
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        _spiky_store(store)
        rule_id = add_rule(store, _rule(url, email=[]))
    runner = CliRunner()
    at = (AS_OF - timedelta(days=29)).isoformat()
    tried = runner.invoke(app, ["alerts", "test", rule_id, "--db", str(db), "--now", at])
    assert tried.exit_code == 0, tried.output
    assert "1 condition(s) of 'Ticket spike' hold now" in tried.output
    assert "A: tickets spiked (account A): 6 in the last 1 day(s)" in tried.output
    assert got.requests == []  # without --send nothing is sent
    sent = runner.invoke(app, ["alerts", "test", rule_id, "--db", str(db), "--send"])
    assert sent.exit_code == 0, sent.output
    assert "test webhook: sent" in sent.output
    ((headers, body),) = got.requests
    assert json.loads(body)["test"] is True
    assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER])
    ran = runner.invoke(app, ["alerts", "run", "--db", str(db), "--now", at, "--json"])
    assert ran.exit_code == 0, ran.output
    outcome = json.loads(ran.output)
    assert len(outcome["fired"]) == 1
    assert outcome["delivered"] == 1
    history = json.loads(
        runner.invoke(app, ["alerts", "history", "--db", str(db), "--json"]).output
    )
    assert history["count"] == 1
    assert history["data"][0]["account_id"] == "A"
    assert [d["status"] for d in history["data"][0]["deliveries"]] == ["sent"]


def test_default_settings_refuse_a_loopback_webhook(
    store: Store, hook: tuple[str, Received], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An organisation's admin can add a webhook rule: by default the server does not post to
    its own loopback, private or link-local network (server-side request forgery)."""
    monkeypatch.delenv("PORTALROI_WEBHOOK_ALLOW_PRIVATE")
    url, got = hook
    _spiky_store(store)
    add_rule(store, _rule(url, email=[]))
    result = run_alerts(store, Settings(), AS_OF - timedelta(days=29), wall=WALL)
    assert len(result.fired) == 1
    assert result.failed == 1
    assert got.requests == []  # nothing reached the receiver
    frame, _ = events_frame(store)
    status = {d["channel"]: d for d in frame["deliveries"][0]}
    assert status["webhook"]["status"] == "failed"
    assert "webhook host 127.0.0.1 is a non-public address" in status["webhook"]["error"]
    assert "PORTALROI_WEBHOOK_ALLOW_PRIVATE" in status["webhook"]["error"]
    allowed = run_alerts(
        store, Settings(webhook_allow_private=True), AS_OF - timedelta(days=29), wall=WALL
    )
    assert allowed.delivered == 1
    assert len(got.requests) == 1


def test_a_redirect_is_a_failure_not_a_second_request(hook: tuple[str, Received]) -> None:
    """A receiver that redirects (say, to an internal address) gets no second request sent
    anywhere: the redirect is reported as the receiver's failing answer."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from portalroi.alerts.delivery import post_webhook

    target, got = hook

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Redirect)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        with pytest.raises(OSError, match="HTTP 302"):
            post_webhook(url, SECRET, b"{}", allow_private=True)
    finally:
        server.shutdown()
        server.server_close()
    assert got.requests == []


def test_an_account_id_with_a_line_break_is_mailed_on_one_subject_line(
    store: Store, smtp: tuple[Inbox, int]
) -> None:
    """Ids come from the data: one with a line break used to make the mail library refuse the
    message (ValueError), which stopped the whole run. The subject is now one line and the
    envelope has only the rule's recipient."""
    inbox, port = smtp
    odd = "A\r\nBcc: someone@example.com"
    add_accounts(store, {odd: None})
    add_tickets(store, [{"created_at": day(n, 8), "account_id": odd} for n in range(1, 61)])
    add_tickets(store, [{"created_at": day(30, 9 + k), "account_id": odd} for k in range(5)])
    add_rule(store, _rule("http://127.0.0.1:9/unused", webhook_url=None))
    result = run_alerts(store, _settings(port), AS_OF - timedelta(days=29), wall=WALL)
    assert result.delivered == 1
    rcpt, msg = inbox.received[0]
    assert rcpt == ["cs-lead@vendor.example"]
    assert msg["Subject"] == "[portalroi] Ticket spike: account A Bcc: someone@example.com"
    assert msg["Bcc"] is None


def test_a_message_the_mail_library_refuses_is_a_failed_delivery_not_a_failed_run(
    store: Store, hook: tuple[str, Received], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portalroi.alerts import engine

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    monkeypatch.setattr(engine, "send_email", refuse)
    url, got = hook
    _spiky_store(store)
    add_rule(store, _rule(url))
    result = run_alerts(store, _settings(9), AS_OF - timedelta(days=29), wall=WALL)
    assert (result.delivered, result.failed) == (1, 1)  # the webhook still went out
    assert len(got.requests) == 1
    frame, _ = events_frame(store)
    status = {d["channel"]: d for d in frame["deliveries"][0]}
    assert status["email"]["status"] == "failed"
    assert status["email"]["error"].startswith("ValueError: Header values")


def test_a_rule_name_must_be_one_line() -> None:
    with pytest.raises(ValidationError, match=r"rule\.name: String should match pattern"):
        _rule("http://127.0.0.1:9/unused", name="Spike\nBcc: someone@example.com")
