"""The analytics routes compute each result from one state of the store: a load that commits
on another connection while a result is being computed cannot mix two states of the data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from portalroi.api import analytics
from portalroi.api.cache import ResultCache
from portalroi.roi import measure_facts
from portalroi.store import Store


def test_effects_and_facts_come_from_one_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_demo_db: Path
) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(tiny_demo_db, db)
    real = analytics.estimate_effects
    landed: list[bool] = []

    def effects_then_a_load(store: Store, *args: Any, **kwargs: Any) -> Any:
        out = real(store, *args, **kwargs)
        other = store.con.cursor()  # another connection commits 200 costly tickets
        other.execute(
            "INSERT INTO tickets (ticket_id, account_id, created_at, channel, cost) "
            "SELECT 'late-' || i, (SELECT min(account_id) FROM accounts), "
            "TIMESTAMP '2024-12-15 10:00:00', 'email', 1000.0 FROM range(200) t(i)"
        )
        other.close()
        landed.append(True)
        return out

    monkeypatch.setattr(analytics, "estimate_effects", effects_then_a_load)
    with Store(db) as store:
        impact, facts = analytics.scoped_impact(store, None, ResultCache(ttl=60))
        last = impact.period[1]
        with_load = measure_facts(store, last)  # outside: the load has landed by now ...
        assert landed == [True]
        assert with_load.cost_per_ticket != facts.cost_per_ticket
        store.con.execute("DELETE FROM tickets WHERE ticket_id LIKE 'late-%'")
        # ... and without it the facts are the ones the result holds: it read one state
        assert measure_facts(store, last) == facts
