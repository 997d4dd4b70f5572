"""Schemathesis reads the API's own OpenAPI schema and sends it generated requests (odd codes, offsets, filters,
languages): no request may answer a server error, and every answer must match the schema it documents.
Runs in-process against the WSGI app, on a small adopted plan with indicators, in the test database."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories as f


@pytest.fixture
def api_schema(db, adopted_plan):
    indicator = f.make_indicator(adopted_plan, items=[adopted_plan.items.get(code="1.1")], is_published=True)
    f.make_target(indicator, 2026, 50)
    f.make_measurement(indicator, dt.date(2025, 7, 1), 40)
    # Calling the WSGI app directly runs the request signals, and Django closes the database connection at the
    # end of each request: on PostgreSQL that ends the test's transaction. Django's test client does the same as
    # this to keep it open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Schemathesis's own pytest plugin does not run on pytest 9 yet ('Function' object has no attribute
# '_nodeid'), so each operation's Hypothesis strategy is driven here directly.
def test_no_request_gets_a_server_error_and_every_answer_matches_the_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    checked = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call()
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
            case.validate_response(
                response,
                checks=[content_type_conformance, response_schema_conformance, status_code_conformance],
            )

        call()
        checked.append(operation.label)
    assert "GET /api/v1/items" in checked
