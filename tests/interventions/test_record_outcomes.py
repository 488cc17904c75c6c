"""Recording, importing and measuring outcomes on a hand-built store (answers written out)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from portalroi.errors import ValidationError
from portalroi.ingest import ingest_frame
from portalroi.interventions import (
    import_interventions,
    list_interventions,
    measure,
    record_intervention,
)
from portalroi.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "interventions"


def _accounts(store: Store) -> None:
    ingest_frame(
        store,
        pd.DataFrame(
            {
                "account_id": ["A1", "A2"],
                "segment": ["smb", "smb"],
                "created_at": ["2023-01-01", "2023-01-01"],
                "churned_at": [None, "2024-03-20"],
            }
        ),
        table="accounts",
        source_name="t",
    )


def test_record_list_and_validation(store: Store) -> None:
    _accounts(store)
    now = datetime(2024, 6, 1)
    iid = record_intervention(
        store,
        account_id="A1",
        kind="training",
        occurred_at="2024-03-01T10:00",
        owner="ann",
        reason="health at risk",
        alert_id="AE-1",
        now=now,
    )
    rows = list_interventions(store, "A1")
    assert rows[["intervention_id", "kind", "owner", "alert_id", "reason"]].values.tolist() == [
        [iid, "training", "ann", "AE-1", "health at risk"]
    ]
    assert rows["occurred_at"].iloc[0] == pd.Timestamp("2024-03-01 10:00")
    with pytest.raises(ValidationError) as err:
        record_intervention(store, account_id="ZZ", kind="hug", occurred_at="2024-07-01", now=now)
    where = {i.location for i in err.value.issues}
    assert where == {"account_id", "kind", "occurred_at"}  # all three, not only the first
    assert "in the future" in str(err.value)
    assert "no such account" in str(err.value)
    with pytest.raises(ValidationError, match="not a date"):
        record_intervention(store, account_id="A1", kind="call", occurred_at="yesterday")
    assert len(list_interventions(store)) == 1  # nothing stored by the refused calls


def test_import_crm_export_with_mapping(store: Store) -> None:
    ingest_frame(
        store,
        pd.DataFrame(
            {
                "account_id": ["A00003", "A00007", "A00011", "A00014", "A00019"],
                "created_at": ["2023-01-01"] * 5,
            }
        ),
        table="accounts",
        source_name="t",
    )
    s = import_interventions(
        store, EXAMPLES / "crm_activities.csv", EXAMPLES / "interventions.yaml"
    )
    assert (s.inserted, s.quarantined) == (4, 1)
    assert "row 5" in str(s.issues[0])
    assert "Webinar" in str(s.issues[0])
    got = list_interventions(store).sort_values("intervention_id")
    assert got["kind"].tolist() == ["call", "training", "qbr", "playbook_step"]
    assert got["alert_id"].tolist()[1] == "AE-118"
    again = import_interventions(
        store, EXAMPLES / "crm_activities.csv", EXAMPLES / "interventions.yaml"
    )
    assert (again.inserted, again.duplicates) == (0, 4)


def _events(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "account_id": [r[0] for r in rows],
            "user_id": [r[1] for r in rows],
            "ts": [r[2] for r in rows],
            "event_type": "login",
        }
    )


def test_outcomes_before_and_after_by_hand(store: Store) -> None:
    _accounts(store)
    # anchor 2024-03-01, 2-week windows: [02-16, 03-01) before, [03-01, 03-15) after
    ev = _events(
        [
            ("A1", "u1", "2024-02-16T09:00"),  # week -2: u1, u2
            ("A1", "u2", "2024-02-20T09:00"),
            ("A1", "u2", "2024-02-21T09:00"),
            ("A1", "u1", "2024-02-27T09:00"),  # week -1: u1
            ("A1", "u1", "2024-03-01T00:00"),  # week 0: u1, u2, u3
            ("A1", "u2", "2024-03-03T09:00"),
            ("A1", "u3", "2024-03-07T23:59"),
            ("A1", "u4", "2024-03-15T00:00"),  # outside (after-window ends before 03-15)
            ("A1", "u5", "2024-02-15T23:59"),  # outside (before-window starts 02-16)
            ("A2", "u9", "2024-03-02T09:00"),  # another account
        ]
    )
    ingest_frame(store, ev, table="events", source_name="t")
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "account_id": ["A1", "A1", "A1", "A2"],
            "created_at": ["2024-02-20", "2024-02-28", "2024-03-05", "2024-03-05"],
            "channel": "email",
        }
    )
    ingest_frame(store, tickets, table="tickets", source_name="t")
    pairs = pd.DataFrame(
        {"pair": [0, 1], "account_id": ["A1", "A2"], "anchor": ["2024-03-01", "2024-03-01"]}
    )
    au = measure(store, "active_users", pairs, weeks=2)
    # A1: before (2 + 1) / 2 weeks = 1.5, after (3 + 0) / 2 = 1.5; A2: 0 before, 1 / 2 after
    assert au.values.tolist() == [[0, 1.5, 1.5], [1, 0.0, 0.5]]
    tk = measure(store, "tickets", pairs, weeks=2)
    per_month = 30.4375 / 14  # one ticket in a 14-day window, per average month
    assert tk["pre"].tolist() == pytest.approx([2 * per_month, 0.0])
    assert tk["post"].tolist() == pytest.approx([1 * per_month, 1 * per_month])
    ret = measure(store, "retention", pairs, weeks=2)
    # A2 churned on 03-20, after the 2-week window; with 4 weeks it falls inside
    assert ret.values.tolist() == [[0, 1.0, 1.0], [1, 1.0, 1.0]]
    ret4 = measure(store, "retention", pairs, weeks=4)
    assert ret4["post"].tolist() == [1.0, 0.0]


def test_scores_prefer_the_stored_history_and_compute_the_rest(store: Store) -> None:
    from portalroi.health.history import ensure_table
    from portalroi.interventions import scores_as_of

    _accounts(store)
    ensure_table(store)
    store.con.execute(
        "INSERT INTO risk_scores VALUES "
        "('2024-02-20', 'A1', 0.3, 42.0, 'at_risk', 'score-only', 90, '2024-02-20'), "
        "('2024-01-01', 'A1', 0.3, 10.0, 'at_risk', 'score-only', 90, '2024-01-01')"
    )
    got = scores_as_of(store, [datetime(2024, 3, 1), datetime(2024, 6, 1)])
    rows = {(str(a)[:10], k): (s, src) for a, k, s, src in got.values}
    assert rows[("2024-03-01", "A1")] == (42.0, "stored")  # the latest score before the date
    assert rows[("2024-03-01", "A2")][1] == "computed"  # no stored score: computed as of then
    assert rows[("2024-06-01", "A1")][1] == "computed"  # stored ones are over 45 days old
    assert ("2024-06-01", "A2") not in rows  # A2 churned on 2024-03-20
