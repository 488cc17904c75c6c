"""Live ingestion, one error shape, and bad or hostile input (clear 4xx, store unchanged)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from api_env import Env, app_routes, make_settings, seed_store
from fastapi.testclient import TestClient

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.api.errors import ErrorResponse


def _events(prefix: str, n: int, account: str = "a2") -> list[dict[str, object]]:
    return [
        {
            "event_id": f"{prefix}{i}",
            "ts": f"2024-04-{1 + i % 2:02d}T12:00:00",
            "account_id": account,
            "user_id": f"{account}-live{i % 3}",
            "event_type": "login",
        }
        for i in range(n)
    ]


def _dau(env: Env) -> dict[str, int]:
    r = env.client.get(
        "/api/v1/metrics/dau/values",
        headers=env.h(env.token_a),
        params={"start": "2024-04-01", "end": "2024-04-30"},
    )
    assert r.status_code == 200, r.text
    return {row["day"][:10]: row["dau"] for row in r.json()["data"] if row["dau"]}


def test_posted_events_and_tickets_show_in_metrics_without_restart(env: Env) -> None:
    assert _dau(env) == {}  # computed (and cached) before the post
    h = env.h(env.token_a)
    first = env.client.post("/api/v1/ingest/events", headers=h, json={"rows": _events("live", 6)})
    assert first.status_code == 200, first.text
    assert first.json()["inserted"] == 6
    # 6 events on 2 days; users live0..live2 -> day 1: i=0,2,4 -> users 0,2,1 -> 3; day 2 likewise.
    assert _dau(env) == {"2024-04-01": 3, "2024-04-02": 3}
    again = env.client.post("/api/v1/ingest/events", headers=h, json={"rows": _events("live", 6)})
    assert again.json()["inserted"] == 0
    assert again.json()["duplicates"] == 6
    assert _dau(env) == {"2024-04-01": 3, "2024-04-02": 3}
    ticket = {
        "ticket_id": "live-t1",
        "account_id": "a2",
        "created_at": "2024-04-03T08:00:00",
        "channel": "email",
    }
    before = env.client.get(
        "/api/v1/metrics/ticket_volume/values", headers=h, params={"grain": "all"}
    ).json()["data"][0]["value"]
    r = env.client.post("/api/v1/ingest/tickets", headers=h, json={"rows": [ticket]})
    assert r.json()["inserted"] == 1
    after = env.client.get(
        "/api/v1/metrics/ticket_volume/values", headers=h, params={"grain": "all"}
    ).json()["data"][0]["value"]
    assert after == before + 1


def test_bad_rows_are_quarantined_or_refused(env: Env) -> None:
    h = env.h(env.token_a)
    bad = _events("bad", 1)[0] | {"event_type": "not-a-type"}
    r = env.client.post("/api/v1/ingest/events", headers=h, json={"rows": [bad]})
    assert r.status_code == 200
    assert (r.json()["inserted"], r.json()["quarantined"]) == (0, 1)
    assert "event_type" in r.json()["issues"][0]["location"]
    r = env.client.post("/api/v1/ingest/events", headers=h, json={"rows": [{"event_id": "x"}]})
    assert r.status_code == 422
    assert {d["location"] for d in r.json()["error"]["details"]} >= {
        "rows[0].ts",
        "rows[0].account_id",
    }


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("GET", "/api/v1/nowhere", {}, 404),
        ("DELETE", "/api/v1/live", {}, 405),
        ("GET", "/api/v1/metrics/no_such_metric", {}, 404),
        ("GET", "/api/v1/accounts", {"params": {"limit": 0}}, 422),
        ("GET", "/api/v1/accounts", {"params": {"limit": 5000}}, 422),
        ("POST", "/api/v1/ingest/events", {"content": b'{"rows": [', "json_ct": True}, 422),
        ("GET", "/api/v1/business-cases/999999", {}, 404),
    ],
)
def test_one_error_shape(
    env: Env, method: str, url: str, kwargs: dict[str, object], status: int
) -> None:
    headers = env.h(env.token_a)
    if kwargs.pop("json_ct", False):
        headers["content-type"] = "application/json"
    r = env.client.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    ErrorResponse.model_validate(body)
    assert body["error"]["message"]


def _store_fingerprint(env: Env) -> tuple[int, ...]:
    return tuple(
        env.scalar(f"SELECT count(*) FROM {t}") for t in ("accounts", "events", "tickets", "_loads")
    )


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        # SQL-looking filter values are data, never SQL.
        ("GET", "/api/v1/accounts", {"params": {"segment": "smb' OR '1'='1"}}, 200),
        ("GET", "/api/v1/accounts/a1' OR '1'='1", {}, 404),
        ("GET", "/api/v1/metrics/dau; DROP TABLE events;--/values", {}, 404),
        (
            "GET",
            "/api/v1/metrics/dau/values",
            {"params": {"by": "account; DROP TABLE events"}},
            422,
        ),
        ("GET", "/api/v1/metrics/dau/values", {"params": {"start": "2024-01-01' --"}}, 422),
        # Path traversal in names.
        ("POST", "/api/v1/ingest/..%2F..%2Fetc%2Fpasswd", {"json": {"rows": [{"a": 1}]}}, 404),
        (
            "POST",
            "/api/v1/ingest/events",
            {"json": {"rows": _events("trav", 1), "source": "../../etc/passwd"}},
            422,
        ),
        ("POST", "/api/v1/ingest/events", {"json": {"rows": []}}, 422),
        ("POST", "/api/v1/ingest/events", {"json": {"rows": "DROP TABLE"}}, 422),
        ("POST", "/api/v1/business-cases", {"json": {"name": "x", "inputs": {"company": 5}}}, 422),
    ],
)
def test_hostile_input_gets_4xx_and_changes_nothing(
    env: Env, method: str, url: str, kwargs: dict[str, object], status: int
) -> None:
    before = _store_fingerprint(env)
    r = env.client.request(method, url, headers=env.h(env.token_a), **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    if status >= 400:
        assert r.json()["error"]["message"]
    else:
        assert r.json() == {"data": [], "count": 0}
    assert _store_fingerprint(env) == before


def test_oversized_bodies_are_refused(tmp_path: Path) -> None:
    seed_store(tmp_path / "store.duckdb")
    app = create_app(make_settings(tmp_path, api_max_body_bytes=2_000, api_max_batch_rows=5))
    with app.state.appdb.session() as s:
        token, _ = create_token(s, add_user(s, "x@y.example", "password-x", role="admin"), "t")
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:

        def events() -> int:
            with app.state.store_pool.borrow() as store:
                return store.row_count("events")

        before = events()
        big = {"rows": _events("big", 40)}
        r = client.post("/api/v1/ingest/events", headers=h, json=big)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"

        def chunks() -> object:
            yield b'{"rows": ['
            for _ in range(100):
                yield b'{"event_id": "c", "ts": "2024-01-01", "account_id": "a1", "event_type": "login"},'
            yield b"{}]}"

        r = client.post(
            "/api/v1/ingest/events",
            headers=h | {"content-type": "application/json"},
            content=chunks(),  # type: ignore[arg-type]
        )
        assert r.status_code == 413
        r = client.post("/api/v1/ingest/events", headers=h, json={"rows": _events("six", 6)})
        assert r.status_code == 413
        assert "api_max_batch_rows" in r.json()["error"]["message"]
        assert events() == before


#: Hostile values put into every path and query parameter of every route.
SQLISH = "1' OR '1'='1; DROP TABLE events;--"
TRAVERSAL = "../../../../etc/passwd"
#: Writes that may succeed without a body (they end the caller's own session only).
BODYLESS_WRITES = {("POST", "/api/v1/auth/logout"), ("GET", "/logout")}


def _app_fingerprint(env: Env) -> dict[str, int]:
    """Row counts of every store table and every app-state table (sessions left out: signing
    out is allowed)."""
    with env.app.state.store_pool.borrow() as store:
        tables = [
            r[0]
            for r in store.con.execute(
                # the store's own tables: not a connection's temporary views (Ibis memtables,
                # dropped when the memtable is collected)
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_catalog <> 'temp'"
            ).fetchall()
        ]
        counts = {
            f"store.{t}": int(store.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # type: ignore[index]
            for t in tables
        }
    engine = env.app.state.appdb.engine
    with engine.connect() as conn:
        for t in sa.inspect(engine).get_table_names():
            if t not in ("sessions", "alembic_version"):
                counts[f"app.{t}"] = int(
                    conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                )
    return counts


@pytest.mark.parametrize("value", [SQLISH, TRAVERSAL])
def test_hostile_values_on_every_route_get_4xx_and_change_nothing(env: Env, value: str) -> None:
    before = _app_fingerprint(env)
    routes = app_routes(env.app)
    assert len(routes) >= 40  # API and pages were found
    problems: list[tuple[str, str, int, str]] = []
    # Server errors come back as 500 answers (not raised), so every route is tried; no `with`:
    # the app is already started by the env fixture.
    client = TestClient(env.app, raise_server_exceptions=False)
    for method, path, route in routes:
        url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: quote(value, safe=""), path)
        dependant = getattr(route, "dependant", None)
        names = [q.name for q in dependant.query_params] if dependant is not None else []
        params = dict.fromkeys(names, value)
        writes = method in ("POST", "PUT", "PATCH", "DELETE")
        # A truncated JSON document: the body of every write is malformed.
        kwargs: dict[str, Any] = (
            {
                "content": b'{"rows": [{"event_id": "x"',
                "headers": {"content-type": "application/json"},
            }
            if writes
            else {}
        )
        headers = env.h(env.token_a) | kwargs.pop("headers", {})
        r = client.request(
            method, url, params=params, headers=headers, follow_redirects=False, **kwargs
        )
        bad = r.status_code >= 500
        if writes and (method, path) not in BODYLESS_WRITES:
            bad = bad or not 400 <= r.status_code < 500
        if path.startswith("/api/") and r.status_code >= 400:
            bad = bad or not r.json().get("error", {}).get("message")
        if bad:
            problems.append((method, url, r.status_code, r.text[:200]))
    # Every problem at once, so one broken route does not hide another.
    assert problems == []
    assert _app_fingerprint(env) == before
