"""Customer-success interventions (calls, trainings, QBRs) and the known effect of a training.

At each month start a customer-success team reviews the accounts whose portal has been live for
at least 13 weeks and acts on those that look at risk: the monthly probability of an action
rises with poor latent health and with a recent dip in weekly active users (the last 4 weeks
against the 12 before), so *selection on risk is real* and a naive before/after comparison is
biased (a dip is partly noise, which regresses to the mean on its own).

Only trainings work: in the 13 weeks ``[d + 7k, d + 7k + 7)`` (``k = 0..12``) after a training on
day ``d``, each week's active users of the account rise by ``intervention_effect`` times the
week's active users without the training, in expectation (inactive users of the account are
activated with one extra session each; capped at the users there are). Calls and QBRs change
nothing. Everything here is drawn from its own random stream (``default_rng([seed, 8108])``),
so all other simulated tables are identical whatever the interventions are; the extra sessions
are appended to the events table (the existing events keep their ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from portalroi.sim._arrow import ids, table, ts
from portalroi.sim.activity import events_table, linked_session
from portalroi.sim.company import Calendar, Company, Users
from portalroi.sim.config import SimConfig

__all__ = ["INTERVENTION_STREAM", "WEEKS", "SimInterventions", "make_interventions"]

Arr = np.ndarray[Any, Any]

#: Second word of the seed of the interventions' own random stream.
INTERVENTION_STREAM = 8108
#: Weeks before and after an intervention that the effect (and its estimand) covers.
WEEKS = 13
#: (kind, monthly base probability) of the actions the simulated team takes.
_KINDS: tuple[tuple[str, float], ...] = (("training", 0.025), ("call", 0.03), ("qbr", 0.015))
#: Month-of-year multiplier of trainings (index 0 unused): training campaigns follow the
#: summer and year-end lulls, when portal use looks lowest.
_TRAINING_SEASON = np.array([1.0, 2.0, 1.0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 6.0, 1.0, 0.3, 0.3])
#: Days after the monthly review within which the team acts.
_ACT_WITHIN = 10.0
_OWNERS = ("csm-anna", "csm-ben", "csm-chen", "csm-dara")


@dataclass(frozen=True)
class SimInterventions:
    """The interventions table, the extra events a training caused, and the truth."""

    table: pa.Table
    extra_events: pa.Table
    truth: dict[str, Any]
    truth_table: pa.Table


def _index(column: pa.ChunkedArray, prefix_len: int) -> Arr:
    """Zero-based integers of ids such as ``A00042`` (the simulator's own id format)."""
    digits = pc.utf8_slice_codeunits(column, prefix_len)
    out: Arr = pc.cast(digits, pa.int64()).to_numpy() - 1
    return out


def _day(column: pa.ChunkedArray, cal: Calendar) -> Arr:
    us = pc.cast(column, pa.int64()).to_numpy()
    epoch = int(np.datetime64(cal.start, "D").astype(np.int64)) * 86_400_000_000
    out: Arr = (us - epoch) / 86_400_000_000
    return out


def make_interventions(
    cfg: SimConfig, cal: Calendar, co: Company, users: Users, events: pa.Table
) -> SimInterventions:
    """Draw the team's actions from ``events`` as simulated, then add a training's effect.

    Parameters
    ----------
    cfg, cal, co, users
        The simulated company (as :func:`portalroi.sim.simulate` made it).
    events
        The canonical events table without interventions.

    Returns
    -------
    SimInterventions
        ``table`` (canonical interventions), ``extra_events`` (sessions the trainings caused,
        ids after the last event id), ``truth`` (the effect, its estimand and realised values)
        and ``truth_table`` (per intervention: active user-weeks added and without the action).
    """
    rng = np.random.default_rng([cfg.seed, INTERVENTION_STREAM])
    user = _index(events.column("user_id"), 1)
    day = _day(events.column("ts"), cal)
    n_weeks = int(np.ceil(cal.n_days / 7))
    week = np.floor(day / 7).astype(np.int64)
    active = np.zeros((users.n, n_weeks), dtype=bool)
    active[user, week] = True
    wau = np.zeros((co.n, n_weeks))
    np.add.at(wau, users.account, active.astype(float))
    end = co.active_end(cal.n_days)
    live = np.nan_to_num(co.live, nan=np.inf)

    acc_l: list[int] = []
    day_l: list[float] = []
    kind_l: list[str] = []
    last_training = np.full(co.n, -np.inf)
    for m in range(1, cal.n_months):
        ms = float(cal.month_start[m])
        length = float(cal.month_start[m + 1] - ms)
        w = int(ms // 7)
        if w < 16:
            continue
        eligible = (co.created < ms - 7 * WEEKS) & (end > ms) & (live <= ms - 7 * WEEKS)
        recent = wau[:, w - 4 : w].mean(axis=1)
        # the long-run level since go-live (up to a year) barely depends on the last weeks
        lo = max(0, w - 56)
        span = np.arange(lo, w - 4)
        live_wk = (span[None, :] * 7 >= live[:, None]).astype(float)
        before = (wau[:, lo : w - 4] * live_wk).sum(axis=1) / np.maximum(live_wk.sum(axis=1), 1)
        dip = (recent + 0.5) / (before + 0.5)
        pull = np.exp(-0.8 * co.health) / np.clip(dip, 0.25, 4.0) ** 2
        for kind, base in _KINDS:
            season = _TRAINING_SEASON[cal.month_of_year[m]] if kind == "training" else 1.0
            p = np.minimum(0.5, base * season * pull)
            hit = eligible & (rng.random(co.n) < p)
            at = ms + rng.random(co.n) * min(length, _ACT_WITHIN)
            if kind == "training":
                # a second training within two windows would overlap the first one's effect
                hit &= at - last_training >= 14 * WEEKS
                last_training = np.where(hit, at, last_training)
            hit &= at < end
            for a in np.flatnonzero(hit):
                acc_l.append(int(a))
                day_l.append(float(np.floor(at[a]) + rng.integers(8 * 60, 17 * 60) / 1440))
                kind_l.append(kind)
    order = np.argsort(day_l, kind="stable")
    acc = np.asarray(acc_l, dtype=np.int64)[order]
    when = np.asarray(day_l, dtype=float)[order]
    kinds = [kind_l[i] for i in order]
    n = len(acc)
    iv_ids = ids("IV", np.arange(1, n + 1), 5)
    table_iv = table(
        "interventions",
        {
            "intervention_id": iv_ids,
            "account_id": ids("A", acc + 1, 5),
            "kind": pa.array(kinds, pa.string()),
            "occurred_at": ts(when, cal.start),
            "owner": pa.array([_OWNERS[int(i)] for i in rng.integers(0, 4, n)], pa.string()),
            "reason": pa.array(["at risk: low health or falling use"] * n, pa.string()),
        },
        n,
    )
    extra, added, cf = _training_effect(cfg, cal, co, users, acc, when, kinds, user, day, rng)
    extra_events = _extra_events_table(extra, users, events, cal)
    is_training = np.array([k == "training" for k in kinds], dtype=bool)
    complete = when + 7 * WEEKS <= cal.n_days
    sel = is_training & complete
    truth = {
        "parameter": cfg.intervention_effect,
        "estimand": "Relative increase of an account's weekly active users (distinct users "
        "with a portal event in each of the 13 weeks [d + 7k, d + 7k + 7) after a training on "
        "day d) against the same weeks without the training. The realised absolute effect is "
        "the mean over trainings of (added active user-weeks / 13), i.e. the average "
        "treatment effect on the treated on the mean weekly active users of the 13 weeks "
        "after; calls and QBRs have no effect. Per-intervention values are in "
        "truth/interventions.parquet.",
        "outcome": "active_users",
        "weeks": WEEKS,
        "realised": {
            "trainings": int(is_training.sum()),
            "trainings_with_complete_window": int(sel.sum()),
            "mean_added_weekly_active_users": float(added[sel].mean() / WEEKS)
            if sel.any()
            else 0.0,
            "relative_change": float(added[sel].sum() / cf[sel].sum()) if cf[sel].sum() else 0.0,
            "interventions_by_kind": {k: kinds.count(k) for k, _ in _KINDS},
        },
    }
    truth_table = pa.table(
        {
            "intervention_id": iv_ids,
            "kind": pa.array(kinds, pa.string()),
            "added_active_user_weeks": added,
            "counterfactual_active_user_weeks": cf,
            "complete_window": complete,
        }
    )
    return SimInterventions(table_iv, extra_events, truth, truth_table)


def _training_effect(
    cfg: SimConfig,
    cal: Calendar,
    co: Company,
    users: Users,
    acc: Arr,
    when: Arr,
    kinds: list[str],
    ev_user: Arr,
    ev_day: Arr,
    rng: np.random.Generator,
) -> tuple[dict[str, Arr], Arr, Arr]:
    """Extra sessions (user, day) of every training, and per intervention the active
    user-weeks added and those there would have been without it."""
    n = len(acc)
    added = np.zeros(n)
    cf = np.zeros(n)
    end = co.active_end(cal.n_days)
    by_user = np.argsort(ev_user, kind="stable")
    sorted_user = ev_user[by_user]
    sorted_day = ev_day[by_user]
    out_user: list[Arr] = []
    out_day: list[Arr] = []
    for i in range(n):
        a = int(acc[i])
        first, count = int(users.first[a]), int(users.count[a])
        members = np.arange(first, first + count)
        lo = np.searchsorted(sorted_user, members, side="left")
        hi = np.searchsorted(sorted_user, members, side="right")
        d0 = float(np.floor(when[i]))
        pos = np.concatenate([np.arange(s, e) for s, e in zip(lo, hi, strict=True)])
        rel = (sorted_day[pos] - d0) / 7
        inside = (rel >= 0) & (rel < WEEKS)
        grid = np.zeros((count, WEEKS), dtype=bool)
        grid[sorted_user[pos][inside] - first, np.floor(rel[inside]).astype(np.int64)] = True
        for k in range(WEEKS):
            ws, we = d0 + 7 * k, d0 + 7 * k + 7
            stop = min(we, float(end[a]), float(cal.n_days))
            if stop <= ws:
                break
            is_active = grid[:, k]
            start_u = np.maximum(users.created[members], ws)
            can = ~is_active & (start_u < stop)
            n_active, n_can = int(is_active.sum()), int(can.sum())
            cf[i] += n_active
            if kinds[i] != "training" or cfg.intervention_effect <= 0 or n_can == 0:
                continue
            p = min(1.0, cfg.intervention_effect * n_active / n_can)
            pick = members[can][rng.random(n_can) < p]
            if not len(pick):
                continue
            lo_t = np.maximum(users.created[pick], ws)
            t = lo_t + rng.random(len(pick)) * (stop - lo_t)
            # working hours of that day, still inside the window
            t = np.floor(t) + rng.uniform(9, 16, len(pick)) / 24
            t = np.where((t >= lo_t) & (t < stop), t, lo_t + 0.5 * (stop - lo_t))
            added[i] += len(pick)
            out_user.append(pick)
            out_day.append(t)
    extra = {
        "user": np.concatenate(out_user) if out_user else np.zeros(0, dtype=np.int64),
        "day": np.concatenate(out_day) if out_day else np.zeros(0),
    }
    return extra, added, cf


def _extra_events_table(
    extra: dict[str, Arr], users: Users, events: pa.Table, cal: Calendar
) -> pa.Table:
    """Each extra session as a login followed by a page view (ids after the existing ones)."""
    k = len(extra["user"])
    if k == 0:
        return table("events", {}, 0)
    sessions = events.column("session_id").drop_null()
    session0 = int(_index(sessions, 1).max()) + 2 if len(sessions) else 0
    user = extra["user"]
    day = extra["day"]
    cols = linked_session(
        [("page_view", day)],
        account=users.account[user],
        user=user,
        device=users.device[user],
        session0=session0,
    )
    return events_table(cols, cal, first_id=events.num_rows + 1)
