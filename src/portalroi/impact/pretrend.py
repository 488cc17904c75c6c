"""Pre-trend check: a joint Wald test that all pre-adoption event-study effects are zero."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = ["PretrendTest", "wald_pretrend"]


@dataclass(frozen=True)
class PretrendTest:
    """Result of the joint pre-trend test.

    ``pvalue`` is the chance of pre-period effects at least this far from zero if outcomes of
    adopters and comparison units moved in parallel before go-live. A small p-value (< 0.05)
    is evidence against parallel trends; a large one is no proof of them.
    """

    statistic: float
    df: int
    pvalue: float
    event_times: tuple[int, ...]


def wald_pretrend(
    coefficients: npt.NDArray[np.float64],
    covariance: npt.NDArray[np.float64],
    event_times: tuple[int, ...] = (),
) -> PretrendTest | None:
    """Joint Wald test of ``coefficients == 0`` with covariance ``covariance``.

    Uses the Moore-Penrose inverse so that exactly collinear pre-period estimates (which
    happen with few cohorts) lose degrees of freedom instead of failing. Returns ``None`` when
    there is no pre-period coefficient to test.

    Examples
    --------
    >>> t = wald_pretrend(np.array([1.0, 2.0]), np.eye(2))
    >>> round(t.statistic, 6), t.df, round(t.pvalue, 4)
    (5.0, 2, 0.0821)
    """
    b = np.asarray(coefficients, dtype=np.float64)
    if b.size == 0:
        return None
    v = np.atleast_2d(np.asarray(covariance, dtype=np.float64))
    rank = int(np.linalg.matrix_rank(v))
    if rank == 0:
        return None
    stat = float(b @ np.linalg.pinv(v) @ b)
    return PretrendTest(stat, rank, float(stats.chi2.sf(stat, rank)), tuple(event_times))
