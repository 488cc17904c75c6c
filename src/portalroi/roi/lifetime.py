"""Customer lifetime value of a retained account, from the store's own tenure and churn.

The shifted-beta-geometric model (:class:`~portalroi.models.ShiftedBetaGeometricModel`, Fader
& Hardie 2007) is fitted by maximum likelihood on one row per account: months from creation to
churn (churned) or to the end of the data (still active, right-censored). A retained account's
CLV is ``margin per month × DERL`` (Fader & Hardie 2010), the discounted expected residual
lifetime in months of an account with the median tenure of the active accounts, at the
business case's annual discount rate converted to a monthly one, ``(1 + r) ** (1 / 12) - 1``.

A 0 % rate (a plan may use one, as the business case allows) values the undiscounted expected
residual lifetime, ``(beta + n - 1) / (alpha - 1)``; where the fit has ``alpha <= 1`` that
lifetime is infinite and :func:`retained_account_clv` raises :class:`~portalroi.errors.DataError`
(the ROI report then lists the churn line as not valued, with the reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from portalroi.businesscase.finance import monthly_rate
from portalroi.errors import DataError
from portalroi.models import ShiftedBetaGeometricModel

__all__ = ["ClvEstimate", "retained_account_clv"]


@dataclass(frozen=True)
class ClvEstimate:
    """CLV of a retained account and how it was obtained."""

    clv: float
    margin_per_month: float
    derl_months: float
    renewals: float
    alpha: float
    beta: float
    annual_discount_rate: float
    monthly_discount_rate: float
    accounts: int
    churned: int

    @property
    def mean_churn(self) -> float:
        """Mean monthly churn probability of a new account, ``alpha / (alpha + beta)``."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def churn_spread(self) -> float:
        """Standard deviation of the monthly churn probability between accounts (of the fitted
        Beta distribution): ``sqrt(mean (1 - mean) / (alpha + beta + 1))``."""
        p = self.mean_churn
        return float(np.sqrt(p * (1 - p) / (self.alpha + self.beta + 1)))

    @property
    def constant_churn(self) -> bool:
        """Whether the fit found (almost) no difference between accounts' churn probabilities:
        their spread is under 5 % of the mean. The maximum-likelihood ``alpha`` and ``beta``
        then grow without bound at a fixed ratio (the optimiser stops somewhere large), and the
        model is the constant-churn (geometric) one; only ``mean_churn`` is meaningful."""
        return self.churn_spread < 0.05 * self.mean_churn

    @property
    def source(self) -> str:
        """One line: the formula with its numbers."""
        if self.constant_churn:
            fit = (
                f"sBG fit on {self.accounts} accounts, {self.churned} churned: no difference "
                f"in churn between accounts detected, a constant {self.mean_churn:.2%}/month"
            )
        else:
            fit = (
                f"sBG alpha {self.alpha:.3f}, beta {self.beta:.3f} fitted on {self.accounts} "
                f"accounts, {self.churned} churned: churn {self.mean_churn:.2%}/month on "
                f"average, {self.churn_spread:.2%} between accounts"
            )
        return (
            f"CLV = margin {self.margin_per_month:.2f}/month × DERL {self.derl_months:.2f} "
            f"months ({fit}; tenure {self.renewals:.0f} months; discount "
            f"{self.annual_discount_rate:.1%}/year)"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            **asdict(self),
            "mean_churn": self.mean_churn,
            "churn_spread": self.churn_spread,
            "constant_churn": self.constant_churn,
            "source": self.source,
        }


def retained_account_clv(
    tenure_months: Sequence[float],
    churned: Sequence[bool],
    margin_per_month: float,
    annual_discount_rate: float,
) -> ClvEstimate:
    """Fit the sBG model on account tenure and value a retained account.

    ``annual_discount_rate`` may be 0 (undiscounted lifetime); a :class:`DataError` says when
    the data cannot give a CLV (no churn, all churned, infinite undiscounted lifetime).

    Examples
    --------
    >>> clv = retained_account_clv([1, 2, 3, 5, 8, 12, 12, 12], [1, 1, 1, 1, 1, 0, 0, 0],
    ...                            100.0, 0.04)
    >>> clv.clv > 100.0 and clv.renewals == 12.0
    True
    """
    tenure = np.asarray(tenure_months, dtype=float)
    gone = np.asarray(churned, dtype=bool)
    if not gone.any():
        raise DataError("no churned accounts in the store: the sBG model cannot be fitted")
    if gone.all():
        raise DataError("every account has churned: the sBG model cannot be fitted")
    model = ShiftedBetaGeometricModel().fit(tenure, gone)
    renewals = float(np.median(tenure[~gone]))
    rate = monthly_rate(annual_discount_rate)
    estimate = ClvEstimate(
        clv=float("nan"),
        margin_per_month=margin_per_month,
        derl_months=float("nan"),
        renewals=renewals,
        alpha=model.params["alpha"],
        beta=model.params["beta"],
        annual_discount_rate=annual_discount_rate,
        monthly_discount_rate=rate,
        accounts=int(tenure.size),
        churned=int(gone.sum()),
    )
    if estimate.constant_churn:
        # The geometric limit: alpha and beta ran off to arbitrary huge values, where the
        # hypergeometric function of the sBG DERL can come out NaN (alpha 7e14, beta 3e17).
        # A constant churn p has DERL = sum_k (1 - p)^(k + 1) / (1 + d)^k = (1 - p)(1 + d) /
        # (p + d), undiscounted (1 - p) / p.
        p = estimate.mean_churn
        derl = (1 - p) * (1 + rate) / (p + rate)
    else:
        try:
            derl = float(model.derl(rate, renewals))
        except ValueError as exc:  # a 0 % rate with alpha <= 1: the lifetime has no finite mean
            raise DataError(f"CLV at a {annual_discount_rate:.1%} discount rate: {exc}") from None
    if not np.isfinite(derl):
        raise DataError(
            f"CLV: the sBG fit (alpha {estimate.alpha:.4g}, beta {estimate.beta:.4g}) gives no "
            "finite expected residual lifetime"
        )
    return replace(estimate, clv=margin_per_month * derl, derl_months=derl)
