"""Mean outcomes on thin data: the go-live period of accounts without a record in it, and
estimates that rest on too few accounts (refused with the reason, not printed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portalroi.impact import NEVER, Panel, TooFewUnitsError, staggered_did
from portalroi.impact.analysis import MIN_ACCOUNTS, estimate_from_data
from portalroi.impact.outcomes import build_impact_data
from portalroi.sim import SimConfig, simulate

Q = 2023 * 4  # quarter index of 2023-Q1 (months // 3)


def _nps_frames() -> dict[str, pd.DataFrame]:
    """Six accounts go live on 10 May 2023 (Q2), six never do. Everyone answers NPS in
    November 2022, February 2023 and August 2023, nobody in Q2 (the go-live quarter)."""
    ids = [f"a{i}" for i in range(12)]
    acc = pd.DataFrame(
        {
            "account_id": ids,
            "created_at": ["2022-01-01"] * 12,
            "portal_live_at": ["2023-05-10"] * 6 + [None] * 6,
            "churned_at": [None] * 12,
        }
    )
    # scores -> points: 10 -> +100, 7 -> 0, 3 -> -100; adopters a0-a5, then a6-a11
    nov = [7, 7, 3, 7, 3, 7, 7, 10, 3, 7, 7, 7]
    feb = [7, 7, 3, 7, 3, 7, 7, 7, 7, 7, 7, 7]
    aug = [10, 10, 7, 10, 7, 10, 10, 3, 7, 7, 10, 3]
    rows = [
        (a, ts, score)
        for ts, scores in (("2022-11-15", nov), ("2023-02-15", feb), ("2023-08-15", aug))
        for a, score in zip(ids, scores, strict=True)
    ]
    surveys = pd.DataFrame(rows, columns=["account_id", "ts", "score"]).assign(kind="nps")
    # CSAT on tickets: one per account in April and August 2023, none in May (the go-live month)
    tickets = pd.DataFrame(
        [(a, "2023-04-10", 3) for a in ids]
        + [(a, "2023-08-10", 4 if i < 6 else 3) for i, a in enumerate(ids)],
        columns=["account_id", "created_at", "csat"],
    )
    return {"accounts": acc, "surveys": surveys, "tickets": tickets}


def test_adopter_without_a_record_in_its_go_live_period_keeps_it_as_first_treated() -> None:
    data = build_impact_data(_nps_frames())
    nps = data.outcomes["nps"].data
    ft = nps.groupby("account_id")["first_treated"].first()
    # go-live in Q2 with no answer in Q2: Q2 stays the first treated quarter, so Q1 (answered)
    # is the base; moving it to Q3 made the unanswered Q2 the base and lost every adopter
    assert ft[[f"a{i}" for i in range(6)]].tolist() == [Q + 1] * 6
    assert ft[[f"a{i}" for i in range(6, 12)]].isna().all()
    csat_ft = data.outcomes["csat"].data.groupby("account_id")["first_treated"].first()
    assert csat_ft["a0"] == 2023 * 12 + 4  # May, not June
    report = estimate_from_data(data, outcomes=("nps", "csat"))
    est = report.effects["nps"]
    # Q1 -> Q3: adopters 0 -> +100, 0 -> +100, -100 -> 0, ... (+100 each); comparison
    # 0 -> +100, 0 -> -100, 0 -> 0, 0 -> 0, 0 -> +100, 0 -> -100 (mean 0): ATT +100 points
    assert est.estimate == pytest.approx(100.0)
    assert (est.n_treated, est.n_control) == (6, 6)
    assert "DiD" in est.method
    # pre-period Q4 2022 -> Q1 2023: adopters 0 change, comparison (-100 + 100) / 6 = 0
    pre = {r.event_time: r.estimate for r in est.event_study}
    assert pre[-2] == pytest.approx(0.0)
    # CSAT April -> August: adopters 3 -> 4, comparison 3 -> 3: +1 point
    assert report.effects["csat"].estimate == pytest.approx(1.0)
    assert not {"nps", "csat"} & set(report.skipped)


def test_one_adopter_gives_no_interval() -> None:
    # one adopter's NPS falls from +100 to -100; six comparison accounts rise 16.67 on average:
    # -216.67, below anything possible (-200), and the analytic interval counted only the
    # comparison accounts' noise (the single adopter's influence is identically zero)
    y = [[100.0, -100.0]] + [[0.0, 100.0]] + [[0.0, 0.0]] * 5
    panel = Panel.from_arrays(y, [0, 1], [1] + [NEVER] * 6)
    with pytest.raises(TooFewUnitsError, match="1 that went live and 6 comparison"):
        staggered_did(panel)
    two = Panel.from_arrays([*y, [0.0, -100.0]], [0, 1], [1, *[NEVER] * 6, 1])
    assert staggered_did(two).estimate == pytest.approx(-150.0 - 100 / 6)
    with pytest.raises(TooFewUnitsError, match="at least 3 of each"):
        staggered_did(two, min_units=3)


def _tiny(seed: int, segment: str | None = None) -> dict[str, pd.DataFrame]:
    tables = simulate(SimConfig.preset("tiny", seed=seed, events=False)).tables
    frames = {k: v.to_pandas() if hasattr(v, "to_pandas") else v for k, v in tables.items()}
    if segment is not None:
        keep = frames["accounts"]["segment"] == segment
        ids = set(frames["accounts"].loc[keep, "account_id"])
        frames = {
            k: v[v["account_id"].isin(ids)] if "account_id" in v.columns else v
            for k, v in frames.items()
        }
    return frames


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        # the whole tiny store (seed 3) printed -132.75 points (-265.6 to 0.1) from 4 adopters;
        # its smb accounts -216.67 (-271.65 to -161.68) from one
        (None, "5 that went live and 10 comparison"),
        ("smb", "1 that went live and 6 comparison"),
    ],
)
def test_nps_on_too_few_accounts_is_skipped_with_the_reason(
    segment: str | None, reason: str
) -> None:
    report = estimate_from_data(
        build_impact_data(_tiny(3, segment)), outcomes=("nps", "csat", "days_to_pay")
    )
    assert "nps" not in report.effects
    assert report.skipped["nps"].startswith("too few accounts to estimate: " + reason)
    assert f"at least {MIN_ACCOUNTS} of each" in report.skipped["nps"]
    # no time-series fallback for a comparison group that exists but is too thin
    assert not any(n.startswith("nps") for n in report.notes)
    for name in ("csat", "days_to_pay"):
        est = report.effects[name]
        assert min(est.n_treated, est.n_control) >= MIN_ACCOUNTS
        assert np.isfinite(est.ci_low)
        assert est.ci_low < est.estimate < est.ci_high


def test_failed_time_series_fallback_says_why_the_did_failed_too() -> None:
    # seed 3's enterprise accounts: no NPS cell has comparison accounts, and the launch quarter
    # leaves 4 quarters before it, too few for the time-series counterfactual
    report = estimate_from_data(build_impact_data(_tiny(3, "enterprise")), outcomes=("nps",))
    assert report.skipped["nps"] == (
        "no comparison group for difference-in-differences (no group-time effect can be "
        "estimated: need adopters with a pre-period and comparison units observed in the same "
        "periods), and the time-series counterfactual could not be fitted either (need at "
        "least 6 pre-period and 1 post-period values, got 4)"
    )
