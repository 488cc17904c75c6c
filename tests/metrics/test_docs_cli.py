"""The reference page matches the registry; the CLI lists, shows and computes metrics."""

from __future__ import annotations

import json
from pathlib import Path

from metrics_tiny import load_duckdb
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.metrics import METRICS, list_metrics
from portalroi.metrics.docs import render_markdown
from portalroi.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_doc_page_matches_registry() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/metrics.md is stale: write portalroi.metrics.docs.render_markdown() to it"
    )
    for m in list_metrics():
        assert f"| `{m.name}` | {m.definition} |" in render_markdown()


def test_cli_list_show_compute(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        load_duckdb(store.con)
    runner = CliRunner()
    listed = runner.invoke(app, ["metrics", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [m["name"] for m in json.loads(listed.stdout)] == list(METRICS)

    shown = runner.invoke(app, ["metrics", "show", "zero_result_rate", "--sql", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "def zero_result_rate" in shown.stdout
    assert "SELECT" in shown.stdout

    out = runner.invoke(
        app, ["metrics", "compute", "search_volume", "--format", "json", "--db", str(db)]
    )
    assert out.exit_code == 0, out.output
    assert [r["value"] for r in json.loads(out.stdout)] == [2, 1]

    csv = runner.invoke(
        app,
        [
            "metrics",
            "compute",
            "mau",
            "--by",
            "account",
            "--from",
            "2024-02-20",
            "--format",
            "csv",
            "--db",
            str(db),
        ],
    )
    assert csv.stdout.splitlines() == [
        "account,day,dau,wau,mau,value",
        "A1,2024-02-20,1,1,2,2",
        "A2,2024-02-20,0,0,1,1",
        "A3,2024-02-20,0,0,0,0",  # a customer with no activity: zeros, not left out
    ]


def test_cli_bad_input_exits_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    Store(db).close()
    runner = CliRunner()
    bad = runner.invoke(app, ["metrics", "compute", "nope", "--db", str(db)])
    assert bad.exit_code == 2
    assert "unknown metric 'nope'" in bad.stderr
    bad_by = runner.invoke(app, ["metrics", "compute", "dau", "--by", "planet", "--db", str(db)])
    assert bad_by.exit_code == 2
    assert "--by must be" in bad_by.stderr
