"""The service through FastAPI's TestClient: no sockets, the whole ASGI stack.

The stateless endpoints are tested as a trusted-network client (127.0.0.1 inside
`trusted_networks`), each app on its own SQLite registry file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

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


# --- the registry behind the service, on each database -----------------------------------------

EXAMPLE_PATH = Path(__file__).parents[2] / "examples" / "hongqiao.json"
CITY, COUNTY, STREET = "320600", "320602", "320602001"
OTHER_COUNTY, OTHER_STREET = "320611", "320611001"
COMMUNITY = "320602001001"
ROLES = ("viewer", "editor", "admin")


@dataclass
class Service:
    """A client of the service on a registry holding the example community in COUNTY, and a key
    for every (region, role)."""

    client: TestClient
    keys: dict[tuple[str, str], str]
    database: str

    def as_(self, region: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[(region, role)]}"}


@pytest.fixture
def service(engine: Engine) -> Iterator[Service]:
    from api.registry import repository

    url = engine.url.render_as_string(hide_password=False)
    sessions = sessionmaker(engine)
    with sessions() as session:
        repository.create_region(session, CITY, "setup", name="南通市", level="city")
        repository.create_region(session, COUNTY, "setup", parent_id=CITY, name="崇川区", level="county")
        repository.create_region(session, STREET, "setup", parent_id=COUNTY, name="和平桥街道", level="street")
        repository.create_region(session, OTHER_COUNTY, "setup", parent_id=CITY, name="通州区", level="county")
        repository.create_region(session, OTHER_STREET, "setup", parent_id=OTHER_COUNTY, name="金沙街道", level="street")
        repository.import_roster(session, COUNTY, json.loads(EXAMPLE_PATH.read_text(encoding="utf-8")), "setup")
        keys = {(region, role): repository.create_key(session, region, role)[0]  # type: ignore[arg-type]
                for region in (CITY, COUNTY, STREET, OTHER_COUNTY, OTHER_STREET) for role in ROLES}
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield Service(test_client, keys, engine.dialect.name)
