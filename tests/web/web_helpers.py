"""Helpers of the dashboard tests: the demo user, an app over a copy of a store, and the
English phrases a Swedish page must not show."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from fastapi import FastAPI

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user
from portalroi.settings import Settings
from portalroi.web.i18n_strings import STRINGS

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


def english_phrases() -> list[str]:
    """English strings of several words that have a different Swedish text (the known list a
    Swedish page must not contain)."""
    return sorted(
        {
            re.sub(r"\{[^}]*\}", "", v["en"]).strip(" .:")
            for v in STRINGS.values()
            if v["en"] != v["sv"] and len(v["en"].split()) >= 2
        }
        - {""}
    )
