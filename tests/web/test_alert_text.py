"""Alert reasons in Swedish, written out by hand from each kind's figures."""

from __future__ import annotations

from typing import Any

import pytest

from portalroi.web.alert_text import alert_reason, delivery_text

MINUS = "\u2212"

CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "metric_change",
        {
            "metric": "mau",
            "direction": "fall",
            "change_pct": -30.864198,
            "now": 1.8666667,
            "before": 2.7,
            "window_days": 30,
            "threshold_pct": 30.0,
            "account": "A00007",
        },
        "mau föll 30,9 % (konto A00007): 1,867 de senaste 30 dagarna mot 2,7 de 30 dagarna "
        "före (tröskel 30 %)",
    ),
    (
        "metric_change",
        {
            "metric": "search_volume",
            "direction": "rise",
            "change_pct": 25.0,
            "now": 25.0,
            "before": 20.0,
            "window_days": 1,
            "threshold_pct": 20.0,
            "account": None,
        },
        "search_volume steg 25,0 % (hela portalen): 25 den senaste dagen mot 20 dagen före "
        "(tröskel 20 %)",
    ),
    (
        "metric_threshold",
        {
            "metric": "zero_result_rate",
            "value": 0.75,
            "op": "above",
            "limit": 0.5,
            "window_days": 30,
            "account": "A",
        },
        "zero_result_rate 0,75 > 0,5 (konto A, de senaste 30 dagarna)",
    ),
    (
        "spike",
        {
            "count": "tickets",
            "recent": 6.0,
            "mean": 2.0,
            "sd": 1.0183501,
            "window_days": 1,
            "baseline_days": 28,
            "method": "zscore",
            "statistic": 3.9279,
            "threshold": 3.5,
            "account": None,
        },
        "tickets ökade kraftigt (hela portalen): 6 den senaste dagen mot ett medelvärde på 2 "
        "(sd 1,02) under de 28 dagarna före; z-värde 3,93 >= 3,5",
    ),
    (
        "topic_surge",
        {
            "topic": "billing",
            "recent": 6.0,
            "mean": 1.0,
            "window_days": 7,
            "baseline_days": 56,
            "ratio": 6.0,
            "threshold": 3.0,
        },
        "ärendeämnet 'billing' ökade: 6 ärenden de senaste 7 dagarna mot i snitt 1 per 7 dagar "
        "under de 56 dagarna före; kvot 6,00 >= 3",
    ),
    (
        "health_band",
        {
            "score": 31.25,
            "band": "at_risk",
            "below": 40.0,
            "reasons": [
                {"feature": "nps_avg", "value": 2.0, "lost_points": 12.5},
                {"feature": "logins_trend", "value": -0.45, "lost_points": 8.04},
            ],
        },
        f"hälsa 31,2 < 40, band i riskzonen; främsta skäl: nps_avg 2 ({MINUS}12,5 poäng), "
        f"logins_trend {MINUS}0,45 ({MINUS}8,0 poäng)",
    ),
    (
        "health_band",
        {"score": 72.0, "band": "healthy", "below": None, "reasons": []},
        "hälsa 72,0, band frisk",
    ),
]


@pytest.mark.parametrize(("kind", "details", "swedish"), CASES)
def test_swedish_reason_from_the_figures(kind: str, details: dict[str, Any], swedish: str) -> None:
    assert alert_reason(kind, details, "the English reason", "sv") == swedish
    assert alert_reason(kind, details, "the English reason", "en") == "the English reason"


def test_firings_without_figures_keep_their_english_reason() -> None:
    assert alert_reason("spike", {}, "tickets spiked", "sv") == "tickets spiked"
    assert alert_reason("spike", None, "tickets spiked", "sv") == "tickets spiked"
    assert alert_reason("new_kind", {"x": 1}, "something", "sv") == "something"


@pytest.mark.parametrize(
    ("delivery", "english", "swedish"),
    [
        (("email", "pending", None), "email: pending", "e-post: väntar"),
        (("webhook", "sent", None), "webhook: sent", "webhook: skickad"),
        (
            ("email", "failed", "ConfigError: smtp_host is not set"),
            "email: failed (ConfigError: smtp_host is not set)",
            "e-post: misslyckades (ConfigError: smtp_host is not set)",
        ),
        (
            ("webhook", "gave_up", "OSError: HTTP 500"),
            "webhook: gave up (OSError: HTTP 500)",
            "webhook: gav upp (OSError: HTTP 500)",
        ),
        (
            ("email", "cancelled", "rule removed"),
            "email: cancelled (rule removed)",
            "e-post: avbruten (regeln är borttagen)",
        ),
        (
            ("webhook", "failed", "not tried this run: URLError: refused"),
            "webhook: failed (not tried this run: URLError: refused)",
            "webhook: misslyckades (inte försökt i denna körning: URLError: refused)",
        ),
        (("sms", "queued", None), "sms: queued", "sms: queued"),  # unknown codes as they are
    ],
)
def test_delivery_text(delivery: tuple[str, str, str | None], english: str, swedish: str) -> None:
    assert delivery_text(*delivery, "en") == english
    assert delivery_text(*delivery, "sv") == swedish
