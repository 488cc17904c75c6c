"""The company simulator: realistic B2B data with a portal whose true effects are known.

Examples
--------
>>> from portalroi.sim import SimConfig, simulate
>>> r = simulate(SimConfig.preset("tiny", seed=1, events=False))
>>> r.truth["roll_out"]["accounts"]
60
"""

from __future__ import annotations

from portalroi.sim.config import SimConfig, TrueEffects
from portalroi.sim.large import generate_large
from portalroi.sim.simulate import SimResult, simulate, write_dataset

__all__ = ["SimConfig", "SimResult", "TrueEffects", "generate_large", "simulate", "write_dataset"]
