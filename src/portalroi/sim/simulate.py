"""Run the simulator and write its data set (Parquet per table, ``truth.json``, ``truth/``).

Examples
--------
>>> from portalroi.sim import SimConfig, simulate
>>> result = simulate(SimConfig.preset("tiny", seed=1, events=False))
>>> sorted(result.tables)[:3]
['accounts', 'articles', 'costs']
>>> result.truth["effects"]["deflection_share"]["parameter"]
0.25
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from portalroi.schema import TABLE_NAMES
from portalroi.sim._arrow import cat, ids, table, ts
from portalroi.sim.activity import (
    FEATURE_INDEX as F,
)
from portalroi.sim.activity import browse_events, concat_events, events_table, linked_session
from portalroi.sim.company import (
    ROLES,
    SEGMENTS,
    Calendar,
    Company,
    Users,
    make_company,
    make_users,
)
from portalroi.sim.config import SimConfig
from portalroi.sim.finance import Invoices, Orders, make_costs, make_invoices, make_nps, make_orders
from portalroi.sim.interventions import make_interventions
from portalroi.sim.support import Articles, Tickets, make_articles, make_tickets
from portalroi.sim.topics import TOPICS
from portalroi.sim.truth import build_truth

__all__ = ["SimResult", "accounts_table", "simulate", "users_table", "write_dataset"]

Arr = np.ndarray[Any, Any]


@dataclass(frozen=True)
class SimResult:
    """A simulated company: one Arrow table per canonical table, and the truth.

    ``tables`` gives the same data as pandas DataFrames (strings as ``string[pyarrow]``).
    """

    config: SimConfig
    arrow: dict[str, pa.Table]
    truth: dict[str, Any]
    truth_tables: dict[str, pa.Table]
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """DataFrames by canonical table name (built on first access)."""
        if not self._frames:
            mapper = {pa.string(): pd.StringDtype("pyarrow")}.get
            for name, tbl in self.arrow.items():
                self._frames[name] = tbl.to_pandas(types_mapper=mapper)
        return self._frames


def simulate(config: SimConfig | None = None) -> SimResult:
    """Simulate a B2B company whose portal goes live partway through.

    Parameters
    ----------
    config
        Sizes, calendar, roll-out, true effects and seed (default: ``SimConfig()``).

    Returns
    -------
    SimResult
        Canonical tables (accounts, users, events, tickets, invoices, surveys, orders, costs,
        articles) and the truth (effects, estimands, realised quantities, go-live dates).

    Examples
    --------
    >>> r = simulate(SimConfig.preset("tiny", seed=5, events=False))
    >>> r.arrow["events"].num_rows, r.arrow["accounts"].num_rows
    (0, 60)
    """
    cfg = config or SimConfig()
    rng = np.random.default_rng(cfg.seed)
    cal = Calendar.of(cfg)
    co = make_company(cfg, cal, rng)
    users = make_users(cfg, cal, co, rng)
    articles = make_articles(cfg, cal, rng)
    tk = make_tickets(cfg, cal, co, users, rng)
    inv = make_invoices(cfg, cal, co, rng)
    orders = make_orders(cfg, cal, co, users, rng)
    nps = make_nps(cfg, cal, co, users, rng)
    if cfg.events:
        events = _events(cfg, cal, co, users, articles, tk, inv, orders, rng)
    else:
        events = table("events", {}, 0)
    # interventions draw from their own stream: every table above is the same for any effect
    iv = make_interventions(cfg, cal, co, users, events)
    if iv.extra_events.num_rows:
        events = pa.concat_tables([events, iv.extra_events]).sort_by("ts")
    arrow = {
        "accounts": accounts_table(cfg, cal, co),
        "users": users_table(cal, users),
        "events": events,
        "tickets": tk.table,
        "invoices": inv.table,
        "surveys": _surveys_table(cal, tk, nps),
        "orders": orders.table,
        "costs": make_costs(cfg, cal),
        "articles": articles.table,
        "interventions": iv.table,
    }
    truth, truth_tables = build_truth(cfg, cal, co, tk, inv, orders)
    truth["interventions"] = iv.truth
    truth_tables["interventions"] = iv.truth_table
    return SimResult(cfg, {k: arrow[k] for k in TABLE_NAMES}, truth, truth_tables)


def write_dataset(result: SimResult, out_dir: Path | str) -> dict[str, Path]:
    """Write ``<table>.parquet`` per canonical table, ``truth.json`` and ``truth/*.parquet``.

    Returns
    -------
    dict
        Path by table name, plus ``"truth"`` for the truth file.

    Examples
    --------
    >>> import tempfile
    >>> r = simulate(SimConfig.preset("tiny", seed=2, events=False))
    >>> paths = write_dataset(r, tempfile.mkdtemp())
    >>> sorted(paths)[-2:]
    ['truth', 'users']
    """
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, tbl in result.arrow.items():
        paths[name] = out / f"{name}.parquet"
        pq.write_table(tbl, paths[name], compression="zstd", row_group_size=1 << 20)
    files = {}
    for name, tbl in result.truth_tables.items():
        p = out / "truth" / f"{name}.parquet"
        pq.write_table(tbl, p, compression="zstd")
        files[name] = f"truth/{name}.parquet"
    truth = {
        **result.truth,
        "truth_files": files,
        "data_files": {k: v.name for k, v in paths.items()},
    }
    paths["truth"] = out / "truth.json"
    paths["truth"].write_text(json.dumps(truth, indent=2, default=str), encoding="utf-8")
    return paths


def accounts_table(cfg: SimConfig, cal: Calendar, co: Company, offset: int = 0) -> pa.Table:
    """The canonical accounts table; ids start after ``offset``."""
    n = co.n
    end_anchor = np.minimum(co.active_end(cal.n_days), cal.n_days)
    years = np.ceil(np.maximum(end_anchor - co.created, 1) / 365.25)
    renewal = co.created + years * 365.25
    return table(
        "accounts",
        {
            "account_id": ids("A", np.arange(offset + 1, offset + n + 1), 5),
            "name": pa.array([f"Customer {i:04d}" for i in range(offset + 1, offset + n + 1)]),
            "segment": cat(SEGMENTS, co.segment),
            "tier": cat(("standard", "gold", "platinum"), co.segment),
            "employees": co.employees.astype(np.int64),
            "seats": co.seats.astype(np.int64),
            "created_at": ts(co.created, cal.start),
            "acv": co.acv,
            "currency": pa.array([cfg.currency] * n, pa.string()),
            "renewal_at": ts(renewal, cal.start),
            "portal_live_at": ts(co.live, cal.start),
            "churned_at": ts(co.churn, cal.start),
        },
        n,
    )


def users_table(cal: Calendar, users: Users, offset: int = 0, account_offset: int = 0) -> pa.Table:
    """The canonical users table; ids start after ``offset`` (accounts after ``account_offset``)."""
    account = users.account + account_offset
    domains = ids("customer", account + 1, 4)
    return table(
        "users",
        {
            "user_id": ids("U", np.arange(offset + 1, offset + users.n + 1), 6),
            "account_id": ids("A", account + 1, 5),
            "role": cat(ROLES, users.role),
            "created_at": ts(users.created, cal.start),
            "email_domain": pa.compute.binary_join_element_wise(domains, ".example", ""),
        },
        users.n,
    )


def _surveys_table(cal: Calendar, tk: Tickets, nps: dict[str, Arr]) -> pa.Table:
    asked = np.flatnonzero(~np.isnan(tk.csat) & (tk.ticket_index >= 0))
    account = np.concatenate([nps["account"], tk.account[asked]])
    user = np.concatenate([nps["user"], tk.user[asked]])
    day = np.concatenate([nps["day"], tk.survey_day[asked]])
    kind = np.concatenate([nps["kind"], np.ones(len(asked), dtype=np.int64)])
    score = np.concatenate([nps["score"], tk.csat[asked]])
    ticket = np.concatenate([nps["ticket"], tk.ticket_index[asked]])
    comment = np.concatenate([nps["comment"], np.full(len(asked), None, dtype=object)])
    order = np.argsort(day, kind="stable")
    n = len(day)
    ticket = ticket[order]
    tid = ids("T", np.maximum(ticket, 0) + 1, 7)
    return table(
        "surveys",
        {
            "response_id": ids("R", np.arange(1, n + 1), 7),
            "account_id": ids("A", account[order] + 1, 5),
            "user_id": ids("U", user[order] + 1, 6),
            "ticket_id": pa.compute.if_else(
                pa.array(ticket < 0), pa.scalar(None, pa.string()), tid
            ),
            "ts": ts(day[order], cal.start),
            "kind": cat(("nps", "csat", "ces"), kind[order]),
            "score": score[order],
            "comment": pa.array(comment[order], pa.string()),
        },
        n,
    )


def _pick_user(users: Users, account: Arr, rng: np.random.Generator) -> Arr:
    return users.first[account] + np.floor(rng.random(len(account)) * users.count[account]).astype(
        np.int64
    )


def _events(
    cfg: SimConfig,
    cal: Calendar,
    co: Company,
    users: Users,
    articles: Articles,
    tk: Tickets,
    inv: Invoices,
    orders: Orders,
    rng: np.random.Generator,
) -> pa.Table:
    end = co.active_end(cal.n_days)
    browse = browse_events(
        cal,
        user_account=users.account,
        user_role=users.role,
        user_device=users.device,
        user_created=users.created,
        user_activity=users.activity,
        account_live=co.live,
        account_end=end,
        n_articles=articles.table.num_rows,
        rng=rng,
    )
    parts = [browse]
    next_session = int(browse["session"].max()) + 1 if len(browse["session"]) else 0

    def add(steps: list[tuple[str, Arr]], account: Arr, user: Arr, **extra: list[Arr]) -> None:
        nonlocal next_session
        if not len(account):
            return
        parts.append(
            linked_session(
                steps,
                account=account,
                user=user,
                device=users.device[user],
                session0=next_session,
                extra=extra,
            )
        )
        next_session += len(account)

    def full(n: int, v: float) -> Arr:
        return np.full(n, v)

    # portal tickets: created in the portal, tracked afterwards
    sel = np.flatnonzero((tk.ticket_index >= 0) & (tk.channel == 3))
    k = len(sel)
    num = tk.ticket_index[sel] + 1
    add(
        [("ticket_created", tk.day[sel])],
        tk.account[sel],
        tk.user[sel],
        obj_kind=[full(k, 1)],
        obj_num=[num],
        feature=[full(k, F["tickets"])],
    )
    track = sel[rng.random(k) < 0.7]
    add(
        [("ticket_viewed", tk.day[track] + rng.uniform(0.1, 3, len(track)))],
        tk.account[track],
        tk.user[track],
        obj_kind=[full(len(track), 1)],
        obj_num=[tk.ticket_index[track] + 1],
        feature=[full(len(track), F["tickets"])],
    )

    # deflected tickets: the user searched, read an article where one exists, and solved it
    ss = np.flatnonzero(
        tk.deflected & (rng.random(len(tk.day)) < cfg.effects.self_service_event_share)
    )
    covered = np.array([t.covered for t in TOPICS])[tk.topic[ss]]
    first_q = np.cumsum([0] + [len(t.queries) for t in TOPICS])[:-1]
    starts = np.array([b[0] if len(b) else 0 for b in articles.by_topic])
    counts = np.array([len(b) for b in articles.by_topic])
    for with_article in (True, False):
        g = ss[covered == with_article]
        m = len(g)
        q = first_q[tk.topic[g]] + rng.integers(0, 3, m)
        res = 1 + rng.poisson(5, m) if with_article else np.zeros(m, dtype=np.int64)
        art = starts[tk.topic[g]] + np.floor(rng.random(m) * counts[tk.topic[g]]).astype(np.int64)
        names = (
            ["search", "article_view", "self_service_resolved"]
            if with_article
            else ["search", "self_service_resolved"]
        )
        steps = [(name, tk.day[g] - (len(names) - 1 - i) / 1440) for i, name in enumerate(names)]
        none = full(m, -1)
        add(
            steps,
            tk.account[g],
            tk.user[g],
            query=[q] + [none] * (len(names) - 1),
            result=[res] + [none] * (len(names) - 1),
            article=[none] + ([art] if with_article else []) + [none],
            feature=[full(m, F["kb"])] * len(names),
        )

    # portal orders, tracked afterwards
    sel = np.flatnonzero(orders.channel == 0)
    k = len(sel)
    add(
        [("order_placed", orders.day[sel])],
        orders.account[sel],
        orders.user[sel],
        obj_kind=[full(k, 2)],
        obj_num=[sel + 1],
        amount=[orders.amount[sel]],
        feature=[full(k, F["orders"])],
    )
    track = sel[rng.random(k) < 0.6]
    add(
        [("order_tracked", orders.day[track] + rng.uniform(1, 5, len(track)))],
        orders.account[track],
        orders.user[track],
        obj_kind=[full(len(track), 2)],
        obj_num=[track + 1],
        feature=[full(len(track), F["orders"])],
    )

    # invoices delivered through the portal: viewed, often downloaded; some paid there
    sel = np.flatnonzero(inv.delivered_via_portal & (rng.random(len(inv.issued)) < 0.7))
    k = len(sel)
    view_day = inv.issued[sel] + rng.exponential(3, k)
    dl = rng.random(k) < 0.5
    for mask, steps_names in ((dl, ("invoice_view", "invoice_download")), (~dl, ("invoice_view",))):
        g = sel[mask]
        d = view_day[mask]
        add(
            [(s, d + i / 1440) for i, s in enumerate(steps_names)],
            inv.account[g],
            _pick_user(users, inv.account[g], rng),
            obj_kind=[full(len(g), 3)] * len(steps_names),
            obj_num=[g + 1] * len(steps_names),
            feature=[full(len(g), F["billing"])] * len(steps_names),
        )
    sel = np.flatnonzero(inv.paid_via_portal)
    k = len(sel)
    add(
        [("payment", inv.paid[sel])],
        inv.account[sel],
        _pick_user(users, inv.account[sel], rng),
        obj_kind=[full(k, 3)],
        obj_num=[sel + 1],
        amount=[inv.amount[sel]],
        feature=[full(k, F["billing"])],
    )

    cols = concat_events(parts)
    acc = cols["account"]
    day = cols["day"]
    ok = np.flatnonzero(
        (day >= np.nan_to_num(co.live[acc], nan=np.inf)) & (day < end[acc]) & (day < cal.n_days)
    )
    take = ok[np.argsort(day[ok], kind="stable")]
    cols = {key: v[take] for key, v in cols.items()}
    return events_table(cols, cal)
