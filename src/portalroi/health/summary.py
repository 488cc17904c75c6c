"""A short narrative per account over a period, built from the data, optionally reworded by an LLM.

:func:`account_facts` gathers the facts (usage and its change against the previous period of the
same length, tickets opened, escalations, tickets still open at the end, CSAT and NPS, and,
when given, the health score and churn risk with their reasons); :func:`facts_text` writes them
as plain sentences. When an OpenAI-compatible endpoint is configured (settings ``llm_base_url``,
``llm_model``, ``llm_api_key``), :func:`account_summary` sends the facts and the plain text to
``{llm_base_url}/chat/completions`` and asks for a rewrite; on any error (network, HTTP status,
unexpected JSON, empty answer) it keeps the data-built text. Nothing is sent unless configured.

Examples
--------
>>> facts = {"account_id": "A1", "start": "2024-01-01", "end": "2024-03-31", "events": 120,
...          "events_change": -0.4, "tickets": 3, "escalations": 0, "open_tickets": 1,
...          "csat": 4.5, "nps": None}
>>> print(facts_text(facts))
A1, 2024-01-01 to 2024-03-31: 120 portal events (down 40% on the previous period). 3 tickets \
opened, 0 escalated; 1 still open. CSAT 4.5/5.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from portalroi.errors import NotFoundError
from portalroi.health.features import FEATURES, as_timestamp
from portalroi.health.score import score_text
from portalroi.settings import Settings
from portalroi.store import Store

__all__ = ["AccountSummary", "account_facts", "account_summary", "facts_text", "llm_rewrite"]

_SQL = """
SELECT
  (SELECT count(*) FROM events WHERE account_id = $a AND ts >= $s AND ts < $e),
  (SELECT count(*) FROM events WHERE account_id = $a AND ts >= $p AND ts < $s),
  (SELECT count(*) FROM tickets WHERE account_id = $a AND created_at >= $s AND created_at < $e),
  (SELECT count(*) FILTER (WHERE escalated) FROM tickets
     WHERE account_id = $a AND created_at >= $s AND created_at < $e),
  (SELECT count(*) FROM tickets WHERE account_id = $a AND created_at < $e
     AND (coalesce(resolved_at, closed_at) IS NULL OR coalesce(resolved_at, closed_at) >= $e)),
  (SELECT avg(csat) FROM tickets WHERE account_id = $a AND resolved_at >= $s AND resolved_at < $e),
  (SELECT avg(score) FROM surveys WHERE account_id = $a AND kind = 'nps' AND ts >= $s AND ts < $e)
"""


def account_facts(
    store: Store,
    account_id: str,
    start: date | datetime | str,
    end: date | datetime | str,
    health: dict[str, Any] | None = None,
    risk: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The facts of one account over ``[start, end)``; ``health``/``risk`` are passed through.

    ``events_change`` compares the events with the previous period of the same length
    (missing when that period had none).
    """
    exists = store.con.execute(
        "SELECT count(*) FROM accounts WHERE account_id = $a", {"a": account_id}
    ).fetchone()
    if not exists or not exists[0]:
        raise NotFoundError(f"account {account_id!r} is not in the store")
    s, e = as_timestamp(start), as_timestamp(end)
    prev = s - (e - s)
    row = store.con.execute(_SQL, {"a": account_id, "s": s, "e": e, "p": prev}).fetchone()
    assert row is not None
    events, before, tickets, esc, open_, csat, nps = row
    facts: dict[str, Any] = {
        "account_id": account_id,
        "start": s.date().isoformat(),
        "end": (e - timedelta(days=1)).date().isoformat(),
        "events": int(events),
        "events_change": (events / before - 1.0) if before else None,
        "tickets": int(tickets),
        "escalations": int(esc or 0),
        "open_tickets": int(open_),
        "csat": None if csat is None else round(float(csat), 2),
        "nps": None if nps is None else round(float(nps), 1),
    }
    if health is not None:
        facts["health"] = health
    if risk is not None:
        facts["risk"] = risk
    return facts


def _change(x: float) -> str:
    word = "up" if x > 0 else "down"
    return f"{word} {abs(x):.0%} on the previous period" if abs(x) >= 0.005 else "unchanged"


def facts_text(facts: dict[str, Any]) -> str:
    """The facts as plain sentences (the data-built summary)."""
    parts = [
        f"{facts['account_id']}, {facts['start']} to {facts['end']}: {facts['events']} portal "
        "events"
    ]
    if facts.get("events_change") is not None:
        parts[0] += f" ({_change(float(facts['events_change']))})"
    parts[0] += "."
    parts.append(
        f"{facts['tickets']} tickets opened, {facts['escalations']} escalated; "
        f"{facts['open_tickets']} still open."
    )
    sat = []
    if facts.get("csat") is not None:
        sat.append(f"CSAT {facts['csat']}/5")
    if facts.get("nps") is not None:
        sat.append(f"NPS answers average {facts['nps']}/10")
    if sat:
        parts.append(", ".join(sat) + ".")
    health = facts.get("health")
    if health:
        parts.append(
            f"Health score {score_text(health['score'])}/100 ({health['band'].replace('_', ' ')}, "
            f"trend {health['trend']})."
        )
    risk = facts.get("risk")
    if risk:
        reasons = [FEATURES.get(r["feature"], r["feature"]) for r in risk.get("reasons", [])]
        text = f"Churn risk {risk['risk']:.0%}"
        parts.append(text + (f", mainly from: {'; '.join(reasons)}." if reasons else "."))
    return " ".join(parts)


def llm_rewrite(facts: dict[str, Any], text: str, settings: Settings, timeout: float = 20.0) -> str:
    """Ask the configured OpenAI-compatible endpoint to reword ``text``; raises on any failure."""
    if not settings.llm_base_url or not settings.llm_model:
        raise ValueError("no LLM endpoint configured")
    body = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [
            {
                "role": "system",
                "content": "You write short account summaries for customer-success managers. "
                "Use only the facts given; do not add numbers.",
            },
            {
                "role": "user",
                "content": "Facts (JSON):\n"
                + json.dumps(facts, default=str)
                + "\n\nDraft:\n"
                + text
                + "\n\nRewrite the draft as two or three clear sentences.",
            },
        ],
    }
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    req = urllib.request.Request(
        settings.llm_base_url.rstrip("/") + "/chat/completions",
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        answer = json.loads(resp.read().decode("utf-8"))
    content = answer["choices"][0]["message"]["content"]
    if not isinstance(content, str) or not content.strip():
        raise ValueError("empty answer")
    return content.strip()


@dataclass(frozen=True)
class AccountSummary:
    """A narrative and the facts it was built from; ``source`` is ``data`` or ``llm``."""

    facts: dict[str, Any]
    text: str
    source: str


def account_summary(
    store: Store,
    account_id: str,
    start: date | datetime | str,
    end: date | datetime | str,
    health: dict[str, Any] | None = None,
    risk: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> AccountSummary:
    """Summary of one account over ``[start, end)``, reworded by the LLM hook when configured.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     account_summary(store, "A1", "2024-01-01", "2024-04-01")
    Traceback (most recent call last):
    ...
    portalroi.errors.NotFoundError: account 'A1' is not in the store
    """
    facts = account_facts(store, account_id, start, end, health, risk)
    text = facts_text(facts)
    if settings is not None and settings.llm_base_url:
        try:
            return AccountSummary(facts, llm_rewrite(facts, text, settings), "llm")
        except Exception:
            pass
    return AccountSummary(facts, text, "data")
