"""A region's leadership group, a community's facilities and a person's last-year pay in the
registry, on SQLite and PostgreSQL: stored by an import, given back in the stored roster as the
file gave them (FC1's "not recorded" too), replaced whole with a version, effective-dated."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from api.registry import db, groups, repository
from orgmodel.convert import to_document
from tests.registry.conftest import CITY, COUNTY, OTHER_COUNTY

NEW_TABLES = {"leadership_groups", "leadership_members", "facility_lists", "facilities"}


@pytest.fixture
def district(session: Session, regions: None, district_roster: Any) -> Any:
    """The example district stored in the city: the city's group is the city's own to store."""
    repository.import_roster(session, CITY, district_roster, "importer")
    return district_roster


def test_the_stored_roster_gives_back_the_group_the_facilities_and_last_years_pay(session: Session, district: Any):
    stored = repository.roster_as_of(session, CITY).model_dump(mode="json", exclude_none=True, by_alias=True)
    expected = to_document(district)
    city = next(r for r in stored["regions"] if r["id"] == CITY)
    assert city["leadership_group"] == next(r for r in expected["regions"] if r["id"] == CITY)["leadership_group"]
    assert not any("leadership_group" in r for r in stored["regions"] if r["id"] != CITY)
    facilities = {c["id"]: c.get("facilities") for c in stored["communities"]}
    assert facilities == {c["id"]: c["facilities"] for c in expected["communities"]}
    pay = {p["name"]: p.get("previous_monthly_pay_yuan") for c in stored["communities"] for p in c["people"]}
    assert pay == {p["name"]: p.get("previous_monthly_pay_yuan") for c in expected["communities"] for p in c["people"]}
    assert sum(value is not None for value in pay.values()) > 0


def test_a_roster_without_facilities_leaves_them_not_recorded(session: Session, regions: None, example: dict):
    repository.import_roster(session, COUNTY, example, "importer")
    stored = repository.roster_as_of(session, COUNTY)
    assert all(c.facilities is None for c in stored.communities)
    assert not repository.checkable_roster(stored, "registry").has_facilities
    cid = stored.communities[0].id
    assert groups.get_facilities(session, COUNTY, cid).recorded is False


def test_an_empty_facility_list_is_kept_apart_from_none_recorded(session: Session, regions: None, example: dict):
    example["communities"][0]["facilities"] = []
    repository.import_roster(session, COUNTY, example, "importer")
    stored = repository.roster_as_of(session, COUNTY)
    assert stored.communities[0].facilities == []
    assert repository.checkable_roster(stored, "registry").has_facilities


def test_the_same_import_twice_makes_no_new_version(session: Session, district: Any):
    group = groups.get_group(session, CITY, CITY)
    cid = district.communities["id"][0]
    facilities = groups.get_facilities(session, CITY, cid)
    repository.import_roster(session, CITY, district, "importer")
    assert groups.get_group(session, CITY, CITY).version == group.version == 1
    assert groups.get_facilities(session, CITY, cid).version == facilities.version == 1


def test_a_replaced_group_keeps_the_old_one_for_as_known_at(session: Session, district: Any):
    before = groups.get_group(session, CITY, CITY)
    known_at = dt.datetime.now(dt.UTC)
    members = [m.model_dump() for m in before.members] + [
        {"name": "新某", "role": "副组长", "office_title": "市委副书记"}]
    after = groups.replace_group(session, CITY, CITY, before.name, members, before.version, "editor")
    assert after.version == 2
    assert after.members[-1].role == "deputy_leader" and after.members[-1].office == "deputy_party_secretary"
    now = repository.roster_as_of(session, CITY).regions[0].leadership_group
    then = repository.roster_as_of(session, CITY, known_at=known_at).regions[0].leadership_group
    assert now is not None and then is not None
    assert len(now.members) == len(then.members) + 1
    with pytest.raises(repository.StaleVersion):
        groups.replace_group(session, CITY, CITY, before.name, members, before.version, "editor")


def test_members_and_facilities_are_effective_dated(session: Session, district: Any):
    group = groups.get_group(session, CITY, CITY)
    members = [m.model_dump() for m in group.members]
    members[0]["end"] = dt.date(2026, 6, 30)
    members.append({"name": "继某", "role": "leader", "office": "party_secretary", "office_title": "市委书记",
                    "start": dt.date(2026, 7, 1)})
    groups.replace_group(session, CITY, CITY, group.name, members, group.version, "editor")
    leaders = {day: [m.name for m in repository.roster_as_of(session, CITY, day).regions[0].leadership_group.members
                     if m.role == "leader"] for day in (dt.date(2026, 6, 1), dt.date(2026, 8, 1))}
    assert leaders == {dt.date(2026, 6, 1): [members[0]["name"]], dt.date(2026, 8, 1): ["继某"]}
    cid = district.communities["id"][0]
    listed = groups.get_facilities(session, CITY, cid)
    facilities = [f.model_dump() for f in listed.facilities]
    facilities[0]["start"] = dt.date(2026, 9, 1)
    groups.replace_facilities(session, CITY, cid, facilities, listed.version, "editor")

    def names(day: dt.date) -> list[str]:
        community = next(c for c in repository.roster_as_of(session, CITY, day).communities if c.id == cid)
        return [f.name for f in community.facilities or []]

    assert facilities[0]["name"] not in names(dt.date(2026, 8, 1))
    assert facilities[0]["name"] in names(dt.date(2026, 10, 1))


def test_edits_stay_inside_the_keys_region(session: Session, district: Any):
    with pytest.raises(repository.NotFound):
        groups.get_group(session, OTHER_COUNTY, CITY)
    with pytest.raises(repository.NotFound):
        groups.replace_group(session, COUNTY, CITY, None, [], 1, "editor")
    cid = district.communities["id"][0]
    with pytest.raises(repository.NotFound):
        groups.replace_facilities(session, OTHER_COUNTY, cid, [], 1, "editor")


def test_values_that_make_no_sense_are_refused(session: Session, district: Any):
    with pytest.raises(repository.InvalidChange, match="role"):
        groups.replace_group(session, CITY, CITY, None, [{"name": "某", "role": "主任"}], 1, "editor")
    cid = district.communities["id"][0]
    with pytest.raises(repository.InvalidChange, match="category"):
        groups.replace_facilities(session, CITY, cid, [{"name": "警务室", "category": "hall"}], 1, "editor")
    with pytest.raises(repository.InvalidChange, match="before start"):
        groups.replace_facilities(session, CITY, cid, [{"name": "警务室", "start": dt.date(2026, 2, 1),
                                                        "end": dt.date(2026, 1, 1)}], 1, "editor")


def test_a_downgrade_below_0006_removes_the_new_tables_and_column(engine: Engine):
    db.upgrade(engine)
    command.downgrade(db.alembic_config(engine), "0005")
    inspector = inspect(engine)
    assert not NEW_TABLES & set(inspector.get_table_names())
    assert "previous_monthly_pay_yuan" not in {c["name"] for c in inspector.get_columns("people")}
    db.upgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= NEW_TABLES
    assert "previous_monthly_pay_yuan" in {c["name"] for c in inspector.get_columns("people")}
