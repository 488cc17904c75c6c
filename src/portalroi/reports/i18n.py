"""Report strings in English and Swedish, and number / currency / date formatting.

English: ``$1,234,567.89``, ``€1,234,567.89``, ``SEK 1,234,567.89``; Swedish:
``1 234 567,89 kr``, ``1 234 567,89 €``, ``1 234 567,89 $`` (a no-break space groups thousands).
Halves round up, away from zero (``$470,655`` for 470,654.5), not to even as ``format()`` does.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

from portalroi.errors import ConfigError

__all__ = [
    "LANGUAGES",
    "format_currency",
    "format_date",
    "format_number",
    "format_percent",
    "text",
]

LANGUAGES = ("en", "sv")
_NBSP = "\u00a0"

_STRINGS: dict[str, dict[str, str]] = {
    "business_case": {"en": "Business case", "sv": "Affärsfall"},
    "summary": {"en": "Summary", "sv": "Sammanfattning"},
    "total_benefits": {"en": "Total benefits", "sv": "Totala nyttor"},
    "total_costs": {"en": "Total cost of ownership", "sv": "Total ägandekostnad"},
    "net_benefit": {"en": "Net benefit", "sv": "Nettonytta"},
    "roi": {"en": "ROI", "sv": "Avkastning (ROI)"},
    "npv": {"en": "Net present value", "sv": "Nettonuvärde"},
    "irr": {"en": "Internal rate of return", "sv": "Internränta"},
    "bcr": {"en": "Benefit/cost ratio", "sv": "Nytta/kostnad-kvot"},
    "payback": {"en": "Payback month", "sv": "Återbetalningsmånad"},
    "never": {"en": "never", "sv": "aldrig"},
    "none": {"en": "none", "sv": "saknas"},
    "not_unique": {"en": "not unique", "sv": "ej entydig"},
    "n_a": {"en": "n/a", "sv": "ej tillämpligt"},
    "month": {"en": "Month", "sv": "Månad"},
    "year": {"en": "Year", "sv": "År"},
    "benefits": {"en": "Benefits", "sv": "Nyttor"},
    "costs": {"en": "Costs", "sv": "Kostnader"},
    "net": {"en": "Net", "sv": "Netto"},
    "cumulative_net": {"en": "Cumulative net benefit", "sv": "Ackumulerad nettonytta"},
    "cash_flow": {"en": "Cash flow per year", "sv": "Kassaflöde per år"},
    "tornado": {"en": "What matters most (NPV)", "sv": "Vad påverkar mest (nettonuvärde)"},
    "roi_distribution": {
        "en": "ROI distribution (Monte Carlo)",
        "sv": "ROI-fördelning (Monte Carlo)",
    },
    "line": {"en": "Line", "sv": "Post"},
    "yearly_value": {"en": "Yearly value", "sv": "Årligt värde"},
    "total": {"en": "Total", "sv": "Totalt"},
    "source": {"en": "Source", "sv": "Källa"},
    "scenarios": {"en": "Scenarios", "sv": "Scenarier"},
    "conservative": {"en": "Conservative", "sv": "Försiktigt"},
    "expected": {"en": "Expected", "sv": "Förväntat"},
    "optimistic": {"en": "Optimistic", "sv": "Optimistiskt"},
    "uncertainty": {"en": "Uncertainty", "sv": "Osäkerhet"},
    "prob_roi_positive": {"en": "Probability ROI > 0", "sv": "Sannolikhet att ROI > 0"},
    "draws": {"en": "draws", "sv": "dragningar"},
    "low": {"en": "low", "sv": "låg"},
    "high": {"en": "high", "sv": "hög"},
    "conventions": {"en": "Method and conventions", "sv": "Metod och konventioner"},
    "discount_rate": {"en": "Discount rate", "sv": "Diskonteringsränta"},
    "horizon": {"en": "Horizon", "sv": "Tidshorisont"},
    "years": {"en": "years", "sv": "år"},
    "breakdown": {"en": "Benefits and costs by line", "sv": "Nyttor och kostnader per post"},
    "generated": {"en": "Generated", "sv": "Skapad"},
    "switching": {"en": "Switching value", "sv": "Brytvärde"},
    "figure": {"en": "Figure", "sv": "Indata"},
    "likely": {"en": "Likely", "sv": "Troligt"},
}

_SYMBOLS = {
    "en": {"USD": ("$", ""), "EUR": ("€", ""), "SEK": ("SEK ", "")},
    "sv": {"USD": ("", " $"), "EUR": ("", " €"), "SEK": ("", " kr")},
}


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")


def text(key: str, lang: str) -> str:
    """The report string ``key`` in ``lang``.

    Examples
    --------
    >>> text("payback", "sv")
    'Återbetalningsmånad'
    """
    _check(lang)
    return _STRINGS[key][lang]


def _rounded(value: float, decimals: int) -> str:
    """``|value|`` to ``decimals`` places, halves away from zero, with ``,`` grouping.

    Rounds the shortest decimal that reads back as the float (its ``repr``): 2.5 -> 3,
    470,654.5 -> 470,655 and 1.005 -> 1.01 to two places, as written, where Python's
    formatting rounds halves to even (2) or rounds the binary value (1.00499... -> 1.00).
    """
    if not math.isfinite(value):
        return f"{abs(value):,.{decimals}f}"
    exact = Decimal(repr(abs(float(value))))
    with localcontext() as ctx:
        ctx.prec = 400  # every digit of any float (up to 1.8e308) and its decimals
        return f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):,f}"


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's grouping and decimal mark; halves round up (away from 0).

    Examples
    --------
    >>> format_number(1234567.891, "en", 2)
    '1,234,567.89'
    >>> format_number(-1234567.891, "sv", 2).replace("\\u00a0", " ")
    '−1 234 567,89'
    >>> format_number(2.5, "en"), format_number(-0.125, "en", 2)
    ('3', '-0.13')
    """
    _check(lang)
    s = _rounded(value, decimals)
    if lang == "sv":
        s = s.replace(",", _NBSP).replace(".", ",")
        sign = "\u2212"
    else:
        sign = "-"
    return (sign if value < 0 and s.strip("0,.\u00a0") else "") + s


def format_currency(value: float, currency: str, lang: str, decimals: int = 0) -> str:
    """An amount of money in ``currency`` (USD, EUR, SEK) written the language's way.

    Examples
    --------
    >>> format_currency(1234567.89, "USD", "en", 2)
    '$1,234,567.89'
    >>> format_currency(1234567.89, "EUR", "en", 2)
    '€1,234,567.89'
    >>> format_currency(1234567.89, "SEK", "sv", 2).replace("\\u00a0", " ")
    '1 234 567,89 kr'
    """
    _check(lang)
    if currency not in _SYMBOLS[lang]:
        raise ConfigError(f"currency must be USD, EUR or SEK, got {currency!r}")
    before, after = _SYMBOLS[lang][currency]
    number = format_number(abs(value), lang, decimals)
    sign = ("\u2212" if lang == "sv" else "-") if value < 0 and number.strip("0,.\u00a0") else ""
    return f"{sign}{before}{number}{after.replace(' ', _NBSP)}"


def format_percent(value: float | None, lang: str, decimals: int = 0) -> str:
    """A fraction as a percentage (0.25 -> ``25%`` in English, ``25 %`` in Swedish).

    ``None`` (a figure that is undefined, such as ROI without costs) is ``n/a`` (``ej
    tillämpligt`` in Swedish).

    Examples
    --------
    >>> format_percent(0.256, "en", 1), format_percent(0.256, "sv", 1).replace("\\u00a0", " ")
    ('25.6%', '25,6 %')
    >>> format_percent(None, "en")
    'n/a'
    """
    if value is None:
        return text("n_a", lang)
    number = format_number(value * 100.0, lang, decimals)
    return f"{number}{_NBSP}%" if lang == "sv" else f"{number}%"


def format_date(value: dt.date, lang: str) -> str:
    """A date: ``12 March 2025`` in English, ``2025-03-12`` (ISO, the Swedish standard) in Swedish.

    Examples
    --------
    >>> format_date(dt.date(2025, 3, 12), "en"), format_date(dt.date(2025, 3, 12), "sv")
    ('12 March 2025', '2025-03-12')
    """
    _check(lang)
    return value.isoformat() if lang == "sv" else f"{value.day} {value:%B %Y}"
