"""The truth file states every effect and agrees with the data written beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from portalroi.sim import SimConfig, SimResult, TrueEffects, simulate, write_dataset


@pytest.fixture(scope="module")
def written(
    tiny: SimResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Path]]:
    out = tmp_path_factory.mktemp("sim")
    return out, write_dataset(tiny, out)


def test_truth_json_states_every_effect(written: tuple[Path, dict[str, Path]]) -> None:
    out, paths = written
    truth = json.loads(paths["truth"].read_text())
    # the share of deflections that leave an event is a mechanism, stated under deflection
    effects = set(TrueEffects.model_fields) - {"self_service_event_share"}
    assert set(truth["effects"]) == effects
    assert "self_service_resolved_events_share" in truth["effects"]["deflection_share"]["realised"]
    for name, entry in truth["effects"].items():
        assert entry["parameter"] == TrueEffects().model_dump()[name]
        assert len(entry["estimand"]) > 40
        assert entry["realised"]
    assert truth["seed"] == 11
    assert truth["config"]["effects"] == TrueEffects().model_dump()
    for rel in truth["truth_files"].values():
        assert (out / rel).exists()
    for name in truth["data_files"].values():
        assert (out / name).exists()


def test_go_live_dates_match_accounts_table(
    tiny: SimResult, written: tuple[Path, dict[str, Path]]
) -> None:
    truth = json.loads(written[1]["truth"].read_text())
    acc = tiny.tables["accounts"].set_index("account_id")["portal_live_at"]
    for account_id, iso in truth["go_live"].items():
        if iso is None:
            assert pd.isna(acc[account_id])
        else:
            assert pd.Timestamp(iso) == acc[account_id]


def test_ticket_truth_reconciles_with_tickets_table(tiny: SimResult) -> None:
    truth = tiny.truth_tables["tickets"].to_pandas()
    kept = truth[~truth["deflected"]]
    tickets = tiny.tables["tickets"]
    assert len(kept) == len(tickets)
    assert set(kept["ticket_id"]) == set(tickets["ticket_id"])
    assert truth.loc[truth["deflected"], "ticket_id"].isna().all()
    assert (truth.loc[truth["deflected"], "live"] & truth.loc[truth["deflected"], "engaged"]).all()
    real = tiny.truth["effects"]["deflection_share"]["realised"]
    assert real["deflected_tickets"] == int(truth["deflected"].sum())
    months = tiny.truth_tables["account_months"].to_pandas()
    assert months["tickets"].sum() == len(tickets)
    assert months["deflected_tickets"].sum() == real["deflected_tickets"]
    # ticket-level truth a topic model and an FCR detector can be scored against
    assert truth["topic"].nunique() >= 20
    assert 0.3 < truth["true_fcr"].mean() < 0.95


def test_reproducible_with_a_seed() -> None:
    cfg = SimConfig.preset("tiny", seed=3)
    a, b = simulate(cfg), simulate(cfg)
    for name in a.arrow:
        assert a.arrow[name].equals(b.arrow[name]), name
    assert a.truth == b.truth
    c = simulate(SimConfig.preset("tiny", seed=4))
    assert not a.arrow["tickets"].equals(c.arrow["tickets"])
