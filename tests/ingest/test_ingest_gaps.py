"""Number formats, value maps over an adapter, and ``mode: update`` (partial-column updates)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import check_quarantine, reconciled, snapshot

from portalroi.errors import MappingError, SchemaError
from portalroi.ingest import ingest_file, load_mapping
from portalroi.store import Store

Write = Callable[[str, str], Path]

COSTS_MAPPING = """table: costs
columns: {cost_id: id, date: day, category: kind, amount: amount}
number_format: {decimal: ",", thousands: "."}
"""


def _amounts(store: Store) -> list[tuple[str, float]]:
    return [
        (str(r[0]), float(r[1]))
        for r in store.con.execute("SELECT cost_id, amount FROM costs ORDER BY cost_id").fetchall()
    ]


def test_number_format_decimal_comma_and_dot_thousands(store: Store, write: Write) -> None:
    data = write(
        "costs.csv",
        'id,day,kind,amount\nc1,2024-01-31,hosting,"1.234,56"\nc2,2024-01-31,hosting,"12,5"\n'
        'c3,2024-01-31,hosting,-7\nc4,2024-01-31,hosting,"1.23.4,5"\n'
        'c5,2024-01-31,hosting,"12,450.00"\n',
    )
    s = reconciled(ingest_file(store, data, mapping=write("m.yaml", COSTS_MAPPING)))
    assert (s.inserted, s.quarantined) == (3, 2)
    assert _amounts(store) == [("c1", 1234.56), ("c2", 12.5), ("c3", -7.0)]
    q = store.con.execute(
        "SELECT row_number, column_name, value, reason FROM _quarantine ORDER BY row_number"
    ).fetchall()
    assert q == [
        (4, "amount", "1.23.4,5", "cannot read as double"),
        (5, "amount", "12,450.00", "cannot read as double"),
    ]
    check_quarantine(store, s)


def test_number_format_per_column_space_and_comma_thousands(store: Store, write: Write) -> None:
    mapping = write(
        "m.yaml",
        "table: costs\ncolumns: {cost_id: id, date: day, category: kind, amount: amount}\n"
        'number_formats: {amount: {decimal: ",", thousands: " "}}\n',
    )
    data = write(
        "costs.csv",
        'id,day,kind,amount\nc1,2024-01-31,hosting,"12 450,00"\n'
        'c2,2024-01-31,hosting,"12\u00a0450,5"\nc3,2024-01-31,hosting,"1 2,0"\n',
    )
    s = reconciled(ingest_file(store, data, mapping=mapping))
    assert (s.inserted, s.quarantined) == (2, 1)
    assert _amounts(store) == [("c1", 12450.0), ("c2", 12450.5)]
    assert [(i.value, i.reason) for i in s.issues] == [("1 2,0", "cannot read as double")]

    mapping2 = write(
        "m2.yaml",
        "table: costs\ncolumns: {cost_id: id, date: day, category: kind, amount: amount}\n"
        'number_formats: {amount: {decimal: ".", thousands: ","}}\n',
    )
    data2 = write("c2.csv", 'id,day,kind,amount\nc9,2024-01-31,hosting,"12,450.00"\n')
    reconciled(ingest_file(store, data2, mapping=mapping2))
    assert _amounts(store)[-1] == ("c9", 12450.0)


@pytest.mark.parametrize(
    ("section", "needle"),
    [
        ('number_format: {decimal: ";"}', "number_format.decimal"),
        ('number_format: {decimal: ",", thousands: ","}', "must differ"),
        ('number_formats: {category: {decimal: ","}}', "category is not a number column"),
        ("number_format: comma", "number_format: expected"),
        ("mode: replace", "mode: expected one of upsert, update"),
    ],
)
def test_bad_number_format_or_mode_named(write: Write, section: str, needle: str) -> None:
    path = write("m.yaml", f"table: costs\ncolumns: {{cost_id: id}}\n{section}\n")
    with pytest.raises(MappingError, match=needle):
        load_mapping(path)


SERVICENOW = """number,incident_state,opened_at,priority,contact_type,sys_updated_at
INC1,Active,01/03/2016 09:00,3 - Moderate,Phone,01/03/2016 09:00
INC2,Closed,01/03/2016 09:00,1 - Critical,Email,01/03/2016 09:00
INC3,Resolved,01/03/2016 09:00,2,Self service,01/03/2016 09:00
INC4,New,01/03/2016 09:00,9 - Whenever,Phone,01/03/2016 09:00
INC5,Active,01/03/2016 09:00,4 - low,Carrier pigeon,01/03/2016 09:00
"""


def test_servicenow_priority_codes_and_display_values(store: Store, write: Write) -> None:
    s = reconciled(ingest_file(store, write("inc.csv", SERVICENOW), fmt="servicenow"))
    assert (s.inserted, s.quarantined) == (4, 1)
    rows = store.con.execute(
        "SELECT ticket_id, priority, status, channel FROM tickets ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("INC1", "normal", "open", "phone"),
        ("INC2", "urgent", "closed", "email"),
        ("INC3", "high", "solved", "self_service"),
        ("INC5", "low", "open", "other"),
    ]
    # an unknown priority is quarantined, never silently emptied
    q = store.con.execute(
        "SELECT row_number, column_name, value, reason FROM _quarantine"
    ).fetchall()
    assert [r[1:3] for r in q] == [("priority", "9 - Whenever")]
    assert q[0][3].startswith("not an allowed value")


def test_user_values_override_adapter_map_without_columns(store: Store, write: Write) -> None:
    mapping = write(
        "m.yaml",
        'table: tickets\nvalues:\n  priority: {"9 - Whenever": low, "3 - Moderate": high}\n'
        '  channel: {"Carrier pigeon": chat}\n',
    )
    s = reconciled(
        ingest_file(store, write("inc.csv", SERVICENOW), fmt="servicenow", mapping=mapping)
    )
    assert (s.inserted, s.quarantined) == (5, 0)
    rows = store.con.execute(
        "SELECT ticket_id, priority, channel FROM tickets ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("INC1", "high", "phone"),
        ("INC2", "urgent", "email"),
        ("INC3", "high", "self_service"),
        ("INC4", "low", "phone"),
        ("INC5", "low", "chat"),
    ]


ACCOUNTS = """account_id,name,created_at,acv
a1,Acme,2023-01-01,1000
a2,Beta,2023-02-01,2000
a3,Gamma,2023-03-01,3000
"""

CHURN_MAPPING = """table: accounts
mode: update
columns: {account_id: Customer, churned_at: Cancelled}
date_format: "%d.%m.%Y"
"""


def test_update_mode_changes_only_mapped_columns(store: Store, write: Write) -> None:
    reconciled(ingest_file(store, write("acc.csv", ACCOUNTS), table="accounts"))
    churn = write(
        "churn.csv",
        "Customer,Cancelled,Reason\na2,15.06.2024,price\nzz,01.07.2024,moved\n"
        "a3,,\na1,31.13.2024,typo\n",
    )
    mapping = write("churn.yaml", CHURN_MAPPING)
    s = reconciled(ingest_file(store, churn, mapping=mapping))
    # a3 has no churn date nor reason: nothing changes (already empty) -> a duplicate
    assert (s.rows_read, s.inserted, s.updated, s.duplicates, s.quarantined) == (4, 0, 1, 1, 2)
    rows = store.con.execute(
        "SELECT account_id, name, strftime(created_at, '%Y-%m-%d'), acv, "
        "strftime(churned_at, '%Y-%m-%d'), properties FROM accounts ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("a1", "Acme", "2023-01-01", 1000.0, None, None),
        ("a2", "Beta", "2023-02-01", 2000.0, "2024-06-15", '{"Reason":"price"}'),
        ("a3", "Gamma", "2023-03-01", 3000.0, None, None),
    ]
    q = store.con.execute(
        "SELECT row_number, column_name, value, reason FROM _quarantine "
        "WHERE load_id = ? ORDER BY row_number",
        [s.load_id],
    ).fetchall()
    assert q == [
        (2, "account_id", "zz", "no such account"),
        (4, "churned_at", "31.13.2024", "cannot read as timestamp with format %d.%m.%Y"),
    ]
    check_quarantine(store, s)
    # idempotent: the same file again changes nothing
    before = {k: v for k, v in snapshot(store).items() if not k.startswith("_")}
    again = reconciled(ingest_file(store, churn, mapping=mapping))
    assert (again.updated, again.duplicates, again.quarantined) == (0, 2, 2)
    assert {k: v for k, v in snapshot(store).items() if not k.startswith("_")} == before


def test_update_mode_is_atomic_on_failure(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portalroi.errors import IngestAbortedError
    from portalroi.ingest import _load

    reconciled(ingest_file(store, write("acc.csv", ACCOUNTS), table="accounts"))
    before = snapshot(store)

    def boom(stage: str, n: int) -> None:
        if stage == "merge":
            raise RuntimeError("disk full")

    monkeypatch.setattr(_load, "_fault_hook", boom)
    churn = write("churn.csv", "Customer,Cancelled\na2,15.06.2024\n")
    with pytest.raises(IngestAbortedError):
        ingest_file(store, churn, mapping=write("churn.yaml", CHURN_MAPPING))
    assert snapshot(store) == before


def test_update_mode_needs_the_key(write: Write) -> None:
    path = write("m.yaml", "table: accounts\nmode: update\ncolumns: {churned_at: Cancelled}\n")
    with pytest.raises(MappingError, match="needs the key column account_id"):
        load_mapping(path)


def test_upsert_mode_still_requires_every_required_column(store: Store, write: Write) -> None:
    path = write(
        "m.yaml", "table: accounts\ncolumns: {account_id: Customer, churned_at: Cancelled}\n"
    )
    with pytest.raises(SchemaError, match="required column created_at"):
        ingest_file(store, write("c.csv", "Customer,Cancelled\na1,2024-01-01\n"), mapping=path)


def test_update_mode_merges_unmapped_columns_into_properties(store: Store, write: Write) -> None:
    accounts = write("acc.csv", "account_id,created_at,Region\na1,2023-01-01,EMEA\n")
    reconciled(ingest_file(store, accounts, table="accounts"))
    churn = write("churn.csv", "Customer,Cancelled,Reason\na1,15.06.2024,price\n")
    s = reconciled(ingest_file(store, churn, mapping=write("churn.yaml", CHURN_MAPPING)))
    assert (s.updated, s.duplicates, s.quarantined) == (1, 0, 0)
    row = store.con.execute("SELECT properties FROM accounts").fetchone()
    assert row is not None
    assert json.loads(row[0]) == {"Region": "EMEA", "Reason": "price"}
    # a new reason replaces the stored one; the region stays
    churn2 = write("churn2.csv", "Customer,Cancelled,Reason\na1,15.06.2024,moved\n")
    s2 = reconciled(ingest_file(store, churn2, mapping=write("churn.yaml", CHURN_MAPPING)))
    assert (s2.updated, s2.duplicates) == (1, 0)
    row = store.con.execute("SELECT properties FROM accounts").fetchone()
    assert row is not None
    assert json.loads(row[0]) == {"Region": "EMEA", "Reason": "moved"}
