"""The interventions page and the account page's form (HTTP, through the app)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_env import seed_store

SITE = {"Origin": "http://testserver"}


@dataclass
class Web:
    client: TestClient
    analyst: dict[str, str]
    viewer: dict[str, str]
    other: dict[str, str]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    tmp = tmp_path_factory.mktemp("iv-web")
    seed_store(tmp / "store.duckdb")
    app = create_app(
        Settings(db=tmp / "store.duckdb", app_db_url=f"sqlite:///{tmp / 'app.sqlite'}")
    )
    with app.state.appdb.session() as s:
        users = [
            add_user(
                s, "ann@acme.example", "pw-a-12345", role="analyst", tenant="acme", org_id="org-a"
            ),
            add_user(
                s, "val@acme.example", "pw-v-12345", role="viewer", tenant="acme", org_id="org-a"
            ),
            add_user(
                s, "bob@bravo.example", "pw-b-12345", role="admin", tenant="bravo", org_id="org-b"
            ),
        ]
        tokens = [create_token(s, u, "t")[0] for u in users]
    with TestClient(app) as client:
        yield Web(client, *({"Authorization": f"Bearer {x}"} for x in tokens))


FORM = {"account_id": "a1", "kind": "training", "occurred_at": "2024-03-04", "reason": "at risk"}


def test_record_from_the_account_page(web: Web) -> None:
    c = web.client
    page = c.get("/accounts/a1", headers=web.analyst)
    assert 'id="record-intervention"' in page.text
    viewer_page = c.get("/accounts/a1", headers=web.viewer)
    assert "record-intervention" not in viewer_page.text
    assert "table-account-interventions" in viewer_page.text
    r = c.post(
        "/interventions/record", data=FORM, headers=web.analyst | SITE, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/accounts/a1"
    after = c.get("/accounts/a1", headers=web.viewer)
    assert "at risk" in after.text
    assert "training" in after.text


def test_form_refused_cross_site_for_viewers_and_outside_scope(web: Web) -> None:
    c = web.client
    no_origin = c.post("/interventions/record", data=FORM, headers=web.analyst)
    assert no_origin.status_code == 403
    evil = c.post(
        "/interventions/record",
        data=FORM,
        headers=web.analyst | {"Origin": "https://evil.example"},
    )
    assert evil.status_code == 403
    viewer = c.post("/interventions/record", data=FORM, headers=web.viewer | SITE)
    assert viewer.status_code == 403
    foreign = c.post(
        "/interventions/record", data={**FORM, "account_id": "b1"}, headers=web.analyst | SITE
    )
    assert foreign.status_code == 404
    assert "Bravo" not in foreign.text
    bad = c.post(
        "/interventions/record",
        data={**FORM, "occurred_at": "2999-01-01"},
        headers=web.analyst | SITE,
    )
    assert bad.status_code == 400
    assert "in the future" in bad.text
    empty = c.post("/interventions/record", data={}, headers=web.analyst | SITE)
    assert empty.status_code == 400
    assert "required" in empty.text
    anonymous = c.post("/interventions/record", data={}, headers=SITE, follow_redirects=False)
    assert anonymous.status_code == 303


def test_interventions_page_is_scoped(web: Web) -> None:
    c = web.client
    c.post(
        "/interventions/record",
        data={**FORM, "account_id": "b1", "reason": "bravo secret reason"},
        headers=web.other | SITE,
    )
    mine = c.get("/interventions", headers=web.viewer)
    assert mine.status_code == 200
    assert "table-intervention-effects" in mine.text
    assert "bravo secret reason" not in mine.text
    assert ">b1<" not in mine.text
    theirs = c.get("/interventions", headers=web.other)
    assert "bravo secret reason" in theirs.text
    assert c.get("/interventions", follow_redirects=False).status_code == 303  # sign in first
