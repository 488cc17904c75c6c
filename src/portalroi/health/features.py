"""Account features as of a date, read from the store (only data from before that date).

One row per account that is a customer on the as-of date (created before it, not churned
before it). Windows end at the as-of instant ``T`` (exclusive) and reach back a number of days:
``[T - 30 d, T)`` is "the last 30 days".

Features (name: definition). The portal-use features (``usage_trend``, ``active_user_share``,
``feature_breadth``, ``seat_utilisation``) are missing until the account's portal is live
(``portal_live_at`` before ``T``): before go-live, user counts and activity describe the roll-out
plan, not the account's health.

* ``portal_live``: 1 when ``portal_live_at`` is before ``T``, else 0.
* ``events_30d``: portal events in the last 30 days.
* ``usage_trend``: ``events_30d / max(events in [T-120 d, T-30 d) / 3, 1) - 1``; missing when
  the account had no events in either window (relative change of monthly use), and until the
  portal has been live for 120 days (the earlier window would hold days before go-live).
* ``active_user_share``: users with an event in the last 30 days / users created before ``T``.
* ``feature_breadth``: distinct ``feature`` values in events of the last 90 days.
* ``seat_utilisation``: users created before ``T`` / licensed seats (missing without seats);
  the users counted are at least those active in the last 30 days (events name users that the
  users table may lack).
* ``tickets_90d``: tickets created in the last 90 days.
* ``tickets_per_seat_90d``: ``tickets_90d / seats``.
* ``ticket_trend``: ``tickets_90d / max(tickets in [T-180 d, T-90 d), 1) - 1``; missing when
  both are zero, and for accounts created less than 180 days before ``T`` (the earlier window
  would hold days before the account existed).
* ``escalations_90d`` and ``escalation_share_90d``: escalated tickets of the last 90 days,
  as a count and as a share of ``tickets_90d`` (missing without tickets).
* ``open_tickets``: tickets created before ``T`` and not resolved (nor closed) before ``T``.
* ``csat_avg``: mean ticket CSAT (1-5) of tickets resolved in the last 180 days.
* ``nps_avg``: mean NPS answer (0-10) of surveys in the last 365 days.
* ``days_to_pay``: mean days from issue to payment of invoices paid in the last 365 days.
* ``late_invoice_share``: of invoices due in the last 365 days, the share paid after the due
  date or still unpaid at ``T``.
* ``disputes_365d``: disputed invoices issued in the last 365 days.
* ``seats``, ``acv``, ``segment``: from the accounts table.
* ``tenure_days``: days from ``created_at`` to ``T``.
* ``days_to_renewal``: days from ``T`` to the next anniversary of ``created_at`` (annual
  contracts assumed). The stored ``renewal_at`` is deliberately not used: it is the *current*
  next renewal, so for a past as-of date it tells the future (for an account that churned, it
  falls just after the churn date).

Examples
--------
>>> import tempfile, pathlib
>>> from portalroi.store import Store
>>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
...     account_features(store, "2024-01-01").shape[0]
0
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pandas as pd

from portalroi.errors import ConfigError
from portalroi.store import Store

__all__ = ["FEATURES", "MODEL_FEATURES", "account_features", "as_timestamp"]

#: Every feature :func:`account_features` returns, with its meaning (used by configs and docs).
FEATURES: dict[str, str] = {
    "portal_live": "1 when the account's portal went live before the as-of date, else 0",
    "events_30d": "portal events in the last 30 days",
    "usage_trend": "change of monthly portal use, last 30 days vs the 90 days before",
    "active_user_share": "share of users active in the last 30 days",
    "feature_breadth": "distinct portal features used in the last 90 days",
    "seat_utilisation": "users per licensed seat",
    "tickets_90d": "tickets opened in the last 90 days",
    "tickets_per_seat_90d": "tickets opened in the last 90 days per licensed seat",
    "ticket_trend": "change of ticket volume, last 90 days vs the 90 days before",
    "escalations_90d": "escalated tickets in the last 90 days",
    "escalation_share_90d": "share of the last 90 days' tickets that were escalated",
    "open_tickets": "tickets still open",
    "csat_avg": "mean ticket CSAT (1-5), last 180 days",
    "nps_avg": "mean NPS answer (0-10), last 365 days",
    "days_to_pay": "mean days from invoice to payment, last 365 days",
    "late_invoice_share": "share of invoices due in the last 365 days paid late or unpaid",
    "disputes_365d": "disputed invoices in the last 365 days",
    "seats": "licensed seats",
    "acv": "annual contract value",
    "tenure_days": "days as a customer",
    "days_to_renewal": "days to the next contract anniversary",
    "segment": "size segment",
}

#: Features the churn-risk model uses (all of them except raw counts that scale with size).
MODEL_FEATURES: tuple[str, ...] = tuple(
    f for f in FEATURES if f not in ("events_30d", "tickets_90d", "escalations_90d")
)

_SQL = """
WITH acc AS (
    SELECT account_id, segment, seats, acv, created_at,
        coalesce(portal_live_at < $t, false) AS live,
        -- the trends compare with an earlier window: only when it lies wholly after go-live
        -- (usage) or after the account's start (tickets), else a new account's trend compares
        -- with days before it had any use or any tickets to open
        coalesce(portal_live_at <= $t - INTERVAL 120 DAY, false) AS live_120d,
        created_at <= $t - INTERVAL 180 DAY AS customer_180d
    FROM accounts
    WHERE created_at < $t AND (churned_at IS NULL OR churned_at >= $t)
),
ev AS (
    SELECT account_id,
        count(*) FILTER (WHERE ts >= $t - INTERVAL 30 DAY) AS e30,
        count(*) FILTER (WHERE ts < $t - INTERVAL 30 DAY) AS eprev,
        count(DISTINCT user_id) FILTER (WHERE ts >= $t - INTERVAL 30 DAY) AS active_users,
        count(DISTINCT feature) FILTER (WHERE ts >= $t - INTERVAL 90 DAY) AS breadth
    FROM events
    WHERE ts < $t AND ts >= $t - INTERVAL 120 DAY
    GROUP BY account_id
),
us AS (
    SELECT account_id, count(*) AS n_users
    FROM users WHERE created_at IS NULL OR created_at < $t
    GROUP BY account_id
),
tk AS (
    SELECT account_id,
        count(*) FILTER (WHERE created_at >= $t - INTERVAL 90 DAY) AS t90,
        count(*) FILTER (WHERE created_at >= $t - INTERVAL 180 DAY
                         AND created_at < $t - INTERVAL 90 DAY) AS tprev,
        count(*) FILTER (WHERE created_at >= $t - INTERVAL 90 DAY AND escalated) AS esc90,
        count(*) FILTER (WHERE coalesce(resolved_at, closed_at) IS NULL
                         OR coalesce(resolved_at, closed_at) >= $t) AS open_now,
        avg(csat) FILTER (WHERE resolved_at < $t
                          AND resolved_at >= $t - INTERVAL 180 DAY) AS csat_avg
    FROM tickets
    WHERE created_at < $t AND account_id IS NOT NULL
    GROUP BY account_id
),
sv AS (
    SELECT account_id, avg(score) AS nps_avg
    FROM surveys
    WHERE kind = 'nps' AND ts < $t AND ts >= $t - INTERVAL 365 DAY
    GROUP BY account_id
),
inv AS (
    SELECT account_id,
        avg(date_diff('second', issued_at, paid_at) / 86400.0)
            FILTER (WHERE paid_at < $t AND paid_at >= $t - INTERVAL 365 DAY) AS days_to_pay,
        count(*) FILTER (WHERE due_at < $t AND due_at >= $t - INTERVAL 365 DAY) AS due_n,
        count(*) FILTER (WHERE due_at < $t AND due_at >= $t - INTERVAL 365 DAY
                         AND (paid_at IS NULL OR paid_at >= $t OR paid_at > due_at)) AS late_n,
        count(*) FILTER (WHERE issued_at >= $t - INTERVAL 365 DAY AND disputed) AS disputes
    FROM invoices
    WHERE issued_at < $t
    GROUP BY account_id
)
SELECT
    acc.account_id,
    coalesce(ev.e30, 0) AS events_30d,
    CASE WHEN NOT acc.live_120d OR (coalesce(ev.e30, 0) = 0 AND coalesce(ev.eprev, 0) = 0)
         THEN NULL
         ELSE ev.e30 / greatest(ev.eprev / 3.0, 1.0) - 1 END AS usage_trend,
    CASE WHEN NOT acc.live OR coalesce(us.n_users, 0) = 0 THEN NULL
         ELSE coalesce(ev.active_users, 0) / greatest(us.n_users, ev.active_users) END
        AS active_user_share,
    CASE WHEN acc.live THEN coalesce(ev.breadth, 0) END AS feature_breadth,
    CASE WHEN acc.live AND acc.seats > 0
         THEN greatest(coalesce(us.n_users, 0), coalesce(ev.active_users, 0)) / acc.seats END
        AS seat_utilisation,
    coalesce(tk.t90, 0) AS tickets_90d,
    CASE WHEN acc.seats > 0 THEN coalesce(tk.t90, 0) / acc.seats END AS tickets_per_seat_90d,
    CASE WHEN NOT acc.customer_180d OR (coalesce(tk.t90, 0) = 0 AND coalesce(tk.tprev, 0) = 0)
         THEN NULL
         ELSE tk.t90 / greatest(tk.tprev, 1.0) - 1 END AS ticket_trend,
    coalesce(tk.esc90, 0) AS escalations_90d,
    CASE WHEN coalesce(tk.t90, 0) > 0 THEN tk.esc90 / tk.t90 END AS escalation_share_90d,
    coalesce(tk.open_now, 0) AS open_tickets,
    tk.csat_avg,
    sv.nps_avg,
    inv.days_to_pay,
    CASE WHEN coalesce(inv.due_n, 0) > 0 THEN inv.late_n / inv.due_n END AS late_invoice_share,
    coalesce(inv.disputes, 0) AS disputes_365d,
    acc.live::DOUBLE AS portal_live,
    acc.seats,
    acc.acv,
    date_diff('second', acc.created_at, $t) / 86400.0 AS tenure_days,
    acc.created_at,
    acc.segment
FROM acc
LEFT JOIN ev USING (account_id)
LEFT JOIN us USING (account_id)
LEFT JOIN tk USING (account_id)
LEFT JOIN sv USING (account_id)
LEFT JOIN inv USING (account_id)
ORDER BY acc.account_id
"""


def as_timestamp(value: date | datetime | str) -> datetime:
    """An as-of date as a naive UTC ``datetime`` (a date means its midnight; a time with an
    offset is converted to UTC, as the store's times are).

    Examples
    --------
    >>> as_timestamp("2024-03-01")
    datetime.datetime(2024, 3, 1, 0, 0)
    >>> as_timestamp("2024-03-01T00:30:00+02:00")
    datetime.datetime(2024, 2, 29, 22, 30)
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    try:
        return as_timestamp(datetime.fromisoformat(str(value)))
    except ValueError:
        raise ConfigError(f"as-of date must be YYYY-MM-DD, got {value!r}") from None


def _days_to_anniversary(created: pd.Timestamp, at: datetime) -> float:
    years = max(0, at.year - created.year)
    for y in (years, years + 1, years + 2):
        try:
            anniversary = created.replace(year=created.year + y)
        except ValueError:  # 29 February in a non-leap year
            anniversary = created.replace(year=created.year + y, day=28)
        if anniversary >= at:
            return float((anniversary - pd.Timestamp(at)).total_seconds() / 86400.0)
    return float("nan")  # pragma: no cover - the loop always finds one


def account_features(
    store: Store, as_of: date | datetime | str, accounts: list[str] | None = None
) -> pd.DataFrame:
    """Features of every customer account as of ``as_of``, from data before it.

    Parameters
    ----------
    store
        The analytics store.
    as_of
        The snapshot instant; a date means its midnight (UTC).
    accounts
        Only these account ids (default: all customers on that date).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``, one column per name in :data:`FEATURES` (floats, except
        ``segment``); missing values where the definition says so.
    """
    at = as_timestamp(as_of)
    frame: pd.DataFrame = store.con.execute(_SQL, {"t": at}).df()
    if accounts is not None:
        frame = frame[frame["account_id"].isin(accounts)]
    renew = [_days_to_anniversary(pd.Timestamp(c), at) for c in frame["created_at"]]
    frame = frame.assign(days_to_renewal=renew).drop(columns=["created_at"])
    numeric: dict[str, Any] = {c: "float64" for c in FEATURES if c != "segment"}
    frame = frame.astype(numeric)
    frame["segment"] = frame["segment"].astype(object)
    return frame.set_index("account_id")[list(FEATURES)]
