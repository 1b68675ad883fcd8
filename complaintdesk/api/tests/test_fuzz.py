"""Schemathesis against /api/v1/openapi.json: every operation, as every role, valid and invalid input.

Passes when no answer is a 5xx and every answer (status, content type, body) matches the OpenAPI document.
Derandomized with a fixed example budget, so a run is repeatable and bounded (1–2 minutes per database on
2 CPUs).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from complaintdesk.accounts.models import ApiToken
from complaintdesk.api.api import api as ninja_api
from complaintdesk.api.tests import world

# What we promise for any input. Left out on purpose: positive_data_acceptance / negative_data_rejection
# (a schema-valid body may still break a business rule: a past date, an illegal transition, an id of
# another tenant, all 4xx by design) and ignored_auth / use_after_free / ensure_resource_availability
# (stateful checks that re-send requests; tenancy is proven by test_tenancy_matrix.py instead).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and role, for each of valid and invalid input. Anonymous callers of authenticated
# operations all get the same 401 without running the handler, so a couple of examples say everything.
EXAMPLES = 6
ANONYMOUS_EXAMPLES = 2

SCHEMA = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema(path_prefix="/api/v1/"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def wsgi_app(settings):
    """The real WSGI stack in this thread, inside the test's transaction (as Django's test Client does it,
    the per-request connection closing is switched off, or it would end the test's transaction)."""
    settings.DEBUG = False
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _headers(people, role: str) -> dict:
    username = world.ROLE_USERS[role]
    if username is None:
        return {}
    _, raw = ApiToken.issue(getattr(people, username))
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", world.ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_server_errors_and_every_answer_matches_the_schema(people, wsgi_app, operation, role):
    world.build(people)
    headers = _headers(people, role)
    public = not operation.definition.raw.get("security")
    examples = ANONYMOUS_EXAMPLES if role == "anonymous" and not public else EXAMPLES
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=strategy)
    @settings(
        max_examples=2 * examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        case.call_and_validate(headers=headers, checks=CHECKS, app=wsgi_app)

    fuzz()
