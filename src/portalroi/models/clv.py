"""Customer lifetime value: the CLV models and the BG/NBD + Gamma-Gamma CLV formula.

* :class:`ShiftedBetaGeometricModel` — contractual subscriptions (CLV = margin x DERL);
* :class:`BetaGeoModel` + :class:`GammaGammaModel` — repeat orders, combined by
  :func:`customer_lifetime_value`;
* :func:`summary_from_transactions` — the RFM input built from raw orders.
"""

from __future__ import annotations

import numpy as np

from portalroi.models._base import FloatArray
from portalroi.models._inputs import ArrayLike, as_rfm
from portalroi.models.bgnbd import BetaGeoModel
from portalroi.models.gamma_gamma import GammaGammaModel
from portalroi.models.rfm import summary_from_transactions
from portalroi.models.sbg import ShiftedBetaGeometricModel

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "ShiftedBetaGeometricModel",
    "customer_lifetime_value",
    "summary_from_transactions",
]


def customer_lifetime_value(
    transaction_model: BetaGeoModel,
    spend_model: GammaGammaModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 (the BTYD literature's name)
    monetary_value: ArrayLike,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    time_units_per_month: float = 30.0,
    margin: float = 1.0,
) -> FloatArray:
    """Discounted value of each customer's purchases over the next ``months`` months.

    For month i = 1..H, the expected purchases in that month (a difference of the BG/NBD
    conditional expectation E[Y(t) | x, t_x, T] at the month's end and start) times the expected
    spend per purchase (Gamma-Gamma E[Z | x, z-bar]) times ``margin``, discounted by
    (1 + d)^i::

        CLV = sum_i margin * E[Z] * (E[Y(i u)] - E[Y((i-1) u)]) / (1 + d)^i

    where ``u`` = ``time_units_per_month`` (30 for daily data, 4.345 for weekly) and d the
    monthly discount rate (from an annual rate R: d = (1 + R)^(1/12) - 1). This is the
    discrete-month convention of Fader, Hardie & Lee's worked examples and of `lifetimes`.

    Examples
    --------
    >>> bg = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> clv = customer_lifetime_value(bg, gg, [2], [30.43], [38.86], [22.35],
    ...                               time_units_per_month=4.345)
    >>> bool(clv[0] > 0)
    True
    """
    x, t_x, big_t, m = as_rfm("CLV", frequency, recency, T, monetary_value)
    if months < 1:
        raise ValueError("months must be >= 1")
    if monthly_discount_rate <= -1:
        raise ValueError("monthly_discount_rate must be > -1")
    spend = spend_model.conditional_expected_average_profit(x, m)
    value = np.zeros_like(x)
    previous = np.zeros_like(x)
    for i in range(1, months + 1):
        cumulative = transaction_model.expected_purchases(i * time_units_per_month, x, t_x, big_t)
        value += margin * spend * (cumulative - previous) / (1 + monthly_discount_rate) ** i
        previous = cumulative
    return value
