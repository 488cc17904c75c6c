"""The response cache: repeated answers come from memory, never to the wrong user or after a write.

Each test builds its own small app (the seeded two-organisation store), so the cache state of
one test cannot hide a failure of another.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_env import make_settings, seed_store
from fastapi.testclient import TestClient

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import Principal, add_user, create_token, revoke_token
from portalroi.api.response_cache import ResponseCache

HIT = "x-portalroi-cache"
VOLUME = "/api/v1/metrics/ticket_volume/values"


@dataclass
class Cached:
    client: TestClient
    token_a: str  # org-a (1 ticket)
    token_b: str  # org-b (2 tickets)
    token_a2: str
    token_a2_id: int


@pytest.fixture
def cached(tmp_path: Path) -> Iterator[Cached]:
    seed_store(tmp_path / "store.duckdb")
    app = create_app(make_settings(tmp_path, api_cache_seconds=600, api_auth_cache_seconds=600))
    with app.state.appdb.session() as s:
        a = add_user(s, "ann@a.example", "password-a", role="admin", tenant="ta", org_id="org-a")
        b = add_user(s, "bob@b.example", "password-b", role="admin", tenant="tb", org_id="org-b")
        token_a, _ = create_token(s, a, "a")
        token_b, _ = create_token(s, b, "b")
        token_a2, t2 = create_token(s, a, "a2")
        t2_id = t2.id
    with TestClient(app) as client:
        yield Cached(client, token_a, token_b, token_a2, t2_id)


def _get(c: Cached, token: str, path: str = VOLUME) -> tuple[int, str, str | None]:
    r = c.client.get(path, params={"grain": "all"}, headers={"Authorization": f"Bearer {token}"})
    return r.status_code, r.text, r.headers.get(HIT)


def _volume(text: str) -> int:
    return int(json.loads(text)["data"][0]["value"])


def test_second_answer_is_served_from_memory_with_the_same_bytes(cached: Cached) -> None:
    status, first, hit = _get(cached, cached.token_a)
    assert (status, hit) == (200, None)
    status, second, hit = _get(cached, cached.token_a)
    assert (status, hit) == (200, "hit")
    assert second == first
    assert _volume(second) == 1  # org-a has one ticket (seed_store)


def test_another_organisation_never_gets_the_cached_answer(cached: Cached) -> None:
    _get(cached, cached.token_a)
    _get(cached, cached.token_a)
    status, body, hit = _get(cached, cached.token_b)
    assert (status, hit) == (200, None)
    assert _volume(body) == 2  # org-b's two tickets, not org-a's cached one
    assert _volume(_get(cached, cached.token_a)[1]) == 1


def test_a_write_empties_the_cache_and_new_rows_show(cached: Cached) -> None:
    assert _volume(_get(cached, cached.token_a)[1]) == 1
    assert _get(cached, cached.token_a)[2] == "hit"
    ticket = {
        "ticket_id": "new-1",
        "account_id": "a2",
        "created_at": "2024-03-03T08:00:00",
        "channel": "email",
    }
    r = cached.client.post(
        "/api/v1/ingest/tickets",
        json={"rows": [ticket]},
        headers={"Authorization": f"Bearer {cached.token_a}"},
    )
    assert r.status_code == 200, r.text
    status, body, hit = _get(cached, cached.token_a)
    assert (status, hit) == (200, None)
    assert _volume(body) == 2


def test_revoked_token_is_refused_although_its_answer_was_cached(cached: Cached) -> None:
    assert _get(cached, cached.token_a2)[0] == 200
    assert _get(cached, cached.token_a2)[2] == "hit"
    r = cached.client.delete(
        f"/api/v1/auth/tokens/{cached.token_a2_id}",
        headers={"Authorization": f"Bearer {cached.token_a}"},
    )
    assert r.status_code == 200, r.text
    status, body, hit = _get(cached, cached.token_a2)
    assert (status, hit) == (401, None)
    assert "revoked" in body


def test_revocation_by_another_process_applies_after_the_auth_time(tmp_path: Path) -> None:
    seed_store(tmp_path / "store.duckdb")
    app = create_app(make_settings(tmp_path, api_cache_seconds=600, api_auth_cache_seconds=0))
    with app.state.appdb.session() as s:
        token, t = create_token(s, add_user(s, "x@y.example", "password-x", role="admin"), "t")
        token_id = t.id
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.get(VOLUME, headers=h).status_code == 200
        assert client.get(VOLUME, headers=h).headers.get(HIT) == "hit"
        # Revoked straight in the database (as `portalroi users` in another process would).
        with app.state.appdb.session() as s:
            revoke_token(s, token_id)
        assert client.get(VOLUME, headers=h).status_code == 401


def test_unsigned_requests_and_uncached_routes_pass_through(cached: Cached) -> None:
    _get(cached, cached.token_a)
    r = cached.client.get(VOLUME, params={"grain": "all"})
    assert r.status_code == 401
    assert HIT not in r.headers
    h = {"Authorization": f"Bearer {cached.token_a}"}
    for _ in range(2):
        r = cached.client.get("/api/v1/auth/tokens", headers=h)
        assert r.status_code == 200
        assert HIT not in r.headers


def test_dashboard_pages_are_cached_per_language_and_forgotten_on_sign_out(
    cached: Cached,
) -> None:
    c = cached.client
    r = c.post("/login", data={"email": "ann@a.example", "password": "password-a"})
    assert r.status_code == 200  # followed the redirect to the overview
    first = c.get("/adoption")
    assert first.status_code == 200
    assert c.get("/adoption").headers.get(HIT) == "hit"
    # ?lang= sets the language cookie: that answer is not kept, the Swedish page differs.
    sv = c.get("/adoption", params={"lang": "sv"})
    assert sv.status_code == 200
    assert HIT not in sv.headers
    assert 'lang="sv"' in sv.text
    again = c.get("/adoption")  # now with the Swedish cookie: its own entry
    assert HIT not in again.headers
    assert 'lang="sv"' in again.text
    assert c.get("/adoption").headers.get(HIT) == "hit"
    session = c.cookies.get("portalroi_session")
    assert session
    out = c.get("/logout", follow_redirects=False)
    assert out.status_code == 303
    # The ended session's cookie, sent again, must not reach the cached page.
    c.cookies.set("portalroi_session", session)
    after = c.get("/adoption", follow_redirects=False)
    assert after.status_code in (303, 307)
    assert HIT not in after.headers


def test_byte_budget_drops_the_oldest_answers() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = scope["path"].encode() * 100  # 400 bytes for "/x/a"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    cache = ResponseCache(app, appdb=None, ttl=60, prefixes=("/x/",), max_total=1000)
    who = Principal(1, "a@b.example", "viewer", 1, "default", None, None, "token")
    cache._lookup = lambda kind, secret: who  # type: ignore[method-assign]
    client = TestClient(cache)
    h = {"Authorization": "Bearer t"}
    for path in ("/x/a", "/x/b", "/x/c"):
        assert client.get(path, headers=h).headers.get(HIT) is None
    # 1,000 bytes hold two answers of 400: the oldest ("/x/a") was dropped.
    assert client.get("/x/c", headers=h).headers.get(HIT) == "hit"
    assert client.get("/x/b", headers=h).headers.get(HIT) == "hit"
    assert client.get("/x/a", headers=h).headers.get(HIT) is None
    assert client.get("/x/b", headers=h).text == "/x/b" * 100
