"""Schemathesis against the published OpenAPI (/api/v1/openapi.json) of a real server, with a
bearer token of each of two roles: no generated input may produce a 500, and every response has a
documented status and matches its schema. Bounded (few examples
per operation) so it runs in well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import PASSWORD
from .helpers import case_with_referrals


@pytest.fixture(scope="module")
def api_env(live_module):
    case_with_referrals(live_module.wf)
    tokens = {}
    for user in ("mariam.kabore", "focal.masn"):
        with live_module.client() as c:
            tokens[user] = c.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()[
                "token"
            ]
    return live_module, tokens


@pytest.fixture(scope="module")
def api_schema(api_env):
    live, _ = api_env
    return schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")


def test_openapi_is_published(api_env):
    live, _ = api_env
    import httpx

    doc = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    assert {"/cases", "/cases/{reference}", "/cases/{reference}/fire", "/referrals", "/directory"} <= set(
        doc["paths"]
    )


def test_api__no_server_error_on_generated_input(api_schema, api_env):
    """Every operation, generated inputs, two roles. (Schemathesis's own pytest plugin does not
    run under pytest 9 here, so the operations are driven with Hypothesis directly.)"""
    live, tokens = api_env
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    calls = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            for token in tokens.values():
                response = case.call(
                    base_url=f"{live.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
                )
                calls.append(response.status_code)
                assert response.status_code < 500, (
                    case.method,
                    case.path,
                    response.status_code,
                    response.text[:500],
                )
                # the status is documented and the body matches its schema (issue 17)
                case.operation.validate_response(response)

        check()
    assert len(calls) > 4 * len(operations)  # the generator did run
