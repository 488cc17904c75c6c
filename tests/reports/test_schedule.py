"""Scheduled reports against a real SMTP server (aiosmtpd on 127.0.0.1, a free port).

The store is the simulator's tiny company (seed 3) with its smb accounts moved to organisation
``org-smb`` and the rest to ``org-other``.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import (
    add_organisation,
    add_user,
    create_token,
    ensure_tenant,
)
from portalroi.api.appstate.db import AppDB
from portalroi.api.appstate.models import ReportSchedule, utcnow
from portalroi.cli.main import app as cli_app
from portalroi.reports.schedule import SmtpConfig, next_send, period_key, run_due
from portalroi.roi import Assumptions, build_roi, roi_from_store
from portalroi.services.roi import scoped_effects
from portalroi.settings import Settings
from portalroi.store import Store
from smtp_inbox import Inbox

pytestmark = pytest.mark.slow

CREATED = datetime(2026, 11, 15, 12, 0)
DUE = datetime(2026, 12, 1, 6, 0)  # monthly, day 1: first send moment after CREATED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def org_store(
    tmp_path_factory: pytest.TempPathFactory, tiny_demo_db: Path
) -> tuple[Path, dict[str, list[str]]]:
    db = tmp_path_factory.mktemp("schedstore") / "demo.duckdb"
    shutil.copy(tiny_demo_db, db)
    with Store(db) as store:
        store.con.execute(
            "UPDATE accounts SET org_id = CASE WHEN segment = 'smb' THEN 'org-smb' "
            "ELSE 'org-other' END"
        )
        ids = store.con.execute(
            "SELECT org_id, list(account_id ORDER BY account_id) FROM accounts GROUP BY 1"
        ).fetchall()
    return db, {str(k): [str(a) for a in v] for k, v in ids}


@pytest.fixture
def store_path(org_store: tuple[Path, dict[str, list[str]]], tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copy(org_store[0], path)
    return path


@pytest.fixture
def appdb(tmp_path: Path) -> Iterator[AppDB]:
    db = AppDB(f"sqlite:///{tmp_path / 'app.sqlite'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpConfig]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, SmtpConfig("127.0.0.1", controller.port, sender="reports@vendor.example")
    finally:
        controller.stop()


def _schedule(
    appdb: AppDB, kind: str, *, org_id: str | None = None, tenant: str = "default"
) -> int:
    with appdb.session() as s:
        t = ensure_tenant(s, tenant)
        if org_id is not None:
            add_organisation(s, t, org_id)
        row = ReportSchedule(
            tenant_id=t.id,
            org_id=org_id,
            name=f"{kind} for {org_id or tenant}",
            kind=kind,
            frequency="monthly",
            recipients=["cfo@customer.example", "cs@customer.example"],
            created_at=CREATED,
        )
        s.add(row)
        s.flush()
        return row.id


def _row(appdb: AppDB, sid: int) -> ReportSchedule:
    with appdb.session() as s:
        row = s.get(ReportSchedule, sid)
        assert row is not None
        s.expunge(row)
        return row


def _attachments(msg: EmailMessage) -> dict[str, bytes]:
    out = {}
    for part in msg.iter_attachments():
        name = part.get_filename()
        payload = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(payload, bytes)
        out[name] = payload
    return out


def _summary(xlsx: bytes) -> dict[str, Any]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx), data_only=True)
    return {str(r[0]): r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}


def test_send_moments_and_periods_written_out() -> None:
    # weekly, day 2 = Wednesday; 2026-11-22 is a Sunday.
    assert next_send("weekly", 2, datetime(2026, 11, 22, 8)) == datetime(2026, 11, 25)
    assert next_send("weekly", 6, datetime(2026, 11, 22, 0)) == datetime(2026, 11, 22)
    assert next_send("monthly", 1, datetime(2026, 12, 1, 0, 0, 1)) == datetime(2027, 1, 1)
    assert next_send("monthly", 28, datetime(2027, 2, 3)) == datetime(2027, 2, 28)
    assert next_send("quarterly", 10, datetime(2026, 11, 22)) == datetime(2027, 1, 10)
    assert period_key("weekly", datetime(2027, 1, 1)) == "2026-W53"
    assert period_key("monthly", datetime(2026, 12, 31, 23, 59)) == "2026-12"
    assert period_key("quarterly", datetime(2027, 4, 1)) == "2027-Q2"


def test_due_schedule_mails_once_per_period_with_pdf_and_xlsx(
    appdb: AppDB, store_path: Path, smtp: tuple[Inbox, SmtpConfig]
) -> None:
    inbox, config = smtp
    sid = _schedule(appdb, "both")

    def open_store() -> Store:
        return Store(store_path, read_only=True)

    # Before the send moment: nothing.
    assert run_due(appdb, open_store, config, datetime(2026, 11, 30, 23, 59)) == []
    assert inbox.received == []

    outcomes = run_due(appdb, open_store, config, DUE)
    assert [(o.schedule_id, o.status, o.period) for o in outcomes] == [(sid, "sent", "2026-12")]
    assert len(inbox.received) == 1
    rcpt, msg = inbox.received[0]
    assert sorted(rcpt) == ["cfo@customer.example", "cs@customer.example"]
    assert msg["From"] == "reports@vendor.example"
    # Named after the data's last month (the store ends 2024-12-31), not the send month, and
    # marked stale: the data ends 700 days before the report date.
    assert msg["Subject"] == "portalroi report: both for default (data to 2024-12, STALE)"
    files = _attachments(msg)
    assert sorted(files) == ["portalroi-2024-12.pdf", "portalroi-2024-12.xlsx"]
    assert files["portalroi-2024-12.pdf"].startswith(b"%PDF-")
    # The workbook holds the whole store's figures (default workspace covers every account).
    with Store(store_path, read_only=True) as store:
        whole = roi_from_store(store)
    summary = _summary(files["portalroi-2024-12.xlsx"])
    assert summary["Benefits to date"] == pytest.approx(whole.realised.benefits_to_date.estimate)
    assert summary["Costs to date"] == pytest.approx(whole.realised.costs_to_date)

    row = _row(appdb, sid)
    assert (row.last_status, row.last_period, row.last_error) == ("sent", "2026-12", None)
    assert row.last_run_at == DUE
    assert row.next_run_at == datetime(2027, 1, 1)

    # Later in the same period: nothing more is sent.
    assert run_due(appdb, open_store, config, datetime(2026, 12, 20, 9, 0)) == []
    assert len(inbox.received) == 1
    # The next period sends again.
    later = run_due(appdb, open_store, config, datetime(2027, 1, 1, 0, 5))
    assert [o.period for o in later] == ["2027-01"]
    assert len(inbox.received) == 2


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_stale_data_is_named_by_its_month_and_warned_about(
    appdb: AppDB, store_path: Path, smtp: tuple[Inbox, SmtpConfig], tmp_path: Path
) -> None:
    inbox, config = smtp
    with Store(store_path, read_only=True) as store:
        (newest,) = store.con.execute(
            "SELECT greatest((SELECT max(created_at) FROM tickets), (SELECT max(ts) FROM events),"
            " (SELECT max(issued_at) FROM invoices))"
        ).fetchone() or (None,)
        (loaded,) = store.con.execute("SELECT max(finished_at) FROM _loads").fetchone() or (None,)
    assert f"{newest:%Y-%m-%d}" == "2024-12-31"
    _schedule(appdb, "both")
    run_due(appdb, lambda: Store(store_path, read_only=True), config, DUE)
    ((_, msg),) = inbox.received
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    # 2024-12-31 to 2026-12-01 is 700 days.
    assert text.startswith(
        "WARNING: stale data. the newest record is from 2024-12-31, 700 days before 2026-12-01"
    )
    assert f"newest record 2024-12-31 {newest:%H:%M} UTC" in text
    assert f"last load {loaded:%Y-%m-%d %H:%M} UTC" in text
    files = _attachments(msg)
    pdf = _pdf_text(files["portalroi-2024-12.pdf"], tmp_path)
    assert "Data to 2024-12" in pdf
    assert "Generated 1 December 2026" in pdf
    assert (
        "Stale data: the figures do not reach the date of this report: the newest record is "
        "from 2024-12-31, 700 days before 2026-12-01" in pdf
    )
    summary = _summary(files["portalroi-2024-12.xlsx"])
    assert summary["Newest record (UTC)"] == f"{newest:%Y-%m-%d %H:%M}"
    assert summary["Report date"] == "2026-12-01"
    assert summary["Stale data"].startswith("the newest record is from 2024-12-31, 700 days")

    # A report sent the day after the data ends is not stale, and says so nowhere.
    inbox.received.clear()
    _schedule(appdb, "pdf")
    with appdb.session() as s:
        s.execute(update(ReportSchedule).values(next_run_at=datetime(2025, 1, 1)))
    run_due(appdb, lambda: Store(store_path, read_only=True), config, datetime(2025, 1, 1, 6))
    subjects = sorted(str(m["Subject"]) for _, m in inbox.received)
    assert subjects == [
        "portalroi report: both for default (data to 2024-12)",
        "portalroi report: pdf for default (data to 2024-12)",
    ]
    pdf = _pdf_text(_attachments(inbox.received[1][1])["portalroi-2024-12.pdf"], tmp_path)
    assert "Stale" not in pdf
    assert "Newest record 2024-12-31" in pdf


def test_organisation_schedule_holds_only_its_accounts(
    appdb: AppDB,
    store_path: Path,
    org_store: tuple[Path, dict[str, list[str]]],
    smtp: tuple[Inbox, SmtpConfig],
    tmp_path: Path,
) -> None:
    inbox, config = smtp
    _schedule(appdb, "both", org_id="org-smb", tenant="vendor")
    outcomes = run_due(appdb, lambda: Store(store_path, read_only=True), config, DUE)
    assert [o.status for o in outcomes] == ["sent"]
    ((_, msg),) = inbox.received
    files = _attachments(msg)
    assert sorted(files) == ["portalroi-2024-12.pdf", "portalroi-2024-12.xlsx"]
    summary = _summary(files["portalroi-2024-12.xlsx"])
    monthly = openpyxl.load_workbook(io.BytesIO(files["portalroi-2024-12.xlsx"]), data_only=True)
    live_in_mail = [r[1] for r in monthly["Monthly"].iter_rows(min_row=2, values_only=True)]

    smb = org_store[1]["org-smb"]
    with Store(store_path, read_only=True) as store:
        # Independent path: the dashboard's organisation ROI (portalroi.services.roi).
        impact, facts, _share = scoped_effects(store, smb)
        scoped = build_roi(impact, facts, Assumptions())
        whole = roi_from_store(store)
    assert summary["Benefits to date"] == pytest.approx(scoped.realised.benefits_to_date.estimate)
    assert summary["Costs to date"] == pytest.approx(scoped.realised.costs_to_date)
    assert live_in_mail == pytest.approx(list(facts.live_account_months))
    # ... and it is not the whole store's figure: the other organisation's accounts are absent.
    assert max(live_in_mail) <= len(smb)
    assert sum(live_in_mail) < sum(whole.facts["live_account_months"])
    assert summary["Costs to date"] < whole.realised.costs_to_date
    # The files say whose report it is and what share of the portal's costs it carries.
    assert summary["Organisation"] == "org-smb"
    assert summary["Accounts"] == len(smb)
    assert summary["Share of portal costs"] == pytest.approx(_share)
    assert summary["Costs to date"] == pytest.approx(_share * whole.realised.costs_to_date)
    pdf = _pdf_text(files["portalroi-2024-12.pdf"], tmp_path)
    assert (
        f"Organisation org-smb: {len(smb)} accounts. The portal's costs are vendor-wide; this "
        f"report carries {_share:.1%} of them, its share of all live account-months." in pdf
    )


def test_smtp_failure_is_recorded_and_retried(
    appdb: AppDB, store_path: Path, smtp: tuple[Inbox, SmtpConfig]
) -> None:
    inbox, config = smtp
    sid = _schedule(appdb, "pdf")
    dead = SmtpConfig("127.0.0.1", _free_port())  # nothing listens there
    outcomes = run_due(appdb, lambda: Store(store_path, read_only=True), dead, DUE)
    assert [o.status for o in outcomes] == ["failed"]
    assert outcomes[0].error is not None
    assert "ConnectionRefusedError" in outcomes[0].error
    row = _row(appdb, sid)
    assert row.last_status == "failed"
    assert row.last_error == outcomes[0].error
    assert row.last_period is None
    assert row.next_run_at == DUE.replace(hour=0)  # still due
    # No SMTP host at all is a recorded failure too.
    unset = run_due(appdb, lambda: Store(store_path, read_only=True), SmtpConfig(None), DUE)
    assert unset[0].status == "failed"
    assert "smtp_host" in (unset[0].error or "")
    # Once the server is back, the next run sends the period's report.
    retry = run_due(appdb, lambda: Store(store_path, read_only=True), config, DUE)
    assert [o.status for o in retry] == ["sent"]
    assert len(inbox.received) == 1
    assert _row(appdb, sid).last_status == "sent"


def test_cli_run_due_sends_and_reports(
    appdb: AppDB,
    store_path: Path,
    smtp: tuple[Inbox, SmtpConfig],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, config = smtp
    _schedule(appdb, "pdf")
    monkeypatch.setenv("PORTALROI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTALROI_SMTP_PORT", str(config.port))
    args = ["schedules", "run-due", "--db", str(store_path), "--app-db", appdb.url]
    runner = CliRunner()
    early = runner.invoke(cli_app, [*args, "--now", "2026-11-20T00:00"])
    assert early.exit_code == 0, early.output
    assert "no schedule due" in early.output
    res = runner.invoke(cli_app, [*args, "--now", "2026-12-01T07:00+01:00", "--json"])
    assert res.exit_code == 0, res.output
    assert '"status": "sent"' in res.stdout
    sent = json.loads(res.stdout)
    assert [(o["data_to"], o["stale"][0][:46]) for o in sent] == [
        ("2024-12", "the newest record is from 2024-12-31, 700 days")
    ]
    assert len(inbox.received) == 1
    # The plain output says what the report holds and that it is stale.
    _schedule(appdb, "pdf", tenant="default")
    text = runner.invoke(cli_app, [*args, "--now", "2027-01-01T07:00"])
    assert text.exit_code == 0, text.output
    assert "(data to 2024-12; STALE: the newest record is from 2024-12-31, 731 days" in " ".join(
        text.output.split()
    )
    bad = runner.invoke(cli_app, [*args, "--now", "first of December"])
    assert bad.exit_code == 2
    assert "--now must be an ISO date" in bad.output


def test_server_job_sends_due_reports_when_enabled(
    appdb: AppDB, store_path: Path, smtp: tuple[Inbox, SmtpConfig], tmp_path: Path
) -> None:
    inbox, config = smtp
    sid = _schedule(appdb, "pdf")
    with appdb.session() as s:
        row = s.get(ReportSchedule, sid)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=40)  # a send moment has passed since
    settings = Settings(
        db=store_path,
        app_db_url=appdb.url,
        schedules_enabled=True,
        smtp_host="127.0.0.1",
        smtp_port=config.port,
    )
    app = create_app(settings)
    with TestClient(app):
        assert "APScheduler" in {t.name for t in threading.enumerate()}
        deadline = time.monotonic() + 40
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.2)
        # The job's first pass runs at start; give a late second pass no chance to double-send.
        time.sleep(0.5)
    assert len(inbox.received) == 1
    assert _row(appdb, sid).last_status == "sent"
    for t in threading.enumerate():  # the stopped scheduler's thread ends on its own
        if t.name == "APScheduler":
            t.join(timeout=10)
    # Disabled (the default): the app starts no scheduler thread.
    with TestClient(create_app(Settings(db=store_path, app_db_url=appdb.url))):
        assert "APScheduler" not in {t.name for t in threading.enumerate()}


def test_api_takes_send_day_and_shows_run_state(
    appdb: AppDB, store_path: Path, smtp: tuple[Inbox, SmtpConfig]
) -> None:
    inbox, config = smtp
    app = create_app(Settings(db=store_path, app_db_url=appdb.url))
    with appdb.session() as s:
        admin = add_user(s, "admin@vendor.example", "long enough secret", role="admin")
        secret, _ = create_token(s, admin, "test")
    auth = {"Authorization": f"Bearer {secret}"}
    body = {"name": "Weekly", "kind": "both", "frequency": "weekly", "day": 2}
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/report-schedules",
            json={**body, "recipients": ["cfo@customer.example"]},
            headers=auth,
        )
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        assert (r.json()["day"], r.json()["kind"], r.json()["last_status"]) == (2, "both", None)
        # A weekday runs 0-6: day 7 of a weekly schedule is refused with the reason.
        bad = client.post(
            "/api/v1/report-schedules",
            json={**body, "day": 7, "recipients": ["cfo@customer.example"]},
            headers=auth,
        )
        assert bad.status_code == 400
        assert "0-6" in bad.json()["error"]["message"]
        # The name becomes the e-mail subject: one line only.
        two_lines = client.post(
            "/api/v1/report-schedules",
            json={**body, "name": "Weekly\r\nBcc: x@example.com", "recipients": ["a@b.example"]},
            headers=auth,
        )
        assert two_lines.status_code == 422, two_lines.text
        assert "name" in two_lines.text
        # After a run the schedule shows when it ran, what happened and when it runs next.
        with appdb.session() as s:
            row = s.get(ReportSchedule, sid)
            assert row is not None
            created = row.created_at
        first = next_send("weekly", 2, created)
        run_due(appdb, lambda: Store(store_path, read_only=True), config, first)
        got = client.get(f"/api/v1/report-schedules/{sid}", headers=auth).json()
    assert got["last_status"] == "sent"
    assert got["next_run_at"].startswith((first + timedelta(days=7)).date().isoformat())
    assert len(inbox.received) == 1


def test_report_reads_one_state_of_the_store(
    store_path: Path, org_store: tuple[Path, dict[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A load commits on another connection between the ROI figures and the ticket series: the
    # report's series must still be the one from before it (both from one state of the store).
    from portalroi.reports import schedule
    from portalroi.services.leadership import tickets_by_month

    real = schedule.roi_from_store
    landed: list[bool] = []

    def roi_then_a_load(store: Store, *args: Any) -> Any:
        out = real(store, *args)
        other = store.con.cursor()  # a second connection to the same database
        account = org_store[1]["org-smb"][0]
        other.execute(
            "INSERT INTO tickets (ticket_id, account_id, created_at, channel) "
            "SELECT 'late-' || i, ?, TIMESTAMP '2024-06-15 10:00:00', 'email' "
            "FROM range(500) t(i)",
            [account],
        )
        other.close()
        landed.append(True)
        return out

    monkeypatch.setattr(schedule, "roi_from_store", roi_then_a_load)
    with Store(store_path) as store:
        before = tickets_by_month(store)
        report, tickets, _fresh, _scope = schedule._scoped_report(store, None, Assumptions(), None)
        after = tickets_by_month(store)
    assert landed == [True]
    assert after["2024-06"] == before["2024-06"] + 500  # the load did land ...
    assert tickets == before  # ... but not inside the report
    assert report.facts is not None
