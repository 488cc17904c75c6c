"""The truth file: every true effect with its estimand and the realised quantities.

Bulky per-row truth (per account, per account-month, per would-be ticket, per invoice) is kept
as Arrow tables and written as Parquet files in ``truth/``; ``truth.json`` references them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from portalroi.sim._arrow import ids, ts
from portalroi.sim.company import SEGMENTS, Calendar, Company
from portalroi.sim.config import SimConfig
from portalroi.sim.finance import Invoices, Orders
from portalroi.sim.support import CHANNELS, COST_PER_MINUTE, Tickets, ticket_exposure
from portalroi.sim.topics import TOPICS

__all__ = ["DAYS_PER_MONTH", "build_truth"]

Arr = np.ndarray[Any, Any]

#: Length of an average month in days; account-months of exposure are days / this.
DAYS_PER_MONTH = 365.25 / 12


def _ratio(a: float, b: float) -> float | None:
    return float(a / b) if b else None


def build_truth(
    cfg: SimConfig,
    cal: Calendar,
    co: Company,
    tk: Tickets,
    inv: Invoices,
    orders: Orders,
) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    """Return ``(truth, truth_tables)`` for a simulated company."""
    eff = cfg.effects
    lo, hi = ticket_exposure(co, cal)
    live_start = np.nan_to_num(co.live, nan=np.inf)[:, None]
    exposure = np.clip(hi - lo, 0, None)
    live_days = np.clip(hi - np.maximum(lo, live_start), 0, None)
    n, months = co.n, cal.n_months
    flat = tk.account * months + tk.month
    would_be = np.bincount(flat, minlength=n * months).reshape(n, months)
    defl = np.bincount(flat, weights=tk.deflected, minlength=n * months).reshape(n, months)

    live_months = float(live_days.sum() / DAYS_PER_MONTH)
    engaged_live_months = float(live_days[co.engaged].sum() / DAYS_PER_MONTH)
    le = tk.live & tk.engaged
    n_defl = int(tk.deflected.sum())
    kept_live = int((tk.live & ~tk.deflected).sum())

    risk_live = co.active_months & (cal.month_start[None, :-1] >= live_start)
    risk_le = risk_live & co.engaged[:, None]
    csat_live = tk.live & ~tk.deflected & ~np.isnan(tk.csat)
    live_orders = orders.live
    n_live_orders = int(live_orders.sum())

    # raw pre/post ticket volumes of adopting accounts (what a naive before/after compares)
    adopter = ~np.isnan(co.live)
    start = np.maximum(co.created, 0)
    end = co.active_end(cal.n_days)
    live0 = np.nan_to_num(co.live, nan=0.0)
    pre_days = np.where(adopter, np.clip(np.minimum(end, live0) - start, 0, None), 0)
    post_days = np.where(adopter, np.clip(end - np.maximum(start, live0), 0, None), 0)
    kept = ~tk.deflected & adopter[tk.account]
    pre_t = int((kept & ~tk.live).sum())
    post_t = int((kept & tk.live).sum())

    effects = {
        "deflection_share": {
            "parameter": eff.deflection_share,
            "estimand": "Share of the would-be tickets of live, engaged accounts (raised at or "
            "after go-live) that never reach the helpdesk; equivalently the average reduction "
            "in tickets per live account-month given in `realised`.",
            "realised": {
                "would_be_tickets_live_engaged": int(le.sum()),
                "deflected_tickets": n_defl,
                "deflected_share_live_engaged": _ratio(n_defl, int(le.sum())),
                "live_account_months": live_months,
                "engaged_live_account_months": engaged_live_months,
                "deflected_per_live_account_month": _ratio(n_defl, live_months),
                "counterfactual_tickets_per_live_account_month": _ratio(
                    int(tk.live.sum()), live_months
                ),
                "actual_tickets_per_live_account_month": _ratio(kept_live, live_months),
                "self_service_resolved_events_share": eff.self_service_event_share,
            },
        },
        "churn_hazard_ratio": {
            "parameter": eff.churn_hazard_ratio,
            "estimand": "Ratio of the monthly churn hazard of a live, engaged account to the "
            "hazard the same account would have without the portal (months that start after "
            "go-live). Over all live accounts (engaged or not) the realised ratio is "
            "`hazard_ratio_all_live`.",
            "realised": {
                "hazard_ratio_live_engaged": _ratio(
                    float(co.hazard[risk_le].sum()), float(co.cf_hazard[risk_le].sum())
                ),
                "hazard_ratio_all_live": _ratio(
                    float(co.hazard[risk_live].sum()), float(co.cf_hazard[risk_live].sum())
                ),
                "churned_accounts": int((~np.isnan(co.churn)).sum()),
                "counterfactual_churned_accounts": int((~np.isnan(co.cf_churn)).sum()),
                "live_account_months_at_risk": int(risk_live.sum()),
            },
        },
        "dso_reduction_days": {
            "parameter": eff.dso_reduction_days,
            "estimand": "Average number of days by which an invoice issued to a live account "
            "(issued at or after go-live) is paid earlier than it would have been without the "
            "portal (days-to-pay floored at 1 day).",
            "realised": {
                "mean_reduction_days": float((inv.days_cf - inv.days)[inv.live].mean())
                if inv.live.any()
                else 0.0,
                "invoices_live": int(inv.live.sum()),
            },
        },
        "csat_change": {
            "parameter": eff.csat_change,
            "estimand": "Change of the latent ticket CSAT of live accounts; on the observed "
            "1-5 scale (rounded, clipped) the realised mean change per surveyed ticket of a "
            "live account is `mean_observed_change`.",
            "realised": {
                "mean_observed_change": float((tk.csat - tk.csat_cf)[csat_live].mean())
                if csat_live.any()
                else 0.0,
                "surveyed_tickets_live": int(csat_live.sum()),
            },
        },
        "order_volume_uplift": {
            "parameter": eff.order_volume_uplift,
            "estimand": "Relative increase of the monthly order rate of a live account "
            "(orders at or after go-live); counterfactual live orders = live orders / (1 + "
            "uplift) in expectation.",
            "realised": {
                "orders_live": n_live_orders,
                "expected_counterfactual_orders_live": n_live_orders
                / (1 + eff.order_volume_uplift),
            },
        },
        "order_value_uplift": {
            "parameter": eff.order_value_uplift,
            "estimand": "Relative increase of the value of each order a live account places.",
            "realised": {
                "mean_relative_change": float(
                    (orders.amount / orders.amount_cf - 1)[live_orders].mean()
                )
                if n_live_orders
                else 0.0,
                "orders_live": n_live_orders,
            },
        },
    }
    account_ids = ids("A", np.arange(1, n + 1), 5).to_pylist()
    # ISO strings of the very timestamps written to accounts.portal_live_at
    go_live = [None if v is None else v.isoformat() for v in ts(co.live, cal.start).to_pylist()]
    live_sorted = sorted(v for v in go_live if v is not None)
    truth: dict[str, Any] = {
        "generator": "portalroi.sim",
        "seed": cfg.seed,
        "config": cfg.model_dump(mode="json"),
        "period": {"start": cfg.start.isoformat(), "end": cfg.end.isoformat()},
        "roll_out": {
            "accounts": n,
            "accounts_live": int(adopter.sum()),
            "accounts_never_live": int((~adopter).sum()),
            "accounts_engaged": int(co.engaged.sum()),
            "first_go_live": live_sorted[0] if live_sorted else None,
            "last_go_live": live_sorted[-1] if live_sorted else None,
            "selection_strength": cfg.selection_strength,
        },
        "effects": effects,
        "adopters_pre_post": {
            "definition": "Accounts with a go-live date. Tickets in the tickets table created "
            "before vs at/after portal_live_at; exposure = days the account is a customer "
            "(from max(created_at, period start) to churned_at or the day after the period "
            "end) before vs after portal_live_at.",
            "accounts": int(adopter.sum()),
            "pre_tickets": pre_t,
            "post_tickets": post_t,
            "pre_account_days": float(pre_days.sum()),
            "post_account_days": float(post_days.sum()),
            "pre_tickets_per_account_month": _ratio(pre_t * DAYS_PER_MONTH, float(pre_days.sum())),
            "post_tickets_per_account_month": _ratio(
                post_t * DAYS_PER_MONTH, float(post_days.sum())
            ),
        },
        "go_live": dict(zip(account_ids, go_live, strict=True)),
        "constants": {
            "cost_per_handling_minute": COST_PER_MINUTE,
            "days_per_account_month": DAYS_PER_MONTH,
            "topics": [{"id": i, "key": t.key, "covered": t.covered} for i, t in enumerate(TOPICS)],
        },
    }

    acc_idx, mon_idx = np.nonzero(exposure > 0)
    month_dates = np.array([cal.date_of(d) for d in cal.month_start[:-1]], dtype="datetime64[D]")
    tables = {
        "accounts": pa.table(
            {
                "account_id": account_ids,
                "health": co.health,
                "segment": [SEGMENTS[s] for s in co.segment],
                "engaged": co.engaged,
                "portal_live_at": ts(co.live, cal.start),
                "churned_at": ts(co.churn, cal.start),
                "counterfactual_churned_at": ts(co.cf_churn, cal.start),
            }
        ),
        "account_months": pa.table(
            {
                "account_id": ids("A", acc_idx + 1, 5),
                "month": pa.array(month_dates[mon_idx], pa.date32()),
                "exposure_days": exposure[acc_idx, mon_idx],
                "live_days": live_days[acc_idx, mon_idx],
                "would_be_tickets": would_be[acc_idx, mon_idx],
                "deflected_tickets": defl[acc_idx, mon_idx].astype(np.int64),
                "tickets": (would_be - defl)[acc_idx, mon_idx].astype(np.int64),
                "at_risk": co.active_months[acc_idx, mon_idx],
                "churn_hazard": co.hazard[acc_idx, mon_idx],
                "counterfactual_churn_hazard": co.cf_hazard[acc_idx, mon_idx],
            }
        ),
        "tickets": _ticket_truth(cal, tk),
        "invoices": pa.table(
            {
                "invoice_id": inv.table.column("invoice_id"),
                "live": inv.live,
                "days_to_pay": inv.days,
                "counterfactual_days_to_pay": inv.days_cf,
            }
        ),
    }
    return truth, tables


def _ticket_truth(cal: Calendar, tk: Tickets) -> pa.Table:
    kept = tk.ticket_index >= 0
    defl_num = np.cumsum(~kept)
    tid = ids("T", tk.ticket_index + 1, 7).to_numpy(zero_copy_only=False)
    xid = ids("X", defl_num, 7).to_numpy(zero_copy_only=False)
    return pa.table(
        {
            "truth_id": np.where(kept, tid, xid),
            "ticket_id": pa.array(np.where(kept, tid, None), pa.string()),
            "account_id": ids("A", tk.account + 1, 5),
            "created_at": ts(tk.day, cal.start),
            "topic_id": tk.topic,
            "topic": [TOPICS[t].key for t in tk.topic],
            "topic_covered": np.array([t.covered for t in TOPICS])[tk.topic],
            "true_fcr": tk.true_fcr,
            "deflected": tk.deflected,
            "live": tk.live,
            "engaged": tk.engaged,
            "channel": [CHANNELS[c] for c in tk.channel],
        }
    )
