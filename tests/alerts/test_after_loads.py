"""Live ingestion answers before risk scores and alerts run; loads during a run share one more."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from alert_data import add_accounts, add_tickets, day

from browser_env import serve
from portalroi.alerts import add_rule, parse_rule
from portalroi.api import after_loads
from portalroi.api.after_loads import AfterLoads
from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.api.cache import ResultCache
from portalroi.api.pool import StorePool
from portalroi.settings import Settings
from portalroi.store import Store


def test_loads_during_a_run_are_covered_by_one_more_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, gate = threading.Event(), threading.Event()
    calls: list[int] = []

    def held(store: Store, settings: Settings) -> None:
        calls.append(store.row_count("tickets"))
        inside.set()
        assert gate.wait(30)

    monkeypatch.setattr(after_loads, "after_refresh", held)
    pool = StorePool(tmp_path / "s.duckdb")
    cache = ResultCache(600)
    computed: list[int] = []
    assert cache.get_or_compute("k", lambda: computed.append(1) or 1) == 1
    runner = AfterLoads(pool, Settings(), cache, threading.Lock())
    first = threading.Thread(target=runner)
    first.start()
    assert inside.wait(30)
    started = time.monotonic()
    for _ in range(3):  # three more loads commit while the first run is evaluating
        runner()
    assert time.monotonic() - started < 5  # they do not wait for it
    assert calls == [0]
    gate.set()
    first.join(30)
    assert not first.is_alive()
    assert calls == [0, 0]  # one more run for the three, not three
    assert runner.runs == 2
    cache.get_or_compute("k", lambda: computed.append(1) or 1)
    assert computed == [1, 1]  # each run cleared the result cache
    runner()  # idle again: a later load runs at once
    assert runner.runs == 3
    pool.close()


def test_the_ingestion_response_does_not_wait_for_the_alerts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(db=tmp_path / "s.duckdb", app_db_url=f"sqlite:///{tmp_path / 'a.sqlite'}")
    with Store(settings.db) as store:
        add_accounts(store, {"a1": "org-a"})
        rows = [{"created_at": day(n, 8), "account_id": "a1"} for n in range(2, 30)]
        rows += [{"created_at": day(1, 8 + k), "account_id": "a1"} for k in range(6)]
        add_tickets(store, rows)
        spec = {"name": "Tickets doubled", "kind": "spike", "count": "tickets", "threshold": 2}
        add_rule(store, parse_rule(spec | {"scope": "account"}))
    started, release = threading.Event(), threading.Event()
    real = after_loads.after_refresh

    def slow(store: Store, settings: Settings) -> Any:
        started.set()
        assert release.wait(30)
        return real(store, settings)

    monkeypatch.setattr(after_loads, "after_refresh", slow)
    app = create_app(settings)
    with app.state.appdb.session() as s:
        token, _ = create_token(s, add_user(s, "ann@a.example", "password-a", role="admin"), "t")
    h = {"Authorization": f"Bearer {token}"}
    row = {"ticket_id": "live-1", "account_id": "a1", "created_at": day(1, 20), "channel": "portal"}
    with serve(app) as base, httpx.Client(base_url=base, headers=h, timeout=30) as client:
        r = client.post("/api/v1/ingest/tickets", json={"rows": [row]})
        assert r.status_code == 200, r.text  # answered while the alerts wait
        assert r.json()["inserted"] == 1
        assert started.wait(30)
        assert client.get("/api/v1/alerts/events").json()["count"] == 0
        release.set()
        deadline = time.monotonic() + 30
        while (got := client.get("/api/v1/alerts/events").json())["count"] == 0:
            assert time.monotonic() < deadline, "the alert never fired"
            time.sleep(0.05)
    assert got["data"][0]["reason"].startswith("tickets spiked (account a1): 7 in the last 1")
    assert app.state.after_loads.runs == 1
