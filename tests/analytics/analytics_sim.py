"""The simulated company the support-analytics tests share (see conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class SimStore:
    """Path of the loaded store and the simulator's per-ticket truth."""

    db: Path
    truth: pd.DataFrame
    first_go_live: pd.Timestamp
