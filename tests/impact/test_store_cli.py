"""``portalroi impact`` on a store loaded with a small simulated company (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.impact.analysis import estimate_effects
from portalroi.ingest import ingest_file
from portalroi.sim import SimConfig, simulate, write_dataset
from portalroi.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("impact_cli")
    sim = simulate(SimConfig.preset("tiny", seed=8, events=False))
    paths = write_dataset(sim, root / "data")
    path = root / "store.duckdb"
    with Store(path) as store:
        for name in ("accounts", "tickets", "invoices", "surveys", "orders"):
            ingest_file(store, paths[name], table=name)
    return path


@pytest.mark.slow
def test_json_report_equals_the_python_api(db: Path) -> None:
    result = runner.invoke(app, ["impact", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    with Store(db, read_only=True) as store:
        report = estimate_effects(store)
    assert set(doc["effects"]) == set(report.effects)
    for name, est in report.effects.items():
        assert doc["effects"][name]["estimate"] == pytest.approx(est.estimate, rel=1e-12)
        assert doc["effects"][name]["ci_low"] == pytest.approx(est.ci_low, rel=1e-12)
    assert doc["control_group"] == "not_yet_treated"
    assert doc["level"] == 0.95
    assert doc["period"] == {"first_month": "2022-01", "last_month": "2024-12"}
    assert doc["deflection"]["tickets_deflected"] == pytest.approx(
        report.deflection.tickets_deflected if report.deflection else float("nan")
    )


def test_table_names_every_outcome_and_the_assumptions(db: Path) -> None:
    result = runner.invoke(app, ["impact", "--db", str(db)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("tickets", "churn", "days_to_pay", "csat", "nps", "order_value"):
        assert name in result.output
    assert "Tickets deflected" in result.output
    assert "parallel trends" in result.output
    assert "pre-trend p" in result.output


def test_level_and_control_options_reach_the_estimates(db: Path) -> None:
    args = ["impact", "--db", str(db), "--json", "--level", "0.9", "--control", "never_treated"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["level"] == 0.9
    tickets = doc["effects"]["tickets"]
    assert "never-treated comparison" in tickets["method"]
    # a 90 % interval is 1.645 / 1.960 as wide as the 95 % one around the same estimate
    width = tickets["ci_high"] - tickets["ci_low"]
    assert width == pytest.approx(2 * 1.6448536269514722 * tickets["se"], rel=1e-9)


def test_baseline_answers_in_one_command(db: Path) -> None:
    result = runner.invoke(app, ["impact", "--db", str(db), "--baseline", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    tickets = doc["baselines"]["tickets"]
    assert tickets["unit"] == "tickets per account-month"
    assert tickets["per_account"]
    levels = [row["level"] for row in tickets["per_account"]]
    months = [row["n_months"] for row in tickets["per_account"]]
    # the overall level is the account-month weighted mean of the per-account levels
    assert tickets["level"] == pytest.approx(
        sum(v * n for v, n in zip(levels, months, strict=True)) / sum(months)
    )
    table = runner.invoke(app, ["impact", "--db", str(db), "--baseline"])
    assert table.exit_code == 0
    assert "pre-launch baselines" in table.output


def test_bad_options_exit_non_zero_with_a_reason(db: Path, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["impact", "--db", str(db), "--control", "everyone"])
    assert bad.exit_code == 2
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    result = runner.invoke(app, ["impact", "--db", str(empty)])
    assert result.exit_code == 2
    assert "no tickets, invoices, surveys or orders" in result.output


def _unbounded_churn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store whose effects are one churn rate ratio, 0.8 [0.36, inf] (the time-series
    fallback on a small company): the interval has no upper end."""
    import portalroi.impact.analysis
    from portalroi.impact.report import ImpactReport
    from portalroi.impact.results import EffectEstimate

    ratio = EffectEstimate(
        "rate ratio", 0.8, float("inf"), 0.36, float("inf"), 20, 0, "its", (), unit="rate ratio"
    )
    report = ImpactReport({"churn": ratio}, {}, ("2021-01", "2023-12"), 0.95, "not_yet_treated")
    monkeypatch.setattr(portalroi.impact.analysis, "estimate_effects", lambda *a, **k: report)
    path = tmp_path / "empty.duckdb"
    Store(path).close()
    return path


def test_json_of_an_unbounded_interval_is_valid_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rate ratio whose interval has no upper end (the churn time-series fallback on a small
    company gives ci_high = inf) printed ``Infinity``, which is not JSON (JavaScript, jq and
    ``json.loads(parse_constant=...)`` refuse it); it is null, as in the HTTP API."""
    path = _unbounded_churn(tmp_path, monkeypatch)
    result = runner.invoke(app, ["impact", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    doc = json.loads(result.output, parse_constant=refuse)
    churn = doc["effects"]["churn"]
    assert churn["estimate"] == 0.8
    assert churn["ci_low"] == 0.36
    assert churn["ci_high"] is None
    assert churn["se"] is None


def test_table_shows_an_unbounded_interval_end_as_infinity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "0.36 to -" read like a missing or negative end; the interval has no upper end.
    path = _unbounded_churn(tmp_path, monkeypatch)
    result = runner.invoke(app, ["impact", "--db", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "churn (rate ratio)" in line)
    assert "0.36 to ∞" in row
