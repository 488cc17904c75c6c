"""Risk routes: stored scores, accuracy and expansion signals, tenant-scoped."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.api.pool import StorePool
from portalroi.health.accuracy import accuracy_by_month
from portalroi.health.expansion import expansion_signals
from portalroi.health.history import record_scores
from portalroi.settings import Settings
from portalroi.store import Store

pytestmark = pytest.mark.slow


@dataclass
class Api:
    client: TestClient
    vendor: dict[str, str]
    org: dict[str, str]
    other_tenant: dict[str, str]
    own: set[str]
    other: set[str]
    db: Path
    app: FastAPI

    def store(self) -> AbstractContextManager[Store]:
        """The app's own store connection (a second open of the file would conflict)."""
        pool: StorePool = self.app.state.store_pool
        return pool.borrow()


@pytest.fixture(scope="module")
def api(sim_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("risk_api")
    db = tmp / "store.duckdb"
    shutil.copy(sim_db, db)
    with Store(db) as store:
        store.con.execute(
            "UPDATE accounts SET org_id = CASE WHEN segment = 'smb' THEN 'org-smb' "
            "ELSE 'org-other' END"
        )
        record_scores(store, "2023-10-01")
        record_scores(store, "2024-01-01")
        ids = dict(
            store.con.execute("SELECT org_id, list(account_id) FROM accounts GROUP BY 1").fetchall()
        )
    app = create_app(Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}"))
    with app.state.appdb.session() as s:
        v = add_user(s, "vic@vendor.example", "password-v1", role="admin")
        o = add_user(s, "olle@smb.example", "password-o1", role="viewer", org_id="org-smb")
        x = add_user(s, "xena@else.example", "password-x1", role="admin", tenant="elsewhere")
        tokens = [create_token(s, u, "t")[0] for u in (v, o, x)]
    with TestClient(app) as client:
        yield Api(
            client,
            *({"Authorization": f"Bearer {t}"} for t in tokens),
            set(ids["org-smb"]),
            set(ids["org-other"]),
            db,
            app,
        )
    app.state.store_pool.close()


def _get(api: Api, url: str, headers: dict[str, str], **params: object) -> dict:  # type: ignore[type-arg]
    r = api.client.get(url, headers=headers, params=params)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return r.json()  # type: ignore[no-any-return]


def test_scores_are_scoped_and_paginated(api: Api) -> None:
    every = _get(api, "/api/v1/risk/scores", api.vendor, limit=1000)
    own = _get(api, "/api/v1/risk/scores", api.org, limit=1000)
    assert {r["account_id"] for r in own["data"]} <= api.own
    assert own["count"] < every["count"]
    assert own["count"] == sum(r["account_id"] in api.own for r in every["data"])
    page = _get(api, "/api/v1/risk/scores", api.org, limit=5, offset=5)
    assert page["data"] == own["data"][5:10]
    one = sorted(api.own)[0]
    hist = _get(api, "/api/v1/risk/scores", api.org, account_id=one)
    assert {r["account_id"] for r in hist["data"]} == {one}
    assert [r["score_date"] for r in hist["data"]] == sorted(
        (r["score_date"] for r in hist["data"]), reverse=True
    )
    day = _get(api, "/api/v1/risk/scores", api.org, score_date="2023-10-01", limit=1000)
    assert {r["score_date"] for r in day["data"]} == {"2023-10-01"}
    # Another organisation's account: 404; another tenant sees nothing.
    other = sorted(api.other)[0]
    r = api.client.get("/api/v1/risk/scores", headers=api.org, params={"account_id": other})
    assert r.status_code == 404
    assert _get(api, "/api/v1/risk/scores", api.other_tenant)["count"] == 0


def test_accuracy_is_computed_on_the_callers_accounts(api: Api) -> None:
    with api.store() as store:
        whole = accuracy_by_month(store).as_dict()
        own = accuracy_by_month(store, accounts=sorted(api.own)).as_dict()
    got_whole = _get(api, "/api/v1/risk/accuracy", api.vendor)
    got_own = _get(api, "/api/v1/risk/accuracy", api.org)
    assert got_whole["scoped"] is False
    assert got_own["scoped"] is True
    assert [m["month"] for m in got_whole["months"]] == ["2023-10", "2024-01"]
    assert got_whole["months"] == whole["months"]
    assert got_own["months"] == own["months"]
    assert got_own["months"][0]["n"] < got_whole["months"][0]["n"]
    assert _get(api, "/api/v1/risk/accuracy", api.other_tenant)["months"] == []


def test_expansion_is_scoped(api: Api) -> None:
    with api.store() as store:
        expected = expansion_signals(store, "2024-06-01")
    every = _get(api, "/api/v1/risk/expansion", api.vendor, as_of="2024-06-01", limit=1000)
    own = _get(api, "/api/v1/risk/expansion", api.org, as_of="2024-06-01", limit=1000)
    assert every["count"] == len(expected)
    assert [r["reason"] for r in every["data"]] == expected["reason"].tolist()
    assert {r["account_id"] for r in own["data"]} <= api.own
    assert own["count"] == int(expected["account_id"].isin(api.own).sum())
    assert _get(api, "/api/v1/risk/expansion", api.other_tenant)["count"] == 0


def test_accuracy_page_shows_the_callers_months(api: Api) -> None:
    page = api.client.get("/health/accuracy", headers=api.vendor)
    assert page.status_code == 200, page.text[:300]
    assert "Prediction accuracy" in page.text
    assert "2023-10" in page.text
    assert "2024-01" in page.text
    assert 'id="chart-auc"' in page.text
    assert 'id="chart-calibration"' in page.text
    assert "organisation&#39;s accounts only" not in page.text
    own = api.client.get("/health/accuracy", headers=api.org, params={"lang": "sv"})
    assert own.status_code == 200
    assert "Beräknat enbart på er organisations kunder." in own.text
    csv = api.client.get("/health/accuracy/csv/auc", headers=api.vendor, params={"lang": "en"})
    assert csv.status_code == 200
    lines = csv.text.splitlines()
    assert lines[0] == "month,scorer,roc_auc,top_decile_precision,n,churned"
    with api.store() as store:
        months = accuracy_by_month(store).months
    first = next(x for x in lines[1:] if x.startswith("2023-10,Churn model,"))
    assert months[0].model is not None
    assert float(first.split(",")[2]) == pytest.approx(months[0].model.roc_auc)
    assert api.client.get("/health/accuracy/csv/nope", headers=api.vendor).status_code == 404
    anonymous = api.client.get("/health/accuracy", follow_redirects=False)
    assert anonymous.status_code == 303


def test_health_page_lists_expansion_next_to_at_risk(api: Api) -> None:
    with api.store() as store:
        signals = expansion_signals(store, "2025-01-01")
    assert not signals.empty
    page = api.client.get("/health", headers=api.vendor, params={"lang": "en"})
    assert page.status_code == 200
    assert 'id="table-accounts"' in page.text
    assert 'id="table-expansion"' in page.text
    assert "Expansion opportunities" in page.text
    first = signals["reason"].iloc[0]
    assert first.split(";")[0] in page.text
    own = api.client.get("/health", headers=api.org, params={"lang": "en"})
    section = own.text.split('id="table-expansion"')[1].split("</section>")[0]
    shown = set(re.findall(r'href="/accounts/([^"]+)"', section))
    assert shown
    assert shown <= api.own
