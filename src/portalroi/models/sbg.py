"""Shifted-beta-geometric (sBG) model of contractual retention.

Follows Fader & Hardie (2007) "How to project customer retention", Journal of Interactive
Marketing 21(1), and, for lifetime value, Fader & Hardie (2010) "Customer-base valuation in a
contractual setting: the perils of ignoring heterogeneity", Marketing Science 29(1).

Each customer renews at the end of every period with a probability ``1 - theta`` that stays
constant for that customer; ``theta`` varies across customers as Beta(alpha, beta). Then

* P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta), t = 1, 2, ... (churn in period t)
* S(t) = B(alpha, beta + t) / B(alpha, beta) (still a customer after t renewals)
* retention rate r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, hyp2f1

from portalroi.errors import Issue, ValidationError
from portalroi.models._base import FloatArray, MaximumLikelihoodModel

__all__ = ["ShiftedBetaGeometricModel"]

ArrayLike = Sequence[float] | npt.NDArray[Any]


class ShiftedBetaGeometricModel(MaximumLikelihoodModel):
    """Contractual retention with heterogeneous churn probabilities (sBG, Fader & Hardie 2007).

    **Data needed:** either cohort survivor counts at period 0, 1, ..., n (``fit_survivors``),
    or one row per customer (``fit``) with the number of periods observed and whether the
    customer churned at the end of that span (otherwise it is still active: right-censored).
    Periods are renewal opportunities (months for monthly contracts, years for annual ones).

    Parameters ``alpha`` and ``beta`` are fitted by maximum likelihood (scipy, on their logs).

    Examples
    --------
    >>> m = ShiftedBetaGeometricModel().fit_survivors([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> round(m.params["alpha"], 3), round(m.params["beta"], 3)
    (0.668, 3.806)
    >>> round(float(m.survival(1)), 3)
    0.851
    """

    model_type: ClassVar[str] = "shifted_beta_geometric"
    param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta")

    # -- fitting -------------------------------------------------------------------------------
    def fit_survivors(self, alive: ArrayLike) -> ShiftedBetaGeometricModel:
        """Fit on one cohort's counts of active customers at periods 0, 1, ..., n.

        ``alive[0]`` is the cohort size; counts must not increase.
        """
        counts = np.asarray(alive, dtype=float)
        issues = []
        if counts.ndim != 1 or counts.size < 2:
            issues.append(Issue("alive", "need counts for at least periods 0 and 1"))
        elif np.any(~np.isfinite(counts)) or np.any(counts < 0):
            issues.append(Issue("alive", "counts must be finite and non-negative"))
        elif np.any(np.diff(counts) > 0):
            at = int(np.argmax(np.diff(counts) > 0)) + 1
            issues.append(Issue(f"alive[{at}]", "survivor counts must not increase", counts[at]))
        if issues:
            raise ValidationError("cannot fit the sBG model", issues)
        n = counts.size - 1
        lost = -np.diff(counts)  # churned at the end of period 1..n
        periods = np.concatenate([np.arange(1, n + 1), [n]]).astype(float)
        churned = np.concatenate([np.ones(n, dtype=bool), [False]])
        weights = np.concatenate([lost, [counts[-1]]])
        return self._fit_weighted(periods, churned, weights)

    def fit(self, periods: ArrayLike, churned: ArrayLike) -> ShiftedBetaGeometricModel:
        """Fit on one row per customer.

        Parameters
        ----------
        periods
            For a churned customer, the period in which it churned (1 = did not renew after its
            first period); for an active customer, the number of periods it has completed.
        churned
            True where the customer has churned; False where it is still active (censored).
        """
        t = np.asarray(periods, dtype=float)
        c = np.asarray(churned, dtype=bool)
        issues = []
        if t.shape != c.shape or t.ndim != 1 or t.size == 0:
            issues.append(Issue("periods/churned", "need two 1-D arrays of the same length"))
        else:
            bad = np.flatnonzero(~np.isfinite(t) | (t != np.round(t)) | (t < np.where(c, 1, 0)))
            issues += [
                Issue(f"periods[{i}]", "must be a whole number >= 1 (>= 0 if active)", t[i])
                for i in bad[:20]
            ]
        if issues:
            raise ValidationError("cannot fit the sBG model", issues)
        return self._fit_weighted(t, c, np.ones_like(t))

    def _fit_weighted(
        self, periods: FloatArray, churned: npt.NDArray[np.bool_], weights: FloatArray
    ) -> ShiftedBetaGeometricModel:
        keep = weights > 0

        def log_likelihood(params: FloatArray) -> float:
            return float(
                np.sum(
                    weights[keep] * _log_prob(params[0], params[1], periods[keep], churned[keep])
                )
            )

        self._maximise(log_likelihood, round(float(weights.sum())))
        return self

    # -- predictions ---------------------------------------------------------------------------
    def churn_probability(self, t: ArrayLike | float) -> FloatArray:
        """P(T = t): probability that a new customer churns at the end of period ``t`` (>= 1)."""
        a, b = self.params["alpha"], self.params["beta"]
        tt = np.asarray(t, dtype=float)
        return np.asarray(np.exp(betaln(a + 1, b + tt - 1) - betaln(a, b)), dtype=float)

    def survival(self, t: ArrayLike | float) -> FloatArray:
        """S(t): share of a new cohort still active after ``t`` periods (S(0) = 1)."""
        a, b = self.params["alpha"], self.params["beta"]
        tt = np.asarray(t, dtype=float)
        return np.asarray(np.exp(betaln(a, b + tt) - betaln(a, b)), dtype=float)

    def retention_rate(self, t: ArrayLike | float) -> FloatArray:
        """r(t) = S(t) / S(t-1): share of those active after period t-1 who renew at t (t >= 1)."""
        a, b = self.params["alpha"], self.params["beta"]
        tt = np.asarray(t, dtype=float)
        return np.asarray((b + tt - 1) / (a + b + tt - 1), dtype=float)

    def expected_survivors(self, cohort_size: float, periods: int) -> FloatArray:
        """Expected active customers at periods 0..``periods`` for a new cohort."""
        return cohort_size * self.survival(np.arange(periods + 1))

    def derl(self, discount_rate: float, renewals: ArrayLike | float = 0) -> FloatArray:
        """Discounted expected residual lifetime (Fader & Hardie 2010, eq. 6).

        For a customer who has made ``renewals`` renewals (n - 1 in the paper), standing just
        before its next renewal decision, the expected number of future payments, each one period
        apart and discounted at ``discount_rate`` per period; the payment at the coming renewal is
        not discounted::

            DERL = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))

        A customer's CLV is the margin per period times DERL (:meth:`clv`).

        At ``discount_rate`` 0 DERL is the undiscounted expected residual lifetime; by Gauss's
        theorem ``2F1(1, beta + n; alpha + beta + n; 1) = (alpha + beta + n - 1) / (alpha - 1)``,
        so ``DERL = (beta + n - 1) / (alpha - 1)``, finite only when ``alpha > 1`` (otherwise the
        expected lifetime is infinite and a :class:`ValueError` says so). A negative rate is
        refused.
        """
        if discount_rate < 0 or not np.isfinite(discount_rate):
            raise ValueError(f"discount_rate must be >= 0, got {discount_rate}")
        a, b = self.params["alpha"], self.params["beta"]
        n = np.asarray(renewals, dtype=float) + 1
        if discount_rate == 0:
            _check_finite_lifetime(a)
            return np.asarray((b + n - 1) / (a - 1), dtype=float)
        x = 1.0 / (1.0 + discount_rate)
        return np.asarray(
            (b + n - 1) / (a + b + n - 1) * hyp2f1(1, b + n, a + b + n, x), dtype=float
        )

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL: expected discounted payments of a customer about to start (first payment now).

        ``DEL = 2F1(1, beta; alpha + beta; 1 / (1 + d))`` (Fader & Hardie 2010, eq. 3); at
        ``discount_rate`` 0 the expected lifetime ``(alpha + beta - 1) / (alpha - 1)``, finite
        only when ``alpha > 1``.
        """
        if discount_rate < 0 or not np.isfinite(discount_rate):
            raise ValueError(f"discount_rate must be >= 0, got {discount_rate}")
        a, b = self.params["alpha"], self.params["beta"]
        if discount_rate == 0:
            _check_finite_lifetime(a)
            return float((a + b - 1) / (a - 1))
        return float(hyp2f1(1, b, a + b, 1.0 / (1.0 + discount_rate)))

    def clv(
        self, margin: float, discount_rate: float, renewals: ArrayLike | float = 0
    ) -> FloatArray:
        """Residual lifetime value of an existing customer: ``margin * DERL`` (margin per period)."""
        return margin * self.derl(discount_rate, renewals)


def _check_finite_lifetime(alpha: float) -> None:
    """Refuse an undiscounted lifetime that is infinite: the sBG mean lifetime needs alpha > 1."""
    if not alpha > 1:
        raise ValueError(
            f"without discounting the expected lifetime is infinite (alpha {alpha:.3f} <= 1: "
            "too many customers with a churn probability near zero); use a discount rate > 0"
        )


def _log_prob(
    alpha: float, beta: float, periods: FloatArray, churned: npt.NDArray[np.bool_]
) -> FloatArray:
    """Per-row log-likelihood: ln P(T = t) if churned at t, ln S(t) if still active after t."""
    base = betaln(alpha, beta)
    log_p_churn = betaln(alpha + 1, beta + periods - 1) - base
    log_survive = betaln(alpha, beta + periods) - base
    return np.asarray(np.where(churned, log_p_churn, log_survive), dtype=float)
