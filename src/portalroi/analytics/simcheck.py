"""Check the support analytics against the simulator's truth (``truth/tickets.parquet``).

The simulator (:mod:`portalroi.sim`) records for every would-be ticket its true topic, whether
it was resolved at first contact and whether the portal deflected it. These functions line a
store's tickets up with that truth; the tests, the benchmark script and the documentation's
figures use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from portalroi.analytics.deflection_sim import DeflectionSimulation
from portalroi.analytics.topics_store import DAYS_PER_MONTH
from portalroi.errors import DataError

__all__ = ["DeflectionCheck", "align_truth", "deflection_vs_truth", "topic_ari", "true_rates"]


def align_truth(ticket_ids: pd.Series, truth: pd.DataFrame) -> pd.DataFrame:
    """Truth rows of the given helpdesk tickets, in their order.

    Examples
    --------
    >>> truth = pd.DataFrame({"ticket_id": ["T2", None, "T1"], "topic": ["b", "x", "a"]})
    >>> align_truth(pd.Series(["T1", "T2"]), truth)["topic"].tolist()
    ['a', 'b']
    """
    kept = truth[truth["ticket_id"].notna()].set_index("ticket_id")
    missing = pd.Index(ticket_ids).difference(kept.index)
    if len(missing):
        raise DataError(f"{len(missing)} ticket(s) have no truth row, e.g. {missing[0]}")
    return kept.loc[list(ticket_ids)].reset_index()


def topic_ari(tickets: pd.DataFrame, truth: pd.DataFrame) -> float:
    """Adjusted Rand index between ``tickets.topic`` and the true topics.

    Examples
    --------
    >>> t = pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "topic": [0, 0, 1]})
    >>> truth = pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "topic": ["a", "a", "b"]})
    >>> topic_ari(t, truth)
    1.0
    """
    aligned = align_truth(tickets["ticket_id"], truth)
    return float(adjusted_rand_score(aligned["topic"], tickets["topic"]))


def true_rates(truth: pd.DataFrame) -> pd.Series:
    """True deflection rate per topic: share of live, engaged would-be tickets deflected.

    Examples
    --------
    >>> truth = pd.DataFrame({"topic": ["a", "a", "b", "b"], "live": [True] * 4,
    ...                       "engaged": [True, True, True, False],
    ...                       "deflected": [True, False, False, False]})
    >>> true_rates(truth).to_dict()
    {'a': 0.5, 'b': 0.0}
    """
    exposed = truth[truth["live"] & truth["engaged"]]
    return exposed.groupby("topic")["deflected"].mean().astype(float)


@dataclass(frozen=True)
class DeflectionCheck:
    """A deflection simulation next to the truth for the same tickets and groups."""

    predicted_per_month: float
    truth_per_month: float
    predicted_share: float
    truth_share: float
    truth_realised_share: float


def deflection_vs_truth(
    sim: DeflectionSimulation, tickets: pd.DataFrame, truth: pd.DataFrame
) -> DeflectionCheck:
    """Compare a simulation with what the simulator's true deflection rates imply.

    For the tickets in the simulation's window that belong to the answered groups, the truth
    deflects each with the true rate of its true topic (:func:`true_rates`), so
    ``truth_per_month`` is the sum of those rates divided by the window's months.
    ``truth_realised_share`` is the share of all live, engaged would-be tickets that the
    simulator deflected (its ``deflection_share`` effect, realised).
    """
    start, end = sim.window
    created = pd.to_datetime(tickets["created_at"])
    window = tickets[(created >= start) & (created <= end)]
    months = (end - start).total_seconds() / 86_400 / DAYS_PER_MONTH
    answered = window[window["topic"].isin(sim.table["topic"])]
    rates = true_rates(truth)
    aligned = align_truth(answered["ticket_id"], truth)
    truth_per_month = float(aligned["topic"].map(rates).fillna(0.0).sum() / months)
    exposed = truth[truth["live"] & truth["engaged"]]
    return DeflectionCheck(
        predicted_per_month=sim.deflected_per_month,
        truth_per_month=truth_per_month,
        predicted_share=sim.deflected_share,
        truth_share=truth_per_month / sim.tickets_per_month if sim.tickets_per_month else 0.0,
        truth_realised_share=float(exposed["deflected"].mean()) if len(exposed) else 0.0,
    )
