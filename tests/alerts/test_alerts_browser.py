"""The alerts page in a real browser (Debian chromium through Playwright), desktop and phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alert_data import AS_OF, add_accounts, add_tickets, day

from browser_env import launch, record_outside, serve_with_user, sign_in
from portalroi.alerts import add_rule, parse_rule, run_alerts
from portalroi.settings import Settings
from portalroi.store import Store

EMAIL, PASSWORD = "lead@vendor.example", "browser-password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("alerts-browser")
    settings = Settings(db=tmp / "s.duckdb", app_db_url=f"sqlite:///{tmp / 'app.sqlite'}")
    with Store(settings.db) as store:
        add_accounts(store, {"A-1": None, "B-2": None})
        rows = [
            {"created_at": day(n, 8), "account_id": a} for n in range(2, 30) for a in ("A-1", "B-2")
        ]
        rows += [{"created_at": day(1, 8 + k), "account_id": "A-1"} for k in range(6)]
        add_tickets(store, rows)
        spec = {"name": "Ticket spike", "kind": "spike", "count": "tickets", "threshold": 3}
        add_rule(store, parse_rule(spec | {"scope": "account"}))
        add_rule(store, parse_rule(spec | {"name": "Portal ticket spike", "threshold": 1.1}))
        assert len(run_alerts(store, settings, AS_OF - timedelta(hours=1)).fired) == 2
    with serve_with_user(settings, EMAIL, PASSWORD, role="admin") as base:
        yield base


def test_alerts_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        outside = record_outside(context, server)
        page = context.new_page()
        page.goto(server + "/alerts")
        assert page.url.endswith("/login")
        sign_in(page, server, EMAIL, PASSWORD)
        page.click("nav.nav a[href='/alerts']")
        page.wait_for_url(server + "/alerts")
        page.wait_for_selector("body[data-charts=ready]", timeout=60_000)
        assert page.locator("h1").inner_text() == "Alerts"
        events = page.locator("#table-alert-events tbody tr")
        assert events.count() == 2
        texts = events.all_inner_texts()
        assert any("whole portal" in t and "Portal ticket spike" in t for t in texts)
        assert all("2024-05-03 – 2024-05-31" in t for t in texts)  # first and last day
        assert page.locator("#table-alert-rules tbody tr").count() == 2
        page.screenshot(path=str(tmp_path / "alerts-desktop.png"), full_page=True)
        link = page.locator("#table-alert-events tbody tr a")
        assert link.count() == 1
        assert link.get_attribute("href") == "/accounts/A-1"
        link.click()
        page.wait_for_url(server + "/accounts/A-1")
        assert "A-1" in page.locator("h1").inner_text()

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
        )
        phone.add_cookies(context.cookies())
        mobile = phone.new_page()
        mobile.goto(server + "/alerts?lang=sv")
        mobile.wait_for_selector("body[data-charts=ready]", timeout=60_000)
        assert mobile.locator("h1").inner_text() == "Larm"
        swedish = mobile.locator("#table-alert-events tbody").inner_text()
        assert "ökade kraftigt" in swedish  # the reasons too, built from the kept figures
        assert "spiked" not in swedish
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 391
        mobile.screenshot(path=str(tmp_path / "alerts-phone.png"), full_page=True)
        browser.close()
    assert outside == [], outside  # nothing from the internet
