"""Monte-Carlo coverage of the order-value effect's 95 % interval on simulated roll-outs.

Not a test (it takes a few minutes and its result is a measurement, reported in
docs/impact-methods.md, Verification): each run simulates a company with the recovery test's
generator (``SimConfig.preset("tiny", n_accounts=200)``, healthier accounts live first),
estimates the order-value effect as ``portalroi impact`` does, and compares it with the
realised truth: every live order's expected uplift share of its amount,
``1 - 1 / ((1 + volume uplift) * (1 + value uplift))``, summed per account-month and weighted as
the estimator weights its cells (``order_value_truth`` of tests/impact/test_recovery_sim.py).
It reports the coverage of the interval ``portalroi impact`` reports (jackknife standard error)
and of the analytic one it replaced (``details["analytic_se"]``), from the same estimates.

Usage (from the project root)::

    .venv/bin/python scripts/order_value_coverage.py --runs 200 --first-seed 10100
    .venv/bin/python scripts/order_value_coverage.py --runs 200 --first-seed 11100 --no-effect
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "impact"))

from test_recovery_sim import N_ACCOUNTS, order_value_truth

from portalroi.impact.analysis import estimate_from_data
from portalroi.impact.outcomes import build_impact_data
from portalroi.sim import SimConfig, TrueEffects, simulate


def one_run(seed: int, effects: TrueEffects) -> dict[str, float]:
    """Estimate, interval and realised truth of the order-value effect for one simulated company."""
    cfg = SimConfig.preset("tiny", seed=seed, events=False, n_accounts=N_ACCOUNTS, effects=effects)
    sim = simulate(cfg)
    data = build_impact_data(sim.tables)
    est = estimate_from_data(data, outcomes=("order_value",)).effects["order_value"]
    truth = order_value_truth(sim, data)
    z = (est.ci_high - est.estimate) / est.se
    analytic = est.details["analytic_se"]
    return {
        "truth": truth,
        "estimate": est.estimate,
        "se": est.se,
        "analytic_se": analytic,
        "covered": float(est.covers(truth)),
        "analytic_covered": float(abs(est.estimate - truth) <= z * analytic),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--first-seed", type=int, default=10100)
    ap.add_argument("--no-effect", action="store_true", help="simulate a portal that does nothing")
    a = ap.parse_args()
    effects = TrueEffects.none() if a.no_effect else TrueEffects()
    with threadpool_limits(1):
        rows = [one_run(a.first_seed + i, effects) for i in range(a.runs)]
    df = pd.DataFrame(rows)
    err = df["estimate"] - df["truth"]
    print(
        f"runs {len(df)}  coverage {df['covered'].mean():.3f} (jackknife, reported)  "
        f"{df['analytic_covered'].mean():.3f} (analytic)  "
        f"mean error {err.mean():.1f} +- {err.std() / np.sqrt(len(df)):.1f}  "
        f"spread of estimates {err.std():.1f}  mean SE {df['se'].mean():.1f} (jackknife)  "
        f"{df['analytic_se'].mean():.1f} (analytic)  mean truth {df['truth'].mean():.1f}"
    )


if __name__ == "__main__":
    main()
