"""A dashboard page computes all its figures from one state of the store: a load that commits
on another connection while the overview renders (after its ROI, before its metric headlines)
does not reach the page's figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import EMAIL, PASSWORD, make_app

from portalroi.ingest import ingest_frame
from portalroi.store import Store
from portalroi.web import pages

pytestmark = pytest.mark.slow


def _kpis(app: FastAPI) -> list[str]:
    with TestClient(app) as c:
        r = c.post("/login", data={"email": EMAIL, "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get("/", params={"lang": "en"})
    assert page.status_code == 200, page.text[:300]
    found = re.findall(
        r'<div class="kpi-label">(.*?)</div>\s*<div class="kpi-value">(.*?)</div>', page.text
    )
    return [f"{label}={value}" for label, value in found]


def test_overview_figures_come_from_one_state(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "clean").mkdir()
    (tmp_path / "loaded").mkdir()
    before = _kpis(make_app(demo_db, tmp_path / "clean"))  # make_app works on a copy
    assert any(k.startswith("Cost per ticket=") for k in before), before

    with Store(demo_db, read_only=True) as store:
        last, account = store.con.execute(
            "SELECT max(created_at), min(account_id) FROM tickets"
        ).fetchone()  # type: ignore[misc]
    # 200 costly tickets on the last ticket day: the last month's cost per ticket changes
    late = pd.DataFrame(
        {
            "ticket_id": [f"late-{i}" for i in range(200)],
            "account_id": account,
            "created_at": last,
            "channel": "email",
            "cost": 1000.0,
        }
    )
    real = pages._currency
    landed: list[bool] = []

    def currency_then_a_load(store: Store) -> Any:
        # called after the overview's ROI and before its metric headlines; the load
        # commits on another of the server's connections
        if not landed:
            with app.state.store_pool.borrow() as other:
                ingest_frame(other, late, table="tickets", source_name="late.csv")
            landed.append(True)
        return real(store)

    monkeypatch.setattr(pages, "_currency", currency_then_a_load)
    app = make_app(demo_db, tmp_path / "loaded")
    during = _kpis(app)
    assert landed == [True]
    assert during == before  # every figure from the state the page started on
    monkeypatch.setattr(pages, "_currency", real)
    after = _kpis(app)  # the load's data version: recomputed with the late tickets
    assert after != before
    cost = [k for k in after if k.startswith("Cost per ticket=")]
    assert cost != [k for k in before if k.startswith("Cost per ticket=")]
