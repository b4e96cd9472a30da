"""Fixtures shared by the registry's tests and the service's: a database of each kind.

PostgreSQL is the one at ORGMODEL_TEST_POSTGRES (default: 127.0.0.1:5432, user postgres,
trust auth); each test run creates `orgmodel_test_<random>` there and drops it afterwards.
When none answers, the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from api.registry import db

ADMIN_URL = os.environ.get("ORGMODEL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_SKIP_REASONS_SHOWN: set[str] = set()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this run; its URL."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # no server: skip with the reason, never fail
        admin.dispose()
        reason = f"PostgreSQL not reachable at {ADMIN_URL}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        if reason not in _SKIP_REASONS_SHOWN:  # once, past pytest's capture, so that CI logs show it
            _SKIP_REASONS_SHOWN.add(reason)
            sys.__stderr__.write(f"\nSKIPPING the PostgreSQL cases: {reason}\n")
        pytest.skip(reason)
    name = f"orgmodel_test_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty, migrated registry."""
    if request.param == "sqlite":
        made = db.make_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    else:
        made = db.make_engine(request.getfixturevalue("postgres_server"), pool_size=20)
        _empty_postgres(made)
    db.upgrade(made)
    yield made
    made.dispose()


