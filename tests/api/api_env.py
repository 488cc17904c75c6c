"""API test environment: a store with two organisations' data, an app, users and tokens of each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token, revoke_token
from portalroi.api.appstate.models import BusinessCase, ReportSchedule
from portalroi.businesscase import example_inputs
from portalroi.ingest import ingest_frame
from portalroi.settings import Settings
from portalroi.store import Store

ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["a1", "a2", "b1"],
        "name": ["Alpha One", "Alpha Two", "Bravo Secret"],
        "org_id": ["org-a", "org-a", "org-b"],
        "segment": ["smb", "enterprise", "smb"],
        "created_at": ["2023-06-01"] * 3,
    }
)


def _events(account: str, prefix: str, n: int, day: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [f"{prefix}{i}" for i in range(n)],
            "ts": [f"2024-03-{day + i % 3:02d}T09:00:00" for i in range(n)],
            "account_id": account,
            "user_id": [f"{account}-u{i % 4}" for i in range(n)],
            "event_type": "login",
        }
    )


def seed_store(path: Path) -> None:
    """Accounts of org-a (a1, a2) and org-b (b1), events and tickets for each."""
    with Store(path) as store:
        ingest_frame(store, ACCOUNTS, table="accounts", source_name="seed")
        ev = pd.concat([_events("a1", "ea", 12), _events("b1", "eb", 30)])
        ingest_frame(store, ev, table="events", source_name="seed")
        tickets = pd.DataFrame(
            {
                "ticket_id": ["ta1", "tb1", "tb2"],
                "account_id": ["a1", "b1", "b1"],
                "created_at": ["2024-03-02T10:00:00"] * 3,
                "channel": ["email"] * 3,
                "subject": ["alpha printer", "bravo secret ticket", "bravo secret two"],
            }
        )
        ingest_frame(store, tickets, table="tickets", source_name="seed")


@dataclass
class Env:
    """The app and the secrets and ids tests need."""

    app: FastAPI
    client: TestClient
    store_path: Path
    token_a: str  # org-a admin in workspace "acme"
    token_a_viewer: str
    token_b: str  # org-b admin in workspace "bravo"
    token_b_id: int
    token_vendor: str  # vendor-level admin of workspace "acme" (org-a only) — no covers_all
    token_revoked: str
    case_b: int
    schedule_b: int
    case_a: int

    def h(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def scalar(self, sql: str) -> int:
        """Run SQL on the app's own store connection (a second open would conflict)."""
        with self.app.state.store_pool.borrow() as store:
            row = store.con.execute(sql).fetchone()
        return int(row[0]) if row else 0


def make_settings(tmp: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "db": tmp / "store.duckdb",
        "app_db_url": f"sqlite:///{tmp / 'app.sqlite'}",
    }
    return Settings(**(values | extra))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("api")
    seed_store(tmp / "store.duckdb")
    app = create_app(make_settings(tmp))
    inputs = example_inputs().model_dump(mode="json")
    with app.state.appdb.session() as s:
        a = add_user(
            s, "ann@acme.example", "password-a", role="admin", tenant="acme", org_id="org-a"
        )
        av = add_user(
            s, "val@acme.example", "password-v", role="viewer", tenant="acme", org_id="org-a"
        )
        b = add_user(
            s, "bob@bravo.example", "password-b", role="admin", tenant="bravo", org_id="org-b"
        )
        v = add_user(s, "vera@acme.example", "password-w", role="admin", tenant="acme")
        token_a, _ = create_token(s, a, "a")
        token_av, _ = create_token(s, av, "av")
        token_b, tb = create_token(s, b, "b")
        token_v, _ = create_token(s, v, "v")
        token_r, tr = create_token(s, a, "revoked")
        revoke_token(s, tr.id)
        case_b = BusinessCase(
            tenant_id=b.tenant_id, org_id="org-b", name="Bravo Secret case", inputs=inputs
        )
        case_a = BusinessCase(
            tenant_id=a.tenant_id, org_id="org-a", name="Alpha case", inputs=inputs
        )
        s.add_all([case_b, case_a])
        s.flush()
        sched_b = ReportSchedule(
            tenant_id=b.tenant_id,
            org_id="org-b",
            name="Bravo Secret schedule",
            kind="pdf",
            frequency="monthly",
            recipients=["ceo@bravo.example"],
        )
        s.add(sched_b)
        s.flush()
        ids = (tb.id, case_b.id, sched_b.id, case_a.id)
    with TestClient(app) as client:
        yield Env(
            app,
            client,
            tmp / "store.duckdb",
            token_a,
            token_av,
            token_b,
            ids[0],
            token_v,
            token_r,
            ids[1],
            ids[2],
            ids[3],
        )


def app_routes(app: FastAPI) -> list[tuple[str, str, object]]:
    """(method, path, route) of every route of the app (API and pages), HEAD left out.

    FastAPI 0.16x keeps included routers as ``_IncludedRouter`` entries in ``app.routes``; their
    routes (with the prefix applied) come from ``effective_route_contexts()``. The OpenAPI
    schema is checked to list nothing this walk missed, so a new router is always covered.
    """
    out: dict[tuple[str, str], object] = {}
    for route in app.routes:
        if isinstance(route, APIRoute):
            out.update(((m, route.path), route) for m in route.methods)
        elif hasattr(route, "effective_route_contexts"):
            for ctx in route.effective_route_contexts():
                methods = getattr(ctx.original_route, "methods", None) or ()
                out.update(((m, ctx.path), ctx.original_route) for m in methods)
    documented = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    assert documented <= set(out), documented - set(out)
    return sorted((m, p, r) for (m, p), r in out.items() if m != "HEAD")
