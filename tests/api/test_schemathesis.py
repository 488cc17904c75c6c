"""Property-based API test from the OpenAPI schema (schemathesis, in-process ASGI, bounded).

Every documented operation is called with generated parameters and bodies and a valid admin
token: no answer may be a server error, and every answer must match its documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from api_env import make_settings, seed_store
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user, create_token
from portalroi.api.appstate.models import User

_TOKEN: dict[str, str] = {}
_APP: dict[str, Any] = {}
#: Operations that end the caller's own credentials: each example gets a fresh token.
SELF_ENDING = r"^/api/v1/auth/(logout|tokens/\{token_id\})$"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    seed_store(tmp / "store.duckdb")
    app = create_app(make_settings(tmp, api_cache_seconds=0.0))
    with app.state.appdb.session() as s:
        user = add_user(
            s, "fuzz@example.org", "fuzz-password", role="admin", tenant="acme", org_id="org-a"
        )
        _TOKEN["value"], _ = create_token(s, user, "fuzz")
        _APP["user"] = user.id
    _APP["app"] = app
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.store_pool.close()


def _fresh_token() -> str:
    app = _APP["app"]
    with app.state.appdb.session() as s:
        user = s.get(User, _APP["user"])
        secret, _ = create_token(s, user, "fuzz-once")
    return secret


@pytest.mark.slow
def test_api_matches_its_schema(api_schema: Any) -> None:
    # Driven directly (not through schemathesis' pytest plugin, which this pytest version breaks):
    # one bounded Hypothesis run per operation.
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    # Revoking one's own token or signing out would turn later calls into 401s: those
    # operations run last, each example with a token of its own.
    ordinary = api_schema.exclude(path_regex=SELF_ENDING)
    operations = [result.ok() for result in ordinary.get_all_operations()]
    ending = [
        result.ok() for result in api_schema.include(path_regex=SELF_ENDING).get_all_operations()
    ]
    documented = {
        (m.upper(), path) for path, ops in _APP["app"].openapi()["paths"].items() for m in ops
    }
    covered = {(op.method.upper(), op.path) for op in [*operations, *ending]}
    assert covered == documented  # every documented route is exercised
    assert len(ending) == 2

    for operation in [*operations, *ending]:
        token = _fresh_token if operation in ending else (lambda: _TOKEN["value"])
        _run(operation, token, checks)


def _run(operation: Any, token: Any, checks: list[Any]) -> None:
    """One bounded Hypothesis run of ``operation``, each example with ``token()``'s token."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {token()}"}, checks=checks)

    run()
