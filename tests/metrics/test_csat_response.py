"""CSAT's response rate is rated resolved tickets over resolved tickets: never above 1."""

from __future__ import annotations

import pandas as pd
import pytest

from portalroi.ingest import ingest_frame
from portalroi.metrics import compute
from portalroi.store import Store


def test_a_rating_on_an_unresolved_ticket_does_not_answer_a_resolved_one() -> None:
    store = Store(":memory:")
    # March: t1 resolved and not rated; t2 and t3 closed without a resolution but rated 5 and 2;
    # April: t4 and t5 resolved, t4 rated 4
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4", "t5"],
            "created_at": ["2024-03-01", "2024-03-02", "2024-03-03", "2024-04-01", "2024-04-02"],
            "resolved_at": ["2024-03-02", None, None, "2024-04-02", "2024-04-03"],
            "channel": ["email"] * 5,
            "csat": [None, 5.0, 2.0, 4.0, None],
        }
    )
    ingest_frame(store, tickets, table="tickets", source_name="t")
    got = compute(store, "csat").set_index("month")
    march, april = got.loc[pd.Timestamp("2024-03-01")], got.loc[pd.Timestamp("2024-04-01")]
    assert (march.resolved, march.rated, march.rated_resolved) == (1, 2, 0)
    assert march.response_rate == 0.0  # was 2 / 1 = 2.0
    assert march.value == pytest.approx(0.5)  # satisfaction still over every rating: 1 of 2
    assert (april.resolved, april.rated_resolved, april.response_rate) == (2, 1, 0.5)
