"""Expansion reasons in Swedish, written out by hand from the figures of tests/health's
hand-built store (the English reasons there are the health module's own text)."""

from __future__ import annotations

from typing import Any

import pytest

from portalroi.web.expansion_text import expansion_kind, expansion_reason

NB = "\u00a0"  # Swedish numbers: no-break space before % and as the thousands separator
MINUS = "\u2212"


def _row(signal: str, segment: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {"signal": signal, "segment": segment, "reason": f"English {signal}", "figures": figures}


ORDERS = {
    "order_value_90d": 3000.0,
    "order_value_prev_90d": 2000.0,
    "orders_90d": 3,
    "orders_prev_90d": 2,
    "own_growth": 0.5,
    "segment_growth": 0.05,
}


@pytest.mark.parametrize(
    ("row", "swedish"),
    [
        (
            _row("seats", "smb", {"active_users_30d": 4, "seats": 4}),
            f"4 användare aktiva de senaste 30 dagarna på 4 licensierade platser (100{NB}% nyttjande)",
        ),
        (
            _row("user_growth", "smb", {"users_90d_ago": 5, "users_now": 8}),
            f"användarna ökade från 5 till 8 på 90 dagar (+60{NB}%)",
        ),
        (
            _row(
                "features",
                "mid_market",
                {
                    "features_used_90d": ["invoices"],
                    "missing_usual_features": ["orders", "reports"],
                    "peers": 3,
                },
            ),
            "använder 1 portalfunktion; de flesta aktiva mid_market-konton använder även "
            "orders, reports",
        ),
        (
            _row("orders", "smb", ORDERS),
            f"order för 3{NB}000 de senaste 90 dagarna mot 2{NB}000 de 90 dagarna före "
            f"(+50{NB}%; 3 order mot 2); andra smb-konton +5{NB}% under samma perioder, "
            f"alltså +43{NB}% jämfört med segmentet",
        ),
        (
            _row("orders", "smb", ORDERS | {"segment_growth": -0.3}),
            f"order för 3{NB}000 de senaste 90 dagarna mot 2{NB}000 de 90 dagarna före "
            f"(+50{NB}%; 3 order mot 2); andra smb-konton {MINUS}30{NB}% under samma perioder, "
            f"alltså +114{NB}% jämfört med segmentet",
        ),
        (
            _row("orders", "enterprise", ORDERS | {"segment_growth": None}),
            f"order för 3{NB}000 de senaste 90 dagarna mot 2{NB}000 de 90 dagarna före "
            f"(+50{NB}%; 3 order mot 2); inget annat enterprise-konto beställde under "
            "perioden före att jämföra med",
        ),
    ],
)
def test_swedish_reasons_from_the_figures(row: dict[str, Any], swedish: str) -> None:
    assert expansion_reason(row, "sv") == swedish
    assert expansion_reason(row, "en") == f"English {row['signal']}"  # the health module's text


def test_kinds_in_both_languages() -> None:
    assert [expansion_kind(k, "en") for k in ("upsell", "cross_sell")] == ["upsell", "cross-sell"]
    assert [expansion_kind(k, "sv") for k in ("upsell", "cross_sell")] == [
        "merförsäljning",
        "korsförsäljning",
    ]
    assert expansion_kind("renewal", "sv") == "renewal"  # unknown kinds as they are
