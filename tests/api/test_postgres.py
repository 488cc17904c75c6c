"""App state on a real PostgreSQL cluster: migrations, users, sessions, tokens, the API on top.

A throw-away cluster is created with ``initdb`` (as the ``postgres`` system user when run as
root), started on 127.0.0.1 with a free port and a socket directory in tmp, and stopped after.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_env import make_settings
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from test_case_names import check_case_name_constraints

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import (
    add_user,
    authenticate,
    create_token,
    principal_for_token,
    revoke_token,
)
from portalroi.api.appstate.db import AppDB

pytestmark = pytest.mark.postgres


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"{name} not found; run scripts/system-deps.sh to install PostgreSQL")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pg")
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
        for parent in root.parents:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    subprocess.run(
        _as_postgres(
            [_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    pg_ctl = _bin("pg_ctl")
    opts = f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )


def test_migrations_users_and_tokens_on_postgres(pg_url: str) -> None:
    db = AppDB(pg_url)
    db.migrate()
    db.migrate()  # idempotent
    assert db.revision() == "0003"
    assert db.engine.dialect.name == "postgresql"
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "api_tokens", "sessions", "tenants", "business_cases"} <= tables
    with db.session() as s:
        user = add_user(
            s, "pg@example.org", "pg-password", role="analyst", tenant="t1", org_id="o1"
        )
        secret, token = create_token(s, user, "pg")
        token_id = token.id
    with db.session() as s:
        assert authenticate(s, "PG@example.org", "pg-password") is not None
        assert authenticate(s, "pg@example.org", "wrong-password") is None
        p = principal_for_token(s, secret)
        assert p is not None
        assert (p.role, p.tenant, p.scope) == ("analyst", "t1", frozenset({"o1"}))
        revoke_token(s, token_id)
    with db.session() as s:
        assert principal_for_token(s, secret) is None
        stored = s.get(type(token), token_id)
        assert stored is not None
        assert secret not in stored.token_hash
        assert stored.last_used_at is not None
    db.dispose()


def test_case_name_constraints_on_postgres(pg_url: str) -> None:
    db = AppDB(pg_url)
    db.migrate()
    check_case_name_constraints(db)
    db.dispose()


def test_api_runs_on_postgres_app_state(pg_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, app_db_url=pg_url))
    with app.state.appdb.session() as s:
        add_user(s, "web@example.org", "web-password", role="admin")
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/auth/login", json={"email": "web@example.org", "password": "web-password"}
        )
        assert r.status_code == 200, r.text
        made = client.post("/api/v1/business-cases", json={"name": "pg case"})
        assert made.status_code == 201, made.text
        listed = client.get("/api/v1/business-cases").json()
        assert [c["name"] for c in listed["data"]] == ["pg case"]
        client.post("/api/v1/auth/logout")
        assert client.get("/api/v1/business-cases").status_code == 401
