"""Where the shared public data sets live (``../shared/data`` beside the project).

A module of its own, not ``conftest``: several folders have a conftest.py, and
``from conftest import ...`` picks whichever pytest imported first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; skips the test (with the reason) when the data is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data set not found: {path}")
    return path
