"""Alert rules and their history stay with the rule's organisation (and workspace)."""

from __future__ import annotations

import pytest
from api_env import Env

from portalroi.api.appstate.accounts import add_user, create_token

VENDOR_MARKERS = ("Vendor internal watch", "cso-private@default.example", "T0KEN-in-url")


@pytest.fixture(scope="module")
def root(env: Env) -> str:
    """A token of an admin of the default workspace (its scope is every account)."""
    with env.app.state.appdb.session() as s:
        user = add_user(s, "root@default.example", "password-d", role="admin")
        token, _ = create_token(s, user, "root")
    return token


def test_org_users_see_only_their_rules_firings(env: Env, root: str) -> None:
    vendor_rule = {
        "name": "Vendor internal watch",
        "kind": "health_band",
        "below": 100,
        "email": ["cso-private@default.example"],
        "webhook_url": "http://127.0.0.1:9/hook?token=T0KEN-in-url",
    }
    r = env.client.post("/api/v1/alerts/rules", headers=env.h(root), json=vendor_rule)
    assert r.status_code == 201, r.text
    own_rule = {"name": "Alpha rule", "kind": "health_band", "below": 100, "email": ["a@x.example"]}
    r = env.client.post("/api/v1/alerts/rules", headers=env.h(env.token_a), json=own_rule)
    assert r.status_code == 201, r.text
    env.app.state.after_loads()

    every = env.client.get("/api/v1/alerts/events", headers=env.h(root)).json()["data"]
    # the vendor-wide rule fired about org-a's accounts too: there is something to hide
    assert {e["account_id"] for e in every if e["rule_name"] == vendor_rule["name"]} >= {"a1"}
    for token in (env.token_a_viewer, env.token_a, env.token_vendor):
        r = env.client.get("/api/v1/alerts/events", headers=env.h(token), params={"limit": 500})
        assert r.status_code == 200, r.text
        events = r.json()["data"]
        assert events  # its own rule fired
        assert {e["rule_name"] for e in events} == {"Alpha rule"}
        assert r.json()["count"] == len(events)
        for marker in VENDOR_MARKERS:
            assert marker not in r.text
        # nor through the filters, nor on the dashboard's alerts page
        vendor_id = next(e["rule_id"] for e in every if e["rule_name"] == vendor_rule["name"])
        r = env.client.get(
            "/api/v1/alerts/events", headers=env.h(token), params={"rule_id": vendor_id}
        )
        assert r.json()["count"] == 0
        page = env.client.get("/alerts", headers=env.h(token))
        assert page.status_code == 200
        assert "Alpha rule" in page.text
        for marker in VENDOR_MARKERS:
            assert marker not in page.text


def test_default_admin_cannot_give_a_rule_to_another_workspaces_org(env: Env, root: str) -> None:
    rule = {"name": "HQ watch on bravo", "kind": "health_band", "below": 50, "org_id": "org-b"}
    r = env.client.post("/api/v1/alerts/rules", headers=env.h(root), json=rule)
    assert r.status_code == 403, r.text
    rules_b = env.client.get("/api/v1/alerts/rules", headers=env.h(env.token_b)).json()["data"]
    assert "HQ watch on bravo" not in [x["name"] for x in rules_b]
    # an organisation registered to no other workspace is still fine
    r = env.client.post(
        "/api/v1/alerts/rules",
        headers=env.h(root),
        json=rule | {"name": "HQ watch on unregistered", "org_id": "org-unregistered"},
    )
    assert r.status_code == 201, r.text
