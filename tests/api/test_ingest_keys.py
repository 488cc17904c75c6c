"""Live ingestion by a scoped caller cannot reach another organisation's rows through their keys."""

from __future__ import annotations

from api_env import Env


def _event(event_id: object, account: str) -> dict[str, object]:
    return {
        "event_id": event_id,
        "ts": "2024-03-01T09:00:00",
        "account_id": account,
        "user_id": "x",
        "event_type": "login",
    }


def _owner(env: Env, table: str, key: str, value: str) -> list[tuple[object, ...]]:
    with env.app.state.store_pool.borrow() as store:
        return store.con.execute(
            f"SELECT account_id, * EXCLUDE (account_id) FROM {table} WHERE {key} = ?", [value]
        ).fetchall()


def test_reusing_another_orgs_event_id_is_refused_and_writes_nothing(env: Env) -> None:
    before = _owner(env, "events", "event_id", "eb0")
    assert before
    assert before[0][0] == "b1"
    rows = [_event("eb0", "a1"), _event("fresh-a-event", "a1")]
    r = env.client.post("/api/v1/ingest/events", headers=env.h(env.token_a), json={"rows": rows})
    assert r.status_code == 403, r.text
    # the same refusal as for a foreign account, naming only what the caller posted
    assert r.json()["error"]["message"].startswith("rows for accounts outside your organisation")
    assert "b1" not in r.text
    assert "org-b" not in r.text
    assert _owner(env, "events", "event_id", "eb0") == before
    assert _owner(env, "events", "event_id", "fresh-a-event") == []
    # the caller's own keys still load: ea0 is a1's, moving it to a2 (same organisation) updates
    r = env.client.post(
        "/api/v1/ingest/events", headers=env.h(env.token_a), json={"rows": [_event("ea0", "a2")]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == 1
    assert _owner(env, "events", "event_id", "ea0")[0][0] == "a2"


def test_reusing_another_orgs_ticket_id_is_refused(env: Env) -> None:
    before = _owner(env, "tickets", "ticket_id", "tb1")
    row = {
        "ticket_id": "tb1",
        "account_id": "a1",
        "created_at": "2024-03-02T10:00:00",
        "channel": "email",
        "subject": "overwritten by org-a",
    }
    for token in (env.token_a, env.token_vendor):
        r = env.client.post("/api/v1/ingest/tickets", headers=env.h(token), json={"rows": [row]})
        assert r.status_code == 403, r.text
    assert _owner(env, "tickets", "ticket_id", "tb1") == before
    assert env.scalar("SELECT count(*) FROM tickets WHERE account_id = 'b1'") == 2


def test_numeric_key_stored_as_text_is_matched(env: Env) -> None:
    r = env.client.post(
        "/api/v1/ingest/events", headers=env.h(env.token_b), json={"rows": [_event("7", "b1")]}
    )
    assert r.status_code == 200, r.text
    r = env.client.post(
        "/api/v1/ingest/events", headers=env.h(env.token_a), json={"rows": [_event(7, "a1")]}
    )
    assert r.status_code == 403, r.text
    assert _owner(env, "events", "event_id", "7")[0][0] == "b1"


def test_a_key_padded_with_spaces_is_matched(env: Env) -> None:
    # ingestion trims ids, so " eb1 " would be stored as org-b's "eb1"
    before = _owner(env, "events", "event_id", "eb1")
    r = env.client.post(
        "/api/v1/ingest/events", headers=env.h(env.token_a), json={"rows": [_event(" eb1 ", "a1")]}
    )
    assert r.status_code == 403, r.text
    assert _owner(env, "events", "event_id", "eb1") == before
