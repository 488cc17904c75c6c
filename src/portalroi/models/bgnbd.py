"""BG/NBD model of repeat purchasing in a non-contractual setting.

Follows Fader, Hardie & Lee (2005) "'Counting your customers' the easy way: an alternative to
the Pareto/NBD model", Marketing Science 24(2), and Hardie's note "Implementing the BG/NBD model"
for the conditional expectations.

While active, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after
every purchase it becomes inactive with probability p ~ Beta(a, b).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import gammaln, hyp2f1, logsumexp

from portalroi.models._base import FloatArray, MaximumLikelihoodModel
from portalroi.models._inputs import ArrayLike, as_rfm

__all__ = ["BetaGeoModel"]


class BetaGeoModel(MaximumLikelihoodModel):
    """BG/NBD (beta-geometric / negative binomial) model, Fader, Hardie & Lee (2005).

    **Data needed:** one row per customer with ``frequency`` (number of repeat purchases in
    the calibration period, i.e. purchase days after the first), ``recency`` (time from the first
    to the last purchase) and ``T`` (time from the first purchase to the end of calibration),
    all in the same time unit (e.g. weeks). :func:`portalroi.models.rfm.summary_from_transactions`
    builds them from raw orders.

    Parameters ``r``, ``alpha``, ``a``, ``b`` are fitted by maximum likelihood (scipy, on logs).

    Examples
    --------
    >>> m = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> round(float(m.probability_alive(2, 30.43, 38.86)[0]), 3)
    0.727
    """

    model_type: ClassVar[str] = "bg_nbd"
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803 (the BTYD literature's name)
        weights: ArrayLike | None = None,
    ) -> BetaGeoModel:
        """Fit by maximum likelihood; ``weights`` counts identical customers (default 1 each)."""
        x, t_x, big_t = as_rfm("BG/NBD", frequency, recency, T)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()

        def log_likelihood(params: FloatArray) -> float:
            return float(np.sum(w * _log_likelihood(params, x, t_x, big_t)))

        self._maximise(log_likelihood, round(float(w.sum())))
        return self

    def _p(self) -> tuple[float, float, float, float]:
        p = self.params
        return p["r"], p["alpha"], p["a"], p["b"]

    def expected_purchases_new(self, t: ArrayLike | float) -> FloatArray:
        """E[X(t)]: expected purchases of a customer in its first ``t`` time units (eq. 9)."""
        r, alpha, a, b = self._p()
        tt = np.asarray(t, dtype=float)
        hyp = hyp2f1(r, b, a + b - 1, tt / (alpha + tt))
        return np.asarray(
            (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + tt)) ** r * hyp), dtype=float
        )

    def expected_purchases(
        self,
        t: ArrayLike | float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803 (the BTYD literature's name)
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 10)."""
        r, alpha, a, b = self._p()
        x, t_x, big_t = as_rfm("BG/NBD", frequency, recency, T)
        tt = np.asarray(t, dtype=float)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, tt / (alpha + big_t + tt))
        numer = (
            (a + b + x - 1)
            / (a - 1)
            * (1 - ((alpha + big_t) / (alpha + big_t + tt)) ** (r + x) * hyp)
        )
        return np.asarray(numer * self._alive(x, t_x, big_t), dtype=float)

    def probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803 (the BTYD literature's name)
    ) -> FloatArray:
        """P(active | x, t_x, T) at the end of calibration (Hardie's note, eq. 11)."""
        x, t_x, big_t = as_rfm("BG/NBD", frequency, recency, T)
        return self._alive(x, t_x, big_t)

    def _alive(self, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
        r, alpha, a, b = self._p()
        # log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x), only meaningful where x > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = (
                np.log(a)
                - np.log(np.maximum(b + x - 1, 1e-300))
                + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
            )
        return np.asarray(np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0), dtype=float)

    def summary(self) -> dict[str, Any]:
        """Parameters, log-likelihood and number of customers fitted on."""
        return {**self.params, "log_likelihood": self.log_likelihood_, "n": self.n_observations_}


def _log_likelihood(
    params: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """Per-customer BG/NBD log-likelihood (FHL 2005 eq. 6), computed on the log scale."""
    r, alpha, a, b = (float(v) for v in params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return np.asarray(a1 + a2 + logsumexp(np.stack([a3, a4]), axis=0), dtype=float)
