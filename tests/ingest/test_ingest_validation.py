"""A malformed file gets every problem named with row and column; nothing is dropped."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import check_quarantine, reconciled

from portalroi.errors import SchemaError
from portalroi.ingest import ingest_file
from portalroi.store import Store

MALFORMED = """ticket_id,created_at,resolved_at,channel,priority,reopens,csat,escalated,extra
T1,2024-01-01 10:00,2024-01-01 12:00,email,high,0,5,no,kept
T2,not a date,,email,low,0,,,
T3,2024-01-02 09:00,2024-01-01 09:00,fax,,-1,9,maybe,
,2024-01-03 09:00,,phone,,,,,
T5,2024-01-03 09:00,,portal,normal,1,4,yes
T6,2024-01-04 09:00,,chat,urgent,x,3,true,
"""


def test_every_problem_is_named_with_row_column_and_reason(
    store: Store, write: Callable[[str, str], Path]
) -> None:
    path = write("bad.csv", MALFORMED)
    s = reconciled(ingest_file(store, path, table="tickets"))
    assert (s.rows_read, s.inserted, s.quarantined) == (6, 1, 5)
    check_quarantine(store, s)
    got = {
        (r, c, v, reason)
        for r, c, v, reason in store.con.execute(
            "SELECT row_number, column_name, value, reason FROM _quarantine"
        ).fetchall()
    }
    allowed = "portal, email, phone, chat, self_service, social, other"
    assert got == {
        (2, "created_at", "not a date", "cannot read as timestamp"),
        (3, "resolved_at", "2024-01-01 09:00", "resolved_at is before created_at"),
        (3, "channel", "fax", f"not an allowed value; expected one of {allowed}"),
        (3, "reopens", "-1", "below the minimum 0"),
        (3, "csat", "9", "above the maximum 5"),
        (3, "escalated", "maybe", "cannot read as boolean"),
        (4, "ticket_id", None, "required value is missing"),
        (5, None, None, "row has 8 fields, the header has 9"),
        (6, "reopens", "x", "cannot read as bigint"),
    }
    # each issue also names the file in the summary
    assert any(str(i).startswith(f"{path}: row 3, column channel") for i in s.issues)


def test_quarantine_keeps_the_raw_row(store: Store, write: Callable[[str, str], Path]) -> None:
    s = ingest_file(store, write("bad.csv", MALFORMED), table="tickets")
    raw = store.con.execute(
        "SELECT raw FROM _quarantine WHERE load_id = ? AND row_number = 2 LIMIT 1", [s.load_id]
    ).fetchone()
    assert raw is not None
    assert json.loads(raw[0])["created_at"] == "not a date"
    line = store.con.execute("SELECT raw FROM _quarantine WHERE row_number = 5").fetchone()
    assert line is not None
    assert json.loads(line[0]) == {"line": "T5,2024-01-03 09:00,,portal,normal,1,4,yes"}


def test_unknown_columns_go_to_properties(store: Store, write: Callable[[str, str], Path]) -> None:
    ingest_file(store, write("bad.csv", MALFORMED), table="tickets")
    props = store.con.execute("SELECT properties FROM tickets WHERE ticket_id = 'T1'").fetchone()
    assert props is not None
    assert json.loads(props[0]) == {"extra": "kept"}


def test_missing_required_columns_are_all_listed(
    store: Store, write: Callable[[str, str], Path]
) -> None:
    path = write("t.csv", "subject,priority\nhello,high\n")
    with pytest.raises(SchemaError, match="required columns ticket_id, created_at, channel"):
        ingest_file(store, path, table="tickets")


def test_survey_score_must_fit_its_kind(store: Store, write: Callable[[str, str], Path]) -> None:
    path = write(
        "s.csv",
        "response_id,account_id,ts,kind,score\n"
        "r1,a,2024-01-01,nps,9\nr2,a,2024-01-01,csat,9\nr3,a,2024-01-01,ces,7\n"
        "r4,a,2024-01-01,ces,0\nr5,a,2024-01-01,nps,11\n",
    )
    s = reconciled(ingest_file(store, path, table="surveys"))
    assert (s.inserted, s.quarantined) == (2, 3)
    reasons = dict(
        store.con.execute("SELECT row_number, reason FROM _quarantine ORDER BY 1").fetchall()
    )
    assert reasons == {
        2: "score outside the csat scale 1-5",
        4: "score outside the ces scale 1-7",
        5: "score outside the nps scale 0-10",
    }


def test_timestamps_with_offsets_become_utc(
    store: Store, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "t.csv",
        "ticket_id,created_at,channel\nA,2024-03-01T10:00:00+02:00,email\nB,2024-03-01T10:00:00Z,email\n",
    )
    ingest_file(store, path, table="tickets")
    got = dict(
        store.con.execute("SELECT ticket_id, strftime(created_at, '%H:%M') FROM tickets").fetchall()
    )
    assert got == {"A": "08:00", "B": "10:00"}
