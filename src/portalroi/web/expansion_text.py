"""Expansion signals' reasons and kinds in the page's language.

English is the ``reason`` that :func:`portalroi.health.expansion.expansion_signals` writes (the
text the CLI and the API give); Swedish is built here from the same ``figures``, with Swedish
number formats. Segment codes and feature names stay as they are, as in the tables.

Examples
--------
>>> row = {"signal": "user_growth", "segment": "smb", "reason": "users grew from 5 to 8 in 90 "
...        "days (+60%)", "figures": {"users_90d_ago": 5, "users_now": 8}}
>>> expansion_reason(row, "en")
'users grew from 5 to 8 in 90 days (+60%)'
>>> print(expansion_reason(row, "sv").replace(chr(160), " "))  # no-break space before %
användarna ökade från 5 till 8 på 90 dagar (+60 %)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from portalroi.reports.i18n import format_number, format_percent
from portalroi.web.i18n_strings import STRINGS, t

__all__ = ["expansion_kind", "expansion_reason"]


def _n(x: float) -> str:
    return format_number(x, "sv", 0)


def _pct(x: float) -> str:
    return format_percent(x, "sv", 0)


def _signed(x: float) -> str:
    return ("+" if x >= 0.005 else "") + _pct(x)


def _seats(f: Mapping[str, Any], segment: str) -> str:
    active, seats = int(f["active_users_30d"]), int(f["seats"])
    return (
        f"{_n(active)} användare aktiva de senaste 30 dagarna på {_n(seats)} licensierade "
        f"platser ({_pct(active / seats)} nyttjande)"
    )


def _user_growth(f: Mapping[str, Any], segment: str) -> str:
    before, now = int(f["users_90d_ago"]), int(f["users_now"])
    return (
        f"användarna ökade från {_n(before)} till {_n(now)} på 90 dagar "
        f"({_signed((now - before) / before)})"
    )


def _orders(f: Mapping[str, Any], segment: str) -> str:
    own, seg = float(f["own_growth"]), f["segment_growth"]
    if seg is None:
        versus = f"inget annat {segment}-konto beställde under perioden före att jämföra med"
    else:
        relative = (1 + own) / (1 + float(seg)) - 1
        versus = (
            f"andra {segment}-konton {_signed(float(seg))} under samma perioder, alltså "
            f"{_signed(relative)} jämfört med segmentet"
        )
    return (
        f"order för {_n(float(f['order_value_90d']))} de senaste 90 dagarna mot "
        f"{_n(float(f['order_value_prev_90d']))} de 90 dagarna före ({_signed(own)}; "
        f"{_n(int(f['orders_90d']))} order mot {_n(int(f['orders_prev_90d']))}); {versus}"
    )


def _features(f: Mapping[str, Any], segment: str) -> str:
    own = len(f["features_used_90d"])
    word = "portalfunktion" if own == 1 else "portalfunktioner"
    missing = ", ".join(str(x) for x in f["missing_usual_features"])
    return f"använder {_n(own)} {word}; de flesta aktiva {segment}-konton använder även {missing}"


_SWEDISH: dict[str, Callable[[Mapping[str, Any], str], str]] = {
    "seats": _seats,
    "user_growth": _user_growth,
    "orders": _orders,
    "features": _features,
}


def expansion_reason(row: Mapping[Any, Any], lang: str) -> str:
    """The reason of one signal row (``signal``, ``segment``, ``reason``, ``figures``) in ``lang``."""
    build = _SWEDISH.get(str(row["signal"])) if lang == "sv" else None
    if build is None:
        return str(row["reason"])
    return build(row["figures"], str(row["segment"]))


def expansion_kind(kind: str, lang: str) -> str:
    """``upsell`` / ``cross_sell`` as the dashboard says it (unknown kinds as they are).

    Examples
    --------
    >>> expansion_kind("cross_sell", "en"), expansion_kind("cross_sell", "sv")
    ('cross-sell', 'korsförsäljning')
    """
    key = f"expansion_kind_{kind}"
    return t(key, lang) if key in STRINGS else kind
