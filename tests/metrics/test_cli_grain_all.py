"""``metrics compute --grain all`` prints no empty month column in the table view."""

from __future__ import annotations

from pathlib import Path

from metrics_tiny import load_duckdb
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.store import Store


def test_grain_all_table_has_no_month_column(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        load_duckdb(store.con)
    runner = CliRunner()
    args = ["metrics", "compute", "search_volume", "--grain", "all", "--db", str(db)]
    table = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "NaT" not in table.stdout
    assert "month" not in table.stdout
    # the by-month view keeps its month column
    monthly = runner.invoke(app, [*args[:3], "--db", str(db)], env={"COLUMNS": "200"})
    assert monthly.exit_code == 0, monthly.output
    assert "month" in monthly.stdout
