"""The business-case command: --example writes a valid file; the file evaluates; bad input fails."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from bc_cases import TWO_ROOTS
from portalroi.businesscase import evaluate, load_inputs
from portalroi.cli.main import app

runner = CliRunner()


def test_example_then_evaluate_with_json(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    res = runner.invoke(app, ["business-case", "--example", "--out", str(case)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["business-case", str(case), "--json", "--draws", "500", "--seed", "3"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["result"]["npv"] == evaluate(load_inputs(case)).npv
    assert out["monte_carlo"]["draws"] == 500


def test_summary_table_in_swedish(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    runner.invoke(app, ["business-case", "--example", "--out", str(case)])
    res = runner.invoke(app, ["business-case", str(case), "--lang", "sv", "--draws", "200"])
    assert res.exit_code == 0, res.output
    assert "Nettonuvärde" in res.stdout
    assert "Återbetalningsmånad" in res.stdout


def test_bad_inputs_exit_2_naming_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("company:\n  customers: -1\n", encoding="utf-8")
    res = runner.invoke(app, ["business-case", str(bad)])
    assert res.exit_code == 2
    assert "company.customers" in res.output
    assert "company.annual_revenue" in res.output


def test_irr_not_unique_in_the_summary(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(TWO_ROOTS), encoding="utf-8")
    res = runner.invoke(app, ["business-case", str(case), "--draws", "0"], terminal_width=200)
    assert res.exit_code == 0, res.output
    irr_row = next(x for x in res.stdout.splitlines() if "Internal rate of return" in x)
    assert "not unique" in irr_row
    assert "-49.05% and 1,853.19% a year" in res.stdout


def test_no_costs_print_n_a_not_nan(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        """
company: {annual_revenue: 1200000, customers: 100, annual_churn: 0.25,
  new_customers_per_year: 20, sales_marketing_cost: 100000, gross_margin_new: 0.3,
  gross_margin_existing: 0.4}
benefits: {consolidation: {}}
""",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["business-case", str(case), "--draws", "300"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert re.search(r"\bnan\b", res.stdout, re.IGNORECASE) is None
    rows = {
        x.split("│")[1].strip(): x.split("│")[2].strip()
        for x in res.stdout.splitlines()
        if x.count("│") == 3
    }
    assert rows["ROI P10 / P50 / P90"] == "n/a / n/a / n/a"
    assert rows["Probability ROI > 0"] == "n/a"  # was 0.0 % although every NPV is positive
    assert rows["ROI"] == "n/a"
