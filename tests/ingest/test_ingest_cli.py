"""``portalroi ingest`` through Typer's test runner: summary, warnings, JSON and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from portalroi.cli.main import app

runner = CliRunner()
GOOD = "cost_id,date,category,amount\nc1,2024-01-31,hosting,90\n"
BAD = GOOD + "c2,2024-02-30,hosting,5\n"


def test_clean_load_prints_reconciled_summary(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    db = tmp_path / "s.duckdb"
    result = runner.invoke(
        app, ["ingest", str(write("c.csv", GOOD)), "--table", "costs", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "rows read 1 = loaded 1 (inserted 1, updated 0) + duplicates 0 + quarantined 0"
        in result.output
    )


def test_quarantine_warns_and_lists(tmp_path: Path, write: Callable[[str, str], Path]) -> None:
    db = tmp_path / "s.duckdb"
    path = write("c.csv", BAD)
    result = runner.invoke(app, ["ingest", str(path), "--table", "costs", "--db", str(db)])
    assert result.exit_code == 0
    assert f"{path}: row 2, column date: cannot read as date (got '2024-02-30')" in result.output
    assert "warning: 1 row(s) quarantined" in result.output
    listed = runner.invoke(
        app, ["ingest", "--quarantine", "--table", "costs", "--db", str(db), "--json"]
    )
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [(r["row_number"], r["column_name"], r["value"]) for r in rows] == [
        (2, "date", "2024-02-30")
    ]


def test_json_summary(tmp_path: Path, write: Callable[[str, str], Path]) -> None:
    db = tmp_path / "s.duckdb"
    args = ["ingest", str(write("c.csv", BAD)), "--table", "costs", "--db", str(db), "--json"]
    out = json.loads(runner.invoke(app, args).stdout)
    assert (out["rows_read"], out["loaded"], out["quarantined"], out["duplicates"]) == (2, 1, 1, 0)
    assert out["issues"][0]["reason"] == "cannot read as date"


def test_unusable_input_exits_2_with_one_line(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    db = tmp_path / "s.duckdb"
    cases = [
        (["ingest", str(tmp_path / "missing.csv"), "--table", "costs"], "file not found"),
        (["ingest", str(tmp_path), "--table", "costs"], "is a folder; name one file"),
        (["ingest", str(write("c.csv", "x,y\n1,2\n")), "--table", "costs"], "required columns"),
        (["ingest", str(write("c2.csv", GOOD)), "--table", "nope"], "unknown table"),
        (
            ["ingest", str(write("c3.csv", GOOD)), "--mapping", str(write("m.yaml", "table: 1\n"))],
            "invalid mapping",
        ),
        (
            ["ingest", str(write("c4.csv", GOOD)), "--table", "costs", "--format", "xml"],
            "unknown format",
        ),
        (["ingest"], "give a FILE"),
    ]
    for args, message in cases:
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
        assert "Traceback" not in result.output
