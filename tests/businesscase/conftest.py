"""Helpers for business-case tests: a minimal valid inputs mapping to build cases from."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bc_cases import BASE


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh copy of a minimal valid inputs mapping (full adoption from month 1)."""
    return copy.deepcopy(BASE)
