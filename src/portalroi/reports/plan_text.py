"""Money-line names and plan-vs-actual causes in the report's language.

The ROI layer names lines by id (``deflection``, ``licence``, ``process.<name>``) and writes each
plan-vs-actual cause in English (:func:`portalroi.roi.plan_vs_actual.plan_vs_actual`); the JSON
and the workbook keep them so. The PDF, HTML and dashboard show a line as its name in the
language with the id after it (``Avledda ärenden (deflection)``), so a row is still traced to
the JSON, and write the cause in the language with its numbers formatted the language's way
(``kostnad per ärende 19,41 mot planerat 10,00``). A phrase this module does not know (a cause
the ROI layer adds later) is shown as it is, in English, rather than dropped.

Examples
--------
>>> line_name("deflection", "sv")
'Avledda ärenden (deflection)'
>>> line_name("deflection", "en")
'deflection'
>>> cause_text("spent 192,000 vs planned 8,400", "sv").replace("\\u00a0", " ")
'förbrukat 192 000 mot planerat 8 400'
"""

from __future__ import annotations

import re

from portalroi.reports import i18n

__all__ = ["cause_text", "kind_text", "line_name"]

_NAMES: dict[str, str] = {
    "deflection": "Avledda ärenden",
    "agent_time": "Sparad handläggartid",
    "admin_hours": "Sparade administrationstimmar",
    "dso": "Frigjort kapital (lägre DSO)",
    "clv": "Kundlivstidsvärde",
    "churn": "Minskad kundavgång",
    "consolidation": "Konsoliderade system",
    "orders": "Ökad orderförsäljning",
    "licence": "Licens",
    "implementation": "Införande",
    "management": "Förvaltning",
    "hosting": "Drift",
    "content": "Innehåll",
}
_KINDS = {"benefit": "nytta", "cost": "kostnad"}

#: Whole causes (and parts of one) that are fixed phrases.
_PHRASES = {
    "not measured from the data": "mäts inte i data",
    "not in the plan": "finns inte i planen",
    "on plan (drivers within 10 %)": "enligt plan (drivande faktorer inom 10 %)",
    "on plan (within 10 %)": "enligt plan (inom 10 %)",
    "no cost recorded": "ingen kostnad registrerad",
    "bases differ: the actual books each retained account's lifetime value (CLV), future "
    "margin included, when it is retained, the plan the margin kept customers earn month by "
    "month": (
        "olika grunder: utfallet bokför varje kvarhållet kontos livstidsvärde (CLV), framtida "
        "marginal inräknad, när det behålls, planen den marginal behållna kunder tjänar "
        "månad för månad"
    ),
}
_SUFFIXES = {
    " (shown, not added to the realised totals; the plan counts it in its totals)": (
        " (visas, räknas inte i de realiserade summorna; planen räknar med den i sina summor)"
    ),
    " (shown, not added to the totals)": " (visas, räknas inte i summorna)",
}
#: Drivers compared with the plan: ``<driver> <actual> vs planned <plan>``.
_DRIVERS = {
    "deflection share": "andel avledda ärenden",
    "cost per ticket": "kostnad per ärende",
    "tickets per month": "ärenden per månad",
    "agent hours saved per month at full adoption": (
        "sparade handläggartimmar per månad vid full användning"
    ),
    "days less to pay": "färre dagar till betalning",
    "customer lifetime extended by (months)": "kundlivslängd förlängd med (månader)",
    "order uplift": "ökning av orderförsäljning",
    "spent": "förbrukat",
}
_NUMBER = r"-?[\d,]+(?:\.\d+)?(?: %)?"
_COMPARE = re.compile(rf"^(?P<name>.+?) (?P<actual>{_NUMBER}) vs planned (?P<plan>{_NUMBER})$")
_EARNED = re.compile(
    r"^actual = margin retained accounts earned to date, as the plan counts it "
    rf"\(at lifetime value, future margin included: (?P<booked>{_NUMBER})\)$"
)
#: How a cost row's plan to date is made (:func:`portalroi.roi.plan_vs_actual.plan_vs_actual`).
_RISK = r"(?: \+ (?P<risk>[\d.]+) % risk)?"
_BASIS = re.compile(
    rf"^plan: (?P<amount>{_NUMBER}) (?P<per>a month|a year){_RISK} for (?P<k>\d+) months since "
    r"the first go-live(?: \(the plan's horizon, the data cover (?P<cover>\d+)\))?$"
)
_HORIZON = re.compile(
    r"^plan to date ends at its (?P<k>\d+)-month horizon, the data cover (?P<cover>\d+) months "
    r"since the first go-live$"
)
_ONE_OFF = re.compile(rf"^plan: (?P<amount>{_NUMBER}) one-off{_RISK}, before the first go-live$")
_ADOPTION = re.compile(
    rf"^adoption slower: (?P<actual>{_NUMBER}) of accounts live vs (?P<plan>{_NUMBER}) planned$"
)


def line_name(line_id: str, lang: str) -> str:
    """A money line's name in ``lang``: the id itself in English (as in the JSON and the
    workbook), the Swedish name with the id in brackets in Swedish.

    Examples
    --------
    >>> line_name("process.order_status", "sv")
    'Process order_status (process.order_status)'
    >>> line_name("custom", "sv")
    'custom'
    """
    i18n.text("summary", lang)  # validates the language
    if lang == "en":
        return line_id
    if line_id.startswith("process."):
        return f"Process {line_id.removeprefix('process.')} ({line_id})"
    name = _NAMES.get(line_id)
    return f"{name} ({line_id})" if name else line_id


def kind_text(kind: str, lang: str) -> str:
    """``benefit`` / ``cost`` in ``lang``.

    Examples
    --------
    >>> kind_text("cost", "sv")
    'kostnad'
    """
    i18n.text("summary", lang)
    return kind if lang == "en" else _KINDS.get(kind, kind)


def _number(text: str, lang: str) -> str:
    """An English-formatted number of a cause (``1,234.5``, ``17 %``) written the ``lang`` way."""
    percent = text.endswith(" %")
    digits = text.removesuffix(" %").replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    out = i18n.format_number(float(digits), lang, decimals)
    return f"{out}\u00a0%" if percent else out


def _part(text: str, lang: str) -> str:
    if text in _PHRASES:
        return _PHRASES[text]
    m = _EARNED.match(text)
    if m:
        return (
            "utfall = marginal som kvarhållna konton tjänat hittills, som planen räknar "
            f"(till livstidsvärde, framtida marginal inräknad: {_number(m['booked'], lang)})"
        )
    m = _HORIZON.match(text)
    if m:
        return (
            f"planen hittills slutar vid dess horisont på {m['k']} månader, data täcker "
            f"{m['cover']} månader sedan första driftstarten"
        )
    m = _BASIS.match(text) or _ONE_OFF.match(text)
    if m:
        risk = f" + {_number(m['risk'] + ' %', lang)} riskpåslag" if m["risk"] else ""
        if "k" not in m.groupdict():
            return (
                f"plan: {_number(m['amount'], lang)} engångskostnad{risk}, före första driftstarten"
            )
        per = "per månad" if m["per"] == "a month" else "per år"
        cover = f" (planens horisont, data täcker {m['cover']})" if m["cover"] else ""
        return (
            f"plan: {_number(m['amount'], lang)} {per}{risk} i {m['k']} månader sedan första "
            f"driftstarten{cover}"
        )
    m = _ADOPTION.match(text)
    if m:
        return (
            f"långsammare införande: {_number(m['actual'], lang)} av kontona i portalen mot "
            f"planerat {_number(m['plan'], lang)}"
        )
    m = _COMPARE.match(text)
    if m and m["name"] in _DRIVERS:
        return (
            f"{_DRIVERS[m['name']]} {_number(m['actual'], lang)} mot planerat "
            f"{_number(m['plan'], lang)}"
        )
    return text


def cause_text(cause: str, lang: str) -> str:
    """A plan-vs-actual cause in ``lang`` (English causes are returned as they are).

    Examples
    --------
    >>> cause_text("deflection share 17 % vs planned 25 %; tickets per month 1,177 vs planned "
    ...            "1,000", "sv").replace("\\u00a0", " ")
    'andel avledda ärenden 17 % mot planerat 25 %; ärenden per månad 1 177 mot planerat 1 000'
    >>> cause_text("not in the plan (shown, not added to the totals)", "sv")
    'finns inte i planen (visas, räknas inte i summorna)'
    """
    i18n.text("summary", lang)
    if lang == "en":
        return cause
    suffix = ""
    for en, sv in _SUFFIXES.items():
        if cause.endswith(en):
            cause, suffix = cause.removesuffix(en), sv
            break
    return "; ".join(_part(p, lang) for p in cause.split("; ")) + suffix
