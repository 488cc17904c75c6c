"""The prediction-accuracy page in real headless Chromium: charts drawn, table filled."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user
from portalroi.health.history import backfill
from portalroi.settings import Settings
from portalroi.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EMAIL, PASSWORD = "risk@example.com", "risk-password-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(sim_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("risk_browser")
    db = tmp / "store.duckdb"
    shutil.copy(sim_db, db)
    with Store(db) as store:
        backfill(store, "2023-07-01", "2024-01-01", step_days=90)
    app = create_app(Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}"))
    with app.state.appdb.session() as s:
        add_user(s, EMAIL, PASSWORD, role="admin")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_accuracy_page_in_chromium(server: str, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run scripts/system-deps.sh"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(server + "/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/")
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
