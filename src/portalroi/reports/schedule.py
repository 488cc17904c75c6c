"""Scheduled reports: which schedules are due, generate each for its scope, e-mail it, record it.

A schedule (``report_schedules`` in the app-state database) sends the leadership report weekly,
monthly or quarterly to its recipients. Times are UTC. The **send moment** of a period is
midnight of its send day: weekday ``day`` (0 = Monday, default 0) of an ISO week, or day ``day``
(1-28, default 1) of a month or quarter. A schedule is due when its ``next_run_at`` (at creation:
the first send moment at or after ``created_at``) has passed.

One run (:func:`run_due`) claims each due schedule by moving ``next_run_at`` to the first send
moment after ``now`` (an update that only succeeds if nobody else moved it first), builds the
report for the schedule's scope (its organisation, or every organisation of its tenant), sends
one e-mail with the PDF and/or Excel attached, and records ``last_run_at``, ``last_period``,
``last_status`` (``sent`` or ``failed``) and ``last_error``. A schedule therefore sends at most
once per period; a failed one gets its old ``next_run_at`` back and is tried again next run.

Examples
--------
>>> from datetime import datetime
>>> next_send("monthly", 5, datetime(2026, 11, 22, 10, 0))
datetime.datetime(2026, 12, 5, 0, 0)
>>> next_send("weekly", None, datetime(2026, 11, 22, 10, 0))  # a Sunday: next Monday
datetime.datetime(2026, 11, 23, 0, 0)
>>> period_key("quarterly", datetime(2026, 11, 22))
'2026-Q4'
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from portalroi.api.appstate.db import AppDB
from portalroi.api.appstate.models import BusinessCase, Organisation, ReportSchedule, Tenant
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.errors import ConfigError, DataError
from portalroi.metrics import snapshot
from portalroi.reports.freshness import Freshness, data_freshness, stale_warnings
from portalroi.reports.mail import Attachment, SmtpConfig, send_mail
from portalroi.roi import Assumptions, RoiReport, measure_facts, roi_from_store
from portalroi.roi.facts import subset_store
from portalroi.services.leadership import tickets_by_month
from portalroi.services.roi import cost_share
from portalroi.store import Store

if TYPE_CHECKING:  # the report module loads the chart renderer: only when a report is made
    from portalroi.reports.leadership import ReportScope

__all__ = [
    "ATTACHMENTS",
    "Attachment",
    "RunOutcome",
    "SmtpConfig",
    "build_attachments",
    "next_send",
    "period_key",
    "run_due",
    "schedule_scope",
    "send_mail",
]

#: What each schedule ``kind`` attaches.
ATTACHMENTS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "excel": ("xlsx",),
    "both": ("pdf", "xlsx"),
}
_DEFAULT_DAY = {"weekly": 0, "monthly": 1, "quarterly": 1}
_DAY_RANGE = {"weekly": (0, 6), "monthly": (1, 28), "quarterly": (1, 28)}


def _day(frequency: str, day: int | None) -> int:
    if frequency not in _DEFAULT_DAY:
        raise ConfigError(f"frequency must be weekly, monthly or quarterly; got {frequency!r}")
    if day is None:
        return _DEFAULT_DAY[frequency]
    lo, hi = _DAY_RANGE[frequency]
    if not lo <= day <= hi:
        raise ConfigError(f"day of a {frequency} schedule must be {lo}-{hi}; got {day}")
    return day


def _period_start(frequency: str, at: datetime) -> datetime:
    midnight = datetime(at.year, at.month, at.day)
    if frequency == "weekly":
        return midnight - timedelta(days=at.weekday())
    month = at.month if frequency == "monthly" else 3 * ((at.month - 1) // 3) + 1
    return datetime(at.year, month, 1)


def _next_period_start(frequency: str, start: datetime) -> datetime:
    if frequency == "weekly":
        return start + timedelta(days=7)
    months = 1 if frequency == "monthly" else 3
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1)


def _send_moment(frequency: str, day: int, start: datetime) -> datetime:
    return start + timedelta(days=day if frequency == "weekly" else day - 1)


def next_send(frequency: str, day: int | None, after: datetime) -> datetime:
    """The first send moment at or after ``after`` (naive UTC).

    Examples
    --------
    >>> next_send("quarterly", 1, datetime(2026, 1, 1))
    datetime.datetime(2026, 1, 1, 0, 0)
    """
    d = _day(frequency, day)
    start = _period_start(frequency, after)
    moment = _send_moment(frequency, d, start)
    if moment < after:
        moment = _send_moment(frequency, d, _next_period_start(frequency, start))
    return moment


def period_key(frequency: str, at: datetime) -> str:
    """Name of the period holding ``at``: ``2026-W47``, ``2026-11`` or ``2026-Q4``.

    Examples
    --------
    >>> period_key("weekly", datetime(2026, 11, 22))
    '2026-W47'
    """
    if frequency == "weekly":
        year, week, _ = at.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == "monthly":
        return f"{at.year}-{at.month:02d}"
    return f"{at.year}-Q{(at.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class RunOutcome:
    """What happened to one due schedule."""

    schedule_id: int
    name: str
    period: str
    status: str
    recipients: tuple[str, ...]
    attachments: tuple[str, ...]
    error: str | None = None
    #: The data's last month the report holds (``None`` when it failed before that).
    data_to: str | None = None
    #: Why the report was marked stale (empty when it was not).
    stale: tuple[str, ...] = ()


def schedule_scope(s: OrmSession, row: ReportSchedule) -> frozenset[str] | None:
    """The ``accounts.org_id`` values a schedule's report covers (``None`` = every account).

    An organisation's schedule covers that organisation; a tenant-level one every organisation
    of the tenant, or every account when the tenant covers all (the default workspace).
    """
    if row.org_id is not None:
        return frozenset({row.org_id})
    tenant = s.get(Tenant, row.tenant_id)
    if tenant is not None and tenant.covers_all:
        return None
    orgs = s.scalars(select(Organisation.org_id).where(Organisation.tenant_id == row.tenant_id))
    return frozenset(orgs)


def _scoped_report(
    store: Store,
    scope: frozenset[str] | None,
    assumptions: Assumptions,
    inputs: BusinessCaseInputs | None,
) -> tuple[RoiReport, dict[str, float], Freshness, ReportScope | None]:
    """The ROI report, tickets per month, data freshness and scope (organisations, accounts,
    cost share; ``None`` for every account) of the accounts in ``scope`` only, all read from one
    state of the store (a load committing meanwhile cannot make the figures disagree)."""
    from portalroi.reports.leadership import ReportScope

    if scope is not None and not scope:
        raise DataError("the schedule's workspace has no organisations, so no accounts to report")
    with snapshot(store):
        if scope is None:
            return (
                roi_from_store(store, inputs, assumptions),
                tickets_by_month(store),
                data_freshness(store),
                None,
            )
        accounts = [
            str(a)
            for (a,) in store.con.execute(
                "SELECT account_id FROM accounts WHERE org_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(scope)],
            ).fetchall()
        ]
        if not accounts:
            raise DataError(
                f"no accounts of organisation(s) {', '.join(sorted(scope))} in the store"
            )
        # The portal's costs are vendor-wide: the scope carries its share of live account-months,
        # as the dashboard's organisation ROI does.
        share = cost_share(
            measure_facts(store, accounts=accounts).live_account_months,
            measure_facts(store).live_account_months,
        )
        sub = subset_store(store, accounts, share)
        try:
            return (
                roi_from_store(sub, inputs, assumptions),
                tickets_by_month(sub),
                data_freshness(sub, loads=store),
                ReportScope(tuple(sorted(scope)), len(accounts), share),
            )
        finally:
            sub.close()


def build_attachments(
    report: RoiReport,
    tickets: dict[str, float],
    kind: str,
    stem: str,
    lang: str = "en",
    *,
    today: date | None = None,
    freshness: Freshness | None = None,
    scope: ReportScope | None = None,
) -> list[Attachment]:
    """Render the leadership report as the files a schedule of ``kind`` attaches, dated
    ``today`` and, with ``freshness``, saying how fresh its data is (and warning when stale).

    Examples
    --------
    >>> ATTACHMENTS["both"]
    ('pdf', 'xlsx')
    """
    from portalroi.reports.leadership import write_leadership_excel, write_leadership_pdf

    if kind not in ATTACHMENTS:
        raise ConfigError(f"report kind must be one of {', '.join(ATTACHMENTS)}; got {kind!r}")
    writers: dict[str, Callable[[Path], Path]] = {
        "pdf": lambda p: write_leadership_pdf(
            report, tickets, p, lang, today=today, freshness=freshness, scope=scope
        ),
        "xlsx": lambda p: write_leadership_excel(
            report, p, today=today, freshness=freshness, scope=scope
        ),
    }
    out = []
    with tempfile.TemporaryDirectory(prefix="portalroi-schedule-") as tmp:
        for ext in ATTACHMENTS[kind]:
            path = writers[ext](Path(tmp) / f"{stem}.{ext}")
            out.append(Attachment(path.name, path.read_bytes()))
    return out


def _mail_body(
    name: str,
    as_of: str,
    fresh: Freshness,
    stale: list[str],
    files: tuple[str, ...],
    sid: int,
    frequency: str,
    period: str,
) -> str:
    newest = "–" if fresh.newest_record is None else f"{fresh.newest_record:%Y-%m-%d %H:%M}"
    loaded = "–" if fresh.last_load is None else f"{fresh.last_load:%Y-%m-%d %H:%M}"
    warning = (
        "WARNING: stale data. " + "; ".join(stale) + ". The figures do not reach the date "
        "of this report; check that the data loads still run.\n\n"
        if stale
        else ""
    )
    return (
        f"{warning}The portal report '{name}' (data to {as_of}; newest record {newest} UTC, "
        f"last load {loaded} UTC) is attached: {', '.join(files)}.\n\n"
        f"Sent by portalroi; schedule {sid}, {frequency}, period {period}.\n"
    )


def _claim(appdb: AppDB, now: datetime) -> list[tuple[int, datetime]]:
    """Due schedules, each claimed by moving ``next_run_at`` past ``now``: (id, old due time)."""
    claimed = []
    with appdb.session() as s:
        rows = s.scalars(select(ReportSchedule).order_by(ReportSchedule.id)).all()
        due = []
        for row in rows:
            nxt = row.next_run_at or next_send(row.frequency, row.day, row.created_at)
            if nxt <= now:
                due.append((row.id, row.next_run_at, nxt, row.frequency, row.day))
    for sid, stored, nxt, frequency, day in due:
        later = next_send(frequency, day, now + timedelta(microseconds=1))
        with appdb.session() as s:
            # Compare-and-set: a second process that read the same row claims nothing.
            cond = (
                ReportSchedule.next_run_at.is_(None)
                if stored is None
                else ReportSchedule.next_run_at == stored
            )
            res = s.execute(
                update(ReportSchedule)
                .where(ReportSchedule.id == sid, cond)
                .values(next_run_at=later, last_status="running")
            )
            if getattr(res, "rowcount", 0) == 1:
                claimed.append((sid, nxt))
    return claimed


def _run_one(
    appdb: AppDB,
    open_store: Callable[[], AbstractContextManager[Store]],
    smtp: SmtpConfig,
    sid: int,
    due_at: datetime,
    now: datetime,
    lang: str,
) -> RunOutcome:
    from portalroi.businesscase import parse_inputs

    with appdb.session() as s:
        row = s.get(ReportSchedule, sid)
        assert row is not None
        name, kind, frequency = row.name, row.kind, row.frequency
        recipients = tuple(row.recipients)
        scope = schedule_scope(s, row)
        case = s.get(BusinessCase, row.business_case_id) if row.business_case_id else None
        case_inputs = (case.id, case.inputs) if case is not None else None
    period = period_key(frequency, now)
    files: tuple[str, ...] = ()
    error: str | None = None
    data_to: str | None = None
    stale: list[str] = []
    try:
        plan = (
            parse_inputs(case_inputs[1], origin=f"business case {case_inputs[0]}")
            if case_inputs
            else None
        )
        assumptions = Assumptions.from_plan(plan) if plan is not None else Assumptions()
        with open_store() as store:
            report, tickets, fresh, covered = _scoped_report(store, scope, assumptions, plan)
        # Named after the data's last month, not the month it is sent in: a report sent on
        # 1 December holds November's figures (or older ones, when no data came since).
        data_to = report.as_of
        stem = f"portalroi-{data_to}"
        attachments = build_attachments(
            report, tickets, kind, stem, lang, today=now.date(), freshness=fresh, scope=covered
        )
        files = tuple(a.filename for a in attachments)
        stale = stale_warnings(fresh, now.date())
        subject = f"portalroi report: {name} (data to {report.as_of}{', STALE' if stale else ''})"
        body = _mail_body(name, report.as_of, fresh, stale, files, sid, frequency, period)
        send_mail(smtp, recipients, subject, body, attachments)
    except Exception as exc:  # one broken schedule must not stop the others
        error = f"{type(exc).__name__}: {exc}"
    with appdb.session() as s:
        row = s.get(ReportSchedule, sid)
        if row is not None:
            row.last_run_at = now
            row.last_status = "failed" if error else "sent"
            row.last_error = error
            if error:
                row.next_run_at = due_at  # still due: tried again next run
            else:
                row.last_period = period
    return RunOutcome(
        sid,
        name,
        period,
        "failed" if error else "sent",
        recipients,
        files,
        error,
        data_to,
        tuple(stale),
    )


def run_due(
    appdb: AppDB,
    open_store: Callable[[], AbstractContextManager[Store]],
    smtp: SmtpConfig,
    now: datetime,
    lang: str = "en",
) -> list[RunOutcome]:
    """Send every schedule due at ``now`` (naive UTC) and record each run.

    Parameters
    ----------
    appdb
        The app-state database (migrated).
    open_store
        Opens the analytics store for one report (``lambda: Store(path, read_only=True)``, or a
        server's pool ``borrow``).
    smtp
        Mail server settings.
    now
        The time to run at; schedules whose next send moment is after it are left alone.
    lang
        Report language (``en`` or ``sv``).

    Returns
    -------
    list[RunOutcome]
        One outcome per schedule this call claimed; failures are recorded, never raised.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> db = AppDB(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'a.sqlite'}")
    >>> db.migrate()
    >>> run_due(db, lambda: Store(":memory:"), SmtpConfig(None), datetime(2026, 12, 1))
    []
    """
    return [
        _run_one(appdb, open_store, smtp, sid, due_at, now, lang)
        for sid, due_at in _claim(appdb, now)
    ]
