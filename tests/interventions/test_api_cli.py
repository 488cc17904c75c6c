"""API routes, CLI commands and tenant isolation of interventions."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.cli.main import app as cli_app
from portalroi.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_env import seed_store

runner = CliRunner()


@dataclass
class Env:
    client: TestClient
    db: Path
    a: dict[str, str]  # org-a analyst
    a_viewer: dict[str, str]
    b: dict[str, str]  # org-b admin (another workspace)
    vendor: dict[str, str]  # vendor-level admin of org-a's workspace


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("iv-api")
    seed_store(tmp / "store.duckdb")
    settings = Settings(db=tmp / "store.duckdb", app_db_url=f"sqlite:///{tmp / 'app.sqlite'}")
    app = create_app(settings)
    with app.state.appdb.session() as s:
        a = add_user(
            s, "ann@acme.example", "pw-a-12345", role="analyst", tenant="acme", org_id="org-a"
        )
        av = add_user(
            s, "val@acme.example", "pw-v-12345", role="viewer", tenant="acme", org_id="org-a"
        )
        b = add_user(
            s, "bob@bravo.example", "pw-b-12345", role="admin", tenant="bravo", org_id="org-b"
        )
        v = add_user(s, "vera@acme.example", "pw-w-12345", role="admin", tenant="acme")
        tokens = [create_token(s, u, "t")[0] for u in (a, av, b, v)]
    with TestClient(app) as client:
        yield Env(client, tmp / "store.duckdb", *({"Authorization": f"Bearer {x}"} for x in tokens))


BODY = {"account_id": "a1", "kind": "call", "occurred_at": "2024-03-04T10:00:00", "owner": "ann"}


def test_record_and_list_scoped(env: Env) -> None:
    c = env.client
    r = c.post("/api/v1/interventions", json=BODY, headers=env.a)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["account_id"] == "a1"
    assert made["kind"] == "call"
    assert made["intervention_id"].startswith("IV-")
    # org-b records on its own account; org-a may not record on it (404 like a missing one)
    rb = c.post("/api/v1/interventions", json={**BODY, "account_id": "b1"}, headers=env.b)
    assert rb.status_code == 201, rb.text
    cross = c.post("/api/v1/interventions", json={**BODY, "account_id": "b1"}, headers=env.a)
    assert cross.status_code == 404
    assert "b1" in cross.json()["error"]["message"]  # the caller's own input, nothing more
    assert c.post("/api/v1/interventions", json=BODY, headers=env.a_viewer).status_code == 403
    mine = c.get("/api/v1/interventions", headers=env.a).json()
    assert [x["account_id"] for x in mine["data"]] == ["a1"]
    assert mine["count"] == 1
    theirs = c.get("/api/v1/interventions", headers=env.b).json()
    assert [x["account_id"] for x in theirs["data"]] == ["b1"]
    assert c.get("/api/v1/interventions?account_id=b1", headers=env.a).status_code == 404
    viewer = c.get("/api/v1/interventions", headers=env.a_viewer)
    assert viewer.status_code == 200
    assert viewer.json()["count"] == 1


def test_validation_errors_name_the_field(env: Env) -> None:
    c = env.client
    bad = c.post("/api/v1/interventions", json={**BODY, "kind": "hug"}, headers=env.a)
    assert bad.status_code == 422
    assert "kind" in bad.text
    future = c.post(
        "/api/v1/interventions", json={**BODY, "occurred_at": "2999-01-01T00:00:00"}, headers=env.a
    )
    assert future.status_code == 422
    assert "in the future" in future.text
    missing = c.post(
        "/api/v1/interventions", json={**BODY, "account_id": "nope"}, headers=env.vendor
    )
    assert missing.status_code == 404


def test_effects_route_counts_only_the_callers_interventions(env: Env) -> None:
    c = env.client
    c.post("/api/v1/interventions", json={**BODY, "kind": "qbr"}, headers=env.a)
    a = c.get("/api/v1/interventions/effects", headers=env.a)
    assert a.status_code == 200, a.text
    by_kind = {e["kind"]: e for e in a.json()["effects"]}
    assert by_kind["qbr"]["interventions"] == 1
    assert by_kind["qbr"]["effect"] is None
    assert by_kind["qbr"]["warnings"]
    b = c.get("/api/v1/interventions/effects?kind=call", headers=env.b).json()
    assert [e["interventions"] for e in b["effects"]] == [1]  # b1's call only
    assert "Bravo" not in a.text
    assert "b1" not in a.text
    assert c.get("/api/v1/interventions/effects?outcome=nope", headers=env.a).status_code == 400


def test_cli_add_list_effect_import(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    seed_store(db)
    ok = runner.invoke(
        cli_app,
        [
            "interventions",
            "add",
            "--db",
            str(db),
            "--account",
            "a1",
            "--kind",
            "training",
            "--at",
            "2024-03-01",
            "--owner",
            "ann",
            "--reason",
            "health at risk",
            "--json",
        ],
    )
    assert ok.exit_code == 0, ok.output
    iid = json.loads(ok.output)["intervention_id"]
    bad = runner.invoke(
        cli_app,
        [
            "interventions",
            "add",
            "--db",
            str(db),
            "--account",
            "zz",
            "--kind",
            "hug",
            "--at",
            "2999-01-01",
        ],
    )
    assert bad.exit_code == 2
    listed = runner.invoke(cli_app, ["interventions", "list", "--db", str(db), "--json"])
    rows = json.loads(listed.output)
    assert [(r["intervention_id"], r["kind"], r["reason"]) for r in rows] == [
        (iid, "training", "health at risk")
    ]
    csv = tmp_path / "iv.csv"
    csv.write_text(
        "intervention_id,account_id,kind,occurred_at\nx1,a2,qbr,2024-03-05\nx2,a2,hug,2024-03-06\n"
    )
    imp = runner.invoke(cli_app, ["interventions", "import", str(csv), "--db", str(db), "--json"])
    out = json.loads(imp.output)
    assert (out["inserted"], out["quarantined"]) == (1, 1)
    assert "hug" in out["issues"][0]
    eff = runner.invoke(cli_app, ["interventions", "effect", "--db", str(db), "--json"])
    assert eff.exit_code == 0, eff.output
    kinds = {e["kind"]: e for e in json.loads(eff.output)["effects"]}
    assert set(kinds) == {"qbr", "training"}
    assert kinds["training"]["effect"] is None
    text = runner.invoke(cli_app, ["interventions", "effect", "--db", str(db)])
    assert "warning (training)" in text.output
    wrong = runner.invoke(cli_app, ["interventions", "effect", "--db", str(db), "--kind", "x"])
    assert wrong.exit_code == 2
    assert "unknown kind" in wrong.output
