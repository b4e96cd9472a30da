"""The service through FastAPI's TestClient: no sockets, the whole ASGI stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(max_body_bytes=2 * 1024 * 1024))) as test_client:
        yield test_client
