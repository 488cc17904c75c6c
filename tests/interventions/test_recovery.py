"""On simulated data with a known training effect, the estimate recovers it.

The simulator's team trains accounts whose use dipped, mostly right after the summer lull, so a
naive before/after comparison mixes the seasonal rebound into the effect; matched controls of
the same period remove it. Truth is the realised effect on the very episodes the estimate used.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _sim import sim_store, training_effect

from portalroi.interventions import MIN_MATCHED, SMALL_GROUP, intervention_effects

SEEDS = (1, 2, 3)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_interval_contains_known_effect(tmp_path: Path, seed: int) -> None:
    est, truth = training_effect(tmp_path / "s.duckdb", seed, 0.3)
    e = est.estimate
    assert e is not None
    assert e.ci_low is not None
    assert e.ci_high is not None
    assert truth > 1.0  # a real effect: more than one extra weekly active user per account
    assert e.ci_low <= truth <= e.ci_high
    assert e.ci_low > 0  # and the interval tells it apart from no effect
    assert e.relative_effect == pytest.approx(0.3, abs=0.15)
    assert est.matched >= SMALL_GROUP


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_zero_effect_interval_contains_zero_naive_is_biased(tmp_path: Path, seed: int) -> None:
    est, truth = training_effect(tmp_path / "s.duckdb", seed, 0.0)
    e = est.estimate
    assert truth == 0.0
    assert e is not None
    assert e.ci_low is not None
    assert e.ci_high is not None
    assert e.ci_low <= 0.0 <= e.ci_high
    # naive before/after: the after-summer rebound looks like an effect, its interval misses 0
    assert e.naive_ci_low is not None
    assert e.naive_ci_low > 0
    assert e.naive_change - e.effect > 0.3


def test_small_groups_warn_with_numbers_and_too_few_give_no_estimate(tmp_path: Path) -> None:
    store, _ = sim_store(tmp_path / "s.duckdb", size="tiny", seed=4)
    with store:
        est = intervention_effects(store, kind="training", n_boot=200).effects[0]
        assert est.estimate is not None
        assert est.matched < SMALL_GROUP
        small = [w for w in est.warnings if w.startswith("small groups")]
        assert small
        assert f"{est.matched} treated episodes" in small[0]
        assert f"{est.control_accounts} control accounts" in small[0]
        # keep only three trainings: too few to estimate anything
        store.con.execute(
            "DELETE FROM interventions WHERE kind = 'training' AND intervention_id NOT IN "
            "(SELECT intervention_id FROM interventions WHERE kind = 'training' "
            "ORDER BY occurred_at LIMIT 3)"
        )
        few = intervention_effects(store, kind="training", n_boot=200).effects[0]
        assert few.estimate is None
        assert few.matched < MIN_MATCHED
        assert any("no estimate" in w for w in few.warnings)
        none = intervention_effects(store, kind="discount").effects[0]
        assert none.estimate is None
        assert none.interventions == 0
        assert none.warnings == ("no discount interventions recorded: no estimate",)
