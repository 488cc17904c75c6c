"""portalroi against independent plain-pandas oracles on seeded random data.

The oracles use the most literal algorithm (e.g. a set of users per trailing window), not the
coverage-interval method, so a shared mistake is unlikely.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from metrics_tiny import frame

from portalroi.metrics import compute, refresh_rollups
from portalroi.store import Store

TYPES = ["login", "page_view", "feature_use", "search", "article_view", "ticket_created"]


def _random_data(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 3000
    users = np.array([f"u{i}" for i in range(60)])
    uidx = rng.integers(0, len(users), n)
    day0 = pd.Timestamp("2024-01-01")
    # each user's activity starts on their own day so cohorts differ
    offsets = rng.integers(0, 70, len(users))[uidx] + rng.integers(0, 50, n)
    ts = (
        day0
        + pd.to_timedelta(offsets, unit="D")
        + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    )
    etype = rng.choice(TYPES, n, p=[0.2, 0.35, 0.2, 0.1, 0.1, 0.05])
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ts": ts,
            "account_id": [f"A{int(u[1:]) % 7}" for u in users[uidx]],
            "user_id": users[uidx],
            "session_id": [f"s{u}-{o // 3}" for u, o in zip(users[uidx], offsets, strict=True)],
            "event_type": etype,
            "feature": np.where(etype == "feature_use", rng.choice(["a", "b", "c"], n), None),
            "device": rng.choice(["desktop", "mobile"], n),
        }
    )
    m = 400
    created = day0 + pd.to_timedelta(rng.integers(0, 120 * 86_400, m), unit="s")
    hours = rng.exponential(30, m)
    tickets = pd.DataFrame(
        {
            "ticket_id": [f"t{i}" for i in range(m)],
            "created_at": created,
            "resolved_at": (created + pd.to_timedelta(hours * 3600, unit="s")).floor("s"),
            "channel": rng.choice(["portal", "email"], m),
        }
    )
    tickets.loc[rng.random(m) < 0.1, "resolved_at"] = pd.NaT
    return events, tickets


@pytest.fixture(scope="module", params=[7, 11])
def random_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, pd.DataFrame, pd.DataFrame]]:
    events, tickets = _random_data(request.param)
    path: Path = tmp_path_factory.mktemp("oracle") / "r.duckdb"
    with Store(path) as store:
        store.con.register("_ev", frame("events", events.to_dict("records")))
        store.con.execute("INSERT INTO events BY NAME SELECT * FROM _ev")
        store.con.register("_tk", frame("tickets", tickets.to_dict("records")))
        store.con.execute("INSERT INTO tickets BY NAME SELECT * FROM _tk")
        yield store, events, tickets


def test_rolling_actives_match_brute_force(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],
) -> None:
    store, events, _ = random_store
    got = compute(store, "stickiness").set_index("day")
    days = events.ts.dt.normalize()
    calendar = pd.date_range(days.min(), days.max(), freq="D")
    for w, col in ((1, "dau"), (7, "wau"), (30, "mau")):
        want = [
            events.user_id[(days > d - pd.Timedelta(days=w)) & (days <= d)].nunique()
            for d in calendar
        ]
        assert got[col].tolist() == want, col
    # the rollup path gives the same numbers
    refresh_rollups(store.con)
    again = compute(store, "stickiness").set_index("day")
    pd.testing.assert_frame_equal(got, again)


def test_histogram_and_cohorts_match_pandas(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],
) -> None:
    store, events, _ = random_store
    ev = events.assign(day=events.ts.dt.normalize(), month=events.ts.dt.to_period("M"))
    per_user = ev.groupby(["month", "user_id"]).day.nunique()
    hist = per_user.groupby(level="month").value_counts().sort_index()
    got = compute(store, "active_days_histogram")
    got_hist = got.set_index([pd.to_datetime(got.month).dt.to_period("M"), "active_days"])["users"]
    assert got_hist.to_dict() == {k: int(v) for k, v in hist.items()}

    um = ev[["user_id", "month"]].drop_duplicates()
    um["cohort"] = um.groupby("user_id").month.transform("min")
    um["offset"] = (um.month - um.cohort).apply(lambda x: x.n)
    users = um.groupby(["cohort", "offset"]).user_id.nunique()
    sizes = users.xs(0, level="offset")
    got = compute(store, "retention_cohorts")
    # every (cohort, offset) up to the last active month, zero where nobody came back
    last = um.month.max()
    cells = {(c, k) for c in sizes.index for k in range((last - c).n + 1)}
    assert {(pd.Timestamp(r.cohort).to_period("M"), r.offset) for r in got.itertuples()} == cells
    for row in got.itertuples():
        key = (pd.Timestamp(row.cohort).to_period("M"), row.offset)
        assert row.users == users.get(key, 0)
        assert row.value == pytest.approx(users.get(key, 0) / sizes[key[0]], rel=1e-12)
    assert len(got) == len(cells) > len(users)  # the data has cells where nobody came back


def test_features_and_funnel_match_pandas(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],
) -> None:
    store, events, _ = random_store
    ev = events.assign(month=events.ts.dt.to_period("M"))
    active = ev.groupby("month").user_id.nunique()
    used = ev[ev.event_type == "feature_use"].groupby(["month", "feature"]).user_id.nunique()
    got = compute(store, "feature_utilisation")
    assert len(got) == len(used)
    for row in got.itertuples():
        m = pd.Timestamp(row.month).to_period("M")
        assert row.value == pytest.approx(used[(m, row.feature)] / active[m], rel=1e-12)

    # session funnel: for each session, is there a ticket strictly after some search/article?
    hits: dict[pd.Period, list[int]] = {}
    for _, s in ev.groupby("session_id"):
        helps = s[s.event_type.isin(["search", "article_view"])]
        if helps.empty:
            continue
        tickets = s[s.event_type == "ticket_created"]
        first = helps.ts.min()
        hit = any(t > h for t in tickets.ts for h in helps.ts)
        hits.setdefault(first.to_period("M"), []).append(int(hit))
    got = compute(store, "ticket_after_self_help")
    for row in got.itertuples():
        h = hits[pd.Timestamp(row.month).to_period("M")]
        assert (row.sessions, row.converted) == (len(h), sum(h))


def test_resolution_time_matches_pandas(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],
) -> None:
    store, _, tickets = random_store
    t = tickets.dropna(subset=["resolved_at"])
    hours = (t.resolved_at - t.created_at).dt.total_seconds() / 3600
    by_month = hours.groupby(t.created_at.dt.to_period("M"))
    got = compute(store, "first_resolution_time")
    assert len(got) == by_month.ngroups
    for row in got.itertuples():
        m = pd.Timestamp(row.month).to_period("M")
        assert row.value == pytest.approx(by_month.median()[m], rel=1e-9)
        assert row.mean == pytest.approx(by_month.mean()[m], rel=1e-9)
    total = compute(store, "first_resolution_time", grain="all")
    assert total["value"].iloc[0] == pytest.approx(hours.median(), rel=1e-9)


def test_cohorts_in_a_range_keep_their_first_month_from_history(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],
) -> None:
    """With --from, a user active before it is not a new cohort in the range's first month."""
    store, events, _ = random_store
    start = pd.Timestamp("2024-02-10")
    ev = events.assign(month=events.ts.dt.to_period("M"))
    first = ev.groupby("user_id").month.min().rename("cohort")
    inside = ev[ev.ts >= start][["user_id", "month"]].drop_duplicates().join(first, on="user_id")
    inside = inside[inside.cohort >= start.to_period("M")]
    inside["offset"] = (inside.month - inside.cohort).apply(lambda x: x.n)
    users = inside.groupby(["cohort", "offset"]).user_id.nunique()
    got = compute(store, "retention_cohorts", start="2024-02-10")
    seen = {(pd.Timestamp(r.cohort).to_period("M"), r.offset): r.users for r in got.itertuples()}
    assert {k: v for k, v in seen.items() if v} == {k: int(v) for k, v in users.items()}
    # the range's first month holds only users first seen then, not everyone active in it
    feb = pd.Period("2024-02", "M")
    active_in_feb = ev[(ev.ts >= start) & (ev.month == feb)].user_id.nunique()
    assert 0 < seen[(feb, 0)] < active_in_feb
