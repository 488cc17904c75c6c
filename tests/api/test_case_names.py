"""Business case names are unique where the cases are seen: per organisation, not per workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from api_env import Env
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.api.appstate.db import _MIGRATIONS, AppDB

SECRET = "Acquire Bravo Q3 (confidential)"


@pytest.fixture(scope="module")
def token_a2(env: Env) -> str:
    """An analyst of org-a2, another organisation of org-a's workspace (acme)."""
    with env.app.state.appdb.session() as s:
        user = add_user(
            s, "zed@acme.example", "password-z", role="analyst", tenant="acme", org_id="org-a2"
        )
        token, _ = create_token(s, user, "z")
    return token


def _create(env: Env, token: str, **body: Any) -> Any:
    return env.client.post("/api/v1/business-cases", headers=env.h(token), json=body)


def test_another_orgs_case_name_is_free(env: Env, token_a2: str) -> None:
    assert _create(env, token_a2, name=SECRET).status_code == 201
    listed = env.client.get("/api/v1/business-cases", headers=env.h(env.token_a)).json()["data"]
    assert SECRET not in [c["name"] for c in listed]
    # org-a cannot tell the name exists: it is free for org-a too
    r = _create(env, env.token_a, name=SECRET)
    assert r.status_code == 201, r.text
    # ... and renaming to it is fine, within org-a a name is still unique
    r = env.client.put(
        f"/api/v1/business-cases/{env.case_a}", headers=env.h(env.token_a), json={"name": "Zeta"}
    )
    assert r.status_code == 200, r.text
    clash = _create(env, env.token_a, name=SECRET)
    assert clash.status_code == 409
    assert "org-a2" not in clash.text
    # the vendor-level user names the organisation; vendor-wide cases are unique per workspace
    assert _create(env, env.token_vendor, name=SECRET, org_id="org-a2").status_code == 409
    assert _create(env, env.token_vendor, name=SECRET).status_code == 201
    assert _create(env, env.token_vendor, name=SECRET).status_code == 409


def _at(db: AppDB, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if revision == "0002":
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)


def _insert(db: AppDB, org: str | None, name: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business_cases (tenant_id, org_id, name, inputs, created_at, "
                "updated_at) SELECT id, :org, :name, '{}', '2024-01-01', '2024-01-01' "
                "FROM tenants WHERE slug = 'names'"
            ),
            {"org": org, "name": name},
        )


def check_case_name_constraints(db: AppDB) -> None:
    """From 0002 (cases kept) to head: names unique per (tenant, organisation) in the database."""
    _at(db, "0002")
    with db.session() as s:
        add_user(
            s, "m@names.example", "password-m", role="admin", tenant="names", org_id="names-o1"
        )
    _insert(db, "names-o1", "kept")
    _at(db, "head")
    assert db.revision() == "0003"
    _insert(db, "names-o2", "kept")  # another organisation may use the name now
    _insert(db, None, "kept")
    for org in ("names-o1", None):  # not twice in one organisation, nor twice vendor-wide
        with pytest.raises(IntegrityError):
            _insert(db, org, "kept")
    with db.engine.connect() as conn:
        names = conn.execute(
            text(
                "SELECT org_id, name FROM business_cases WHERE tenant_id = "
                "(SELECT id FROM tenants WHERE slug = 'names') ORDER BY id"
            )
        ).all()
    assert [tuple(r) for r in names] == [("names-o1", "kept"), ("names-o2", "kept"), (None, "kept")]


def test_migration_0003_on_sqlite(tmp_path: Path) -> None:
    db = AppDB(f"sqlite:///{tmp_path / 'app.sqlite'}")
    db.migrate()
    check_case_name_constraints(db)
    db.dispose()
