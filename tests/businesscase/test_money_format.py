"""Money in the business-case report and summary rounds halves up, as finance expects."""

from __future__ import annotations

from portalroi.reports.i18n import format_currency, format_number, format_percent

NB = "\u00a0"


def test_halves_round_away_from_zero() -> None:
    # Python's formatting rounds halves to even: $470,654 and $2 (the reviewer's cases).
    assert format_currency(470_654.5, "USD", "en") == "$470,655"
    assert format_currency(2.5, "USD", "en") == "$3"
    assert format_currency(-2.5, "USD", "en") == "-$3"
    assert format_currency(0.5, "SEK", "sv") == f"1{NB}kr"
    assert format_number(0.125, "en", 2) == "0.13"
    # as written, not as stored: 1.005 is 1.00499999999999989... in binary
    assert format_number(1.005, "en", 2) == "1.01"
    assert format_percent(0.0125, "en", 1) == "1.3%"
    # not halves: unchanged
    assert format_currency(470_654.49, "USD", "en") == "$470,654"
    assert format_number(-0.004, "en", 2) == "0.00"
    assert format_number(1e30, "en") == "1," + ",".join(["000"] * 10)
