"""Gamma-Gamma model of the spend per transaction.

Follows Fader, Hardie & Lee (2005) "RFM and CLV: using iso-value curves for customer base
analysis", Journal of Marketing Research 42(4), and Hardie's note 025 "The Gamma-Gamma model of
monetary value".

A customer's transaction values are Gamma(p, nu) around its mean spend p / nu; ``nu`` varies
across customers as Gamma(q, gamma). Spend is assumed independent of purchase frequency.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import gammaln

from portalroi.errors import Issue, ValidationError
from portalroi.models._base import FloatArray, MaximumLikelihoodModel
from portalroi.models._inputs import ArrayLike, as_rfm

__all__ = ["GammaGammaModel"]


class GammaGammaModel(MaximumLikelihoodModel):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Hardie note 025).

    **Data needed:** one row per customer with ``frequency`` (repeat purchases, x) and
    ``monetary_value`` (the mean value of those repeat purchases, z-bar). Only customers with
    x > 0 carry information and are used by :meth:`fit`; others are ignored.

    Parameters ``p``, ``q`` and ``gamma`` are fitted by maximum likelihood (scipy, on logs).

    Examples
    --------
    >>> m = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> round(float(m.conditional_expected_average_profit(0, 0)[0]), 2)  # population mean spend
    35.22
    """

    model_type: ClassVar[str] = "gamma_gamma"
    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")

    def fit(self, frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaModel:
        """Fit on the customers with at least one repeat purchase."""
        x, m = as_rfm("Gamma-Gamma", frequency, monetary_value=monetary_value)
        repeat = x > 0
        if not repeat.any():
            raise ValidationError(
                "Gamma-Gamma: inputs do not fit",
                [Issue("frequency", "no customer has a repeat purchase")],
            )
        xr, mr = x[repeat], m[repeat]

        def log_likelihood(params: FloatArray) -> float:
            p, q, g = (float(v) for v in params)
            ll = (
                gammaln(p * xr + q)
                - gammaln(p * xr)
                - gammaln(q)
                + q * np.log(g)
                + (p * xr - 1) * np.log(mr)
                + p * xr * np.log(xr)
                - (p * xr + q) * np.log(g + mr * xr)
            )
            return float(np.sum(ll))

        self._maximise(log_likelihood, int(repeat.sum()))
        return self

    def population_mean_spend(self) -> float:
        """E[Z] = p * gamma / (q - 1): the mean spend per transaction across customers (q > 1)."""
        p, q, g = self.params["p"], self.params["q"], self.params["gamma"]
        return float(p * g / (q - 1)) if q > 1 else float("inf")

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> FloatArray:
        """E[Z | x, z-bar]: expected mean spend per future transaction of each customer.

        A weighted mean of the population mean and the customer's own mean, the weight on its
        own mean being p*x / (p*x + q - 1); customers with x = 0 get the population mean.
        Where ``p*x + q - 1 <= 0`` (``q <= 1`` and few repeat purchases) the mean spend does not
        exist and the value is ``inf``, as for :meth:`population_mean_spend` (the formula gave a
        negative spend there).
        """
        x, m = as_rfm("Gamma-Gamma", frequency, monetary_value=monetary_value)
        p, q, g = self.params["p"], self.params["q"], self.params["gamma"]
        denominator = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = (g + m * x) * p / denominator
        return np.asarray(np.where(denominator > 0, spend, np.inf), dtype=float)

    def summary(self) -> dict[str, Any]:
        """Parameters, log-likelihood and number of customers fitted on."""
        return {**self.params, "log_likelihood": self.log_likelihood_, "n": self.n_observations_}
