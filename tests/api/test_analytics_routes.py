"""Health, impact, ROI, topics and leadership-report routes: the same figures as the services.

Every expected figure is computed in the test by calling the service directly on the same
data: the whole store for a vendor-level user, and for an organisation's user a copy of the
store holding only that organisation's accounts (:func:`portalroi.roi.facts.subset_store`),
with the portal's costs shared by live account-months.
"""

from __future__ import annotations

import io
import shutil
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from portalroi.analytics import store_topic_report
from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.api.appstate.models import BusinessCase
from portalroi.api.pool import StorePool
from portalroi.businesscase import example_inputs
from portalroi.health import account_features, health_scores
from portalroi.health.risk import data_period
from portalroi.impact.analysis import estimate_effects
from portalroi.roi import measure_facts, roi_from_store
from portalroi.roi.analysis import RoiReport
from portalroi.roi.facts import subset_store
from portalroi.settings import Settings
from portalroi.store import Store

pytestmark = pytest.mark.slow


@dataclass
class Ctx:
    """The app, its client, users' headers and the organisations' account ids."""

    client: TestClient
    app: FastAPI
    vendor: dict[str, str]
    org: dict[str, str]
    other_tenant: dict[str, str]
    own: list[str]
    other: list[str]
    case_vendor: int
    case_other_tenant: int

    def store(self) -> AbstractContextManager[Store]:
        """The app's own store connection (a second open of the file would conflict)."""
        pool: StorePool = self.app.state.store_pool
        return pool.borrow()


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory, tiny_demo_db: Path) -> Iterator[Ctx]:
    tmp = tmp_path_factory.mktemp("analytics")
    db = tmp / "store.duckdb"
    shutil.copy(tiny_demo_db, db)
    with Store(db) as store:
        store.con.execute(
            "UPDATE accounts SET org_id = CASE WHEN segment = 'smb' THEN 'org-smb' "
            "ELSE 'org-other' END"
        )
        ids = dict(
            store.con.execute(
                "SELECT org_id, list(account_id ORDER BY account_id) FROM accounts GROUP BY 1"
            ).fetchall()
        )
    settings = Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}", api_cache_seconds=600)
    app = create_app(settings)
    inputs = example_inputs().model_dump(mode="json")
    with app.state.appdb.session() as s:
        v = add_user(s, "vic@vendor.example", "password-v1", role="admin")
        o = add_user(s, "olle@smb.example", "password-o1", role="viewer", org_id="org-smb")
        x = add_user(s, "xena@else.example", "password-x1", role="admin", tenant="elsewhere")
        tv, _ = create_token(s, v, "v")
        to, _ = create_token(s, o, "o")
        tx, _ = create_token(s, x, "x")
        case_v = BusinessCase(tenant_id=v.tenant_id, org_id=None, name="Plan V", inputs=inputs)
        case_x = BusinessCase(tenant_id=x.tenant_id, org_id=None, name="Plan X", inputs=inputs)
        s.add_all([case_v, case_x])
        s.flush()
        case_ids = (case_v.id, case_x.id)
    with TestClient(app) as client:
        yield Ctx(
            client,
            app,
            {"Authorization": f"Bearer {tv}"},
            {"Authorization": f"Bearer {to}"},
            {"Authorization": f"Bearer {tx}"},
            list(ids["org-smb"]),
            list(ids["org-other"]),
            *case_ids,
        )
    app.state.store_pool.close()


def _get(ctx: Ctx, url: str, headers: dict[str, str], **params: object) -> dict[str, object]:
    r = ctx.client.get(url, headers=headers, params=params)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    out: dict[str, object] = r.json()
    return out


def _share(store: Store, accounts: list[str]) -> float:
    """The organisation's share of the portal's costs: its live account-months over all."""
    own = sum(measure_facts(store, accounts=accounts).live_account_months)
    return float(own / sum(measure_facts(store).live_account_months))


def test_health_list_and_account_match_the_scores(ctx: Ctx) -> None:
    with ctx.store() as store:
        _, last = data_period(store)
        at = (last + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        scores = health_scores(store, at, features=account_features(store, at))
    body = _get(ctx, "/api/v1/health", ctx.vendor, limit=1000)
    rows = body["data"]
    assert isinstance(rows, list)
    assert body["count"] == len(scores) == len(rows)
    assert body["as_of"] == f"{at:%Y-%m-%d}"
    got = {r["account_id"]: r["score"] for r in rows}
    assert got == pytest.approx(scores["score"].to_dict())
    assert rows[0]["account_id"] == scores["score"].idxmin()  # worst first
    assert {r["band"] for r in rows} <= {"at_risk", "neutral", "healthy", "unknown"}
    # Pagination: the second page starts where the first ended.
    page2 = _get(ctx, "/api/v1/health", ctx.vendor, limit=5, offset=5)["data"]
    assert isinstance(page2, list)
    assert [r["account_id"] for r in page2] == [r["account_id"] for r in rows[5:10]]
    # One account: score = 100 - points lost over every signal (docs/health.md).
    worst = str(scores["score"].idxmin())
    one = _get(ctx, f"/api/v1/health/{worst}", ctx.vendor)
    assert one["score"] == pytest.approx(float(scores.loc[worst, "score"]))
    breakdown = one["breakdown"]
    assert isinstance(breakdown, list)
    lost = sum(x["lost_points"] or 0.0 for x in breakdown)
    assert 100.0 - lost == pytest.approx(float(scores.loc[worst, "score"]), abs=1e-6)
    assert one["components"]["support"] == pytest.approx(  # type: ignore[index]
        float(scores.loc[worst, "support"])
    )
    assert worst in str(one["summary"])
    assert ctx.client.get("/api/v1/health/no-such", headers=ctx.vendor).status_code == 404


def test_org_user_gets_own_health_and_404_for_other_accounts(ctx: Ctx) -> None:
    body = _get(ctx, "/api/v1/health", ctx.org, limit=1000)
    rows = body["data"]
    assert isinstance(rows, list)
    shown = {r["account_id"] for r in rows}
    assert shown
    assert shown <= set(ctx.own)
    vendor_rows = _get(ctx, "/api/v1/health", ctx.vendor, limit=1000)["data"]
    assert isinstance(vendor_rows, list)
    scored = {r["account_id"] for r in vendor_rows}
    assert shown == scored & set(ctx.own)
    for other in ctx.other[:3]:
        r = ctx.client.get(f"/api/v1/health/{other}", headers=ctx.org)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    assert ctx.client.get(f"/api/v1/health/{sorted(shown)[0]}", headers=ctx.org).status_code == 200
    # A user of another tenant's workspace sees nothing of this one.
    assert _get(ctx, "/api/v1/health", ctx.other_tenant)["count"] == 0
    assert (
        ctx.client.get(f"/api/v1/health/{ctx.own[0]}", headers=ctx.other_tenant).status_code == 404
    )


def test_impact_matches_estimate_effects_on_the_scope(ctx: Ctx) -> None:
    with ctx.store() as store:
        whole = estimate_effects(store).to_dict()
        sub = subset_store(store, ctx.own)
        try:
            own = estimate_effects(sub).to_dict()
        finally:
            sub.close()
    vendor = _get(ctx, "/api/v1/impact", ctx.vendor)
    org = _get(ctx, "/api/v1/impact", ctx.org)
    for got, want in ((vendor, whole), (org, own)):
        assert got["period"] == want["period"]
        assert set(got["effects"]) == set(want["effects"])  # type: ignore[arg-type]
        for name, effect in want["effects"].items():
            e = got["effects"][name]  # type: ignore[index]
            assert e["estimate"] == pytest.approx(effect["estimate"])
            assert e["ci_low"] == pytest.approx(effect["ci_low"])
            assert e["ci_high"] == pytest.approx(effect["ci_high"])
    # The organisation's effects are its own, not the workspace's.
    t_org = org["effects"]["tickets"]["estimate"]  # type: ignore[index]
    assert t_org != pytest.approx(vendor["effects"]["tickets"]["estimate"])  # type: ignore[index]


def _assert_same_roi(got: dict[str, object], want: RoiReport) -> None:
    r = want.realised
    realised = got["realised"]
    assert isinstance(realised, dict)
    assert got["as_of"] == want.as_of
    assert realised["costs_to_date"] == pytest.approx(r.costs_to_date)
    assert realised["benefits_to_date"]["estimate"] == pytest.approx(r.benefits_to_date.estimate)
    assert r.roi is not None
    assert realised["roi"]["estimate"] == pytest.approx(r.roi.estimate)
    assert realised["roi"]["low"] == pytest.approx(r.roi.low)
    assert realised["payback_month"] == r.payback_month
    lines = got["lines"]
    assert isinstance(lines, list)
    assert [x["id"] for x in lines] == [x.id for x in want.lines]


def test_roi_matches_roi_from_store_on_the_scope(ctx: Ctx) -> None:
    with ctx.store() as store:
        whole = roi_from_store(store)
        with_plan = roi_from_store(store, plan=example_inputs())
        share = _share(store, ctx.own)
        sub = subset_store(store, ctx.own, share)
        try:
            own = roi_from_store(sub)
        finally:
            sub.close()
    _assert_same_roi(_get(ctx, "/api/v1/roi", ctx.vendor), whole)
    org = _get(ctx, "/api/v1/roi", ctx.org)
    _assert_same_roi(org, own)
    # The organisation carries its share of the vendor-wide portal costs.
    assert org["realised"]["costs_to_date"] == pytest.approx(  # type: ignore[index]
        whole.realised.costs_to_date * share
    )
    planned = _get(ctx, "/api/v1/roi", ctx.vendor, plan=ctx.case_vendor)
    _assert_same_roi(planned, with_plan)
    assert planned["plan_name"] == with_plan.plan_name
    assert with_plan.plan_rows
    assert len(planned["plan_rows"]) == len(with_plan.plan_rows)  # type: ignore[arg-type]
    # Another tenant's plan, or the vendor's plan for an organisation's user: 404, never data.
    for headers, case in ((ctx.vendor, ctx.case_other_tenant), (ctx.org, ctx.case_vendor)):
        r = ctx.client.get("/api/v1/roi", headers=headers, params={"plan": case})
        assert r.status_code == 404, r.text


def test_topics_match_the_topic_report_on_the_scope(ctx: Ctx) -> None:
    with ctx.store() as store:
        whole = store_topic_report(store)
        sub = subset_store(store, ctx.own)
        try:
            own = store_topic_report(sub)
        finally:
            sub.close()
    for headers, want in ((ctx.vendor, whole), (ctx.org, own)):
        got = _get(ctx, "/api/v1/topics", headers)
        groups = got["groups"]
        assert isinstance(groups, list)
        assert [g["n"] for g in groups] == want.groups["n"].tolist()
        assert [g["name"] for g in groups] == want.groups["name"].tolist()
        assert [g["knowledge_gap"] for g in groups] == want.groups["knowledge_gap"].tolist()
        zero = got["zero_results"]
        assert isinstance(zero, list)
        assert sum(z["searches"] for z in zero) == int(want.zero_results["searches"].sum())
        assert len(got["deflection"]["groups"]) == 5  # type: ignore[index]


def test_leadership_report_files_carry_the_scope_figures(ctx: Ctx) -> None:
    roi = _get(ctx, "/api/v1/roi", ctx.org)
    realised = roi["realised"]
    assert isinstance(realised, dict)
    r = ctx.client.get("/api/v1/reports/leadership.xlsx", headers=ctx.org)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["Summary"]
    figures = {row[0]: row[1] for row in ws.iter_rows(min_row=2, max_col=2, values_only=True)}
    assert figures["Costs to date"] == pytest.approx(realised["costs_to_date"])
    assert figures["Realised ROI"] == pytest.approx(realised["roi"]["estimate"])
    pdf = ctx.client.get("/api/v1/reports/leadership.pdf", headers=ctx.org, params={"lang": "sv"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = ctx.client.get("/api/v1/reports/leadership.html", headers=ctx.org)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "Customer portal: realised value" in html.text
    # No account of another organisation appears in the organisation's report.
    assert not any(a in html.text for a in ctx.other)
    # As the CLI's and the scheduled reports, the header says whose accounts these are, the
    # share of the vendor-wide costs they carry and where the data end.
    assert f"{len(ctx.own)} accounts. The portal's costs are vendor-wide" in unescape(html.text)
    assert "Newest record" in html.text
    assert figures["Accounts"] == len(ctx.own)
    assert 0 < figures["Share of portal costs"] < 1
    assert figures["Newest record (UTC)"] is not None
    vendor = ctx.client.get("/api/v1/reports/leadership.html", headers=ctx.vendor)
    assert "Newest record" in vendor.text
    assert "The portal's costs are vendor-wide" not in unescape(vendor.text)
    assert ctx.client.get("/api/v1/reports/leadership.doc", headers=ctx.org).status_code == 422


def test_topics_follow_the_topics_backend_setting(
    ctx: Ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``topics_backend = "embeddings"`` the route groups by embeddings (a stand-in
    for the model here: a fixed pseudo-random vector per text; the real model needs the
    optional extra) and gives what the service gives with that backend."""
    from portalroi.models import topics as topic_model

    def embed(texts: tuple[str, ...]) -> np.ndarray:
        seeds = [zlib.crc32(t.encode()) for t in texts]
        return np.array([np.random.default_rng(s).normal(size=8) for s in seeds])

    monkeypatch.setattr(topic_model, "_embed", embed)
    with ctx.store() as store:
        want = store_topic_report(store, backend="embeddings")
        tfidf = store_topic_report(store)
    assert want.groups["n"].tolist() != tfidf.groups["n"].tolist()  # the backends differ here
    settings = ctx.app.state.settings
    monkeypatch.setattr(
        ctx.app.state, "settings", settings.model_copy(update={"topics_backend": "embeddings"})
    )
    # settings are fixed while a server runs; after changing them here, empty the response
    # cache the way any write does (a POST, refused or not), so the answer is recomputed
    ctx.client.post("/api/v1/topics", headers=ctx.vendor)
    got = _get(ctx, "/api/v1/topics", ctx.vendor)["groups"]
    assert isinstance(got, list)
    assert [g["n"] for g in got] == want.groups["n"].tolist()
    assert [g["name"] for g in got] == want.groups["name"].tolist()
    monkeypatch.undo()
    ctx.client.post("/api/v1/topics", headers=ctx.vendor)  # no embeddings answer left behind
