"""Helpers of the dashboard tests: the demo user and an app over a copy of a store."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import FastAPI

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user
from portalroi.settings import Settings

EMAIL = "ann@example.com"
PASSWORD = "correct horse battery"


def make_app(demo_db: Path, tmp: Path) -> FastAPI:
    """An app over a copy of the demo store, with one admin user."""
    db = tmp / "store.duckdb"
    shutil.copy(demo_db, db)
    settings = Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}", api_cache_seconds=600)
    app = create_app(settings)
    with app.state.appdb.session() as s:
        add_user(s, EMAIL, PASSWORD, role="admin")
    return app
