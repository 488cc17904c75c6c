"""Load simulated exports through the ingestion API and recompute the truth from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portalroi.ingest import ingest_file
from portalroi.sim import SimConfig, simulate, write_dataset
from portalroi.store import Store


def test_pre_post_ticket_volumes_of_adopters_match_truth(tmp_path: Path, store: Store) -> None:
    result = simulate(SimConfig.preset("tiny", seed=31, n_accounts=120, events=False))
    paths = write_dataset(result, tmp_path / "data")
    for name in ("accounts", "tickets"):
        summary = ingest_file(store, paths[name], table=name)
        assert summary.quarantined == 0
        assert summary.inserted == result.arrow[name].num_rows
    got = store.con.execute(
        """
        WITH a AS (
            SELECT account_id, portal_live_at AS live,
                   greatest(created_at, TIMESTAMP '2022-01-01') AS s,
                   coalesce(churned_at, TIMESTAMP '2025-01-01') AS e
            FROM accounts WHERE portal_live_at IS NOT NULL
        ), t AS (
            SELECT count(*) FILTER (WHERE t.created_at < a.live) AS pre,
                   count(*) FILTER (WHERE t.created_at >= a.live) AS post
            FROM tickets t JOIN a USING (account_id)
        ), d AS (
            SELECT sum(greatest(epoch(least(e, live)) - epoch(s), 0)) / 86400 AS pre_days,
                   sum(greatest(epoch(e) - epoch(greatest(s, live)), 0)) / 86400 AS post_days,
                   count(*) AS n
            FROM a
        )
        SELECT pre, post, pre_days, post_days, n FROM t, d
        """
    ).fetchone()
    assert got is not None
    truth = json.loads(paths["truth"].read_text())["adopters_pre_post"]
    pre, post, pre_days, post_days, n = got
    assert n == truth["accounts"]
    assert pre == truth["pre_tickets"]
    assert post == truth["post_tickets"]
    assert pre_days == pytest.approx(truth["pre_account_days"], rel=1e-6)
    assert post_days == pytest.approx(truth["post_account_days"], rel=1e-6)
    # the naive before/after comparison is not the true effect: it mixes trend and selection
    naive = truth["post_tickets_per_account_month"] - truth["pre_tickets_per_account_month"]
    real = truth["pre_tickets_per_account_month"] and result.truth["effects"]["deflection_share"]
    assert naive != pytest.approx(-real["realised"]["deflected_per_live_account_month"], abs=0.01)
