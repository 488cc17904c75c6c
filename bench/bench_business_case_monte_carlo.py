"""Monte Carlo speed: vectorised draws vs one engine run per draw (the baseline), medians."""

from __future__ import annotations

import statistics
import time

import numpy as np

from portalroi.businesscase import example_inputs, simulate_uncertainty
from portalroi.businesscase.model import parameters
from portalroi.businesscase.uncertainty import _npv_roi, pert_draws


def _median_seconds(fn: object, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    inputs = example_inputs()
    params = parameters(inputs)
    n_loop = 500

    def per_draw_loop() -> None:
        rng = np.random.default_rng(0)
        for _ in range(n_loop):
            values = {k: pert_draws(r, 1, rng) for k, r in params.items()}
            _npv_roi(inputs, values)

    loop = _median_seconds(per_draw_loop) / n_loop
    for draws in (10_000, 100_000):
        vec = _median_seconds(lambda d=draws: simulate_uncertainty(inputs, draws=d, seed=0))
        print(
            f"{draws:>7} draws: vectorised {vec:.3f} s median; per-draw loop would take "
            f"{loop * draws:.1f} s ({loop * 1e3:.3f} ms/draw); speed-up {loop * draws / vec:.0f}x"
        )


if __name__ == "__main__":
    main()
