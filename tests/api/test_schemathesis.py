"""The OpenAPI document against the service: generated requests (bounded), no server error,
no response that breaks the schema — over every route, the registry's included, with an admin
key of a region that holds the example community, on SQLite and PostgreSQL.

`positive_data_acceptance` is left out: a schema-valid roster may still be a bad roster (an
appointment naming an unlisted person, no communities at all), and that is a 422 by design.
`negative_data_rejection` too: every call carries the key, which turns a generated "no
Authorization" case valid. (401 without a key is tested on every route in tests/api/test_access.py;
unknown query parameters, refused with 422, in tests/api/test_http_contract.py.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.api.conftest import COUNTY, Service


def test_the_api_keeps_its_schema(service: Service) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.client.app)
    headers = service.as_(COUNTY, "admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def keeps_its_schema(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance, negative_data_rejection])

        keeps_its_schema()
