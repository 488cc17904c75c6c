"""The top-level public API: sorted, complete and importable (httpx keeps the same guard)."""

from __future__ import annotations

import pytest

import portalroi
from portalroi.store.hooks import registered_hooks


def test_all_is_sorted() -> None:
    assert portalroi.__all__ == sorted(portalroi.__all__)


@pytest.mark.parametrize("name", [n for n in portalroi.__all__ if n != "__version__"])
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(portalroi, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = portalroi.nope


def test_importing_the_package_registers_the_rollup_hook() -> None:
    names = [h.__module__ for h in registered_hooks()]
    assert "portalroi.metrics.rollups" in names
