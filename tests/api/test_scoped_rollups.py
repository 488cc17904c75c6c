"""An organisation's metric figures equal the same metric over a store of only its accounts.

The DuckDB rollups without an ``account_id`` (per-day event-type counts, help funnels, cohorts,
feature months) sum over every account: a scoped caller must get its figures from its events.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from api_env import Env

from portalroi.api.frames import records
from portalroi.errors import ConfigError
from portalroi.ingest import ingest_frame
from portalroi.metrics import compute, list_metrics
from portalroi.store import Store

_KINDS = ("search", "article_view", "ticket_created", "feature_use", "login")


def _rows(account: str, n: int) -> list[dict[str, object]]:
    """Sessions of portal activity: searches, article views, tickets, feature use."""
    out = []
    for i in range(n):
        kind = _KINDS[i % len(_KINDS)] if i % 7 else "search"
        out.append(
            {
                "event_id": f"roll-{account}-{i}",
                "ts": f"2024-{1 + i % 3:02d}-{1 + i % 20:02d}T{8 + i % 9:02d}:{i % 60:02d}:00",
                "account_id": account,
                "user_id": f"{account}-r{i % 5}",
                "session_id": f"{account}-s{i // 4}",
                "event_type": kind,
                "feature": "invoices" if kind == "feature_use" else None,
            }
        )
    return out


@pytest.fixture(scope="module")
def org_a_only(env: Env, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Post activity for both organisations; return a store holding org-a's accounts only."""
    for token, account, n in ((env.token_a, "a1", 40), (env.token_a, "a2", 25)):
        r = env.client.post(
            "/api/v1/ingest/events", headers=env.h(token), json={"rows": _rows(account, n)}
        )
        assert r.status_code == 200, r.text
    r = env.client.post(
        "/api/v1/ingest/events", headers=env.h(env.token_b), json={"rows": _rows("b1", 90)}
    )
    assert r.status_code == 200, r.text
    with env.app.state.store_pool.borrow() as store:
        accounts = store.con.execute("SELECT * FROM accounts WHERE org_id = 'org-a'").df()
        events = store.con.execute(
            "SELECT * FROM events WHERE account_id IN "
            "(SELECT account_id FROM accounts WHERE org_id = 'org-a')"
        ).df()
        tickets = store.con.execute(
            "SELECT * FROM tickets WHERE account_id IN "
            "(SELECT account_id FROM accounts WHERE org_id = 'org-a')"
        ).df()
    path = tmp_path_factory.mktemp("org_a_only") / "store.duckdb"
    with Store(path) as own:
        ingest_frame(own, accounts, table="accounts", source_name="org-a")
        ingest_frame(own, events.drop(columns=["properties"]), table="events", source_name="org-a")
        ingest_frame(own, pd.DataFrame(tickets), table="tickets", source_name="org-a")
    return path


@pytest.mark.parametrize("grain", ["all", "month"])
def test_org_figures_equal_those_of_a_store_of_its_accounts(
    env: Env, org_a_only: Path, grain: str
) -> None:
    with Store(org_a_only, read_only=True) as own:
        expected = {}
        for m in list_metrics():
            if m.name == "cost_per_ticket":  # portal costs are vendor-wide (no tenant)
                continue
            try:
                expected[m.name] = records(compute(own, m.name, grain=grain))
            except ConfigError:  # grain "all" is for monthly metrics only
                continue
    assert expected["search_volume"]  # the org has searches: the comparison is not of empties
    wrong = {}
    for name, want in expected.items():
        for token in (env.token_a_viewer, env.token_vendor):
            r = env.client.get(
                f"/api/v1/metrics/{name}/values",
                headers=env.h(token),
                params={"grain": grain, "limit": 1000},
            )
            assert r.status_code == 200, (name, r.text)
            if r.json()["data"] != want:
                wrong[name] = (r.json()["data"], want)
    assert wrong == {}
