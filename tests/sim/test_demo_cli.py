"""``portalroi demo`` end to end on the tiny size, through the real CLI, ingestion and store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.store import Store


@pytest.mark.slow
def test_demo_twice_loads_once_and_prints_headline(tmp_path: Path) -> None:
    runner = CliRunner()
    args = [
        "demo",
        "--size",
        "tiny",
        "--seed",
        "3",
        "--out",
        str(tmp_path / "demo"),
        "--db",
        str(tmp_path / "d.duckdb"),
    ]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    truth = json.loads(Path(summary["truth"]).read_text())
    assert summary["accounts_live"] == truth["roll_out"]["accounts_live"]
    loaded = summary["loaded"]
    assert set(loaded) == {
        "accounts",
        "users",
        "events",
        "tickets",
        "invoices",
        "surveys",
        "orders",
        "costs",
        "articles",
        "interventions",
    }
    assert all(c["quarantined"] == 0 and c["inserted"] == c["rows_read"] for c in loaded.values())
    with Store(tmp_path / "d.duckdb", read_only=True) as store:
        counts = {t: store.row_count(t) for t in loaded}
    assert counts == {t: c["inserted"] for t, c in loaded.items()}

    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    # The headline is a Rich panel wrapped at the terminal width: read it as one line of words.
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", second.stdout).split())
    assert "portalroi demo" in flat
    assert "never live" in flat
    assert "truth (true effects)" in flat
    with Store(tmp_path / "d.duckdb", read_only=True) as store:
        assert {t: store.row_count(t) for t in loaded} == counts


def test_demo_rejects_unknown_size(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--size", "huge", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert "--size" in result.stderr
