"""schemathesis against /api/v1/openapi.json, every operation, signed in: no server error, and
every response conforms to the documented schema, status codes and content type."""
import os

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
# `make test` runs a fixed, reproducible sample; FIELDAPP_FUZZ_RANDOM=1 and more examples to hunt.
EXAMPLES = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "20"))
DERANDOMIZE = os.environ.get("FIELDAPP_FUZZ_RANDOM") != "1"


def _fresh_token(app, username: str) -> str:
    """A token minted straight in the database: every example starts signed in, even after a
    fuzzed /auth/logout revoked the previous one (and without argon2's cost per example)."""
    from sqlalchemy import select

    from fieldapp.accounts.models import User
    from fieldapp.accounts.operations import issue_token
    from fieldapp.db import get_session, write_transaction

    # The test's app context (the `db` fixture) is the one requests run in: same session.
    session = get_session()
    with write_transaction(session):
        user = session.scalar(select(User).where(User.username == username))
        token, _expires = issue_token(session, user, 1)
    return token


@pytest.mark.slow
@pytest.mark.parametrize("username", ["vol", "coord"])
def test_every_operation_conforms(app, db, world, username):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/records", "/api/v1/auth/token", "/api/v1/streets"}
    calls = []
    for operation, mode in [(op, mode) for op in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=DERANDOMIZE)
        def run(case):
            token = _fresh_token(app, username)
            response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Language": "tr"})
            # Negative cases are invalid on purpose: only "no server error" and a JSON error apply.
            case.validate_response(response, checks=CHECKS if mode == GenerationMode.POSITIVE else CHECKS[:1])
            if mode == GenerationMode.NEGATIVE and response.status_code >= 400:
                assert "message" in response.json(), response.text
            calls.append(response.status_code)

        run()
    assert len(calls) >= 2 * len(operations)
    assert any(code < 300 for code in calls) and any(code == 422 for code in calls)
