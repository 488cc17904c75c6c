"""An organisation's expansion signals are computed over its own accounts only."""

from __future__ import annotations

import pandas as pd
from api_env import Env

from portalroi.ingest import ingest_frame

AS_OF = "2024-03-04"  # the health page's: the day after the last event of the seed


def _orders(account: str, before: float, recent: float) -> pd.DataFrame:
    """Three orders in each 90-day window before AS_OF: ``before`` each in October, ``recent``
    each in January."""
    return pd.DataFrame(
        {
            "order_id": [f"o-{account}-{i}" for i in range(6)],
            "account_id": account,
            "ts": [
                "2023-10-10",
                "2023-10-11",
                "2023-10-12",
                "2024-01-10",
                "2024-01-11",
                "2024-01-12",
            ],
            "amount": [before] * 3 + [recent] * 3,
            "channel": "portal",
        }
    )


def _load(env: Env, frame: pd.DataFrame) -> None:
    with env.app.state.store_pool.borrow() as store:
        ingest_frame(store, frame, table="orders", source_name="test")


def _signals(env: Env, token: str) -> list[dict[str, object]]:
    r = env.client.get(
        "/api/v1/risk/expansion", headers=env.h(token), params={"as_of": AS_OF, "limit": 1000}
    )
    assert r.status_code == 200, r.text
    data: list[dict[str, object]] = r.json()["data"]
    return data


def _page_section(env: Env) -> str:
    """The expansion table of the health page as org-a's admin sees it."""
    page = env.client.get("/health", headers=env.h(env.token_a), params={"lang": "en"})
    assert page.status_code == 200
    return page.text.split('id="table-expansion"')[1].split("</section>")[0]


def test_org_signals_do_not_move_with_another_tenants_orders(env: Env) -> None:
    # a1 (org-a, smb) doubled its orders; b1 (org-b, the same segment) stayed flat
    _load(env, pd.concat([_orders("a1", 100.0, 200.0), _orders("b1", 100.0, 100.0)]))
    before = _signals(env, env.token_a)
    section = _page_section(env)
    orders = [s for s in before if s["signal"] == "orders"]
    assert [s["account_id"] for s in orders] == ["a1"]
    figures = orders[0]["figures"]
    assert isinstance(figures, dict)
    # no other org-a account of the segment ordered: a1's own growth, not org-b's segment
    assert figures["segment_growth"] is None
    assert "no other smb account ordered in the earlier window" in str(orders[0]["reason"])
    # only org-b's data changes (its recent orders ten times larger): org-a sees the same
    _load(env, _orders("b1", 100.0, 1000.0))
    assert _signals(env, env.token_a) == before
    assert _signals(env, env.token_vendor) == before
    # the dashboard's health page lists the same, computed over org-a's accounts too
    assert "no other smb account ordered in the earlier window" in section
    assert _page_section(env) == section
