"""Load a simulated company straight into a store (no ingestion: the tables already fit)."""

from __future__ import annotations

from pathlib import Path

from portalroi.interventions import InterventionEffect, intervention_effects
from portalroi.sim import SimConfig, SimResult, simulate
from portalroi.store import Store

#: Tables the interventions analysis reads (health features, outcomes, interventions).
NEEDED = ("accounts", "users", "events", "tickets", "invoices", "surveys", "interventions")


def sim_store(path: Path, size: str = "default", **overrides: object) -> tuple[Store, SimResult]:
    """A store at ``path`` holding a simulated company (``size`` preset with ``overrides``)."""
    result = simulate(SimConfig.preset(size, **overrides))  # type: ignore[arg-type]
    store = Store(path)
    for name in NEEDED:
        store.con.register("_rows", result.arrow[name])
        store.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _rows")
        store.con.unregister("_rows")
    return store, result


def training_effect(path: Path, seed: int, effect: float) -> tuple[InterventionEffect, float]:
    """The estimated effect of trainings on weekly active users, and the simulator's realised
    effect on the very episodes the estimate used (mean added active users per week)."""
    store, result = sim_store(path, seed=seed, intervention_effect=effect)
    with store:
        est = intervention_effects(store, kind="training").effects[0]
    truth = result.truth_tables["interventions"].to_pandas().set_index("intervention_id")
    weeks = result.truth["interventions"]["weeks"]
    added = truth.loc[est.detail["intervention_id"], "added_active_user_weeks"] / weeks
    return est, float(added.mean())
