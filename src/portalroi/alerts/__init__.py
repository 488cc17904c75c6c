"""Alerts: rules on health, metrics, counts and ticket topics, evaluated after each refresh.

Rules are data (:mod:`portalroi.alerts.rules`), stored in the analytics store with their
condition state and a history of every firing (:mod:`portalroi.alerts.tables`). A condition fires
once when it becomes true and re-arms after it clears (:mod:`portalroi.alerts.engine`); firings
go out by e-mail and as signed JSON webhooks (:mod:`portalroi.alerts.delivery`,
:mod:`portalroi.alerts.signing`).

Examples
--------
>>> from portalroi.alerts import parse_rule, sign, verify_signature
>>> parse_rule({"name": "ZRR", "kind": "metric_threshold", "metric": "zero_result_rate",
...             "op": "above", "value": 0.3}).scope
'account'
>>> verify_signature("secret-1", b"{}", sign("secret-1", b"{}", 10), "10", now=20)
True
"""

from __future__ import annotations

from portalroi.alerts.conditions import Condition
from portalroi.alerts.engine import (
    EVALUATORS,
    Evaluation,
    RunResult,
    after_refresh,
    deliver_pending,
    evaluate,
    run_alerts,
)
from portalroi.alerts.rules import AlertRule, load_rules, parse_rule, parse_rules
from portalroi.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify_signature
from portalroi.alerts.tables import (
    StoredRule,
    add_rule,
    events_frame,
    get_rule,
    list_rules,
    remove_rule,
)

__all__ = [
    "EVALUATORS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AlertRule",
    "Condition",
    "Evaluation",
    "RunResult",
    "StoredRule",
    "add_rule",
    "after_refresh",
    "deliver_pending",
    "evaluate",
    "events_frame",
    "get_rule",
    "list_rules",
    "load_rules",
    "parse_rule",
    "parse_rules",
    "remove_rule",
    "run_alerts",
    "sign",
    "verify_signature",
]
