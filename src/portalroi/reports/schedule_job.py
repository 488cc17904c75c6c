"""The server's schedule job: APScheduler runs :func:`~portalroi.reports.schedule.run_due`.

Started by :func:`portalroi.api.app.create_app` only when the setting ``schedules_enabled`` is
true. It checks every ``interval_minutes`` (15 by default) and sends what is due, using the
server's own store pool, so a report never opens a second connection to the DuckDB file. Use
either this job or cron running ``portalroi schedules run-due``; both together are safe (a
schedule is claimed before it is sent) but pointless.

Examples
--------
>>> JOB_ID
'portalroi-scheduled-reports'
"""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from portalroi.api.appstate.db import AppDB
from portalroi.api.appstate.models import utcnow
from portalroi.api.pool import StorePool
from portalroi.reports.schedule import RunOutcome, SmtpConfig, run_due
from portalroi.settings import Settings

__all__ = ["JOB_ID", "run_due_now", "start_schedule_job"]

JOB_ID = "portalroi-scheduled-reports"


def run_due_now(appdb: AppDB, pool: StorePool, settings: Settings) -> list[RunOutcome]:
    """One pass of the job: send what is due now through the server's store pool."""
    return run_due(
        appdb, pool.borrow, SmtpConfig.from_settings(settings), utcnow(), settings.language
    )


def start_schedule_job(
    appdb: AppDB, pool: StorePool, settings: Settings, interval_minutes: float = 15.0
) -> BackgroundScheduler:
    """Start a background scheduler that runs :func:`run_due_now` every ``interval_minutes``.

    The first pass runs at start (a server that was down at a send moment catches up); the
    caller stops it with ``scheduler.shutdown()``.
    """
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        run_due_now,
        "interval",
        minutes=interval_minutes,
        args=(appdb, pool, settings),
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler
