"""Issue 14: one length cap on every text column, the same on every database, and no control,
bidi or zero-width character stored — checked by the registry's write path itself (a library
caller has no request body to validate), on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

import polars as pl
import pytest
from sqlalchemy.orm import Session

from api.registry import models, repository
from orgmodel.errors import RosterInputError
from orgmodel.roster import SCHEMAS
from tests.registry.conftest import COUNTY


def test_every_text_column_of_every_table_has_a_cap() -> None:
    for mapper in models.Base.registry.mappers:
        model = mapper.class_
        caps = models.text_caps(model)  # asserts that none is missing
        text_columns = {c.key for c in model.__table__.columns if isinstance(c.type, models.String)}
        assert set(caps) == text_columns and all(cap > 0 for cap in caps.values())


def test_every_stored_text_of_a_roster_is_checked() -> None:
    for table, (model, columns) in repository.STORED_TEXT.items():
        text = {c for c, dtype in SCHEMAS[table].items() if dtype == pl.String() or isinstance(dtype, pl.Enum)}
        assert set(columns) == text, table
        assert set(columns.values()) <= set(models.text_caps(model)), table


def _roster(example: dict[str, Any], **person: Any) -> dict[str, Any]:
    roster = copy.deepcopy(example)
    roster["communities"][0]["people"][1].update(person)
    return roster


@pytest.mark.parametrize(("change", "code"), [
    ({"name": "李\u202e秀英"}, "invalid_text"),
    ({"name": "李\x00秀英"}, "invalid_text"),
    ({"name": "李" * (models.NAME + 1)}, "text_too_long"),
])
def test_an_import_with_unstorable_text_stores_nothing(session: Session, regions: None, example: dict[str, Any],
                                                       change: dict[str, str], code: str) -> None:
    before = repository.count_rows(session)
    with pytest.raises(RosterInputError) as refused:
        repository.import_roster(session, COUNTY, _roster(example, **change), "importer")
    assert [(e.code, e.column, e.community_id) for e in refused.value.errors] == [(code, "people.name", "320602001001")]
    assert repository.count_rows(session) == before


def test_an_id_longer_than_its_column_is_refused_on_sqlite_too(session: Session, regions: None,
                                                               example: dict[str, Any]) -> None:
    roster = copy.deepcopy(example)
    long_id = "C" * (models.ID + 1)
    roster["communities"][0]["id"] = long_id
    with pytest.raises(RosterInputError) as refused:
        repository.import_roster(session, COUNTY, roster, "importer")
    assert {(e.code, e.column) for e in refused.value.errors} >= {("text_too_long", "communities.id")}
    roster["communities"][0]["id"] = "C" * models.ID  # exactly the cap: stored on both databases
    repository.import_roster(session, COUNTY, roster, "importer")


def test_single_writes_refuse_unstorable_text(session: Session, regions: None, example: dict[str, Any]) -> None:
    repository.import_roster(session, COUNTY, example, "importer")
    with pytest.raises(repository.InvalidChange, match="RIGHT-TO-LEFT OVERRIDE"):
        repository.create_region(session, "320602099", "admin", parent_id=COUNTY, name="新\u202e街道", level="street")
    with pytest.raises(repository.InvalidChange, match="more than the 200"):
        repository.create_region(session, "320602099", "admin", parent_id=COUNTY, name="新" * 201, level="street")
    person = repository.get_person(session, COUNTY, "P002")
    with pytest.raises(repository.InvalidChange, match="ZERO WIDTH SPACE"):
        repository.update_person(session, COUNTY, "P002", {"name": "李\u200b秀英"}, person.version, "editor")
    community = repository.get_community(session, COUNTY, "320602001001")
    with pytest.raises(repository.InvalidChange, match="BELL"):
        repository.update_community(session, COUNTY, "320602001001", {"name": "虹桥\x07"}, community.version, "editor")
    with pytest.raises(repository.InvalidChange, match="more than the 200"):
        repository.add_appointment(session, COUNTY, "320602001001",
                                   {"person": "P002", "unit": "service_station", "role": "网" * 201}, "editor")
    with pytest.raises(repository.InvalidChange, match="more than the 500"):
        repository.create_key(session, COUNTY, "viewer", note="n" * 501)
    assert repository.create_key(session, COUNTY, "viewer", note="第一行\n第二行")[1].region == COUNTY
    assert repository.get_person(session, COUNTY, "P002").version == person.version
