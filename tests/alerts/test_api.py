"""API routes of alerts: roles, validation and tenant isolation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from alert_data import AS_OF, add_accounts, add_tickets, day
from fastapi.testclient import TestClient

from portalroi.alerts import add_rule, parse_rule, run_alerts
from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.settings import Settings
from portalroi.store import Store

P = "/api/v1/alerts"


@dataclass
class Env:
    client: TestClient
    a_admin: dict[str, str]
    a_viewer: dict[str, str]
    b_admin: dict[str, str]
    vendor: dict[str, str]
    event_a: str
    event_b: str
    event_portal: str


def _spike(name: str, org: str | None, scope: str = "account") -> object:
    spec = {"name": name, "kind": "spike", "count": "tickets", "threshold": 3, "scope": scope}
    return parse_rule(spec | {"org_id": org})


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp: Path = tmp_path_factory.mktemp("alerts-api")
    settings = Settings(db=tmp / "s.duckdb", app_db_url=f"sqlite:///{tmp / 'app.sqlite'}")
    with Store(settings.db) as store:
        add_accounts(store, {"a1": "org-a", "b1": "org-b"})
        rows = [
            {"created_at": day(n, 8), "account_id": a} for n in range(2, 30) for a in ("a1", "b1")
        ]
        rows += [
            {"created_at": day(1, 8 + k), "account_id": a} for k in range(6) for a in ("a1", "b1")
        ]
        add_tickets(store, rows)
        add_rule(store, _spike("Spike A", "org-a"))
        add_rule(store, _spike("Spike B secret", "org-b"))
        add_rule(store, _spike("Vendor-wide portal spike", None, "portal"))
        result = run_alerts(store, settings, AS_OF - timedelta(hours=1))
        assert len(result.fired) == 3
        ids = dict(
            store.con.execute(
                "SELECT coalesce(account_id, 'portal'), event_id FROM _alert_events"
            ).fetchall()
        )
    app = create_app(settings)
    with app.state.appdb.session() as s:
        tokens = {}
        for key, email, role, tenant, org in (
            ("a", "ann@a.example", "admin", "acme", "org-a"),
            ("av", "val@a.example", "viewer", "acme", "org-a"),
            ("b", "bob@b.example", "admin", "bravo", "org-b"),
            ("v", "vera@vendor.example", "admin", "default", None),
        ):
            user = add_user(s, email, "password-" + key, role=role, tenant=tenant, org_id=org)
            tokens[key], _ = create_token(s, user, key)
    with TestClient(app) as client:
        yield Env(
            client,
            *({"Authorization": f"Bearer {tokens[k]}"} for k in ("a", "av", "b", "v")),
            ids["a1"],
            ids["b1"],
            ids["portal"],
        )


def test_rules_are_scoped_to_the_callers_organisation(env: Env) -> None:
    names = [r["name"] for r in env.client.get(f"{P}/rules", headers=env.a_viewer).json()["data"]]
    assert names == ["Spike A"]
    names = [r["name"] for r in env.client.get(f"{P}/rules", headers=env.b_admin).json()["data"]]
    assert names == ["Spike B secret"]
    everything = env.client.get(f"{P}/rules", headers=env.vendor).json()
    assert everything["count"] == 3
    b_rule = next(r for r in everything["data"] if r["org_id"] == "org-b")["rule_id"]
    assert env.client.get(f"{P}/rules/{b_rule}", headers=env.a_admin).status_code == 404
    assert env.client.delete(f"{P}/rules/{b_rule}", headers=env.a_admin).status_code == 404
    assert env.client.get(f"{P}/rules/{b_rule}", headers=env.b_admin).status_code == 200


def test_events_are_scoped_and_paginated(env: Env) -> None:
    a = env.client.get(f"{P}/events", headers=env.a_viewer).json()
    assert [e["event_id"] for e in a["data"]] == [env.event_a]
    assert a["count"] == 1
    assert a["data"][0]["account_id"] == "a1"
    assert "tickets spiked (account a1)" in a["data"][0]["reason"]
    b = env.client.get(f"{P}/events", headers=env.b_admin).json()
    assert [e["event_id"] for e in b["data"]] == [env.event_b]
    # A filter on another organisation's account gives nothing, not its rows.
    assert env.client.get(f"{P}/events?account_id=b1", headers=env.a_admin).json() == {
        "data": [],
        "count": 0,
    }
    vendor = env.client.get(f"{P}/events?limit=2", headers=env.vendor).json()
    assert vendor["count"] == 3
    assert len(vendor["data"]) == 2
    rest = env.client.get(f"{P}/events?limit=2&offset=2", headers=env.vendor).json()
    seen = {e["event_id"] for e in vendor["data"] + rest["data"]}
    assert seen == {env.event_a, env.event_b, env.event_portal}


def test_create_needs_admin_and_a_valid_rule(env: Env) -> None:
    rule = {"name": "Risk", "kind": "health_band", "band": "at_risk"}
    assert env.client.post(f"{P}/rules", json=rule, headers=env.a_viewer).status_code == 403
    bad = env.client.post(f"{P}/rules", json=rule | {"band": "doomed"}, headers=env.a_admin)
    assert bad.status_code == 422
    assert "band" in str(bad.json()["error"]["details"])
    nope = env.client.post(f"{P}/rules", json=rule | {"org_id": "org-b"}, headers=env.a_admin)
    assert nope.status_code == 403
    made = env.client.post(
        f"{P}/rules", json=rule | {"webhook_secret": "top-secret-value"}, headers=env.a_admin
    )
    assert made.status_code == 201
    body = made.json()
    assert body["org_id"] == "org-a"  # an organisation's admin makes rules for it
    assert body["rule"]["webhook_secret"] == "***"
    assert env.client.get(f"{P}/rules/{body['rule_id']}", headers=env.b_admin).status_code == 404
    assert (
        env.client.delete(f"{P}/rules/{body['rule_id']}", headers=env.a_viewer).status_code == 403
    )
    assert env.client.delete(f"{P}/rules/{body['rule_id']}", headers=env.a_admin).status_code == 204
    assert env.client.get(f"{P}/rules/{body['rule_id']}", headers=env.a_admin).status_code == 404


def test_unauthenticated_calls_are_refused(env: Env) -> None:
    assert env.client.get(f"{P}/rules").status_code == 401
    assert env.client.get(f"{P}/events").status_code == 401


def _signed_in(env: Env, email: str, password: str) -> TestClient:
    client = TestClient(env.client.app)
    r = client.post("/login", data={"email": email, "password": password}, follow_redirects=False)
    assert r.status_code == 303
    return client


def test_web_page_lists_own_rules_and_firings_linked_to_accounts(env: Env) -> None:
    assert env.client.get("/alerts", follow_redirects=False).status_code == 303  # to login
    with _signed_in(env, "val@a.example", "password-av") as viewer:
        html = viewer.get("/alerts?lang=en").text
    assert '<a href="/alerts" aria-current="page">Alerts</a>' in html
    assert '<a href="/accounts/a1">a1</a>' in html
    assert "tickets spiked (account a1): 6 in the last 1 day(s)" in html
    assert "Spike A" in html
    assert "b1" not in html
    assert "Spike B secret" not in html
    assert "Vendor-wide" not in html
    with _signed_in(env, "vera@vendor.example", "password-v") as vendor:
        html = vendor.get("/alerts?lang=sv").text
    assert "Senaste larm" in html
    assert "hela portalen" in html
    assert '<a href="/accounts/b1">b1</a>' in html


def test_live_ingestion_runs_the_alerts(env: Env) -> None:
    # Runs last in this module: it adds a rule and a firing to the shared environment.
    rule = {
        "name": "A tickets doubled",
        "kind": "spike",
        "count": "tickets",
        "threshold": 2,
        "scope": "account",
    }
    made = env.client.post(f"{P}/rules", json=rule, headers=env.a_admin).json()
    before = env.client.get(f"{P}/events?rule_id={made['rule_id']}", headers=env.a_admin).json()
    assert before["count"] == 0  # a new rule fires only when rules are evaluated
    row = {"ticket_id": "live-1", "account_id": "a1", "created_at": day(1, 20), "channel": "portal"}
    r = env.client.post("/api/v1/ingest/tickets", json={"rows": [row]}, headers=env.a_admin)
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 1
    after = env.client.get(f"{P}/events?rule_id={made['rule_id']}", headers=env.a_admin).json()
    assert [e["account_id"] for e in after["data"]] == ["a1"]
    assert after["data"][0]["reason"].startswith("tickets spiked (account a1): 7 in the last 1")
