"""Every docstring example in the package runs and prints what it shows (``doctest``).

The examples are documentation (``docs/reference/python-api.md`` is generated from the
docstrings), so they are checked like the guides' examples: each module's examples run in a
fresh temporary working directory, with ``...`` standing for any text where an example says so.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import portalroi

# Alembic's migration environment runs only inside an Alembic command (it reads
# alembic.context.config at import); its behaviour is covered by the app-state migration tests.
NOT_IMPORTABLE = {"portalroi.api.appstate.migrations.env"}

ALL_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(portalroi.__path__, "portalroi.")
    if m.name not in NOT_IMPORTABLE
)
# The modules that show at least one example (one test each; a module without any has nothing
# to check).
MODULES = [
    name
    for name in ALL_MODULES
    if any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))
]


def test_the_walk_found_the_examples() -> None:
    # 223 modules, 148 of them with examples when this test was written
    assert len(ALL_MODULES) > 200
    assert len(MODULES) > 140


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.ELLIPSIS, report=True
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module}"
