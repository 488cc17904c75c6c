"""Alert reasons in the page's language.

English is the ``reason`` the rule's evaluator wrote when it fired (the text e-mails, webhooks,
the CLI and the API carry); Swedish is built here from the figures the firing kept in
``details``, with Swedish number formats. Metric, count, topic and signal names stay as they
are, as in the tables. A firing recorded before the figures were kept shows its English reason.

Examples
--------
>>> d = {"topic": "login", "recent": 12.0, "mean": 3.5, "window_days": 7, "baseline_days": 56,
...      "ratio": 3.428571, "threshold": 3.0}
>>> print(alert_reason("topic_surge", d, "ticket topic 'login' surged ...", "sv"))
ärendeämnet 'login' ökade: 12 ärenden de senaste 7 dagarna mot i snitt 3,5 per 7 dagar under de 56 dagarna före; kvot 3,43 >= 3
>>> alert_reason("topic_surge", {}, "ticket topic 'login' surged ...", "sv")
"ticket topic 'login' surged ..."
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from portalroi.alerts.engine import NOT_TRIED, RULE_REMOVED
from portalroi.web.i18n_strings import STRINGS, t

__all__ = ["alert_reason", "delivery_text"]


def _g(x: float, spec: str = ".4g") -> str:
    """A number as Python's ``format(x, spec)`` writes it, with a Swedish decimal comma."""
    return format(float(x), spec).replace("-", "\u2212").replace(".", ",")


def _where(d: Mapping[str, Any]) -> str:
    account = d.get("account")
    return "hela portalen" if account is None else f"konto {account}"


def _days(n: Any) -> str:
    return "den senaste dagen" if int(n) == 1 else f"de senaste {int(n)} dagarna"


def _metric_change(d: Mapping[str, Any]) -> str:
    verb = "föll" if d["direction"] == "fall" else "steg"
    n = int(d["window_days"])
    before = "dagen före" if n == 1 else f"de {n} dagarna före"
    return (
        f"{d['metric']} {verb} {_g(abs(float(d['change_pct'])), '.1f')} % ({_where(d)}): "
        f"{_g(d['now'])} {_days(n)} mot {_g(d['before'])} {before} "
        f"(tröskel {_g(d['threshold_pct'], 'g')} %)"
    )


def _metric_threshold(d: Mapping[str, Any]) -> str:
    sign = ">" if d["op"] == "above" else "<"
    return (
        f"{d['metric']} {_g(d['value'])} {sign} {_g(d['limit'], 'g')} "
        f"({_where(d)}, {_days(d['window_days'])})"
    )


def _spike(d: Mapping[str, Any]) -> str:
    what = "kvot" if d["method"] == "ratio" else "z-värde"
    return (
        f"{d['count']} ökade kraftigt ({_where(d)}): {_g(d['recent'], 'g')} "
        f"{_days(d['window_days'])} mot ett medelvärde på {_g(d['mean'], '.3g')} "
        f"(sd {_g(d['sd'], '.3g')}) under de {int(d['baseline_days'])} dagarna före; "
        f"{what} {_g(d['statistic'], '.2f')} >= {_g(d['threshold'], 'g')}"
    )


def _topic_surge(d: Mapping[str, Any]) -> str:
    n = int(d["window_days"])
    return (
        f"ärendeämnet '{d['topic']}' ökade: {_g(d['recent'], 'g')} ärenden {_days(n)} mot i "
        f"snitt {_g(d['mean'], '.3g')} per {n} dagar under de {int(d['baseline_days'])} "
        f"dagarna före; kvot {_g(d['ratio'], '.2f')} >= {_g(d['threshold'], 'g')}"
    )


def _band(band: str) -> str:
    key = f"band_{band}"
    return t(key, "sv") if key in STRINGS else band


def _health_band(d: Mapping[str, Any]) -> str:
    score = _g(d["score"], ".1f")
    if d.get("below") is None:
        head = f"hälsa {score}, band {_band(str(d['band']))}"
    else:
        head = f"hälsa {score} < {_g(d['below'], 'g')}, band {_band(str(d['band']))}"
    parts = [
        f"{r['feature']} {_g(r['value'], '.3g')} ({_g(-float(r['lost_points']), '.1f')} poäng)"
        for r in d.get("reasons", [])
    ]
    return head + ("; främsta skäl: " + ", ".join(parts) if parts else "")


_SWEDISH: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "metric_change": _metric_change,
    "metric_threshold": _metric_threshold,
    "spike": _spike,
    "topic_surge": _topic_surge,
    "health_band": _health_band,
}


def alert_reason(kind: str, details: Mapping[str, Any] | None, reason: str, lang: str) -> str:
    """The reason of one firing of a ``kind`` rule in ``lang``; ``reason`` is its English text."""
    build = _SWEDISH.get(kind) if lang == "sv" and details else None
    return reason if build is None else build(details or {})


def _word(value: str, lang: str) -> str:
    """``value`` (a channel or status code) in ``lang``; an unknown code stays as it is."""
    key = f"delivery_{value}"
    return t(key, lang) if key in STRINGS else value


def delivery_text(channel: str, status: str, error: str | None, lang: str) -> str:
    """One delivery of a firing as the alerts page shows it: channel, status and error.

    Channel, status and the engine's own error wording are in ``lang``; the error a mail or
    web server gave (the exception's type and message) stays as the server wrote it.

    Examples
    --------
    >>> delivery_text("email", "failed", "not tried this run: OSError: refused", "sv")
    'e-post: misslyckades (inte försökt i denna körning: OSError: refused)'
    >>> delivery_text("webhook", "sent", None, "en")
    'webhook: sent'
    """
    text = f"{_word(channel, lang)}: {_word(status, lang)}"
    if not error:
        return text
    if error == RULE_REMOVED:
        error = t("delivery_rule_removed", lang)
    elif error.startswith(NOT_TRIED):
        error = t("delivery_not_tried", lang).format(error=error[len(NOT_TRIED) :])
    return f"{text} ({error})"
