"""The pages over HTTP: sign-in, every page, filters, CSV equal to the metric library, Excel."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from portalroi.businesscase import evaluate, example_inputs
from portalroi.metrics import compute
from portalroi.store import Store

PAGES = ["/", "/adoption", "/support", "/impact", "/business-case", "/data"]


def test_pages_need_sign_in(web_app: FastAPI) -> None:
    with TestClient(web_app) as c:
        for path in [*PAGES, "/csv/adoption/stickiness", "/business-case.xlsx"]:
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303, path
            assert r.headers["location"] == "/login"
        bad = c.post("/login", data={"email": "ann@example.com", "password": "wrong password"})
        assert bad.status_code == 401
        assert "Wrong e-mail or password." in bad.text


def test_every_page_renders_in_both_languages(client: TestClient) -> None:
    for lang, word in (("en", "Adoption"), ("sv", "Användning")):
        for path in PAGES:
            r = client.get(path, params={"lang": lang})
            assert r.status_code == 200, (path, lang)
            assert f'<html lang="{lang}">' in r.text
            assert word in r.text  # the navigation is translated
    # The choice is remembered in a cookie.
    assert client.get("/adoption").text.count("Användning") >= 1


def test_no_asset_comes_from_the_internet(client: TestClient) -> None:
    for path in PAGES:
        html = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, path
        assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    js = client.get("/static/vendor/vega-embed.min.js")
    assert js.status_code == 200
    assert len(js.content) > 10_000


def test_static_refuses_path_traversal(client: TestClient) -> None:
    for path in [
        "/static/../pages.py",
        "/static/%2e%2e/pages.py",
        "/static/vendor/../../render.py",
    ]:
        assert client.get(path).status_code == 404, path


def test_chart_csv_is_the_metric_librarys_output(client: TestClient, web_app: FastAPI) -> None:
    csv = client.get("/csv/support/deflection_rate", params={"segment": "smb"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    got = pd.read_csv(io.StringIO(csv.text))
    with Store(web_app.state.settings.db) as store:
        expect = compute(store, "deflection_rate", by="segment")
    expect = expect[expect["segment"] == "smb"]
    assert len(got) == len(expect) > 6
    assert got["value"].to_numpy() == pytest.approx(expect["value"].to_numpy(), nan_ok=True)


def test_date_filter_limits_chart_data(client: TestClient) -> None:
    full = pd.read_csv(io.StringIO(client.get("/csv/adoption/stickiness").text))
    part = pd.read_csv(
        io.StringIO(
            client.get(
                "/csv/adoption/stickiness", params={"start": "2024-03-01", "end": "2024-03-31"}
            ).text
        )
    )
    assert len(full) > 300
    assert len(part) == 31
    assert part["day"].min().startswith("2024-03-01")
    assert part["day"].max().startswith("2024-03-31")


def test_bad_filters_get_a_clear_400(client: TestClient) -> None:
    r = client.get("/support", params={"segment": "x' OR 1=1 --"})
    assert r.status_code == 400
    assert "segment must be one of enterprise, mid_market, smb" in r.text
    r = client.get("/adoption", params={"start": "2024-05-01", "end": "2024-01-01"})
    assert r.status_code == 400
    assert "is after end" in r.text
    assert client.get("/csv/support/nope").status_code == 404
    assert client.get("/csv/secrets/x").status_code == 404


def test_business_case_editor_matches_engine(client: TestClient) -> None:
    base = evaluate(example_inputs())
    r = client.get("/business-case")
    # NPV of the example inputs, written by hand from the engine's result: $470,655.
    assert round(base.npv) == 470655
    assert "$470,655" in r.text
    changed = client.get("/business-case", params={"tickets_per_month": "3000"})
    assert changed.status_code == 200
    assert "$470,655" not in changed.text
    bad = client.get("/business-case", params={"annual_churn": "1.5", "customers": "many"})
    assert bad.status_code == 400
    assert "company.annual_churn" in bad.text
    assert "company.customers" in bad.text


def test_excel_download_carries_the_form_inputs(client: TestClient, tmp_path: Path) -> None:
    r = client.get("/business-case.xlsx", params={"tickets_per_month": "3000"})
    assert r.status_code == 200
    path = tmp_path / "bc.xlsx"
    path.write_bytes(r.content)
    wb = openpyxl.load_workbook(path)
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert 3000 in cells or 3000.0 in cells
    assert any(isinstance(v, str) and v.startswith("=") for v in cells)  # live formulas


def test_overview_shows_roi_and_headlines(client: TestClient) -> None:
    html = client.get("/", params={"lang": "en"}).text
    for label in ("Realised ROI to date", "Payback", "Monthly active users", "Deflection rate"):
        assert label in html
    assert "vs previous period" in html
