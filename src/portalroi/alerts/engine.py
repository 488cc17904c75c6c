"""Evaluate the rules, de-duplicate, record the firings and deliver them.

De-duplication works on conditions: a (rule, account, subject) triple. A condition **fires** when
it becomes true (it was not active in ``_alert_state``), stays **silent** while it remains true
on later runs (an hourly re-evaluation does not fire again), and **re-arms** once a run finds it
false: the next time it is true it fires again. With ``renotify_days`` a condition that stays
true fires again once that many days have passed since it last fired. A rule whose evaluation
fails leaves its conditions' state as it was (no false "cleared").

Each firing is one row of ``_alert_events`` with one delivery row per channel. Deliveries are
attempted right away; a failed one keeps its error text and is retried on every later run until
it succeeds (at most :data:`MAX_ATTEMPTS` attempts).

Examples
--------
>>> from portalroi.store import Store
>>> from portalroi.settings import Settings
>>> run_alerts(Store(":memory:"), Settings()).fired
[]
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portalroi.alerts.conditions import Condition, RuleContext, data_end, day_boundary
from portalroi.alerts.delivery import payload_bytes, post_webhook, send_email
from portalroi.alerts.kind_counts import evaluate_spike, evaluate_topic_surge
from portalroi.alerts.kind_health import evaluate_health_band
from portalroi.alerts.kind_metric import evaluate_metric_change, evaluate_metric_threshold
from portalroi.alerts.tables import StoredRule, ensure_tables, list_rules, new_id
from portalroi.errors import PortalRoiError
from portalroi.metrics import snapshot
from portalroi.reports.mail import SmtpConfig
from portalroi.settings import Settings
from portalroi.store import Store

__all__ = [
    "EVALUATORS",
    "MAX_ATTEMPTS",
    "NOT_TRIED",
    "RULE_REMOVED",
    "Evaluation",
    "RunResult",
    "after_refresh",
    "deliver_pending",
    "evaluate",
    "run_alerts",
]

logger = logging.getLogger(__name__)

#: Attempts per delivery before it is given up.
MAX_ATTEMPTS = 10
#: ``last_error`` of a delivery whose rule was removed before it was sent.
RULE_REMOVED = "rule removed"
#: ``last_error`` prefix of a delivery skipped because its server failed earlier in the run.
NOT_TRIED = "not tried this run: "

#: Rule kind -> evaluator(rule, context) -> conditions that hold.
EVALUATORS: dict[str, Callable[[Any, RuleContext], list[Condition]]] = {
    "health_band": evaluate_health_band,
    "metric_change": evaluate_metric_change,
    "metric_threshold": evaluate_metric_threshold,
    "spike": evaluate_spike,
    "topic_surge": evaluate_topic_surge,
}


@dataclass
class Evaluation:
    """What holds at ``as_of``: conditions per rule id, and the rules that failed (reason)."""

    as_of: datetime | None
    conditions: dict[str, list[Condition]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def evaluate(store: Store, rules: Sequence[StoredRule], now: datetime | None = None) -> Evaluation:
    """Which conditions of ``rules`` hold, from what the store holds (no state is changed).

    ``now`` defaults to the store's last event or ticket time; either is rounded up to the next
    midnight (UTC), see :mod:`portalroi.alerts.conditions`. Disabled rules are skipped.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> evaluate(Store(":memory:"), []).as_of is None
    True
    """
    end = now if now is not None else data_end(store)
    if end is None:
        return Evaluation(None)
    ctx = RuleContext(store, day_boundary(end))
    result = Evaluation(ctx.as_of)
    for stored in rules:
        if not stored.rule.enabled:
            continue
        try:
            # Each rule reads one state of the store (a load committing meanwhile cannot put a
            # spurious change between the two windows it compares); its own snapshot, so a rule
            # that fails does not take the next ones with it.
            with snapshot(store):
                result.conditions[stored.rule_id] = EVALUATORS[stored.rule.kind](stored.rule, ctx)
        except (PortalRoiError, ValueError, KeyError) as exc:
            result.errors[stored.rule_id] = f"{type(exc).__name__}: {exc}"
    return result


@dataclass
class RunResult:
    """One run: evaluation instant, new event ids, conditions cleared, delivery outcomes."""

    as_of: datetime | None
    fired: list[str] = field(default_factory=list)
    still_active: int = 0
    cleared: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    delivered: int = 0
    failed: int = 0


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat() + "Z"


def _payload(
    event_id: str, stored: StoredRule, cond: Condition, as_of: datetime, fired_at: datetime
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "rule": {"id": stored.rule_id, "name": stored.rule.name, "kind": stored.rule.kind},
        "org_id": stored.rule.org_id,
        "account_id": cond.account_id,
        "subject": cond.subject or None,
        "reason": cond.reason,
        "details": cond.details,
        "value": cond.value,
        "threshold": cond.threshold,
        "window": {"start": _iso(cond.window_start), "end": _iso(cond.window_end)},
        "as_of": _iso(as_of),
        "fired_at": _iso(fired_at),
    }


def _fire(con: Any, stored: StoredRule, cond: Condition, as_of: datetime, wall: datetime) -> str:
    event_id = new_id("ae")
    payload = _payload(event_id, stored, cond, as_of, wall)
    con.execute(
        "INSERT INTO _alert_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            event_id,
            stored.rule_id,
            stored.rule.name,
            stored.rule.kind,
            stored.rule.org_id,
            cond.account_id,
            cond.subject,
            cond.reason,
            cond.value,
            cond.threshold,
            cond.window_start,
            cond.window_end,
            as_of,
            wall,
            json.dumps(payload),
        ],
    )
    channels = []
    if stored.rule.email:
        channels.append(("email", ", ".join(stored.rule.email)))
    if stored.rule.webhook_url:
        channels.append(("webhook", stored.rule.webhook_url))
    for channel, target in channels:
        con.execute(
            "INSERT INTO _alert_deliveries VALUES (?, ?, ?, 'pending', 0, NULL, NULL, NULL)",
            [event_id, channel, target],
        )
    return event_id


def _apply(
    store: Store, stored: StoredRule, conds: list[Condition], as_of: datetime, wall: datetime
) -> tuple[list[str], int, int]:
    """Fire new conditions, keep silent on active ones, clear vanished ones."""
    rows = store.con.execute(
        "SELECT cond_key, active, last_fired_at FROM _alert_state WHERE rule_id = ?",
        [stored.rule_id],
    ).fetchall()
    state = {str(k): (bool(a), f) for k, a, f in rows}
    fired, silent = [], 0
    now_keys = set()
    renotify = stored.rule.renotify_days
    with store.transaction() as con:
        for cond in conds:
            if cond.key in now_keys:
                continue
            now_keys.add(cond.key)
            active, last = state.get(cond.key, (False, None))
            due = (
                renotify is not None
                and last is not None
                and wall - last >= timedelta(days=float(renotify))
            )
            if active and not due:
                silent += 1
                continue
            event_id = _fire(con, stored, cond, as_of, wall)
            fired.append(event_id)
            if cond.key in state:
                con.execute(
                    "UPDATE _alert_state SET active = TRUE, account_id = ?, "
                    "since = CASE WHEN active THEN since ELSE ? END, last_fired_at = ?, "
                    "last_event_id = ? WHERE rule_id = ? AND cond_key = ?",
                    [cond.account_id, wall, wall, event_id, stored.rule_id, cond.key],
                )
            else:
                con.execute(
                    "INSERT INTO _alert_state VALUES (?, ?, ?, ?, TRUE, ?, ?, ?, NULL)",
                    [
                        stored.rule_id,
                        cond.key,
                        cond.account_id,
                        stored.rule.org_id,
                        wall,
                        wall,
                        event_id,
                    ],
                )
        gone = [k for k, (a, _) in state.items() if a and k not in now_keys]
        for key in gone:
            con.execute(
                "UPDATE _alert_state SET active = FALSE, cleared_at = ? "
                "WHERE rule_id = ? AND cond_key = ?",
                [wall, stored.rule_id, key],
            )
    return fired, silent, len(gone)


def _secret(stored: StoredRule | None, settings: Settings) -> str:
    if stored is not None and stored.rule.webhook_secret:
        return str(stored.rule.webhook_secret)
    return settings.secret_key


def deliver_pending(
    store: Store, settings: Settings, wall: datetime | None = None
) -> tuple[int, int]:
    """Attempt every pending or failed delivery; returns (sent, failed) of this attempt.

    A delivery whose rule was removed is cancelled; one that has failed :data:`MAX_ATTEMPTS`
    times is given up (``gave_up``), keeping its last error.
    """
    ensure_tables(store)
    rows = store.con.execute(
        "SELECT d.event_id, d.channel, d.attempts, e.rule_id, e.payload "
        "FROM _alert_deliveries d JOIN _alert_events e USING (event_id) "
        "WHERE d.status IN ('pending', 'failed') ORDER BY e.fired_at, d.event_id, d.channel"
    ).fetchall()
    if not rows:
        return 0, 0
    rules = {r.rule_id: r for r in list_rules(store)}
    smtp = SmtpConfig.from_settings(settings)
    sent = failed = 0
    # A server that failed once in this run is not tried again until the next run, so one
    # unreachable host costs one timeout per run, not one per pending delivery.
    down: dict[str, str] = {}
    for event_id, channel, attempts, rule_id, payload_json in rows:
        stored = rules.get(rule_id)
        at = wall or datetime.now()
        if stored is None:
            store.con.execute(
                "UPDATE _alert_deliveries SET status = 'cancelled', last_error = ? "
                "WHERE event_id = ? AND channel = ?",
                [RULE_REMOVED, event_id, channel],
            )
            continue
        payload = json.loads(payload_json)
        server = f"smtp:{smtp.host}:{smtp.port}" if channel == "email" else stored.rule.webhook_url
        if server in down:
            failed += 1
            store.con.execute(
                "UPDATE _alert_deliveries SET status = 'failed', last_error = ? "
                "WHERE event_id = ? AND channel = ?",
                [f"{NOT_TRIED}{down[server]}"[:1000], event_id, channel],
            )
            continue
        try:
            if channel == "email":
                send_email(smtp, list(stored.rule.email), payload)
            else:
                body = payload_bytes(payload)
                post_webhook(
                    str(stored.rule.webhook_url),
                    _secret(stored, settings),
                    body,
                    allow_private=settings.webhook_allow_private,
                )
        # ValueError: a message the mail library refuses (a header with a line break)
        except (OSError, ValueError, PortalRoiError) as exc:
            down[str(server)] = f"{type(exc).__name__}: {exc}"
            failed += 1
            status = "gave_up" if attempts + 1 >= MAX_ATTEMPTS else "failed"
            store.con.execute(
                "UPDATE _alert_deliveries SET status = ?, attempts = attempts + 1, "
                "last_error = ?, last_attempt_at = ? WHERE event_id = ? AND channel = ?",
                [status, f"{type(exc).__name__}: {exc}"[:1000], at, event_id, channel],
            )
            continue
        sent += 1
        store.con.execute(
            "UPDATE _alert_deliveries SET status = 'sent', attempts = attempts + 1, "
            "last_error = NULL, last_attempt_at = ?, delivered_at = ? "
            "WHERE event_id = ? AND channel = ?",
            [at, at, event_id, channel],
        )
    return sent, failed


def run_alerts(
    store: Store,
    settings: Settings,
    now: datetime | None = None,
    *,
    wall: datetime | None = None,
    deliver: bool = True,
) -> RunResult:
    """Evaluate every enabled rule, record what fires (de-duplicated) and deliver it.

    Parameters
    ----------
    store
        The analytics store (written: state, events, deliveries).
    settings
        SMTP settings and the default webhook secret.
    now
        Data instant to evaluate at (default: the store's last timestamp; see :func:`evaluate`).
    wall
        Clock time recorded as ``fired_at`` and used for ``renotify_days`` (default: now, UTC).
    deliver
        Send (and retry) deliveries after recording.
    """
    ensure_tables(store)
    rules = list_rules(store)
    clock = wall or datetime.now()
    evaluation = evaluate(store, rules, now)
    result = RunResult(evaluation.as_of, errors=dict(evaluation.errors))
    if evaluation.as_of is not None:
        for stored in rules:
            conds = evaluation.conditions.get(stored.rule_id)
            if conds is None:
                continue
            fired, silent, cleared = _apply(store, stored, conds, evaluation.as_of, clock)
            result.fired += fired
            result.still_active += silent
            result.cleared += cleared
    if deliver:
        result.delivered, result.failed = deliver_pending(store, settings, clock)
    return result


def _record_scores(store: Store) -> None:
    try:
        history = importlib.import_module("portalroi.health.history")
    except ModuleNotFoundError as exc:
        if exc.name != "portalroi.health.history":
            raise
        return
    history.record_scores(store, as_of=None)


def after_refresh(store: Store, settings: Settings) -> RunResult | None:
    """Work after each successful load: record risk scores (when available), run the alerts.

    Called after the load has committed, so a failure here is logged and returned as ``None``
    instead of failing the load.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> after_refresh(Store(":memory:"), Settings()).fired
    []
    """
    # The load has committed: report a failure here in the log instead of failing the load.
    try:
        _record_scores(store)
    except Exception:
        logger.exception("recording risk scores after the load failed")
    try:
        return run_alerts(store, settings)
    except Exception:
        logger.exception("evaluating alerts after the load failed")
        return None
