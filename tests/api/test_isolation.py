"""Tenant isolation on every route: org A's users never get org B's data, enumerated from app.routes."""

from __future__ import annotations

import re
from typing import Any

from api_env import Env, app_routes

# Strings that occur only in org B's data (account, names, ticket subjects, recipients).
#: Web routes that need no sign-in.
WEB_PUBLIC = ("/login", "/logout", "/static/{path:path}")

B_MARKERS = ("b1", "org-b", "Bravo Secret", "bravo secret", "ceo@bravo", "bob@bravo")


def _b_path_params(env: Env) -> dict[str, str]:
    return {
        "account_id": "b1",
        "case_id": str(env.case_b),
        "schedule_id": str(env.schedule_b),
        "token_id": str(env.token_b_id),
        "name": "ticket_volume",
        "table": "events",
    }


def _b_bodies() -> dict[str, Any]:
    """Bodies that try to write into org B (keyed by path template)."""
    return {
        "/api/v1/ingest/{table}": {
            "rows": [
                {
                    "event_id": "evil",
                    "ts": "2024-03-05T00:00:00",
                    "account_id": "b1",
                    "event_type": "login",
                }
            ]
        },
        "/api/v1/business-cases": {"name": "evil case", "org_id": "org-b"},
        "/api/v1/report-schedules": {
            "name": "evil",
            "recipients": ["x@y.example"],
            "org_id": "org-b",
        },
        "/api/v1/business-cases/{case_id}": {"name": "renamed"},
        "/api/v1/auth/login": {"email": "ann@acme.example", "password": "password-a"},
        "/api/v1/auth/tokens": {"name": "mine"},
    }


def _routes(env: Env) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, including those of included routers."""
    return [(m, p) for m, p, _ in app_routes(env.app)]


def _b_rows(env: Env) -> int:
    return env.scalar("SELECT count(*) FROM events WHERE account_id = 'b1'")


def test_every_route_keeps_org_b_away_from_org_a(env: Env) -> None:
    params = _b_path_params(env)
    bodies = _b_bodies()
    routes = _routes(env)
    assert len(routes) >= 20  # the API's routes were found
    b_events_before = _b_rows(env)
    checked = []
    for method, path in routes:
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        # Unknown parameters (new routes) get B's account id: the strongest probe we have.
        url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: params.get(m.group(1), "b1"), path)
        targets_b = any(n in ("account_id", "case_id", "schedule_id", "token_id") for n in names)
        r = env.client.request(
            method,
            url,
            headers=env.h(env.token_a),
            json=bodies.get(path) if method in ("POST", "PUT") else None,
        )
        assert r.status_code < 500, (method, url, r.text)
        if targets_b:
            assert r.status_code in (403, 404), (method, url, r.status_code)
        writes_b = path.endswith("/ingest/{table}") or "org-b" in str(bodies.get(path, ""))
        if method == "POST" and writes_b:
            assert r.status_code == 403, (method, url, r.status_code, r.text)
        # a new token is random text (43 characters of base64 can spell "b1"): not B's data
        body = re.sub(r'"(token|prefix)":"[^"]*"', "", r.text)
        # An error may echo what was asked for (the id in the URL), never anything else of B's.
        asked = url + str(bodies.get(path, "")) if r.status_code >= 400 else ""
        for marker in (m for m in B_MARKERS if m not in asked):
            assert marker not in body, (method, url, marker, body[:300])
        checked.append((method, path))
    assert ("GET", "/api/v1/accounts") in checked
    assert _b_rows(env) == b_events_before
    # B's objects are still there for B (the 404s above were isolation, not absence).
    assert (
        env.client.get(
            f"/api/v1/business-cases/{env.case_b}", headers=env.h(env.token_b)
        ).status_code
        == 200
    )
    assert env.client.get("/api/v1/accounts/b1", headers=env.h(env.token_b)).status_code == 200


def test_vendor_admin_sees_only_own_workspace(env: Env) -> None:
    h = env.h(env.token_vendor)
    accounts = env.client.get("/api/v1/accounts", headers=h).json()
    assert sorted(a["account_id"] for a in accounts["data"]) == ["a1", "a2"]
    assert env.client.get(f"/api/v1/business-cases/{env.case_a}", headers=h).status_code == 200
    assert env.client.get(f"/api/v1/business-cases/{env.case_b}", headers=h).status_code == 404
    # Metrics over org A only: 12 events of a1 on 3 days, 4 users -> ticket_volume 1 in March.
    vol = env.client.get("/api/v1/metrics/ticket_volume/values", headers=h, params={"grain": "all"})
    assert vol.status_code == 200, vol.text
    assert [row["value"] for row in vol.json()["data"]] == [1]


def test_revoked_and_foreign_tokens_fail(env: Env) -> None:
    for method, path in _routes(env):
        if path in ("/api/v1/live", "/api/v1/auth/login", "/api/v1/auth/logout"):
            continue
        url = re.sub(r"{(\w+)(?::\w+)?}", "1", path)
        r = env.client.request(
            method, url, headers=env.h(env.token_revoked), follow_redirects=False
        )
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, url, r.status_code)
            assert r.json()["error"]["code"] == "unauthorized"
        elif path not in WEB_PUBLIC:
            # Web pages send the browser to the sign-in page instead; a form post without its
            # fields may be refused (422) before the sign-in check, which reads nothing.
            allowed = (303, 307, 401, 422) if method == "POST" else (303, 307, 401)
            assert r.status_code in allowed, (method, url, r.status_code)
            if r.status_code in (303, 307):
                assert r.headers["location"].split("?")[0].endswith("/login")
    # A token of tenant B cannot revoke or read tenant A's objects.
    hb = env.h(env.token_b)
    assert env.client.get(f"/api/v1/business-cases/{env.case_a}", headers=hb).status_code == 404
    assert env.client.get("/api/v1/accounts/a1", headers=hb).status_code == 404
    assert env.client.get("/api/v1/auth/me", headers=env.h("prt_not-a-token")).status_code == 401
    assert (
        env.client.get("/api/v1/auth/me", headers={"Authorization": "Basic eDp5"}).status_code
        == 401
    )


def test_viewer_cannot_write(env: Env) -> None:
    h = env.h(env.token_a_viewer)
    r = env.client.post("/api/v1/business-cases", headers=h, json={"name": "viewer case"})
    assert r.status_code == 403
    r = env.client.post(
        "/api/v1/ingest/events", headers=h, json=_b_bodies()["/api/v1/ingest/{table}"]
    )
    assert r.status_code == 403
    assert env.client.get("/api/v1/accounts", headers=h).json()["count"] == 2
