"""YAML mapping files: the happy path and every kind of mapping error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import reconciled

from portalroi.errors import MappingError, SchemaError
from portalroi.ingest import ingest_file, load_mapping
from portalroi.store import Store

EXPORT = """Case Number;Opened;Closed;Source;Org;Note
C-1;31/12/2023 23:30;01/01/2024 01:00;E-mail;acme;first
C-2;01/01/2024 08:00;;Web form;acme;second
C-3;02/01/2024 08:00;;Pigeon;beta;third
"""

MAPPING = """table: tickets
columns:
  ticket_id: Case Number
  created_at: Opened
  resolved_at: Closed
  channel: Source
  account_id: Org
values:
  channel: {"E-mail": email, "Web form": portal}
date_format: "%d/%m/%Y %H:%M"
constants: {currency: EUR}
timezone: Europe/Stockholm
properties: [Note]
"""


def test_mapping_happy_path(store: Store, write: Callable[[str, str], Path]) -> None:
    data = write("export.csv", EXPORT.replace(";", ","))
    s = reconciled(ingest_file(store, data, mapping=write("m.yaml", MAPPING)))
    assert (s.table, s.inserted, s.quarantined) == ("tickets", 2, 1)
    rows = store.con.execute(
        "SELECT ticket_id, strftime(created_at, '%Y-%m-%d %H:%M'), channel, currency, properties "
        "FROM tickets ORDER BY 1"
    ).fetchall()
    # Stockholm is UTC+1 in winter
    assert [r[:4] for r in rows] == [
        ("C-1", "2023-12-31 22:30", "email", "EUR"),
        ("C-2", "2024-01-01 07:00", "portal", "EUR"),
    ]
    assert json.loads(rows[0][4]) == {"Note": "first"}
    q = store.con.execute("SELECT row_number, column_name, value FROM _quarantine").fetchall()
    assert q == [(3, "channel", "Pigeon")]


def test_mapping_source_column_missing_from_file(
    store: Store, write: Callable[[str, str], Path]
) -> None:
    data = write("export.csv", "Case Number,Opened\nC-1,31/12/2023 23:30\n")
    with pytest.raises(SchemaError) as err:
        ingest_file(store, data, mapping=write("m.yaml", MAPPING))
    assert "resolved_at is mapped to source column 'Closed'" in str(err.value)
    assert "channel is mapped to source column 'Source'" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("table: tickets\ncolumns: [a, b]\n", "columns: expected a mapping"),
        ("table: nope\n", "table: unknown table 'nope'"),
        ("table: tickets\ncolumns: {nope: x}\n", "columns.nope: 'nope' is not a column of tickets"),
        ("table: tickets\ncolumns: {ticket_id: {a: 1}}\n", "columns.ticket_id: expected a source"),
        (
            "table: tickets\nvalues: {channel: {Fax: fax}}\n",
            "values.channel.Fax: 'fax' is not allowed",
        ),
        ("table: tickets\nvalues: {channel: 3}\n", "values.channel: expected a mapping"),
        (
            "table: tickets\ndate_formats: {subject: '%Y'}\n",
            "date_formats.subject: subject is not a time",
        ),
        (
            "table: tickets\ndate_formats: {created_at: 'YYYY'}\n",
            "date_formats.created_at: expected a strptime",
        ),
        ("table: tickets\ndate_format: 5\n", "date_format: expected a strptime"),
        (
            "table: tickets\nconstants: {currency: [1]}\n",
            "constants.currency: expected a single value",
        ),
        ("table: tickets\ntimezone: Mars/Base\n", "timezone: unknown time zone 'Mars/Base'"),
        ("table: tickets\nproperties: some\n", "properties: expected all, none or a list"),
        ("table: tickets\nna_values: '?'\n", "na_values: expected a list"),
        ("table: tickets\nformat: xml\n", "format: expected csv, parquet or jsonl"),
        ("table: tickets\ncolour: blue\n", "colour: unknown key"),
        ("- a\n- b\n", "(top level): expected a mapping"),
        ("table: [\n", "not valid YAML"),
    ],
)
def test_mapping_errors_name_the_yaml_path(
    write: Callable[[str, str], Path], text: str, expected: str
) -> None:
    path = write("m.yaml", text)
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_every_mapping_problem_is_reported_at_once(write: Callable[[str, str], Path]) -> None:
    path = write("m.yaml", "table: tickets\ncolumns: {nope: x}\ntimezone: Mars/Base\ncolour: 1\n")
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    for part in ("columns.nope", "timezone", "colour"):
        assert part in str(err.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="mapping file not found"):
        load_mapping(tmp_path / "none.yaml")
