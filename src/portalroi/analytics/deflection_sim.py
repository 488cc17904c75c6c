"""Deflection simulation: what answering the top repeat questions would save, before doing it.

From historical tickets already grouped into repeat questions (see
:func:`portalroi.analytics.topics_store.topic_report`) it estimates, for the ``top`` groups by
volume (or cost), how many tickets a month would not reach the helpdesk if each group had a
self-service answer, and prices them with the business-case cost model
(:mod:`portalroi.businesscase`): yearly saving = tickets per month × deflection share × cost per
ticket × 12.

Assumptions (all documented, all overridable):

* **Volume**: each group's tickets per month over the last ``window_months`` months of history
  (the ticket rate continues unchanged).
* **Deflectable share** of a group's tickets: by default the published benchmark the business
  case uses, ``DEFAULTS["deflection.deflection_share"]`` (25 %: "a well-designed portal achieves a
  25% deflection rate", customer-portal metrics guide, seed 004 [6]); a caller with its own
  evidence (for example the self-service rate observed on topics that already have articles)
  passes one share or a share per group.
* **Cost per ticket**: each group's average ``tickets.cost`` in the window where costs are
  recorded; otherwise the business-case default, ``DEFAULTS["deflection.cost_per_ticket"]``
  ($10, seed 004 worked example).
* Full adoption: every customer can use the answer (the business case's adoption ramp scales
  this down year by year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from portalroi.analytics.topics_store import DAYS_PER_MONTH
from portalroi.businesscase.defaults import DEFAULTS
from portalroi.errors import ConfigError, DataError

__all__ = [
    "DEFAULT_COST_PER_TICKET",
    "DEFAULT_SHARE",
    "DeflectionSimulation",
    "simulate_deflection",
]

#: Benchmark deflection share (likely value) and its source, from the business-case defaults.
DEFAULT_SHARE: tuple[float, str] = (
    DEFAULTS["deflection.deflection_share"][0][1],
    DEFAULTS["deflection.deflection_share"][1],
)
#: Cost per ticket when tickets carry no cost (likely value) and its source.
DEFAULT_COST_PER_TICKET: tuple[float, str] = (
    DEFAULTS["deflection.cost_per_ticket"][0][1],
    DEFAULTS["deflection.cost_per_ticket"][1],
)


@dataclass(frozen=True)
class DeflectionSimulation:
    """Result of :func:`simulate_deflection`.

    Attributes
    ----------
    table
        One row per answered group: ``rank``, ``topic``, ``name``, ``tickets_per_month``,
        ``deflectable_share``, ``deflected_per_month``, ``cost_per_ticket``, ``cost_source``
        (``observed`` or ``default``), ``monthly_saving``, ``yearly_saving``.
    tickets_per_month
        All tickets per month in the window (every group).
    deflected_per_month
        Sum of ``deflected_per_month`` of the answered groups.
    yearly_saving
        Sum of ``yearly_saving``.
    window
        First and last ticket time of the history used.
    share_source
        Where the deflectable share came from.
    """

    table: pd.DataFrame
    tickets_per_month: float
    deflected_per_month: float
    yearly_saving: float
    window: tuple[pd.Timestamp, pd.Timestamp]
    share_source: str

    @property
    def deflected_share(self) -> float:
        """Deflected tickets as a share of all tickets."""
        return self.deflected_per_month / self.tickets_per_month if self.tickets_per_month else 0.0

    def business_case_line(self) -> dict[str, object]:
        """The result as the business case's ``benefits.deflection`` line (same yearly value).

        ``cost_per_ticket`` is the saving-weighted average over the answered groups.
        """
        cost = (
            self.yearly_saving / (12 * self.deflected_per_month)
            if self.deflected_per_month
            else 0.0
        )
        return {
            "tickets_per_month": self.tickets_per_month,
            "deflection_share": self.deflected_share,
            "cost_per_ticket": cost,
            "source": f"deflection simulation over {len(self.table)} ticket groups; "
            f"share: {self.share_source}",
        }


def simulate_deflection(
    tickets: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    top: int = 5,
    share: float | Mapping[int, float] | None = None,
    rank_by: Literal["n", "cost"] = "n",
    window_months: float = 12.0,
    cost_per_ticket: float | None = None,
) -> DeflectionSimulation:
    """Tickets deflected per month, and the saving, if the ``top`` groups were answered.

    Parameters
    ----------
    tickets
        Tickets with ``topic`` (group id, ``-1`` = none), ``created_at`` and optionally ``cost``.
    groups
        ``topic`` and ``name`` of each group.
    top
        How many groups get an answer (ranked by volume or cost in the window).
    share
        Deflectable share of each answered group's tickets: one number, a ``{topic: share}``
        mapping (groups not in it use the default), or ``None`` for the benchmark default.
    window_months
        History used: the months before the latest ticket.
    cost_per_ticket
        Price of one ticket; ``None``: each group's average ``cost`` (business-case default
        where none is recorded).

    Examples
    --------
    >>> t = pd.DataFrame({"topic": [0] * 8 + [1] * 4,
    ...                   "created_at": pd.date_range("2024-01-01", periods=12, freq="7D"),
    ...                   "cost": [5.0] * 8 + [20.0] * 4})
    >>> g = pd.DataFrame({"topic": [0, 1], "name": ["password", "invoice"]})
    >>> sim = simulate_deflection(t, g, top=1, share=0.5, window_months=1)
    >>> sim.table[["name", "tickets_per_month", "deflected_per_month", "yearly_saving"]].values.tolist()
    [['invoice', 4.0, 2.0, 480.0]]
    """
    for col in ("topic", "created_at"):
        if col not in tickets.columns:
            raise DataError(f"tickets: missing column {col}")
    if top < 1:
        raise ConfigError(f"top must be at least 1, got {top}")
    if window_months <= 0:
        raise ConfigError(f"window_months must be positive, got {window_months}")
    if rank_by not in ("n", "cost"):
        raise ConfigError(f"rank_by must be 'n' or 'cost', got {rank_by!r}")
    shares = share if isinstance(share, Mapping) else {}
    default_share = DEFAULT_SHARE[0] if share is None or isinstance(share, Mapping) else share
    for key, value in [*shares.items(), ("share", default_share)]:
        if not 0 <= value <= 1:
            raise ConfigError(f"deflectable share of {key} must be between 0 and 1, got {value}")
    if cost_per_ticket is not None and cost_per_ticket < 0:
        raise ConfigError(f"cost_per_ticket must be >= 0, got {cost_per_ticket}")

    created = pd.to_datetime(tickets["created_at"])
    if created.notna().sum() == 0:
        raise DataError("tickets: no created_at values, so no history to simulate from")
    end = created.max()
    start = max(created.min(), end - pd.Timedelta(days=window_months * DAYS_PER_MONTH))
    months = max((end - start).total_seconds() / 86_400 / DAYS_PER_MONTH, 1e-9)
    recent = tickets.loc[(created >= start) & (created <= end)]
    costs = (
        pd.to_numeric(recent["cost"], errors="coerce")
        if "cost" in recent.columns
        else pd.Series(np.nan, index=recent.index)
    )
    per = (
        pd.DataFrame({"topic": recent["topic"].to_numpy(), "cost": costs.to_numpy()})
        .groupby("topic")
        .agg(n=("cost", "size"), cost=("cost", "sum"), costed=("cost", "count"))
    )
    per = per[per.index >= 0].join(groups.set_index("topic")[["name"]], how="left")
    per = per.sort_values([rank_by, "n"], ascending=False, kind="stable").head(top)

    rows = []
    for rank, (key, row) in enumerate(per.iterrows(), start=1):
        topic = int(str(key))
        observed = row["costed"] > 0 and cost_per_ticket is None
        price = (
            cost_per_ticket
            if cost_per_ticket is not None
            else row["cost"] / row["costed"]
            if observed
            else DEFAULT_COST_PER_TICKET[0]
        )
        volume = row["n"] / months
        group_share = float(shares.get(topic, default_share))
        deflected = volume * group_share
        rows.append(
            {
                "rank": rank,
                "topic": topic,
                "name": row["name"],
                "tickets_per_month": volume,
                "deflectable_share": group_share,
                "deflected_per_month": deflected,
                "cost_per_ticket": float(price),
                "cost_source": "observed" if observed else "default",
                "monthly_saving": deflected * float(price),
                "yearly_saving": deflected * float(price) * 12.0,
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "rank",
            "topic",
            "name",
            "tickets_per_month",
            "deflectable_share",
            "deflected_per_month",
            "cost_per_ticket",
            "cost_source",
            "monthly_saving",
            "yearly_saving",
        ],
    )
    if share is None or isinstance(share, Mapping):
        source = DEFAULT_SHARE[1] + (" (and per-group shares given)" if shares else "")
    else:
        source = "given by the caller"
    return DeflectionSimulation(
        table=table,
        tickets_per_month=len(recent) / months,
        deflected_per_month=float(table["deflected_per_month"].sum()),
        yearly_saving=float(table["yearly_saving"].sum()),
        window=(start, end),
        share_source=source,
    )
