"""On simulated demo data, adoption and deflection figures agree with the simulator's truth.

The simulator's own rows (before ingestion) and its truth tables are the independent side:
active users are recomputed from the generated events with plain Python sets, go-live dates
come from ``truth.json``, and deflection is checked against the would-be tickets the simulator
deflected (each deflected ticket emits a ``self_service_resolved`` event with probability
``self_service_event_share``, at the very time the ticket would have been raised).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from portalroi.ingest import ingest_file
from portalroi.metrics import compute, rollup_is_current
from portalroi.sim import SimConfig, SimResult, simulate, write_dataset
from portalroi.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimResult, Store]]:
    result = simulate(SimConfig.preset("tiny", seed=4))
    out = tmp_path_factory.mktemp("sim")
    paths = write_dataset(result, out / "data")
    paths.pop("truth")
    with Store(out / "demo.duckdb") as store:
        for name, path in paths.items():
            ingest_file(store, Path(path), table=name)
        yield result, store


def _sim_events(result: SimResult) -> pd.DataFrame:
    ev: pd.DataFrame = result.tables["events"]
    return ev[ev.user_id.notna()]


def test_daily_actives_match_the_generated_activity(sim: tuple[SimResult, Store]) -> None:
    result, store = sim
    assert rollup_is_current(store.con)  # ingestion maintained the rollups
    ev = _sim_events(result)
    users_on: dict[date, set[str]] = defaultdict(set)
    for user, ts in zip(ev.user_id, ev.ts, strict=True):
        users_on[ts.date()].add(str(user))
    got = compute(store, "stickiness")
    first, last = min(users_on), max(users_on)
    assert len(got) == (last - first).days + 1  # every calendar day, idle ones included
    for day, dau, wau, mau in zip(got.day, got.dau, got.wau, got.mau, strict=True):
        d = pd.Timestamp(day).date()
        week = set().union(*(users_on.get(d - timedelta(days=k), set()) for k in range(7)))
        month = set().union(*(users_on.get(d - timedelta(days=k), set()) for k in range(30)))
        assert (dau, wau, mau) == (len(users_on.get(d, set())), len(week), len(month)), d


def test_monthly_actives_and_feature_users_match(sim: tuple[SimResult, Store]) -> None:
    result, store = sim
    ev = _sim_events(result)
    month = ev.ts.dt.to_period("M").dt.start_time
    active = ev.groupby(month).user_id.nunique()
    used = ev[(ev.event_type == "feature_use") & ev.feature.notna()]
    users = used.groupby([used.ts.dt.to_period("M").dt.start_time, used.feature]).user_id.nunique()
    got = compute(store, "feature_utilisation")
    assert len(got) == len(users)
    for m, feature, n, act in zip(got.month, got.feature, got.users, got.active_users, strict=True):
        key = pd.Timestamp(m)
        assert n == users[(key, feature)], (m, feature)
        assert act == active[key], m


def test_go_live_dates_are_the_simulated_ones(sim: tuple[SimResult, Store]) -> None:
    result, store = sim
    truth_live = {a: v for a, v in result.truth["go_live"].items() if v is not None}
    got = compute(store, "activation_rate").set_index("account")
    assert len(truth_live) == result.truth["roll_out"]["accounts_live"]
    for account, iso in truth_live.items():
        assert pd.Timestamp(got.loc[account, "go_live"]).date() == pd.Timestamp(iso).date()


def _truth_tickets(result: SimResult) -> pd.DataFrame:
    tickets: pd.DataFrame = result.truth_tables["tickets"].to_pandas()
    return tickets


def test_self_resolutions_are_deflected_tickets(sim: tuple[SimResult, Store]) -> None:
    result, store = sim
    truth = _truth_tickets(result)
    deflected = truth[truth.deflected]
    ev = result.tables["events"]
    solved = ev[ev.event_type == "self_service_resolved"]
    # each self-resolution sits exactly where a deflected would-be ticket was raised
    slots = Counter(zip(deflected.account_id, deflected.created_at, strict=True))
    events = Counter(zip(solved.account_id, solved.ts, strict=True))
    assert events
    assert all(n <= slots[key] for key, n in events.items())
    # and about the configured share of deflected tickets emits one (binomial, 4 sd)
    share = result.truth["effects"]["deflection_share"]["realised"][
        "self_service_resolved_events_share"
    ]
    n = len(deflected)
    assert abs(len(solved) - share * n) <= 4 * np.sqrt(n * share * (1 - share))
    # the metrics count exactly those events
    got = compute(store, "deflection_rate")
    assert int(got.self_resolved.sum()) == len(solved)
    rate = compute(store, "self_service_resolution_rate")
    assert int(rate.self_resolved.sum()) == len(solved)


def test_deflection_rate_matches_the_simulated_tickets(sim: tuple[SimResult, Store]) -> None:
    result, store = sim
    truth = _truth_tickets(result)
    kept = truth[truth.ticket_id.notna() & (truth.channel != "self_service")]
    month: Any = kept.created_at.dt.to_period("M").dt.start_time
    assisted = kept.groupby(month).size()
    got = compute(store, "deflection_rate")
    by_month = got.set_index(pd.to_datetime(got.month))
    for m, n in assisted.items():
        assert by_month.loc[m, "tickets"] == n, m
    # over the whole period the rate is what the truth implies: resolved events over resolved
    # events plus assisted tickets, with resolved events ~ share x deflected tickets
    share = result.truth["effects"]["deflection_share"]["realised"][
        "self_service_resolved_events_share"
    ]
    n = int(truth.deflected.sum())
    expected_solved = share * n
    expected = expected_solved / (expected_solved + len(kept))
    total = got.self_resolved.sum() / (got.self_resolved.sum() + got.tickets.sum())
    # 4 binomial sd of the resolved events, carried into the rate (about 0.008 here)
    tolerance = 4 * np.sqrt(n * share * (1 - share)) / (expected_solved + len(kept))
    assert abs(total - expected) <= tolerance
