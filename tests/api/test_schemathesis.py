"""The OpenAPI document against the service: generated requests (bounded), no server error,
no response that breaks the schema.

`positive_data_acceptance` is left out: a schema-valid roster may still be a bad roster (an
appointment naming an unlisted person, no communities at all), and that is a 422 by design.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.main import create_app
from api.settings import Settings

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(max_body_bytes=256 * 1024)))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
