"""Command-line mistakes get one clear line and exit status 2, never a traceback, and a command
writing several files writes none when one of them cannot be written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portalroi.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, tiny_demo_db: Path) -> Path:
    db = tmp_path_factory.mktemp("cli-errors") / "s.duckdb"
    shutil.copy(tiny_demo_db, db)
    return db


def _fails_cleanly(args: list[str], *expected: str) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    for text in expected:
        assert text in res.output, res.output
    return res.output


def test_report_checks_every_output_before_writing_any(demo_db: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    missing = tmp_path / "no-such-folder" / "r.xlsx"
    args = ["report", "--db", str(demo_db), "--pdf", str(pdf), "--xlsx", str(missing)]
    _fails_cleanly(args, "--xlsx", "does not exist")
    assert not pdf.exists()  # the PDF was written before the failure, with a traceback
    _fails_cleanly(["report", "--db", str(demo_db), "--html", str(tmp_path)], "is a folder")


def test_business_case_outputs_that_cannot_be_written(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    assert runner.invoke(app, ["business-case", "--example", "--out", str(case)]).exit_code == 0
    _fails_cleanly(
        ["business-case", "--example", "--out", str(tmp_path / "nope" / "c.yaml")], "--out"
    )
    _fails_cleanly(["business-case", str(case), "--xlsx", str(tmp_path)], "--xlsx", "is a folder")


def test_a_date_that_is_not_one(demo_db: Path) -> None:
    for command in (["health"], ["impact"]):
        _fails_cleanly(
            [*command, "--db", str(demo_db), "--as-of", "2024-13-01"],
            "--as-of must be a date YYYY-MM-DD, got '2024-13-01'",
        )


def test_counts_below_one_are_refused(demo_db: Path) -> None:
    _fails_cleanly(["ingest", "--quarantine", "--db", str(demo_db), "--limit", "-1"], "--limit")
    _fails_cleanly(["health", "--db", str(demo_db), "--top", "-3"], "--top")


def test_an_app_database_that_cannot_be_opened(tmp_path: Path) -> None:
    # run from cron, where exit status 1 means "a send failed": a bad database is not that
    url = f"sqlite:///{tmp_path}/no-such-folder/app.sqlite"
    _fails_cleanly(
        ["schedules", "run-due", "--app-db", url], "cannot open the app database", "no-such-folder"
    )


def test_unknown_metric_category_and_grain(demo_db: Path) -> None:
    _fails_cleanly(["metrics", "list", "--category", "nosuch"], "no metric category 'nosuch'")
    _fails_cleanly(
        ["metrics", "compute", "mau", "--db", str(demo_db), "--grain", "week"],
        "--grain must be one of month, all; got 'week'",
    )
