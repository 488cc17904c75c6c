"""Simulated data sets shared by the simulator tests (each built once per session)."""

from __future__ import annotations

import pytest

from portalroi.sim import SimConfig, SimResult, simulate


@pytest.fixture(scope="session")
def tiny() -> SimResult:
    """The tiny preset with events."""
    return simulate(SimConfig.preset("tiny", seed=11))


@pytest.fixture(scope="session")
def small() -> SimResult:
    """A few hundred accounts without events: enough accounts for directional checks."""
    return simulate(SimConfig.preset("tiny", seed=12, n_accounts=300, events=False))
