"""Fixtures of the dashboard tests: a store with a small simulated company, a signed-in app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import EMAIL, PASSWORD, make_app


@pytest.fixture(scope="session")
def demo_db(tiny_demo_db: Path) -> Path:
    """A DuckDB store loaded with the simulator's tiny company (seed 3), built once (shared
    with other packages' tests: read it, or write to a copy)."""
    return tiny_demo_db


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
