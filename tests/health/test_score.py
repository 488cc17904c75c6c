"""The transparent score on hand-written accounts, every component with its answer written out."""

from __future__ import annotations

import pandas as pd
import pytest

from portalroi.errors import ValidationError
from portalroi.health.config import HealthConfig, load_config
from portalroi.health.score import breakdown, score_accounts, score_reasons, score_text

# One account, default config. Points per signal (0 at bad, 100 at good, linear, clipped):
#  engagement: active_user_share 0.325 -> (0.325-0.05)/0.55 = 50; usage_trend -0.25 -> 50
#  adoption:   feature_breadth 10 -> 100;  seat_utilisation 0.3 -> (0.3-0.1)/0.4 = 50
#  support:    tickets_per_seat_90d 1.1 -> 50; ticket_trend 2.0 -> 0 (clipped);
#              escalation_share_90d 0.0 -> 100; open_tickets 1 -> 80
#  sentiment:  csat_avg 4.2 -> 80 (w 1);  nps_avg 6 -> 25 (w 1.5)
#  billing:    days_to_pay 30 -> 80; late_invoice_share 0.6 -> 50; disputes_365d 1 -> 50
ACCOUNT = {
    "active_user_share": 0.325,
    "usage_trend": -0.25,
    "feature_breadth": 10.0,
    "seat_utilisation": 0.3,
    "tickets_per_seat_90d": 1.1,
    "ticket_trend": 2.0,
    "escalation_share_90d": 0.0,
    "open_tickets": 1.0,
    "csat_avg": 4.2,
    "nps_avg": 6.0,
    "days_to_pay": 30.0,
    "late_invoice_share": 0.6,
    "disputes_365d": 1.0,
}
# Component scores: engagement 50, adoption 75, support (50+0+100+80)/4 = 57.5,
# sentiment (80*1 + 25*1.5)/2.5 = 47, billing (80+50+50)/3 = 60.
# Overall: .25*50 + .15*75 + .25*57.5 + .20*47 + .15*60 = 56.525 (weights sum to 1).
EXPECTED = {"engagement": 50.0, "adoption": 75.0, "support": 57.5, "sentiment": 47.0}


def _frame(**changes: float) -> pd.DataFrame:
    return pd.DataFrame([{**ACCOUNT, **changes}], index=["A1"])


def test_every_component_on_a_hand_written_account() -> None:
    s = score_accounts(_frame())
    for comp, value in {**EXPECTED, "billing": 60.0}.items():
        assert s.loc["A1", comp] == pytest.approx(value, abs=1e-9), comp
    assert s.loc["A1", "score"] == pytest.approx(56.525, abs=1e-9)
    assert s.loc["A1", "band"] == "neutral"


def test_breakdown_adds_up_and_names_the_costliest_signal() -> None:
    b = breakdown(_frame())
    assert b["weight"].sum() == pytest.approx(1.0)
    assert (b["weight"] * b["points"]).sum() == pytest.approx(56.525)
    # nps_avg: weight .20 * 1.5/2.5 = .12, 25 points -> 9 points lost; then three tie at 6.25:
    # active_user_share (.25/2 * 50), usage_trend (.25/2 * 50), ticket_trend (.25/4 * 100);
    # ties keep the configuration's order.
    top = score_reasons(_frame(), top=4)
    assert top["feature"].tolist() == [
        "nps_avg",
        "active_user_share",
        "usage_trend",
        "ticket_trend",
    ]
    assert top["lost_points"].tolist() == pytest.approx([9.0, 6.25, 6.25, 6.25])


def test_missing_signal_and_component_are_renormalised() -> None:
    no_nps = score_accounts(_frame(nps_avg=float("nan")))
    assert no_nps.loc["A1", "sentiment"] == pytest.approx(80.0)
    no_sent = score_accounts(_frame(nps_avg=float("nan"), csat_avg=float("nan")))
    # (.25*50 + .15*75 + .25*57.5 + .15*60) / .8 = 47.125 / .8
    assert no_sent.loc["A1", "score"] == pytest.approx(47.125 / 0.8)
    empty = score_accounts(pd.DataFrame([dict.fromkeys(ACCOUNT, float("nan"))], index=["Z"]))
    assert empty.loc["Z", "band"] == "unknown"


@pytest.mark.parametrize(
    ("score_value", "band"), [(70.0, "healthy"), (40.0, "neutral"), (39.99, "at_risk")]
)
def test_bands(score_value: float, band: str) -> None:
    assert HealthConfig.default().bands.band(score_value) == band


@pytest.mark.parametrize(
    ("share", "score", "band"), [(0.7, 70.0, "healthy"), (0.4, 40.0, "neutral")]
)
def test_a_score_on_the_band_edge_is_in_the_band_it_reports(
    share: float, score: float, band: str
) -> None:
    # Weights 0.1, 0.2, 0.3 (they need not sum to 1) and every signal at `share` -> 70 or 40
    # points each; the weighted mean is 70 (40) exactly, but summed in floating point it was
    # 69.99999999999999 (39.99999999999999): the score read 70.0 and the band "neutral".
    features = ("active_user_share", "seat_utilisation", "csat_avg")
    cfg = HealthConfig.model_validate(
        {
            "components": {
                f"c{i}": {"weight": w, "signals": {f: {"bad": 0, "good": 1}}}
                for i, (w, f) in enumerate(zip((0.1, 0.2, 0.3), features, strict=True))
            }
        }
    )
    out = score_accounts(pd.DataFrame({f: [share] for f in features}, index=["A1"]), cfg)
    assert out.loc["A1", "score"] == score
    assert out.loc["A1", "band"] == band


def test_score_text_truncates_so_the_figure_shown_is_in_its_band() -> None:
    cfg = HealthConfig.default()
    assert [score_text(v) for v in (69.87, 70.0, 39.99, 40.0, 100.0, 0.0)] == [
        "69",
        "70",
        "39",
        "40",
        "100",
        "0",
    ]
    assert [cfg.bands.band(int(score_text(v))) == cfg.bands.band(v) for v in (69.87, 39.99)] == [
        True,
        True,
    ]
    assert score_text(float("nan")) == "-"
    assert score_text(None) == "-"


def test_config_from_yaml_and_errors_name_the_yaml_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "h.yaml"
    good.write_text(
        "components:\n  s:\n    weight: 1\n    signals:\n      open_tickets: {bad: 4, good: 0}\n"
        "bands: {healthy: 80, at_risk: 50}\n"
    )
    cfg = load_config(good)
    assert score_accounts(_frame(), cfg).loc["A1", "score"] == pytest.approx(75.0)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "components:\n  s:\n    weight: -1\n    signals:\n      open_tickets: {bad: 4, good: 4}\n"
    )
    with pytest.raises(ValidationError) as err:
        load_config(bad)
    text = str(err.value)
    assert "components.s.weight" in text
    assert "components.s.signals.open_tickets" in text
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(
        "components:\n  s:\n    weight: 1\n    signals:\n      logins: {bad: 0, good: 1}\n"
    )
    with pytest.raises(ValidationError, match="unknown feature"):
        load_config(unknown)
