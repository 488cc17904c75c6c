"""The prediction-accuracy page in real headless Chromium: charts drawn, table filled."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_env import launch, serve_with_user, sign_in
from portalroi.health.history import backfill
from portalroi.settings import Settings
from portalroi.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EMAIL, PASSWORD = "risk@example.com", "risk-password-1"


@pytest.fixture(scope="module")
def server(sim_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("risk_browser")
    db = tmp / "store.duckdb"
    shutil.copy(sim_db, db)
    with Store(db) as store:
        backfill(store, "2023-07-01", "2024-01-01", step_days=90)
    settings = Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}")
    with serve_with_user(settings, EMAIL, PASSWORD, role="admin") as base:
        yield base


def test_accuracy_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, server, EMAIL, PASSWORD)
        page.goto(server + "/health/accuracy")
        page.wait_for_selector("body[data-charts=ready]", timeout=60_000)
        assert page.locator("div.vega.error").count() == 0
        assert page.locator("div.vega svg").count() == 3
        assert page.locator("h1").inner_text() == "Prediction accuracy"
        # Score dates 2023-07-01, 2023-09-29 and 2023-12-28: one row per month.
        months = page.locator("#table-accuracy tbody tr td:first-child").all_inner_texts()
        assert months == ["2023-07", "2023-09", "2023-12", "All months"]
        nav = page.locator("nav.nav a[href='/health/accuracy']")
        assert nav.get_attribute("aria-current") == "page"
        page.screenshot(path=str(tmp_path / "risk-accuracy.png"), full_page=True)
        browser.close()
