"""Uncertainty: scenarios, Monte Carlo, tornado and switching values.

Monte Carlo draws every uncertain figure independently from a **PERT** distribution over its
low / likely / high (a beta distribution with shape ``1 + 4 (likely - low) / (high - low)`` and
``1 + 4 (high - likely) / (high - low)``). PERT is the usual choice for three-point expert
estimates: it honours the bounds like a triangular distribution but puts more weight on the
likely value and less on the extremes, which a triangular one overweights. Draws are vectorised
(all lines for a batch of draws at once), so 100,000 draws take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from portalroi.businesscase.engine import BusinessCaseResult, evaluate
from portalroi.businesscase.finance import npv
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.businesscase.model import Values, line_flows, parameters
from portalroi.businesscase.ranges import Range, Share

__all__ = [
    "MonteCarloResult",
    "SwitchingValue",
    "TornadoBar",
    "pert_draws",
    "scenarios",
    "simulate_uncertainty",
    "switching_values",
    "tornado",
]

Array = NDArray[np.float64]
_BATCH = 10_000


def pert_draws(r: Range, n: int, rng: np.random.Generator) -> Array:
    """``n`` PERT draws over ``r``; a range with low == high gives that value.

    Examples
    --------
    >>> from portalroi.businesscase.ranges import Amount
    >>> x = pert_draws(Amount(low=0, likely=1, high=4), 50_000, np.random.default_rng(0))
    >>> round(float(x.mean()), 1)  # PERT mean (low + 4 likely + high) / 6 = 1.33
    1.3
    """
    if r.high == r.low:
        return np.full(n, r.likely)
    span = r.high - r.low
    a = 1.0 + 4.0 * (r.likely - r.low) / span
    b = 1.0 + 4.0 * (r.high - r.likely) / span
    return np.asarray(r.low + span * rng.beta(a, b, size=n), dtype=np.float64)


def _npv_roi(inputs: BusinessCaseInputs, values: Values) -> tuple[Array, Array]:
    flows = line_flows(inputs, values)
    benefits, costs = flows.total_benefits(), flows.total_costs()
    n = max(benefits.shape[0], costs.shape[0])
    benefits = np.broadcast_to(benefits, (n, inputs.months + 1))
    costs = np.broadcast_to(costs, (n, inputs.months + 1))
    value = np.asarray(npv(inputs.discount_rate, benefits - costs), dtype=np.float64).reshape(-1)
    total_c = costs.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(total_c > 0, (benefits.sum(axis=1) - total_c) / total_c, np.nan)
    return value, roi


def scenarios(inputs: BusinessCaseInputs) -> dict[str, BusinessCaseResult]:
    """Conservative (low benefits, high costs), expected and optimistic results.

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> s = scenarios(example_inputs())
    >>> s["conservative"].npv < s["expected"].npv < s["optimistic"].npv
    True
    """
    return {
        "conservative": evaluate(inputs, "low"),
        "expected": evaluate(inputs, "likely"),
        "optimistic": evaluate(inputs, "high"),
    }


@dataclass(frozen=True)
class MonteCarloResult:
    """Percentiles of ROI and NPV over the draws, P(ROI > 0), and the draws themselves.

    ROI is undefined in a draw whose total cost is zero (``roi`` holds NaN there): the ROI
    percentiles and ``prob_roi_positive`` are taken over the ``roi_draws`` draws where it is
    defined, and are ``None`` when there is none (a case without costs); NPV is always defined.
    """

    draws: int
    seed: int
    distribution: str
    roi_p10: float | None
    roi_p50: float | None
    roi_p90: float | None
    npv_p10: float
    npv_p50: float
    npv_p90: float
    prob_roi_positive: float | None
    roi_draws: int
    roi: Array = field(repr=False)
    npv: Array = field(repr=False)

    def summary(self) -> dict[str, float | int | str | None]:
        """The figures without the draws (JSON-ready)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("roi", "npv")}


def simulate_uncertainty(
    inputs: BusinessCaseInputs, draws: int = 10_000, seed: int = 0
) -> MonteCarloResult:
    """Monte Carlo over every figure's range (PERT), reproducible with ``seed``.

    ROI figures cover the draws with costs (``None`` when no draw has any): see
    :class:`MonteCarloResult`.

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> mc = simulate_uncertainty(example_inputs(), draws=2_000, seed=1)
    >>> mc.roi_p10 <= mc.roi_p50 <= mc.roi_p90, mc.roi_draws
    (True, 2000)
    """
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    params = parameters(inputs)
    rng = np.random.default_rng(seed)
    npvs, rois = [], []
    for start in range(0, draws, _BATCH):
        n = min(_BATCH, draws - start)
        values = {key: pert_draws(r, n, rng) for key, r in params.items()}
        v, r = _npv_roi(inputs, values)
        npvs.append(np.broadcast_to(v, (n,)))
        rois.append(np.broadcast_to(r, (n,)))
    npv_all, roi_all = np.concatenate(npvs), np.concatenate(rois)
    defined = roi_all[np.isfinite(roi_all)]  # ROI is undefined (NaN) where costs are zero
    roi_p: list[float | None] = (
        [float(x) for x in np.percentile(defined, [10, 50, 90])] if defined.size else [None] * 3
    )
    npv_p = np.percentile(npv_all, [10, 50, 90])
    return MonteCarloResult(
        draws=draws,
        seed=seed,
        distribution="PERT (beta) per figure, independent",
        roi_p10=roi_p[0],
        roi_p50=roi_p[1],
        roi_p90=roi_p[2],
        npv_p10=float(npv_p[0]),
        npv_p50=float(npv_p[1]),
        npv_p90=float(npv_p[2]),
        prob_roi_positive=float(np.mean(defined > 0)) if defined.size else None,
        roi_draws=int(defined.size),
        roi=roi_all,
        npv=npv_all,
    )


@dataclass(frozen=True)
class TornadoBar:
    """NPV with one figure at its low and at its high value, all others likely."""

    key: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float

    @property
    def swing(self) -> float:
        """Width of the bar: |NPV at high - NPV at low|."""
        return abs(self.npv_at_high - self.npv_at_low)


def _npv_with(value: float, inputs: BusinessCaseInputs, key: str) -> float:
    v, _ = _npv_roi(inputs, {key: np.float64(value)})
    return float(v[0])


def tornado(inputs: BusinessCaseInputs) -> list[TornadoBar]:
    """Tornado bars, widest first, for every figure with a range (low < high).

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> bars = tornado(example_inputs())
    >>> bars[0].swing >= bars[-1].swing
    True
    """
    bars = [
        TornadoBar(
            key=key,
            low=r.low,
            high=r.high,
            npv_at_low=_npv_with(r.low, inputs, key),
            npv_at_high=_npv_with(r.high, inputs, key),
        )
        for key, r in parameters(inputs).items()
        if r.high > r.low
    ]
    return sorted(bars, key=lambda b: b.swing, reverse=True)


@dataclass(frozen=True)
class SwitchingValue:
    """The value of one figure at which NPV reaches zero, others at likely (None: never)."""

    key: str
    likely: float
    value: float | None
    change: float | None


def switching_values(inputs: BusinessCaseInputs) -> list[SwitchingValue]:
    """How far each figure can move from its likely value before NPV turns negative.

    Found by root finding (Brent) on NPV as a function of that one figure, moving in the
    direction that lowers NPV; a figure that cannot bring NPV to zero within its allowed
    values (e.g. a share within [0, 1]) has ``value=None``. ``change`` is relative to likely.

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> sv = {s.key: s for s in switching_values(example_inputs())}
    >>> sv["costs.licence.amount"].value > 350
    True
    """
    out = []
    for key, r in parameters(inputs).items():
        x0 = r.likely
        f0 = _npv_with(x0, inputs, key)
        step = max(abs(x0), 1.0)
        slope = _npv_with(x0 + 1e-3 * step, inputs, key) - f0
        if slope == 0.0 or f0 == 0.0:
            out.append(
                SwitchingValue(key, x0, x0 if f0 == 0.0 else None, 0.0 if f0 == 0.0 else None)
            )
            continue
        # Move the way that brings NPV towards zero.
        direction = -1.0 if (slope > 0) == (f0 > 0) else 1.0
        limit = 0.0 if direction < 0 else (1.0 if isinstance(r, Share) else np.inf)
        found = None
        a, b = x0, x0
        while found is None:
            b = a + direction * step
            b = max(b, limit) if direction < 0 else min(b, limit)
            fb = _npv_with(b, inputs, key)
            if np.sign(fb) != np.sign(f0) or fb == 0.0:
                found = brentq(_npv_with, min(a, b), max(a, b), args=(inputs, key), xtol=1e-9)
            elif b == limit or step > 1e15:
                break
            a, step = b, step * 2.0
        value = None if found is None else float(found)
        change = None if value is None or x0 == 0 else (value - x0) / x0
        out.append(SwitchingValue(key, x0, value, change))
    return out
