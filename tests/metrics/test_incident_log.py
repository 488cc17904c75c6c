"""Ticket metrics on real ServiceNow data reproduce the figures in its SOURCE.md.

The ticket frame is built here with pandas (last event per incident, as SOURCE.md describes)
and loaded into a real store, so the check does not depend on the ingestion adapter.
Reference: median opened->resolved 22.1 h over 23,362 resolved incidents, made_sla 63.4 %,
knowledge 14.3 %, 24,918 incidents.
"""

from __future__ import annotations

import pandas as pd
import pytest

from portalroi.metrics import compute
from portalroi.store import Store
from shared_paths import shared_data


@pytest.fixture(scope="module")
def incident_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = shared_data("incident_log_uci", "incident_event_log_full_141712rows.zip")
    raw = pd.read_csv(
        path,
        na_values="?",
        usecols=[
            "number",
            "opened_at",
            "resolved_at",
            "closed_at",
            "made_sla",
            "knowledge",
            "reopen_count",
            "reassignment_count",
            "contact_type",
        ],
    )
    last = raw.drop_duplicates("number", keep="last")
    fmt = "%d/%m/%Y %H:%M"
    tickets = pd.DataFrame(
        {
            "ticket_id": last["number"].astype(str),
            "created_at": pd.to_datetime(last["opened_at"], format=fmt),
            "resolved_at": pd.to_datetime(last["resolved_at"], format=fmt),
            "closed_at": pd.to_datetime(last["closed_at"], format=fmt),
            "channel": last["contact_type"].str.lower().str.replace(" ", "_"),
            "sla_met": last["made_sla"].astype(bool),
            "knowledge_used": last["knowledge"].astype(bool),
            "reopens": last["reopen_count"].astype("int64"),
            "reassignments": last["reassignment_count"].astype("int64"),
        }
    )
    store = Store(tmp_path_factory.mktemp("incidents") / "incidents.duckdb")
    store.con.register("_incidents", tickets)
    store.con.execute("INSERT INTO tickets BY NAME SELECT * FROM _incidents")
    store.con.unregister("_incidents")
    return store


def test_incident_counts_and_rates(incident_store: Store) -> None:
    sla = compute(incident_store, "sla_met_rate", grain="all")
    assert int(sla["tickets"].iloc[0]) == 24_918
    assert round(float(sla["value"].iloc[0]) * 100, 1) == 63.4
    kb = compute(incident_store, "knowledge_use_rate", grain="all")
    assert round(float(kb["value"].iloc[0]) * 100, 1) == 14.3
    reopen = compute(incident_store, "reopen_rate", grain="all")
    assert round(float(reopen["value"].iloc[0]) * 100, 1) == 1.1


def test_incident_median_resolution_time(incident_store: Store) -> None:
    res = compute(incident_store, "first_resolution_time", grain="all")
    assert int(res["tickets"].iloc[0]) == 23_362
    assert round(float(res["value"].iloc[0]), 1) == 22.1
    assert round(float(res["mean"].iloc[0]), 1) == 178.2
    monthly = compute(incident_store, "first_resolution_time")
    assert int(monthly["tickets"].sum()) == 23_362
