"""``portalroi topics`` on the simulated store: JSON shape, deflection table, errors."""

from __future__ import annotations

import json

import pytest
from analytics_sim import SimStore
from typer.testing import CliRunner

from portalroi.cli.main import app


@pytest.mark.slow
def test_topics_json_with_deflection_and_draft(sim_store: SimStore) -> None:
    args = ["topics", "--db", str(sim_store.db), "--json", "--top", "5", "--k", "24"]
    result = CliRunner().invoke(app, [*args, "--simulate-deflection", "--draft", "0"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert len(out["groups"]) == 5
    first = out["groups"][0]
    assert set(first) >= {"name", "terms", "n", "share_volume", "share_cost", "knowledge_gap"}
    assert sum(g["n"] for g in out["groups"]) <= out["tickets"]
    assert out["zero_result_searches"][0]["searches"] >= out["zero_result_searches"][-1]["searches"]
    sim = out["deflection_simulation"]
    assert len(sim["groups"]) == 5
    assert sim["yearly_saving"] == sum(g["yearly_saving"] for g in sim["groups"])
    assert out["draft_outline"].startswith("> **DRAFT**")


@pytest.mark.slow
def test_topics_table_output(sim_store: SimStore) -> None:
    result = CliRunner().invoke(app, ["topics", "--db", str(sim_store.db), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Repeat questions in" in result.output
    assert "Zero-result searches" in result.output


def test_bad_option_exits_with_one_line(sim_store: SimStore) -> None:
    result = CliRunner().invoke(app, ["topics", "--db", str(sim_store.db), "--top", "0"])
    assert result.exit_code == 2
    assert "--top must be at least 1" in result.output
