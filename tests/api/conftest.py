"""Fixtures of the API tests (the environment is built in ``api_env``)."""

from __future__ import annotations

from api_env import env  # noqa: F401 (fixture)
