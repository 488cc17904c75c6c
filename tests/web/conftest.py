"""Fixtures of the dashboard tests: a store with a small simulated company, a signed-in app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user
from portalroi.cli.demo import run_demo
from portalroi.settings import Settings

EMAIL = "ann@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB store loaded with the simulator's tiny company (seed 3), built once."""
    root = tmp_path_factory.mktemp("webdemo")
    db = root / "demo.duckdb"
    run_demo(size="tiny", seed=3, out_dir=root / "exports", db=db)
    return db


def make_app(demo_db: Path, tmp: Path) -> FastAPI:
    """An app over a copy of the demo store, with one admin user."""
    db = tmp / "store.duckdb"
    shutil.copy(demo_db, db)
    settings = Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}", api_cache_seconds=600)
    app = create_app(settings)
    with app.state.appdb.session() as s:
        add_user(s, EMAIL, PASSWORD, role="admin")
    return app


@pytest.fixture(scope="module")
def web_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The server app (API + pages) over the demo store."""
    return make_app(demo_db, tmp_path_factory.mktemp("webapp"))


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as the admin user."""
    with TestClient(web_app) as c:
        r = c.post("/login", data={"email": EMAIL, "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 303
        yield c
