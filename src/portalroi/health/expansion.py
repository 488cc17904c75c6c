"""Expansion signals: customer accounts whose usage, seats or orders suggest upsell or cross-sell.

As of an instant ``T`` (data before ``T`` only), for every customer account (created before ``T``,
not churned before it), four signals, each with its figures and a reason in words:

``seats`` (upsell)
    seat utilisation = users active in ``[T - 30 d, T)`` / licensed seats is at least
    ``seat_utilisation_min``: the licence is (nearly) full.
``user_growth`` (upsell)
    users created before ``T`` vs before ``T - 90 d``: growth of at least ``user_growth_min``
    (relative) and ``user_growth_min_added`` users.
``orders`` (upsell)
    order value in ``[T - 90 d, T)`` vs ``[T - 180 d, T - 90 d)``, relative to the growth of the
    other accounts of the same segment (among the accounts asked for) over the same windows (so a
    season every account shares flags nobody): ``(1 + account growth) / (1 + segment growth) - 1`` of at least
    ``order_growth_min``, with at least ``order_min_count`` recent orders and some earlier value.
    Without other accounts of the segment that ordered in the earlier window, the account's own
    growth is used and the reason says so. Only accounts that were customers through both
    windows (created at least 180 days before ``T``) are flagged or enter a segment's growth:
    a younger account's earlier window holds days before it existed.
``features`` (cross-sell)
    features the account did not use in ``[T - 90 d, T)`` though at least ``peer_share`` of the
    other active accounts of its segment (among the accounts asked for) did (segments with at
    least ``min_peers`` such peers);
    only for accounts that used the portal in those 90 days.

Examples
--------
>>> ExpansionParams().seat_utilisation_min
0.9
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from portalroi.health.features import as_timestamp
from portalroi.store import Store

__all__ = ["SIGNALS", "ExpansionParams", "expansion_accounts", "expansion_signals"]

#: Signal name -> kind of opportunity.
SIGNALS: dict[str, str] = {
    "seats": "upsell",
    "user_growth": "upsell",
    "orders": "upsell",
    "features": "cross_sell",
}


class ExpansionParams(BaseModel):
    """Thresholds of the expansion signals (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seat_utilisation_min: float = Field(
        0.9, gt=0, description="Active users (last 30 days) per licensed seat that flags 'seats'."
    )
    user_growth_min: float = Field(
        0.2, gt=0, description="Relative growth of users over 90 days that flags 'user_growth'."
    )
    user_growth_min_added: int = Field(
        3, ge=1, description="Users added over 90 days needed for 'user_growth'."
    )
    order_growth_min: float = Field(
        0.25,
        gt=0,
        description="Growth of order value, last 90 days vs the 90 before, above the growth of "
        "the segment's other accounts over the same windows.",
    )
    order_min_count: int = Field(3, ge=1, description="Orders in the last 90 days needed.")
    peer_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of active segment peers using a feature for it to count as usual.",
    )
    min_peers: int = Field(5, ge=1, description="Active peers a segment needs for 'features'.")


_SQL = """
WITH acc AS (
    SELECT account_id, coalesce(segment, 'unknown') AS segment, seats,
        -- a customer through both order windows: else its earlier window holds days before
        -- it existed and its growth is a ramp-up (+1,311 % for an account 120 days old)
        created_at <= $t - INTERVAL 180 DAY AS orders_comparable
    FROM accounts
    WHERE created_at < $t AND (churned_at IS NULL OR churned_at >= $t)
),
act AS (
    SELECT account_id, count(DISTINCT user_id) AS active_users
    FROM events
    WHERE ts >= $t - INTERVAL 30 DAY AND ts < $t AND user_id IS NOT NULL
    GROUP BY account_id
),
us AS (
    SELECT account_id,
        count(*) FILTER (WHERE created_at IS NULL OR created_at < $t) AS users_now,
        count(*) FILTER (WHERE created_at IS NULL OR created_at < $t - INTERVAL 90 DAY)
            AS users_before
    FROM users GROUP BY account_id
),
od AS (
    SELECT account_id,
        coalesce(sum(amount) FILTER (WHERE ts >= $t - INTERVAL 90 DAY), 0) AS value_recent,
        count(*) FILTER (WHERE ts >= $t - INTERVAL 90 DAY) AS orders_recent,
        coalesce(sum(amount) FILTER (WHERE ts < $t - INTERVAL 90 DAY), 0) AS value_before,
        count(*) FILTER (WHERE ts < $t - INTERVAL 90 DAY) AS orders_before
    FROM orders
    WHERE ts >= $t - INTERVAL 180 DAY AND ts < $t
    GROUP BY account_id
)
SELECT acc.account_id, acc.segment, acc.seats, acc.orders_comparable,
    coalesce(act.active_users, 0) AS active_users,
    coalesce(us.users_now, 0) AS users_now,
    coalesce(us.users_before, 0) AS users_before,
    coalesce(od.value_recent, 0) AS value_recent,
    coalesce(od.orders_recent, 0) AS orders_recent,
    coalesce(od.value_before, 0) AS value_before,
    coalesce(od.orders_before, 0) AS orders_before
FROM acc
LEFT JOIN act USING (account_id)
LEFT JOIN us USING (account_id)
LEFT JOIN od USING (account_id)
ORDER BY acc.account_id
"""

_FEATURES_SQL = """
SELECT DISTINCT e.account_id, e.feature
FROM events e JOIN accounts a USING (account_id)
WHERE e.ts >= $t - INTERVAL 90 DAY AND e.ts < $t AND e.feature IS NOT NULL
    AND a.created_at < $t AND (a.churned_at IS NULL OR a.churned_at >= $t)
"""

_COLUMNS = ["account_id", "segment", "signal", "kind", "value", "threshold", "reason", "figures"]


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _signed(x: float) -> str:
    return f"{x:+.0%}"


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _seats(r: Any, p: ExpansionParams) -> dict[str, Any] | None:
    if pd.isna(r.seats) or r.seats <= 0:  # seats unknown (NA) or none: nothing to compare
        return None
    util = r.active_users / r.seats
    if util < p.seat_utilisation_min:
        return None
    return {
        "value": util,
        "threshold": p.seat_utilisation_min,
        "reason": f"{r.active_users} users active in the last 30 days on {r.seats} licensed "
        f"seats ({_pct(util)} utilisation)",
        "figures": {"active_users_30d": int(r.active_users), "seats": int(r.seats)},
    }


def _user_growth(r: Any, p: ExpansionParams) -> dict[str, Any] | None:
    added = r.users_now - r.users_before
    if r.users_before <= 0 or added < p.user_growth_min_added:
        return None
    growth = added / r.users_before
    if growth < p.user_growth_min:
        return None
    return {
        "value": growth,
        "threshold": p.user_growth_min,
        "reason": f"users grew from {r.users_before} to {r.users_now} in 90 days (+{_pct(growth)})",
        "figures": {"users_90d_ago": int(r.users_before), "users_now": int(r.users_now)},
    }


def _segment_order_growth(base: pd.DataFrame) -> dict[str, float | None]:
    """Per account, the order-value growth of the other accounts of its segment (``None``: none
    of them ordered in the earlier window)."""
    comparable = base["orders_comparable"].astype(bool)
    rows = list(
        zip(
            base["account_id"].astype(str),
            base["segment"].astype(str),
            base["value_recent"].where(comparable, 0.0).astype(float),
            base["value_before"].where(comparable, 0.0).astype(float),
            strict=True,
        )
    )
    totals: dict[str, list[float]] = {}
    for _, seg, recent, before in rows:
        t = totals.setdefault(seg, [0.0, 0.0])
        t[0] += recent
        t[1] += before
    out: dict[str, float | None] = {}
    for account, seg, own_recent, own_before in rows:
        before = totals[seg][1] - own_before
        recent = totals[seg][0] - own_recent
        out[account] = recent / before - 1 if before > 0 else None
    return out


def _orders(r: Any, p: ExpansionParams, segment_growth: float | None) -> dict[str, Any] | None:
    if not r.orders_comparable or r.value_before <= 0 or r.orders_recent < p.order_min_count:
        return None
    own = r.value_recent / r.value_before - 1
    growth = own if segment_growth is None else (1 + own) / (1 + segment_growth) - 1
    if growth < p.order_growth_min:
        return None
    if segment_growth is None:
        versus = f"no other {r.segment} account ordered in the earlier window to compare with"
    else:
        versus = (
            f"other {r.segment} accounts {_signed(segment_growth)} over the same windows, "
            f"so {_signed(growth)} relative to the segment"
        )
    return {
        "value": growth,
        "threshold": p.order_growth_min,
        "reason": f"orders worth {_money(r.value_recent)} in the last 90 days vs "
        f"{_money(r.value_before)} in the 90 days before ({_signed(own)}; "
        f"{r.orders_recent} orders vs {r.orders_before}); {versus}",
        "figures": {
            "order_value_90d": float(r.value_recent),
            "order_value_prev_90d": float(r.value_before),
            "orders_90d": int(r.orders_recent),
            "orders_prev_90d": int(r.orders_before),
            "own_growth": float(own),
            "segment_growth": None if segment_growth is None else float(segment_growth),
        },
    }


def _feature_gaps(
    base: pd.DataFrame, used: pd.DataFrame, p: ExpansionParams
) -> dict[str, dict[str, Any]]:
    """Per account, the usual features of its segment it does not use (cross-sell)."""
    out: dict[str, dict[str, Any]] = {}
    by_account: dict[str, set[str]] = {
        str(k): set(v) for k, v in used.groupby("account_id")["feature"].apply(set).items()
    }
    segment = base.set_index("account_id")["segment"].to_dict()
    active = [a for a in by_account if a in segment]
    for seg in sorted({segment[a] for a in active}):
        members = [a for a in active if segment[a] == seg]
        for account in members:
            peers = [a for a in members if a != account]
            if len(peers) < p.min_peers:
                continue
            counts: dict[str, int] = {}
            for peer in peers:
                for f in by_account[peer]:
                    counts[f] = counts.get(f, 0) + 1
            usual = {f for f, c in counts.items() if c / len(peers) >= p.peer_share}
            missing = sorted(usual - by_account[account])
            if not missing:
                continue
            own = len(by_account[account])
            out[account] = {
                "value": float(len(missing)),
                "threshold": p.peer_share,
                "reason": f"uses {own} portal feature{'s' if own != 1 else ''}; most active "
                f"{seg} accounts also use {', '.join(missing)}",
                "figures": {
                    "features_used_90d": sorted(by_account[account]),
                    "missing_usual_features": missing,
                    "peers": len(peers),
                },
            }
    return out


def expansion_signals(
    store: Store,
    as_of: date | datetime | str,
    params: ExpansionParams | None = None,
    accounts: list[str] | None = None,
) -> pd.DataFrame:
    """Every expansion signal of every customer account as of ``as_of`` (one row per signal).

    Parameters
    ----------
    store
        The analytics store.
    as_of
        ``T``: only data before it is read.
    params
        Thresholds (default :class:`ExpansionParams`).
    accounts
        Compute over these accounts only (a caller's scope): the segment order growth that
        ``orders`` compares with and the peers of ``features`` are then these accounts of the
        segment, so no figure depends on data of accounts outside them (another tenant's).
        ``None``: every account of the store.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``segment``, ``signal``, ``kind`` (upsell / cross_sell), ``value``,
        ``threshold``, ``reason`` (words), ``figures`` (dict of the numbers behind it).

    Examples
    --------
    >>> expansion_signals(Store(":memory:"), "2024-01-01").columns.tolist()[:3]
    ['account_id', 'segment', 'signal']
    """
    p = params or ExpansionParams()
    at = as_timestamp(as_of)
    base: pd.DataFrame = store.con.execute(_SQL, {"t": at}).df()
    used: pd.DataFrame = store.con.execute(_FEATURES_SQL, {"t": at}).df()
    if accounts is not None:
        keep = {str(a) for a in accounts}
        base = base[base["account_id"].astype(str).isin(keep)].reset_index(drop=True)
        used = used[used["account_id"].astype(str).isin(keep)].reset_index(drop=True)
    gaps = _feature_gaps(base, used, p)
    segment_growth = _segment_order_growth(base)
    rows: list[dict[str, Any]] = []
    for r in base.itertuples(index=False):
        found = [
            ("seats", _seats(r, p)),
            ("user_growth", _user_growth(r, p)),
            ("orders", _orders(r, p, segment_growth[str(r.account_id)])),
        ]
        found.append(("features", gaps.get(str(r.account_id))))
        for name, hit in found:
            if hit is not None:
                rows.append(
                    {"account_id": r.account_id, "segment": r.segment, "signal": name}
                    | {"kind": SIGNALS[name]}
                    | hit
                )
    return pd.DataFrame(rows, columns=_COLUMNS)


def expansion_accounts(signals: pd.DataFrame) -> pd.DataFrame:
    """One row per account: its signals and reasons, most signals first.

    Examples
    --------
    >>> s = pd.DataFrame({"account_id": ["A", "B", "A"], "segment": ["smb"] * 3,
    ...                   "signal": ["seats", "orders", "orders"],
    ...                   "kind": ["upsell"] * 3, "reason": ["r1", "r2", "r3"]})
    >>> expansion_accounts(s)[["account_id", "signals"]].to_dict("records")
    [{'account_id': 'A', 'signals': ['seats', 'orders']}, {'account_id': 'B', 'signals': ['orders']}]
    """
    cols = ["account_id", "segment", "signals", "kinds", "reasons"]
    if signals.empty:
        return pd.DataFrame(columns=cols)
    grouped = signals.groupby("account_id", sort=True).agg(
        segment=("segment", "first"),
        signals=("signal", list),
        kinds=("kind", lambda k: sorted(set(k))),
        reasons=("reason", list),
    )
    grouped = grouped.assign(_n=grouped["signals"].map(len)).reset_index()
    grouped = grouped.sort_values(["_n", "account_id"], ascending=[False, True], kind="stable")
    return grouped[cols].reset_index(drop=True)
