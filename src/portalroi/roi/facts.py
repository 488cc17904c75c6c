"""The figures the money layer needs, measured in the store, each with where it came from.

Months are calendar months ``YYYY-MM`` (UTC). An account is *active* in a month from the
month it was created to the month it churned (inclusive), and *live* from its go-live month
on, the same account-months the impact estimators use
(:func:`portalroi.impact.account_months`). Recent figures (cost per ticket, billing,
ticket volume) use the last twelve months of the analysed period.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from portalroi.errors import DataError
from portalroi.metrics import compute
from portalroi.roi.realised import add_months
from portalroi.schema.tables import TABLES
from portalroi.settings import get_settings
from portalroi.store import Store

__all__ = ["Facts", "measure_facts", "subset_store"]


@dataclass(frozen=True)
class Facts:
    """Figures measured in the store; ``sources`` cites the metric / table and period of each."""

    currency: str
    months: list[str]
    live_account_months: list[float]
    active_accounts: list[float]
    monthly_costs: list[float]
    costs_by_category: dict[str, float]
    recent_costs_by_category: dict[str, float]
    tickets_per_month: float
    cost_per_ticket: float | None
    handle_minutes: float | None
    hourly_cost: float | None
    billing_per_month: float
    billing_per_live_account_month: float | None
    live_churn_rate: float | None
    annual_churn: float | None
    order_value_per_live_account_month: float | None
    margin_base_per_account_month: float | None
    tenure_months: list[float]
    churned: list[bool]
    customers: int
    new_customers_per_year: int
    recent: tuple[str, str]
    sources: dict[str, str] = field(default_factory=dict)
    #: per cost category, the months of the last 12 its costs cover (fewer when they began
    #: within them): ``recent_costs_by_category`` × 12 / these is its spend per year
    recent_cost_months: dict[str, int] = field(default_factory=dict)

    @property
    def adoption_share(self) -> float:
        """Share of active accounts live in the last month."""
        active = self.active_accounts[-1]
        return self.live_account_months[-1] / active if active else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (without the per-account tenure lists)."""
        out = asdict(self)
        out.pop("tenure_months")
        out.pop("churned")
        return out


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


_ACCOUNT_MONTHS = """
WITH a AS (
  SELECT account_id,
         year(created_at) * 12 + month(created_at) - 1 AS c,
         year(portal_live_at) * 12 + month(portal_live_at) - 1 AS g,
         year(churned_at) * 12 + month(churned_at) - 1 AS x
  FROM accounts
), m AS (SELECT range AS mi FROM range(?, ? + 1))
SELECT mi,
       count(a.account_id) FILTER (WHERE c <= mi AND (x IS NULL OR x >= mi)) AS active,
       count(a.account_id) FILTER (WHERE c <= mi AND (x IS NULL OR x >= mi) AND g <= mi) AS live
FROM m LEFT JOIN a ON TRUE GROUP BY mi ORDER BY mi
"""


def _scalar(store: Store, sql: str, params: list[Any] | None = None) -> Any:
    row = store.con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def subset_store(store: Store, accounts: Collection[str], cost_share: float = 1.0) -> Store:
    """An in-memory copy of ``store`` holding only the rows of ``accounts``.

    Every table with an ``account_id`` column keeps the rows of those accounts; the vendor-wide
    tables keep every row, with the portal's ``costs`` multiplied by ``cost_share`` (the part
    of the portal's cost allocated to these accounts). Facts and effects measured on the copy
    are exactly those of a store that never held the other accounts, which is how a customer
    organisation's own ROI is computed without rewriting every query.

    Examples
    --------
    >>> s = Store(":memory:")
    >>> _ = s.con.execute("INSERT INTO accounts (account_id, created_at) VALUES "
    ...     "('a1', '2024-01-01'), ('b1', '2024-01-01')")
    >>> subset_store(s, ["a1"]).con.execute("SELECT account_id FROM accounts").fetchall()
    [('a1',)]
    """
    if not 0.0 <= cost_share <= 1.0:
        raise DataError(f"cost_share must be between 0 and 1, got {cost_share}")
    ids = sorted({str(a) for a in accounts})
    out = Store(":memory:")
    for name, spec in TABLES.items():
        cols = {c.name for c in spec.columns}
        if "account_id" in cols:
            sql = f"SELECT * FROM {name} WHERE account_id IN (SELECT unnest(?::VARCHAR[]))"
            params: list[Any] = [ids]
        elif name == "costs":
            sql = "SELECT * REPLACE (amount * ? AS amount) FROM costs"
            params = [cost_share]
        else:
            sql, params = f"SELECT * FROM {name}", []
        rows = store.con.execute(sql, params).arrow()
        out.con.register("_subset_rows", rows)
        out.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _subset_rows")
        out.con.unregister("_subset_rows")
    return out


def measure_facts(
    store: Store,
    last_month: str | None = None,
    *,
    accounts: Collection[str] | None = None,
    cost_share: float = 1.0,
) -> Facts:
    """Measure the money layer's figures in ``store`` up to ``last_month`` (default: the data's).

    With ``accounts``, the figures are those of these accounts only (and ``cost_share`` of the
    portal's costs): see :func:`subset_store`.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> try:
    ...     measure_facts(Store(":memory:"))
    ... except DataError as exc:
    ...     print(str(exc)[:40])
    no accounts with a portal go-live in the
    """
    if accounts is not None or cost_share != 1.0:
        sub = subset_store(
            store, store_accounts(store) if accounts is None else accounts, cost_share
        )
        try:
            return measure_facts(sub, last_month)
        finally:
            sub.close()
    con = store.con
    first_live = _scalar(store, "SELECT min(portal_live_at) FROM accounts")
    if first_live is None:
        raise DataError(
            "no accounts with a portal go-live in the store (accounts.portal_live_at); "
            "load accounts first (`portalroi ingest`)"
        )
    if last_month is None:
        last = _scalar(
            store,
            "SELECT greatest(max(t), (SELECT max(issued_at) FROM invoices)) FROM "
            "(SELECT max(created_at) AS t FROM tickets UNION ALL SELECT max(ts) FROM events)",
        )
        last_month = f"{(last or first_live):%Y-%m}"
    first_cost = _scalar(store, "SELECT min(date) FROM costs")
    first_month = min(f"{first_live:%Y-%m}", f"{first_cost:%Y-%m}" if first_cost else "9999-12")
    lo, hi = _month_index(first_month), _month_index(last_month)
    if hi < lo:
        raise DataError(f"as-of month {last_month} is before the first month {first_month}")
    months = [add_months(first_month, k) for k in range(hi - lo + 1)]
    rows = con.execute(_ACCOUNT_MONTHS, [lo, hi]).fetchall()
    active = [float(r[1]) for r in rows]
    live = [float(r[2]) for r in rows]
    cost_rows = dict(
        con.execute("SELECT strftime(date, '%Y-%m'), sum(amount) FROM costs GROUP BY 1").fetchall()
    )
    monthly_costs = [float(cost_rows.get(m, 0.0)) for m in months]
    end = f"{add_months(last_month, 1)}-01"
    by_category = {
        str(k): float(v)
        for k, v in con.execute(
            "SELECT category, sum(amount) FROM costs WHERE date < ?::DATE GROUP BY 1 ORDER BY 1",
            [end],
        ).fetchall()
    }
    recent_start = add_months(last_month, -11)

    def covered(first: Any) -> tuple[int, str]:
        """Months of the last 12 that a source covers (from its first record, when that is
        later than the window's start, to the last month) and that period in words: a
        per-month or per-year figure divides by these, not by 12, when the data are younger."""
        begin = recent_start if first is None else max(recent_start, f"{first:%Y-%m}")
        k = max(_month_index(last_month) - _month_index(begin) + 1, 1)
        return k, f"{begin} to {last_month}"

    recent_costs: dict[str, float] = {}
    recent_cost_months: dict[str, int] = {}
    for k, v, first_cost_date in con.execute(
        "SELECT category, sum(amount) FILTER (WHERE date >= ?::DATE), min(date) FROM costs "
        "WHERE date < ?::DATE GROUP BY 1 ORDER BY 1",
        [f"{recent_start}-01", end],
    ).fetchall():
        if v is not None:
            recent_costs[str(k)] = float(v)
            recent_cost_months[str(k)] = covered(first_cost_date)[0]
    recent = (recent_start, last_month)
    period = f"{recent_start} to {last_month}"
    sources: dict[str, str] = {}

    cpt = compute(store, "cost_per_ticket", start=f"{recent_start}-01", end=_last_day(last_month))
    volume = compute(store, "ticket_volume", start=f"{recent_start}-01", end=_last_day(last_month))
    ticket_months, ticket_period = covered(_scalar(store, "SELECT min(created_at) FROM tickets"))
    tickets_per_month = float(volume["tickets"].sum()) / ticket_months
    sources["tickets_per_month"] = f"metric ticket_volume, {ticket_period}, / {ticket_months}"
    cost_per_ticket = None
    if not cpt.empty and cpt["tickets"].sum() > 0:
        cost_per_ticket = float(cpt["total_cost"].sum() / cpt["tickets"].sum())
        sources["cost_per_ticket"] = (
            f"metric cost_per_ticket: total tickets.cost / tickets with a cost, {period}"
        )
    handle = con.execute(
        "SELECT avg(handle_minutes), sum(cost) / (sum(handle_minutes) / 60) FROM tickets "
        "WHERE handle_minutes > 0 AND cost IS NOT NULL AND created_at >= ?::DATE "
        "AND created_at < ?::DATE",
        [f"{recent_start}-01", end],
    ).fetchone()
    handle_minutes = None if handle is None or handle[0] is None else float(handle[0])
    hourly_cost = None if handle is None or handle[1] is None else float(handle[1])
    if handle_minutes is not None:
        sources["handle_minutes"] = f"mean tickets.handle_minutes, {period}"
        sources["hourly_cost"] = (
            f"tickets: sum(cost) / sum(handle_minutes / 60), fully loaded, {period}"
        )
    billing_total = float(
        _scalar(
            store,
            "SELECT coalesce(sum(amount), 0) FROM invoices WHERE issued_at >= ?::DATE "
            "AND issued_at < ?::DATE",
            [f"{recent_start}-01", end],
        )
    )
    billing_live = _scalar(
        store,
        "SELECT sum(i.amount) FROM invoices i JOIN accounts a USING (account_id) "
        "WHERE a.portal_live_at IS NOT NULL AND strftime(i.issued_at, '%Y-%m') >= "
        "strftime(a.portal_live_at, '%Y-%m') AND i.issued_at >= ?::DATE AND i.issued_at < ?::DATE",
        [f"{recent_start}-01", end],
    )
    invoice_months, invoice_period = covered(_scalar(store, "SELECT min(issued_at) FROM invoices"))
    recent_live = float(sum(live[-invoice_months:]))
    billing_pam = float(billing_live) / recent_live if billing_live and recent_live else None
    sources["billing_per_month"] = f"invoices: sum(amount) {invoice_period} / {invoice_months}"
    sources["billing_per_live_account_month"] = (
        f"invoices of live accounts issued from their go-live month, {invoice_period}, "
        "/ live account-months"
    )
    churn = con.execute(
        "SELECT count(*) FILTER (WHERE churned_at IS NOT NULL AND portal_live_at IS NOT NULL "
        "AND strftime(churned_at, '%Y-%m') >= strftime(portal_live_at, '%Y-%m') "
        "AND strftime(churned_at, '%Y-%m') <= ?) FROM accounts",
        [last_month],
    ).fetchone()
    live_total = float(sum(live))
    live_churn_rate = float(churn[0]) / live_total if churn and live_total else None
    sources["live_churn_rate"] = (
        f"accounts churned while live / live account-months, {months[0]} to {last_month}"
    )
    start = f"{recent_start}-01"
    year = con.execute(
        "SELECT count(*) FILTER (WHERE created_at < ?::DATE AND (churned_at IS NULL "
        "OR churned_at >= ?::DATE)), count(*) FILTER (WHERE churned_at >= ?::DATE "
        "AND churned_at < ?::DATE AND created_at < ?::DATE), "
        "count(*) FILTER (WHERE created_at >= ?::DATE AND created_at < ?::DATE), "
        "count(*) FILTER (WHERE created_at < ?::DATE AND (churned_at IS NULL "
        "OR churned_at >= ?::DATE)) FROM accounts",
        [start, start, start, end, start, start, end, end, end],
    ).fetchone()
    start_count, lost, new, customers = (int(x) for x in (year or (0, 0, 0, 0)))
    annual_churn = lost / start_count if start_count else None
    sources["annual_churn"] = (
        f"accounts: churned in {period} among those active at its start ({lost}/{start_count})"
    )
    sources["customers"] = f"accounts active at the end of {last_month}"
    sources["new_customers_per_year"] = f"accounts created in {period}"
    orders_live = _scalar(
        store,
        "SELECT sum(o.amount) FROM orders o JOIN accounts a USING (account_id) "
        "WHERE a.portal_live_at IS NOT NULL AND strftime(o.ts, '%Y-%m') >= "
        "strftime(a.portal_live_at, '%Y-%m') AND o.ts >= ?::DATE AND o.ts < ?::DATE",
        [f"{recent_start}-01", end],
    )
    order_months = covered(_scalar(store, "SELECT min(ts) FROM orders"))[0]
    order_live = float(sum(live[-order_months:]))
    order_pam = float(orders_live) / order_live if orders_live and order_live else None
    acv = _scalar(
        store,
        "SELECT avg(acv) FROM accounts WHERE acv IS NOT NULL AND created_at < ?::DATE "
        "AND (churned_at IS NULL OR churned_at >= ?::DATE)",
        [end, end],
    )
    margin_base = float(acv) / 12.0 if acv is not None else billing_pam
    sources["margin_base_per_account_month"] = (
        f"mean accounts.acv of active accounts at the end of {last_month} / 12"
        if acv is not None
        else sources["billing_per_live_account_month"]
    )
    tenure = con.execute(
        "SELECT (year(coalesce(churned_at, ?::TIMESTAMP)) - year(created_at)) * 12 "
        "+ month(coalesce(churned_at, ?::TIMESTAMP)) - month(created_at), "
        "churned_at IS NOT NULL AND churned_at < ?::DATE FROM accounts WHERE created_at < ?::DATE",
        [_last_day(last_month), _last_day(last_month), end, end],
    ).fetchall()
    tenure_months = [float(max(t, 1 if c else 0)) for t, c in tenure]
    sources["tenure"] = (
        f"accounts: months from created_at to churned_at (or {last_month}), churned flag"
    )
    # The amounts' own currency: portal costs first (the ROI's denominator), then whatever
    # other money the store holds; the ``currency`` setting only when no row names one.
    currency = _scalar(
        store,
        "SELECT coalesce((SELECT any_value(currency) FROM costs), "
        "(SELECT any_value(currency) FROM invoices), (SELECT any_value(currency) FROM tickets), "
        "(SELECT any_value(currency) FROM orders), (SELECT any_value(currency) FROM accounts))",
    )
    return Facts(
        currency=str(currency or get_settings().currency),
        months=months,
        live_account_months=live,
        active_accounts=active,
        monthly_costs=monthly_costs,
        costs_by_category=by_category,
        recent_costs_by_category=recent_costs,
        recent_cost_months=recent_cost_months,
        tickets_per_month=tickets_per_month,
        cost_per_ticket=cost_per_ticket,
        handle_minutes=handle_minutes,
        hourly_cost=hourly_cost,
        billing_per_month=billing_total / invoice_months,
        billing_per_live_account_month=billing_pam,
        live_churn_rate=live_churn_rate,
        annual_churn=annual_churn,
        order_value_per_live_account_month=order_pam,
        margin_base_per_account_month=margin_base,
        tenure_months=tenure_months,
        churned=[bool(c) for _, c in tenure],
        customers=customers,
        new_customers_per_year=new,
        recent=recent,
        sources=sources,
    )


def store_accounts(store: Store) -> list[str]:
    """Every account id in the store."""
    return [str(r[0]) for r in store.con.execute("SELECT account_id FROM accounts").fetchall()]


def _last_day(month: str) -> str:
    nxt = add_months(month, 1)
    days = np.datetime64(f"{nxt}-01") - np.timedelta64(1, "D")
    return str(days)
