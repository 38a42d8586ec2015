"""schemathesis over the whole OpenAPI schema (/api/openapi.json) as street staff, a grid worker and a resident:
no server error, no response outside its documented status codes, content types and schemas, and no invalid
input accepted. Bounded and deterministic here (``FUZZ_EXAMPLES`` per operation, 5 by default); ``make fuzz``
runs it with more.

Runs in-process through Django's WSGI application on the test database (the tree of tests/conftest.py)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from gongzhi.people.models import ApiToken

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
ROLES = ["street_staff", "grid_worker", "resident"]


@pytest.fixture
def app():
    """Django's WSGI application on the test's own connection: like django.test.Client, the request signals
    must not close it (on PostgreSQL that would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return schema, [result.ok() for result in schema.get_all_operations()]


def _summary(exc: BaseException) -> str:
    """The failures' titles and the curl that reproduces them (schemathesis' report, trimmed)."""
    lines = [line.strip() for line in str(exc).splitlines()]
    keep = [line for line in lines if line.startswith(("- ", "Received", "Documented", "curl", "[", "`"))]
    return "\n  ".join(line[:600] for line in keep) or f"{type(exc).__name__}: {str(exc)[:600]}"


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_holds_to_its_schema(role, request, app, tree, db):
    user = request.getfixturevalue(role)
    _token, key = ApiToken.issue(user, "fuzz")
    headers = {"Authorization": f"Bearer {key}"}
    schema, operations = _operations(app)
    assert len(operations) >= 30
    failures: list[str] = []
    for operation in operations:

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except BaseException as exc:  # noqa: BLE001 — one operation's failure must not hide the next one's
            failures.append(f"{operation.label}: {_summary(exc)}")
    assert not failures, "\n\n".join(failures)
