"""Data frames to JSON-ready rows (dates as ISO strings, NaN and NaT as null).

Examples
--------
>>> import pandas as pd
>>> records(pd.DataFrame({"day": pd.to_datetime(["2024-01-02"]), "value": [float("nan")]}))
[{'day': '2024-01-02T00:00:00.000', 'value': None}]
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["records"]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as plain dicts that JSON can encode."""
    if df.empty:
        return []
    out: list[dict[str, Any]] = json.loads(
        df.to_json(orient="records", date_format="iso", default_handler=str)
    )
    return out
