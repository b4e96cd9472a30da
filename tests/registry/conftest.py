"""The registry tests run on both databases (the `engine` fixture of tests/conftest.py): a
SQLite file and a throwaway PostgreSQL database."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.registry import db, repository

EXAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "hongqiao.json").read_text(encoding="utf-8"))
CITY, COUNTY, STREET = "320600", "320602", "320602001"
OTHER_COUNTY, OTHER_STREET = "320611", "320611001"


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
