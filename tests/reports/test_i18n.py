"""Number, currency, percent and date formats in English and Swedish, written out literally."""

from __future__ import annotations

import datetime as dt

import pytest

from portalroi.errors import ConfigError
from portalroi.reports.i18n import (
    format_currency,
    format_date,
    format_number,
    format_percent,
    text,
)

NB = "\u00a0"


@pytest.mark.parametrize(
    ("currency", "lang", "expected"),
    [
        ("USD", "en", "$1,234,567.89"),
        ("EUR", "en", "€1,234,567.89"),
        ("SEK", "en", "SEK 1,234,567.89"),
        ("SEK", "sv", f"1{NB}234{NB}567,89{NB}kr"),
        ("EUR", "sv", f"1{NB}234{NB}567,89{NB}€"),
        ("USD", "sv", f"1{NB}234{NB}567,89{NB}$"),
    ],
)
def test_currency(currency: str, lang: str, expected: str) -> None:
    assert format_currency(1_234_567.89, currency, lang, 2) == expected


def test_negative_and_rounding() -> None:
    assert format_currency(-1500.4, "USD", "en") == "-$1,500"
    assert format_currency(-1500.4, "SEK", "sv") == f"\u22121{NB}500{NB}kr"
    assert format_number(-0.004, "en", 2) == "0.00"  # no "-0.00"
    assert format_number(999.995, "sv", 2) == f"1{NB}000,00"


def test_percent_and_date() -> None:
    assert format_percent(0.0425, "en", 2) == "4.25%"
    assert format_percent(0.0425, "sv", 2) == f"4,25{NB}%"
    assert format_date(dt.date(2025, 1, 5), "en") == "5 January 2025"
    assert format_date(dt.date(2025, 1, 5), "sv") == "2025-01-05"


def test_strings_and_bad_language() -> None:
    assert text("npv", "en") == "Net present value"
    assert text("npv", "sv") == "Nettonuvärde"
    with pytest.raises(ConfigError, match="language"):
        text("npv", "de")
    with pytest.raises(ConfigError, match="currency"):
        format_currency(1.0, "GBP", "en")
