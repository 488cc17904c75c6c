from __future__ import annotations

from pathlib import Path

import pytest

from portalroi.errors import NotFoundError
from portalroi.schema import TABLE_NAMES, TABLES
from portalroi.store import SCHEMA_VERSION, Store, keys


def test_new_store_has_every_canonical_table_with_its_columns(store: Store) -> None:
    for name in TABLE_NAMES:
        cols = store.query(f"DESCRIBE {name}")["column_name"].tolist()
        # events also keeps the integer keys of its ids, after the canonical columns
        internal = list(keys.COLUMNS) if name == "events" else []
        assert cols == list(TABLES[name].column_names) + internal
        assert store.row_count(name) == 0
    assert store.query("SELECT value FROM _meta WHERE key='schema_version'").iloc[0, 0] == str(
        SCHEMA_VERSION
    )


def test_reopening_keeps_data_and_ibis_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.con.execute(
            "INSERT INTO costs (cost_id, date, category, amount) VALUES ('c1', '2024-01-31', 'hosting', 120.5)"
        )
    with Store(path, read_only=True) as s:
        assert s.backend.execute(s.table("costs").amount.sum()) == pytest.approx(120.5)
        [costs] = [t for t in s.status() if t.table == "costs"]
        assert costs.rows == 1
        assert costs.first is not None
        assert costs.first.isoformat() == "2024-01-31T00:00:00"


def test_transaction_rolls_back_on_error(store: Store) -> None:
    def insert_then_fail() -> None:
        with store.transaction() as con:
            con.execute(
                "INSERT INTO costs (cost_id, date, category, amount) "
                "VALUES ('c1', '2024-01-31', 'hosting', 1)"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    assert store.row_count("costs") == 0


def test_unknown_table_and_missing_file_are_named(tmp_path: Path, store: Store) -> None:
    with pytest.raises(NotFoundError, match="unknown table 'tikets'"):
        store.table("tikets")
    with pytest.raises(NotFoundError, match="no store at"):
        Store(tmp_path / "absent.duckdb", read_only=True)
    # a writer that must not create one (``portalroi metrics refresh``) names it too, and
    # leaves no file or folder behind
    with pytest.raises(NotFoundError, match="no store at"):
        Store(tmp_path / "new" / "absent.duckdb", create=False)
    assert not (tmp_path / "new").exists()
