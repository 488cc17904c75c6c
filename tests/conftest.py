"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portalroi.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store in a real DuckDB file."""
    with Store(tmp_path / "test.duckdb") as s:
        yield s


@pytest.fixture(scope="session")
def tiny_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulator's tiny company (seed 3) loaded into a store, built once per test session.

    Shared by many modules: open it read-only, or copy the file (``shutil.copy``) and write to
    the copy.
    """
    from portalroi.cli.demo import run_demo

    root = tmp_path_factory.mktemp("tinydemo")
    db = root / "demo.duckdb"
    run_demo(size="tiny", seed=3, out_dir=root / "exports", db=db)
    return db
