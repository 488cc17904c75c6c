"""Metrics over a source that keeps some accounts (a segment filter) ignore whole-store rollups.

The dashboard's segment filter wraps the store in :class:`~portalroi.web.filters.SegmentSource`;
rollups without an ``account_id`` (per-day event-type counts, help funnels, cohorts) hold every
account's activity, so reading them through the filter would give the whole store's figures.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from portalroi.ingest import ingest_frame
from portalroi.metrics import compute, list_metrics
from portalroi.metrics.rollups import rollup_is_current
from portalroi.store import Store
from portalroi.web.filters import SegmentSource

_KINDS = ("search", "article_view", "ticket_created", "feature_use", "login")
_ACCOUNTS = {"a1": ("smb", 40), "a2": ("enterprise", 70)}


def _events(accounts: list[str]) -> pd.DataFrame:
    rows = []
    for account in accounts:
        for i in range(_ACCOUNTS[account][1]):
            kind = _KINDS[i % len(_KINDS)] if i % 7 else "search"
            rows.append(
                {
                    "event_id": f"{account}-{i}",
                    "ts": f"2024-{1 + i % 3:02d}-{1 + i % 20:02d}T{8 + i % 9:02d}:00:00",
                    "account_id": account,
                    "user_id": f"{account}-u{i % 5}",
                    "session_id": f"{account}-s{i // 4}",
                    "event_type": kind,
                    "feature": "invoices" if kind == "feature_use" else None,
                }
            )
    return pd.DataFrame(rows)


def _store(path: Path, accounts: list[str]) -> Store:
    store = Store(path)
    frame = pd.DataFrame(
        {
            "account_id": accounts,
            "segment": [_ACCOUNTS[a][0] for a in accounts],
            "created_at": "2023-06-01",
        }
    )
    ingest_frame(store, frame, table="accounts", source_name="t")
    ingest_frame(store, _events(accounts), table="events", source_name="t")
    return store


def test_segment_filtered_figures_equal_a_store_of_that_segment(tmp_path: Path) -> None:
    with _store(tmp_path / "all.duckdb", ["a1", "a2"]) as whole:
        assert rollup_is_current(whole.con)  # the rollups exist and would be used
        source = SegmentSource(whole, "smb")
        with _store(tmp_path / "smb.duckdb", ["a1"]) as smb:
            wrong = {}
            for m in list_metrics():
                got = compute(source, m.name).reset_index(drop=True)
                want = compute(smb, m.name).reset_index(drop=True)
                if not got.equals(want):
                    wrong[m.name] = (got.to_dict("records"), want.to_dict("records"))
            assert compute(smb, "search_volume")["value"].sum() > 0
            assert wrong == {}
