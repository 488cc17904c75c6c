"""The customer base with and without the portal (six-step method, steps 2-3).

Lifetime = 1 / churn (years). If the portal lengthens the average lifetime by ``N`` months, the
churn rate with the portal is ``1 / (lifetime + N / 12)``. Year by year the base follows the
growth formula of the method: ``base[y] = base[y-1] + new customers - base[y-1] × churn``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from portalroi.businesscase.inputs import Company

__all__ = ["CustomerView", "churn_with_extension", "customer_base", "customer_view"]

Array = NDArray[np.float64]


def churn_with_extension(churn: Array | float, extension_months: Array | float) -> Array:
    """Annual churn when the average lifetime ``1 / churn`` grows by ``extension_months``.

    Examples
    --------
    >>> round(float(churn_with_extension(0.25, 12)), 6)  # 4 years -> 5 years
    0.2
    """
    return np.asarray(1.0 / (1.0 / np.asarray(churn) + np.asarray(extension_months) / 12.0))


def customer_base(start: float, new_per_year: float, churn: Array | float, years: int) -> Array:
    """Customers at the end of years ``0 .. years`` (last axis) by the growth formula.

    Examples
    --------
    >>> customer_base(100, 20, 0.25, 2).tolist()
    [100.0, 95.0, 91.25]
    """
    churn = np.asarray(churn, dtype=np.float64)
    out = [np.broadcast_to(np.float64(start), churn.shape)]
    for _ in range(years):
        prev = out[-1]
        out.append(prev + new_per_year - prev * churn)
    return np.stack(out, axis=-1)


@dataclass(frozen=True)
class CustomerView:
    """The incremental with-vs-without-portal view of the customer base."""

    lifetime_years: float
    lifetime_years_with_portal: float
    churn: float
    churn_with_portal: float
    cost_to_acquire_customer: float
    revenue_per_customer: float
    lost_customer_cost: float
    base_without: list[float]
    base_with: list[float]
    customers_kept: list[float]


def customer_view(company: Company, extension_months: float, years: int) -> CustomerView:
    """Lifetime, churn with the portal, the base year by year, and the cost of a lost customer.

    The cost of a lost customer is the cost of winning a replacement (CAC, default sales and
    marketing cost / new customers) plus one year of the margin difference between an existing
    and a new customer (revenue per customer × (margin existing - margin new)).

    Examples
    --------
    >>> c = Company(annual_revenue=1e6, customers=100, annual_churn=0.25,
    ...             new_customers_per_year=20, sales_marketing_cost=100_000,
    ...             gross_margin_new=0.3, gross_margin_existing=0.4)
    >>> v = customer_view(c, 12, 2)
    >>> v.churn_with_portal, v.base_with
    (0.2, [100.0, 100.0, 100.0])
    """
    churn_new = float(churn_with_extension(company.annual_churn, extension_months))
    without = customer_base(
        company.customers, company.new_customers_per_year, company.annual_churn, years
    )
    with_ = customer_base(company.customers, company.new_customers_per_year, churn_new, years)
    if company.cost_to_acquire_customer is not None:
        cac = company.cost_to_acquire_customer
    elif company.new_customers_per_year > 0:
        cac = company.sales_marketing_cost / company.new_customers_per_year
    else:
        cac = 0.0
    revenue_per_customer = company.annual_revenue / company.customers
    margin_gap = company.gross_margin_existing - company.gross_margin_new
    return CustomerView(
        lifetime_years=1.0 / company.annual_churn,
        lifetime_years_with_portal=1.0 / churn_new,
        churn=company.annual_churn,
        churn_with_portal=churn_new,
        cost_to_acquire_customer=cac,
        revenue_per_customer=revenue_per_customer,
        lost_customer_cost=cac + revenue_per_customer * margin_gap,
        base_without=without.tolist(),
        base_with=with_.tolist(),
        customers_kept=(with_ - without).tolist(),
    )
