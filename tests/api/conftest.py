"""The service through FastAPI's TestClient: no sockets, the whole ASGI stack.

The stateless endpoints are tested as a trusted-network client (127.0.0.1 inside
`trusted_networks`), each app on its own SQLite registry file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

LOOPBACK = ("127.0.0.1", 50000)


def stateless_app(database: Path, **settings: Any) -> FastAPI:
    """An app whose stateless endpoints are open to a loopback client (a trusted network)."""
    return create_app(Settings(database_url=f"sqlite:///{database}", trusted_networks=["127.0.0.1/32"], **settings))


@pytest.fixture
def open_client(tmp_path: Path) -> Callable[..., TestClient]:
    """A factory: a TestClient of an app with these settings, as a trusted-network client."""

    def make(**settings: Any) -> TestClient:
        raise_errors = settings.pop("raise_server_exceptions", True)
        return TestClient(stateless_app(tmp_path / "registry.sqlite3", **settings), client=LOOPBACK,
                          raise_server_exceptions=raise_errors)

    return make


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = stateless_app(tmp_path_factory.mktemp("registry") / "registry.sqlite3", max_body_bytes=2 * 1024 * 1024)
    with TestClient(app, client=LOOPBACK) as test_client:
        yield test_client
