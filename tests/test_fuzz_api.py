"""Schema-driven fuzzing: schemathesis generates requests from the app's own OpenAPI schema and checks that
none is a server error, that every status code and content type returned is declared in the schema.

Runs on SQLite and on the PostgreSQL server the tests start (NUL characters and over-long values reach
the database differently there), signed in as an admin through dev mode so every route is reachable.
Bounded: a fixed number of valid and of invalid requests per operation, derandomised so a run is repeatable
and its time predictable.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from assistant.api.app import create_app
from assistant.settings import Settings
from ingest.publish import IndexStore

# Per operation and database: valid requests, and requests that break the schema (wrong types, missing
# fields), which must be refused with a declared 4xx. ~25 operations x 2 databases stay under a minute.
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def fuzz_app(settings: Settings) -> Any:
    app = create_app(settings.model_copy(update={"dev_role": "admin"}))
    today = dt.date.today().isoformat()
    with TestClient(app) as client:  # comments are open, so their routes get past the period check
        assert client.put("/api/test-period", json={"starts_on": today, "ends_on": today}).status_code == 200
        assert client.post("/api/ask", json={"question": "Vem prövar jäv?"}).status_code == 200
    return app


def test_api_schema_fuzz_no_server_errors_and_only_declared_responses(
    settings: Settings, published: IndexStore
) -> None:
    """Every operation in the schema, EXAMPLES generated requests each; all failures are collected and
    reported together (operation, check, request) rather than stopping at the first."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app(settings))
    failures: list[str] = []
    operations = 0
    for result, (mode, examples) in itertools.product(list(schema.get_all_operations()), EXAMPLES.items()):
        operation = result.ok()
        operations += mode == GenerationMode.POSITIVE

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            continue  # no invalid request exists for an operation without parameters
        except (Exception, BaseExceptionGroup) as err:  # one operation's failure must not hide the others'
            failures.append(f"{operation.label} ({mode.value}): {str(err).strip()[:1500]}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
