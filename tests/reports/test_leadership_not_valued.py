"""The leadership report names a line that is not valued once, without repeating "not valued"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portalroi.cli.demo import run_demo
from portalroi.cli.main import app

pytestmark = pytest.mark.slow


def test_not_valued_reason_is_not_repeated(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    run_demo(size="tiny", seed=5, out_dir=tmp_path / "out", db=db)
    html = tmp_path / "report.html"
    out = CliRunner().invoke(app, ["report", "--db", str(db), "--html", str(html)])
    assert out.exit_code == 0, out.output
    text = html.read_text(encoding="utf-8")
    # no --margin: churn and orders cannot be valued
    assert "Not valued: no gross margin (give --margin or --plan)" in text
    assert "not valued: not valued" not in text.lower()
