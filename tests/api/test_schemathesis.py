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

_TOKEN: dict[str, str] = {}


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
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # Revoking one's own token or signing out would only turn later calls into 401s.
    yield schema.exclude(path_regex=r"^/api/v1/auth/(logout|tokens/\{token_id\})$")
    app.state.store_pool.close()


@pytest.mark.slow
def test_api_matches_its_schema(api_schema: Any) -> None:
    # Driven directly (not through schemathesis' pytest plugin, which this pytest version breaks):
    # one bounded Hypothesis run per operation.
    headers = {"Authorization": f"Bearer {_TOKEN['value']}"}
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        run()
