"""The registry tests run on both databases: a SQLite file and a throwaway PostgreSQL database.

PostgreSQL is the one at ORGMODEL_TEST_POSTGRES (default: 127.0.0.1:5432, user postgres,
trust auth); each test run creates `orgmodel_test_<random>` there and drops it afterwards.
When none answers, the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.registry import db, repository

ADMIN_URL = os.environ.get("ORGMODEL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
EXAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "hongqiao.json").read_text(encoding="utf-8"))
CITY, COUNTY, STREET = "320600", "320602", "320602001"
OTHER_COUNTY, OTHER_STREET = "320611", "320611001"
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


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s


@pytest.fixture
def regions(session: Session) -> None:
    """Two counties of one city, a street in each."""
    repository.create_region(session, CITY, "setup", name="南通市", level="city")
    repository.create_region(session, COUNTY, "setup", parent_id=CITY, name="崇川区", level="county",
                             min_wage_monthly_yuan=2280)
    repository.create_region(session, STREET, "setup", parent_id=COUNTY, name="和平桥街道", level="street")
    repository.create_region(session, OTHER_COUNTY, "setup", parent_id=CITY, name="通州区", level="county")
    repository.create_region(session, OTHER_STREET, "setup", parent_id=OTHER_COUNTY, name="金沙街道", level="street")


@pytest.fixture
def example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def imported(session: Session, regions: None, example: dict[str, Any]) -> dict[str, Any]:
    """The example community stored in its county."""
    repository.import_roster(session, COUNTY, example, "importer")
    return example


DISTRICT = json.loads((Path(__file__).parents[2] / "examples" / "chongchuan.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def district_roster():
    """The example district (100 communities, about 3,300 appointments) as a normalised Roster."""
    return repository.as_roster(DISTRICT)
