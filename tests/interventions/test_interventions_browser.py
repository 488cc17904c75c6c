"""Recording an intervention from the account page, and the interventions page, in Chromium."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_env import launch, record_outside, serve_with_user, sign_in
from portalroi.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_env import seed_store

EMAIL, PASSWORD = "csm@acme.example", "browser-password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("iv-browser")
    seed_store(tmp / "s.duckdb")
    settings = Settings(db=tmp / "s.duckdb", app_db_url=f"sqlite:///{tmp / 'app.sqlite'}")
    user = {"role": "analyst", "tenant": "acme", "org_id": "org-a"}
    with serve_with_user(settings, EMAIL, PASSWORD, **user) as base:
        yield base


def test_record_on_account_page_then_see_it_listed(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        outside = record_outside(context, server)
        page = context.new_page()
        sign_in(page, server, EMAIL, PASSWORD)
        page.goto(server + "/accounts/a1")
        form = page.locator("#record-intervention")
        form.locator("select[name=kind]").select_option("qbr")
        form.locator("input[name=occurred_at]").fill("2024-03-04")
        form.locator("input[name=reason]").fill("renewal in 90 days")
        form.locator("button[type=submit]").click()  # a real browser sends Origin itself
        page.wait_for_url(server + "/accounts/a1")
        rows = page.locator("#table-account-interventions tbody tr").all_inner_texts()
        assert len(rows) == 1
        assert "qbr" in rows[0]
        assert "renewal in 90 days" in rows[0]
        assert EMAIL in rows[0]  # the owner defaults to the signed-in user
        page.click("nav.nav a[href='/interventions']")
        page.wait_for_url(server + "/interventions")
        assert page.locator("h1").inner_text() == "Interventions"
        assert page.locator("#table-interventions tbody tr").count() == 1
        warning = page.locator("#table-intervention-effects .warning").all_inner_texts()
        assert any("no estimate" in w for w in warning)
        page.screenshot(path=str(tmp_path / "interventions-desktop.png"), full_page=True)
        page.goto(server + "/interventions?lang=sv")
        assert page.locator("h1").inner_text() == "Insatser"
        # a phone-size screen: both pages fit without scrolling the page sideways
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
        )
        phone.add_cookies(context.cookies())
        mobile = phone.new_page()
        for path in ("/interventions", "/accounts/a1"):
            mobile.goto(server + path + "?lang=en")
            mobile.wait_for_selector("body[data-charts=ready]", timeout=60_000)
            assert mobile.evaluate("document.documentElement.scrollWidth") <= 391, path
        mobile.screenshot(path=str(tmp_path / "account-phone.png"), full_page=True)
        browser.close()
    assert outside == [], outside  # nothing from the internet
