"""``grain="all"`` (one row for the whole range): the same figure as the month when the range is
one calendar month, for every monthly metric, split or not; and, over several months, the
whole-range figure a pandas oracle computes.

The whole-range period used to be NULL inside the formulas, and formulas join their parts on the
period: NULL never equals NULL, so five metrics gave two half rows (deflection 0.0 and 1.0),
zeros or no row at all, and the alert rules that watch them (one month at a time, with
``grain="all"``) saw those.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_oracle import random_store  # noqa: F401  (the fixture)

from portalroi.metrics import compute, list_metrics
from portalroi.store import Store

MONTHLY = [m.name for m in list_metrics() if m.grain.startswith("month") and m.kind != "histogram"]


def _rows(df: pd.DataFrame) -> list[dict[str, object]]:
    out = df.drop(columns=["month"], errors="ignore").to_dict("records")
    return sorted(out, key=repr)


@pytest.mark.parametrize("by", [None, "account"])
def test_one_month_in_one_row_is_that_month(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],  # noqa: F811
    by: str | None,
) -> None:
    store, _, _ = random_store
    checked = 0
    for name in MONTHLY:
        try:
            monthly = compute(store, name, by=by, start="2024-02-01", end="2024-02-29")
        except Exception as exc:  # a metric that cannot be split this way says so: skip it
            if by is not None and "cannot be split" in str(exc):
                continue
            raise
        whole = compute(store, name, by=by, start="2024-02-01", end="2024-02-29", grain="all")
        if "month" in monthly.columns:
            monthly = monthly[monthly["month"] == pd.Timestamp("2024-02-01")]
            assert whole["month"].isna().all(), name
        got, want = _rows(whole), _rows(monthly)
        assert len(got) == len(want), f"{name} by {by}: {len(got)} rows, month has {len(want)}"
        pd.testing.assert_frame_equal(
            pd.DataFrame(got), pd.DataFrame(want), check_dtype=False, obj=f"{name} by {by}"
        )
        checked += 1
    assert checked >= 15  # the whole library, not a lucky few


def test_whole_range_features_match_pandas(
    random_store: tuple[Store, pd.DataFrame, pd.DataFrame],  # noqa: F811
) -> None:
    store, events, _ = random_store
    active = events.user_id.nunique()
    used = events[events.event_type == "feature_use"].groupby("feature").user_id.nunique()
    got = compute(store, "feature_utilisation", grain="all").set_index("feature")
    assert sorted(got.index) == sorted(used.index)
    for feature, users in used.items():
        assert got.loc[feature, "value"] == pytest.approx(users / active, rel=1e-12)
