"""The simulator's interventions: own random stream, known effect, truth that adds up."""

from __future__ import annotations

import numpy as np
import pandas as pd

from portalroi.sim import SimConfig, simulate


def test_effect_changes_only_added_events_and_truth_adds_up() -> None:
    base = simulate(SimConfig.preset("tiny", seed=6, intervention_effect=0.0))
    lift = simulate(SimConfig.preset("tiny", seed=6, intervention_effect=0.5))
    for name in base.arrow:
        if name != "events":
            assert base.arrow[name].equals(lift.arrow[name]), name
    assert base.truth["effects"] == lift.truth["effects"]  # the portal's estimands untouched
    before = base.tables["events"].set_index("event_id")
    after = lift.tables["events"].set_index("event_id")
    assert before.index.isin(after.index).all()
    pd.testing.assert_frame_equal(after.loc[before.index], before)  # every event kept as is
    extra = after.loc[~after.index.isin(before.index)]
    assert set(extra["event_type"]) == {"login", "page_view"}
    assert base.truth["interventions"]["realised"]["mean_added_weekly_active_users"] == 0.0

    # recount the added active user-weeks from the events themselves
    iv = lift.tables["interventions"]
    truth = lift.truth_tables["interventions"].to_pandas().set_index("intervention_id")
    ev = lift.tables["events"]
    old = base.tables["events"]
    for row in iv[iv["kind"] == "training"].itertuples():
        d0 = row.occurred_at.normalize()

        def weekly(frame: pd.DataFrame, account: str = row.account_id, d0: object = d0) -> set:
            f = frame[(frame["account_id"] == account)]
            k = np.floor((f["ts"] - d0).dt.total_seconds() / 604800)
            inside = (k >= 0) & (k < 13)
            return set(zip(f["user_id"][inside], k[inside], strict=True))

        added = len(weekly(ev) - weekly(old))
        assert added == truth.loc[row.intervention_id, "added_active_user_weeks"]
        assert (
            len(weekly(old)) == truth.loc[row.intervention_id, "counterfactual_active_user_weeks"]
        )
    assert (
        truth.loc[iv[iv["kind"] != "training"]["intervention_id"], "added_active_user_weeks"] == 0
    ).all()
    realised = lift.truth["interventions"]["realised"]["relative_change"]
    assert 0.3 < realised < 0.7  # about the 50 % asked for, capped by the users there are
