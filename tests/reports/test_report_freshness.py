"""`portalroi report` says how fresh its data is and warns when the data is stale."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.reports.freshness import Freshness, data_freshness, stale_warnings
from portalroi.store import Store

pytestmark = pytest.mark.slow


def test_stale_warnings_written_out() -> None:
    fresh = Freshness(dt.datetime(2026, 10, 31, 23, 0), dt.datetime(2026, 11, 1, 2, 0))
    assert stale_warnings(fresh, dt.date(2026, 12, 1)) == []  # 31 days: not stale yet
    assert stale_warnings(fresh, dt.date(2026, 12, 2), "sv") == [
        "den nyaste posten är från 2026-10-31, 32 dagar före 2026-12-02"
    ]
    assert stale_warnings(Freshness(None, None), dt.date(2026, 12, 2)) == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, tiny_demo_db: Path) -> Path:
    db = tmp_path_factory.mktemp("freshdemo") / "demo.duckdb"
    shutil.copy(tiny_demo_db, db)
    return db


def test_a_stopped_feed_is_named(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "stopped.duckdb"
    shutil.copy(demo, db)
    with Store(db) as store:
        store.con.execute("DELETE FROM events WHERE ts >= TIMESTAMP '2023-10-01'")
        fresh = data_freshness(store)
        scoped = data_freshness(store, accounts=["no-such-account"])
    assert fresh.events_end is not None
    assert fresh.tickets_end is not None
    assert fresh.newest_record is not None
    assert f"{fresh.events_end:%Y-%m-%d}" == "2023-09-30"
    assert f"{fresh.tickets_end:%Y-%m-%d}" == f"{fresh.newest_record:%Y-%m-%d}" == "2024-12-31"
    # The day after the data ends only the stopped feed is named (2023-09-30 to 2024-12-31).
    assert stale_warnings(fresh, dt.date(2025, 1, 1)) == [
        "portal events (active users, self-service) end on 2023-09-30, 458 days before the "
        "newest record (2024-12-31): the figures from them stop there"
    ]
    assert scoped.newest_record is None
    assert stale_warnings(scoped, dt.date(2025, 1, 1)) == []


def test_cli_report_names_newest_record_and_warns_when_stale(demo: Path, tmp_path: Path) -> None:
    db = demo
    with Store(db, read_only=True) as store:
        fresh = data_freshness(store)
    assert fresh.newest_record is not None
    assert fresh.last_load is not None
    assert f"{fresh.newest_record:%Y-%m-%d}" == "2024-12-31"  # the simulator's last day
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        app, ["report", "--db", str(db), "--html", str(html), "--xlsx", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.read_text(encoding="utf-8")))
    days = (dt.date.today() - dt.date(2024, 12, 31)).days
    assert f"Newest record 2024-12-31, last load {fresh.last_load:%Y-%m-%d %H:%M} UTC" in text
    assert (
        "Stale data: the figures do not reach the date of this report: the newest record is "
        f"from 2024-12-31, {days} days before {dt.date.today().isoformat()}"
    ) in text
    wb = openpyxl.load_workbook(xlsx)
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Newest record (UTC)"] == f"{fresh.newest_record:%Y-%m-%d %H:%M}"
    assert summary["Last load (UTC)"] == f"{fresh.last_load:%Y-%m-%d %H:%M}"
    assert str(summary["Stale data"]).startswith("the newest record is from 2024-12-31")
