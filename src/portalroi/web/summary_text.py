"""One account's activity summary as sentences in the page's language.

English is :func:`portalroi.health.summary.facts_text` (the text the CLI and the API give);
Swedish is built here from the same facts, with Swedish number formats and the dashboard's
band and trend words. Signals (``nps_avg``, ``days_to_pay``) keep their names, as in the tables.

Examples
--------
>>> facts = {"account_id": "A1", "start": "2024-01-01", "end": "2024-03-30", "events": 12,
...          "events_change": 0.5, "tickets": 3, "escalations": 1, "open_tickets": 0,
...          "csat": 4.25, "nps": None}
>>> print(summary_text(facts, "sv").replace(chr(160), " "))  # no-break space before %
A1, 2024-01-01 till 2024-03-30: 12 portalhändelser (upp 50 % mot perioden före). 3 ärenden öppnade, 1 eskalerat; 0 fortfarande öppna. CSAT 4,25/5.
"""

from __future__ import annotations

from typing import Any

from portalroi.health.score import score_text
from portalroi.health.summary import facts_text
from portalroi.reports.i18n import format_number, format_percent
from portalroi.web.i18n_strings import t

__all__ = ["summary_text"]


def _change_sv(x: float) -> str:
    if abs(x) < 0.005:
        return "oförändrat mot perioden före"
    word = "upp" if x > 0 else "ned"
    return f"{word} {format_percent(abs(x), 'sv', 0)} mot perioden före"


def _sv(facts: dict[str, Any]) -> str:
    first = (
        f"{facts['account_id']}, {facts['start']} till {facts['end']}: "
        f"{format_number(int(facts['events']), 'sv', 0)} portalhändelser"
    )
    if facts.get("events_change") is not None:
        first += f" ({_change_sv(float(facts['events_change']))})"
    parts = [
        first + ".",
        f"{format_number(int(facts['tickets']), 'sv', 0)} ärenden öppnade, "
        f"{format_number(int(facts['escalations']), 'sv', 0)} eskalerat; "
        f"{format_number(int(facts['open_tickets']), 'sv', 0)} fortfarande öppna.",
    ]
    sat = []
    if facts.get("csat") is not None:
        sat.append(f"CSAT {format_number(float(facts['csat']), 'sv', 2)}/5")
    if facts.get("nps") is not None:
        sat.append(f"NPS-svar i snitt {format_number(float(facts['nps']), 'sv', 1)}/10")
    if sat:
        parts.append(", ".join(sat) + ".")
    health = facts.get("health")
    if health:
        parts.append(
            f"Hälsopoäng {score_text(float(health['score']))}/100 "
            f"({t('band_' + str(health['band']), 'sv')}, trend "
            f"{t('trend_' + str(health['trend']), 'sv')})."
        )
    risk = facts.get("risk")
    if risk:
        reasons = [str(r["feature"]) for r in risk.get("reasons", [])]
        text = f"Avhoppsrisk {format_percent(float(risk['risk']), 'sv', 0)}"
        parts.append(text + (f", främst från: {', '.join(reasons)}." if reasons else "."))
    return " ".join(parts)


def summary_text(facts: dict[str, Any], lang: str) -> str:
    """The facts of :func:`portalroi.health.account_facts` as two to five sentences in ``lang``.

    Examples
    --------
    >>> f = {"account_id": "A1", "start": "2024-01-01", "end": "2024-03-30", "events": 0,
    ...      "tickets": 0, "escalations": 0, "open_tickets": 0}
    >>> summary_text(f, "en")
    'A1, 2024-01-01 to 2024-03-30: 0 portal events. 0 tickets opened, 0 escalated; 0 still open.'
    """
    return _sv(facts) if lang == "sv" else facts_text(facts)
