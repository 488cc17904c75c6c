"""CSV field separators: detected from the header, or named by the mapping's ``delimiter``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import reconciled

from portalroi.errors import MappingError
from portalroi.ingest import ingest_file

# reader internals: the separator detection is what this file is about
from portalroi.ingest._readers import detect_delimiter
from portalroi.store import Store

Write = Callable[[str, str], Path]

# A European spreadsheet export: semicolons between fields, decimal commas inside them.
SEMICOLON_COSTS = (
    'Id;Day;Kind;Amount (EUR)\nc1;31/01/2024;hosting;1.234,56\n"c2; eu";29/02/2024;licence;12,5\n'
)
MAPPING = """table: costs
columns: {cost_id: Id, date: Day, category: Kind, amount: Amount (EUR)}
date_format: "%d/%m/%Y"
number_format: {decimal: ",", thousands: "."}
constants: {currency: EUR}
"""


def _costs(store: Store) -> list[tuple[str, str, float]]:
    return [
        (str(r[0]), str(r[1]), float(r[2]))
        for r in store.con.execute(
            "SELECT cost_id, category, amount FROM costs ORDER BY cost_id"
        ).fetchall()
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ("a|b|c", "|"),
        ('a,"b;c"', ","),  # a quoted semicolon does not make a semicolon file
        ('a;"b, c";d', ";"),  # commas inside quoted names do not make a comma file
        ("only", ","),  # one column: the comma (ties go to it)
    ],
)
def test_detect_delimiter_from_the_header(write: Write, header: str, expected: str) -> None:
    assert detect_delimiter(write("x.csv", header + "\n1\n")) == expected


def test_semicolon_file_loads_without_saying_so(store: Store, write: Write) -> None:
    s = reconciled(
        ingest_file(store, write("costs.csv", SEMICOLON_COSTS), mapping=write("m.yaml", MAPPING))
    )
    assert (s.inserted, s.quarantined) == (2, 0)
    assert _costs(store) == [("c1", "hosting", 1234.56), ("c2; eu", "licence", 12.5)]


def test_mapping_names_the_delimiter(store: Store, write: Write) -> None:
    # The header alone looks like a one-column comma file; the mapping says otherwise.
    data = write("costs.csv", "Id|Day|Kind|Amount (EUR)\nc1|31/01/2024|hosting|7,25\n")
    mapping = write("m.yaml", MAPPING.replace(";", "|") + 'delimiter: "|"\n')
    s = reconciled(ingest_file(store, data, mapping=mapping))
    assert s.inserted == 1
    assert _costs(store) == [("c1", "hosting", 7.25)]


def test_tab_alias_and_reload_changes_nothing(store: Store, write: Write) -> None:
    data = write("costs.csv", SEMICOLON_COSTS.replace(";", "\t").replace('"c2\t eu"', "c2"))
    mapping = write("m.yaml", MAPPING + "delimiter: tab\n")
    assert ingest_file(store, data, mapping=mapping).inserted == 2
    again = ingest_file(store, data, mapping=mapping)
    assert (again.inserted, again.updated, again.duplicates) == (0, 0, 2)


def test_unknown_delimiter_is_a_mapping_error(store: Store, write: Write) -> None:
    with pytest.raises(MappingError, match=r"m\.yaml.*delimiter: expected one of"):
        ingest_file(
            store,
            write("costs.csv", SEMICOLON_COSTS),
            mapping=write("m.yaml", MAPPING + 'delimiter: "::"\n'),
        )
    assert store.con.execute("SELECT count(*) FROM costs").fetchone() == (0,)
