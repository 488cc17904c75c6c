"""Support analytics on the demo store, checked against the simulator's truth.

Run ``portalroi demo`` first, then::

    python bench/bench_support_analytics.py --db portalroi.duckdb --truth demo/truth/tickets.parquet

Prints topic agreement (ARI), FCR agreement, predicted-CSAT error against the mean baseline,
the deflection simulation next to the truth, and fit times (median of ``--repeats`` runs) with
the full-data topic fit as the baseline the sampled fit is compared with.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from portalroi.analytics import (
    detect_fcr,
    evaluate_csat,
    fcr_agreement,
    simulate_deflection,
    topic_report,
)
from portalroi.analytics._frames import load_articles, load_searches, load_tickets
from portalroi.analytics.simcheck import align_truth, deflection_vs_truth, topic_ari
from portalroi.store import Store


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="portalroi.duckdb")
    parser.add_argument("--truth", default="demo/truth/tickets.parquet")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    truth = pd.read_parquet(args.truth)
    with Store(args.db, read_only=True) as store:
        tickets, articles = load_tickets(store), load_articles(store)
        searches = load_searches(store)
        row = store.con.execute("SELECT min(portal_live_at) FROM accounts").fetchone()
    first_live = pd.Timestamp(row[0]) if row else tickets["created_at"].max()
    print(f"tickets {len(tickets):,}; first go-live {first_live}")

    for k in (None, 24):
        report, secs = _timed(
            lambda k=k: topic_report(tickets, articles, searches, k=k), args.repeats
        )
        print(
            f"topics k={k or 'default'}: {len(report.groups)} groups, ARI "
            f"{topic_ari(report.tickets, truth):.3f}, fit {secs:.1f} s (sampled 5,000)"
        )
    full, secs_full = _timed(
        lambda: topic_report(tickets, articles, searches, k=24, max_fit=len(tickets)), args.repeats
    )
    print(
        f"topics k=24 fitted on all tickets (baseline): ARI {topic_ari(full.tickets, truth):.3f}, "
        f"fit {secs_full:.1f} s"
    )

    detected = detect_fcr(tickets)
    a = fcr_agreement(detected["fcr"], align_truth(detected["ticket_id"], truth)["true_fcr"])
    print(
        f"FCR: detected {a.detected_rate:.3f} vs true {a.reference_rate:.3f}; precision "
        f"{a.precision:.3f}, recall {a.recall:.3f}, agreement {a.agreement:.3f}, kappa {a.kappa:.3f}"
    )

    e, secs = _timed(lambda: evaluate_csat(tickets), args.repeats)
    print(
        f"CSAT (train {e.n_train:,}, held out {e.n_test:,}, fit {secs:.1f} s): MAE {e.mae:.3f} "
        f"vs {e.baseline_mae:.3f}; RMSE {e.rmse:.3f} vs {e.baseline_rmse:.3f}; per-account MAE "
        f"{e.account_mae:.3f} vs {e.account_baseline_mae:.3f} ({e.n_accounts} accounts)"
    )

    history = tickets[tickets["created_at"] < first_live]
    report = topic_report(history, articles, searches)
    print(
        f"deflection from {len(history):,} pre-portal tickets, ARI "
        f"{topic_ari(report.tickets, truth):.3f}:"
    )
    for top in (5, 10, len(report.groups)):
        sim = simulate_deflection(report.tickets, report.groups, top=top)
        c = deflection_vs_truth(sim, report.tickets, truth)
        print(
            f"  top {top}: predicted {c.predicted_per_month:.1f}/month ({c.predicted_share:.1%}), "
            f"truth-implied {c.truth_per_month:.1f}/month ({c.truth_share:.1%}); realised "
            f"share in the simulator {c.truth_realised_share:.1%}; saving {sim.yearly_saving:,.0f}/yr"
        )


if __name__ == "__main__":
    main()
