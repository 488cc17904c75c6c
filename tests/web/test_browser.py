"""The dashboard in real headless Chromium: sign in, every page, the business-case editor,
the Excel download, and screenshots (desktop and phone) of each page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from web_helpers import EMAIL, PASSWORD, make_app

from browser_env import launch, record_outside, serve, sign_in
from portalroi.web.render import NAV

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {
    "overview": "/",
    "adoption": "/adoption",
    "support": "/support",
    "impact": "/impact",
    "business-case": "/business-case",
    "data": "/data",
}
#: Pages added later; their desktop screenshots are docs/img/dashboard-<name>.png.
NEW_PAGES = {"health": "/health", "topics": "/topics"}
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn serving the app on 127.0.0.1 and a free port, in a thread."""
    app: FastAPI = make_app(demo_db, tmp_path_factory.mktemp("browserapp"))
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def _charts_ready(page: object) -> None:
    page.wait_for_selector("body[data-charts=ready]", timeout=60_000)  # type: ignore[attr-defined]
    errors = page.locator("div.vega.error").count()  # type: ignore[attr-defined]
    assert errors == 0, page.locator("div.vega.error").first.inner_text()  # type: ignore[attr-defined]
    drawn = page.locator("div.vega svg").count()  # type: ignore[attr-defined]
    assert drawn == page.locator("div.vega").count()  # type: ignore[attr-defined]


def test_dashboard_in_chromium(server: str, browser: object, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    outside = record_outside(context, server)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda exc: script_errors.append(f"{page.url}: {exc}"))
    page.goto(server + "/")
    assert page.url.endswith("/login")
    page.screenshot(path=str(shots / "login-desktop.png"), full_page=True)
    sign_in(page, server, EMAIL, PASSWORD)

    for name, path in PAGES.items():
        page.goto(server + path)
        _charts_ready(page)
        assert page.locator("h1").inner_text()
        page.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)
    for name, path in NEW_PAGES.items():
        page.goto(server + path)
        _charts_ready(page)
        assert page.locator("table").count() >= 1, name
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    # Health: the worst account's link opens its drill-down page.
    page.goto(server + "/health")
    first = page.locator("#table-accounts tbody tr a").first
    account_path = first.get_attribute("href")
    assert account_path is not None
    first.click()
    page.wait_for_url(server + account_path)
    _charts_ready(page)
    assert page.locator("#table-breakdown tbody tr").count() >= 5
    page.screenshot(path=str(shots / "account.png"), full_page=True)
    extra = {**NEW_PAGES, "account": account_path}

    # Business case: change an input, see the result change, download the Excel file.
    page.goto(server + "/business-case")
    _charts_ready(page)
    npv_before = (
        page.locator(".kpi", has_text="Net present value").locator(".kpi-value").inner_text()
    )
    page.fill("#in-tickets_per_month", "3000")
    page.click("#recalculate")
    page.wait_for_url("**tickets_per_month=3000**")
    _charts_ready(page)
    npv_after = (
        page.locator(".kpi", has_text="Net present value").locator(".kpi-value").inner_text()
    )
    assert npv_before == "$470,655"
    assert npv_after != npv_before
    with page.expect_download() as info:
        page.click("#excel")
    xlsx = tmp_path / "bc.xlsx"
    info.value.save_as(xlsx)
    assert xlsx.read_bytes()[:2] == b"PK"

    # Swedish, and a chart's CSV.
    page.goto(server + "/support")
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=sv]")
    _charts_ready(page)
    assert "Support och självservice" in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "support-sv-desktop.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("a.csv").first.click()
    assert info.value.suggested_filename == "support-deflection_rate.csv"

    # Every other page of the navigation (pages added since): opens, draws its charts, and fits
    # a phone; screenshots of these stay with the test run (their authors own their docs).
    shown = set(PAGES.values()) | set(NEW_PAGES.values())
    others = [path for path, _ in NAV if path not in shown]
    for path in others:
        page.goto(server + path + "?lang=en")
        _charts_ready(page)
        assert page.locator("h1").inner_text(), path
    # Phone-size screen: every page, no horizontal scrolling of the page itself.
    phone = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    phone.add_cookies(context.cookies())
    mobile = phone.new_page()
    for name, path in {**PAGES, **extra}.items():
        mobile.goto(server + path + "?lang=en")
        _charts_ready(mobile)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, (name, width)
        mobile.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
    for path in others:
        mobile.goto(server + path + "?lang=en")
        _charts_ready(mobile)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, (path, width)
        slug = path.strip("/").replace("/", "-")
        mobile.screenshot(path=str(tmp_path / f"{slug}-phone.png"), full_page=True)
    phone.close()
    context.close()

    assert outside == [], outside  # nothing from the internet
    assert script_errors == []
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    for png in sorted(shots.glob("*.png")):
        shutil.copy(png, DOCS_IMG / f"dashboard-{png.name}")
    assert len(list(shots.glob("*.png"))) == 2 * (len(PAGES) + len(extra)) + 2
