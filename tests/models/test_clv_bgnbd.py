"""BG/NBD, Gamma-Gamma and their CLV on CDNOW: published figures and the `lifetimes` library.

`lifetimes` is an independent implementation used here only as an oracle (never in src/).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from portalroi.errors import SchemaError, ValidationError
from portalroi.models.clv import (
    BetaGeoModel,
    GammaGammaModel,
    customer_lifetime_value,
    summary_from_transactions,
)
from shared_paths import shared_data

lifetimes: Any = pytest.importorskip("lifetimes")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(shared_data("cdnow", "cdnow_customers_summary_with_transactions.csv"))


@pytest.fixture(scope="module")
def bg(cdnow: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


@pytest.fixture(scope="module")
def gg(cdnow: pd.DataFrame) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow["x"], cdnow["zbar"])


@pytest.fixture(scope="module")
def lt_bg(cdnow: pd.DataFrame) -> Any:
    return lifetimes.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


@pytest.fixture(scope="module")
def lt_gg(cdnow: pd.DataFrame) -> Any:
    repeat = cdnow[cdnow["x"] > 0]
    return lifetimes.GammaGammaFitter().fit(repeat["x"], repeat["zbar"])


def test_rfm_summary_of_cdnow_sample_equals_published_summary(cdnow: pd.DataFrame) -> None:
    raw = pd.read_csv(
        shared_data("cdnow", "CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "customer", "date", "cds", "amount"],
    )
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    # SOURCE.md: weeks, calibration = the first 39 weeks (1997-01-01 .. 1997-09-30).
    summary = summary_from_transactions(
        raw, "customer", "date", "amount", observation_end="1997-09-30", unit_days=7, decimals=2
    )
    published = pd.read_csv(shared_data("cdnow", "cdnow_customers_summary.csv")).set_index("ID")
    assert summary.index.tolist() == published.index.tolist()
    assert (summary["frequency"] == published["frequency"]).all()
    assert (summary["recency"] == published["recency"]).all()
    assert (summary["T"] == published["T"]).all()
    # zbar is published rounded to cents.
    np.testing.assert_allclose(summary["monetary_value"], cdnow["zbar"], atol=0.005 + 1e-9)


def test_rfm_summary_hand_case() -> None:
    tx = pd.DataFrame(
        {
            "c": ["a", "a", "a", "a", "b", "a"],
            "d": pd.to_datetime(
                ["2024-01-01", "2024-01-08", "2024-01-08", "2024-01-15", "2024-01-10", "2024-02-01"]
            ),
            "v": [10.0, 5.0, 15.0, 40.0, 5.0, 99.0],
        }
    )
    out = summary_from_transactions(tx, "c", "d", "v", observation_end="2024-01-22", unit_days=7)
    # a: days 01-01, 01-08 (5+15), 01-15; the 02-01 order is after the end.
    assert out.loc["a"].tolist() == [2.0, 2.0, 3.0, 30.0]
    assert out.loc["b", "frequency"] == 0
    assert out.loc["b", "T"] == pytest.approx(12 / 7)
    with pytest.raises(SchemaError, match="missing column"):
        summary_from_transactions(tx, "customer", "d")
    with pytest.raises(ValidationError, match="row 1, column d: not a date"):
        summary_from_transactions(
            tx.assign(d=["2024-01-01", "x", None, "2024-01-02", "2024-01-03", "2024-01-04"]),
            "c",
            "d",
        )


def test_rfm_summary_converts_times_with_an_offset_to_utc_days() -> None:
    # 23:30 at -05:00 on 1 January is 04:30 UTC on 2 January; the next order is 8 January UTC.
    # Mixed offsets raised AttributeError (".dt accessor"), UTC times with a plain end TypeError.
    tx = pd.DataFrame(
        {
            "c": ["a", "a"],
            "d": ["2024-01-01T23:30:00-05:00", "2024-01-08T10:00:00+00:00"],
            "v": [1.0, 2.0],
        }
    )
    out = summary_from_transactions(tx, "c", "d", "v")
    assert out.loc["a"].tolist() == [1.0, 6.0, 6.0, 2.0]
    utc = tx.assign(d=pd.to_datetime(["2024-01-02T04:30:00", "2024-01-08T10:00:00"], utc=True))
    end = summary_from_transactions(utc, "c", "d", "v", observation_end="2024-01-10")
    assert end.loc["a"].tolist() == [1.0, 6.0, 8.0, 2.0]
    # an end with an offset: 01:00 at +02:00 on 10 January is 23:00 UTC on 9 January
    late = summary_from_transactions(utc, "c", "d", observation_end="2024-01-10T01:00:00+02:00")
    assert late.loc["a", "T"] == pytest.approx(7 + 23 / 24)


def test_bgnbd_reproduces_fader_hardie_lee_2005(bg: BetaGeoModel) -> None:
    p = bg.params
    assert (round(p["r"], 3), round(p["alpha"], 3), round(p["a"], 3), round(p["b"], 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert bg.log_likelihood_ is not None
    assert round(bg.log_likelihood_, 1) == -9582.4


def test_bgnbd_matches_lifetimes(bg: BetaGeoModel, lt_bg: Any, cdnow: pd.DataFrame) -> None:
    theirs = lt_bg.params_
    for name in ("r", "alpha", "a", "b"):
        assert bg.params[name] == pytest.approx(theirs[name], rel=1e-3)
    x, t_x, big_t = cdnow["x"], cdnow["t_x"], cdnow["T"]
    np.testing.assert_allclose(
        bg.probability_alive(x, t_x, big_t),
        lt_bg.conditional_probability_alive(x, t_x, big_t),
        rtol=1e-3,
    )
    for horizon in (1.0, 39.0, 52.0):
        np.testing.assert_allclose(
            bg.expected_purchases(horizon, x, t_x, big_t),
            lt_bg.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, big_t),
            rtol=1e-3,
        )
    np.testing.assert_allclose(
        bg.expected_purchases_new([1.0, 39.0, 78.0]),
        lt_bg.expected_number_of_purchases_up_to_time(np.array([1.0, 39.0, 78.0])),
        rtol=1e-3,
    )


def test_bgnbd_hand_cases() -> None:
    m = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    # Without repeat purchases nothing reveals a drop-out: P(alive) = 1.
    assert m.probability_alive([0], [0.0], [38.86]).tolist() == [1.0]
    # Closed form for x > 0: 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)).
    expected = 1 / (1 + 0.793 / (2.426 + 1) * ((4.414 + 38.86) / (4.414 + 30.43)) ** 2.243)
    assert float(m.probability_alive([2], [30.43], [38.86])[0]) == pytest.approx(
        expected, rel=1e-12
    )
    with pytest.raises(ValidationError, match=r"recency\[row 0\]: must not exceed T"):
        m.probability_alive([1], [40.0], [38.86])


def test_gamma_gamma_reproduces_published(gg: GammaGammaModel, cdnow: pd.DataFrame) -> None:
    p = gg.params
    assert (round(p["p"], 2), round(p["q"], 2)) == (6.25, 3.74)
    # Published 15.44 (FHL 2005); lifetimes' Quickstart prints 15.45: the MLE is 15.4477.
    assert p["gamma"] == pytest.approx(15.44, abs=0.01)
    assert gg.n_observations_ == 946
    profit = gg.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"])
    assert float(profit.mean()) == pytest.approx(35.2529588, rel=1e-6)


def test_gamma_gamma_matches_lifetimes(
    gg: GammaGammaModel, lt_gg: Any, cdnow: pd.DataFrame
) -> None:
    theirs = lt_gg.params_
    for ours, name in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert gg.params[ours] == pytest.approx(theirs[name], rel=1e-3)
    np.testing.assert_allclose(
        gg.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"]),
        lt_gg.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"]),
        rtol=1e-3,
    )


def test_clv_matches_lifetimes(
    bg: BetaGeoModel, gg: GammaGammaModel, lt_bg: Any, lt_gg: Any, cdnow: pd.DataFrame
) -> None:
    x, t_x, big_t, z = cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]
    ours = customer_lifetime_value(
        bg, gg, x, t_x, big_t, z, months=12, monthly_discount_rate=0.01, time_units_per_month=4.345
    )
    theirs = lt_gg.customer_lifetime_value(
        lt_bg, x, t_x, big_t, z, time=12, discount_rate=0.01, freq="W"
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)
    assert float(ours.sum()) == pytest.approx(float(theirs.sum()), rel=1e-3)


def test_clv_hand_case_one_month_undiscounted() -> None:
    bg = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    one = customer_lifetime_value(
        bg,
        gg,
        [0],
        [0.0],
        [10.0],
        [0.0],
        months=1,
        monthly_discount_rate=0.0,
        time_units_per_month=4.0,
        margin=0.5,
    )
    # x = 0: E[Z] = p*gamma/(q-1); E[Y(4)] = (a+b-1)/(a-1) * (1 - ((alpha+T)/(alpha+T+4))^r * 2F1(r, b; a+b-1; 4/(alpha+T+4))).
    from scipy.special import hyp2f1

    e_y = (
        (0.793 + 2.426 - 1)
        / (0.793 - 1)
        * (1 - (14.414 / 18.414) ** 0.243 * hyp2f1(0.243, 2.426, 0.793 + 2.426 - 1, 4 / 18.414))
    )
    assert float(one[0]) == pytest.approx(0.5 * 6.25 * 15.44 / 2.74 * e_y, rel=1e-12)


def test_gamma_gamma_spend_without_a_mean_is_inf_not_negative() -> None:
    # q = 0.8 <= 1: the population mean spend p*gamma/(q-1) does not exist. A customer without
    # repeats got 15.44*6.25/(0.8-1) = -482.5 per order and a negative CLV (-116.70 over 12
    # months); with 2 repeats at 20 the weight on its own mean keeps the value finite:
    # (15.44 + 40) * 6.25 / (12.5 - 0.2) = 28.1707...
    gg = GammaGammaModel.from_params({"p": 6.25, "q": 0.8, "gamma": 15.44})
    spend = gg.conditional_expected_average_profit([0, 2], [0.0, 20.0])
    assert spend[0] == np.inf
    assert spend[1] == pytest.approx((15.44 + 40) * 6.25 / 12.3, rel=1e-12)
    assert gg.population_mean_spend() == np.inf
    bg = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    clv = customer_lifetime_value(bg, gg, [0, 2], [0, 30], [38, 38], [0, 20])
    assert clv[0] == np.inf
    assert 0 < clv[1] < np.inf


def test_a_customer_first_seen_on_the_last_day_is_accepted(
    bg: BetaGeoModel, cdnow: pd.DataFrame
) -> None:
    # summary_from_transactions ends at the last transaction by default, so a customer whose
    # first order is that day has T = 0; BG/NBD refused the whole fit ("T must be > 0"). Such a
    # customer carries no information (likelihood 1): the fit is CDNOW's without it.
    tx = pd.DataFrame(
        {"c": ["a", "a", "new"], "d": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-02-05"])}
    )
    assert summary_from_transactions(tx, "c", "d", unit_days=7).loc["new"].tolist() == [0, 0, 0]
    with_new = BetaGeoModel().fit([*cdnow["x"], 0], [*cdnow["t_x"], 0.0], [*cdnow["T"], 0.0])
    assert with_new.log_likelihood_ == pytest.approx(bg.log_likelihood_, rel=1e-9)
    for name, value in bg.params.items():
        assert with_new.params[name] == pytest.approx(value, rel=1e-4)
    assert with_new.probability_alive([0], [0.0], [0.0]).tolist() == [1.0]
    with pytest.raises(ValidationError, match=r"T\[row 0\]: must be >= 0"):
        with_new.probability_alive([0], [0.0], [-1.0])
