"""Importing a roster into a region: all or nothing, placed inside the region, read back as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import polars as pl
import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.registry import repository
from api.registry.repository import ImportRejected, NotFound
from orgmodel.convert import to_document
from orgmodel.errors import RosterInputError
from orgmodel.input import normalize
from orgmodel.roster import Roster, active_appointments

from .conftest import COUNTY, OTHER_COUNTY, OTHER_STREET, STREET

AS_OF = dt.date(2026, 11, 25)


def _appointments(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(c["id"], a["person"], a["unit"], a["role"], bool(a.get("full_time", False)), str(a.get("start")),
             str(a.get("end"))) for c in doc["communities"] for a in c["appointments"]}


def _people(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: {k: v for k, v in p.items() if k != "p"} for c in doc["communities"] for p in c["people"]}


def _communities(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = ("id", "name", "region", "kind", "households", "population", "pilot", "budget", "units", "relations", "tasks")
    return {c["id"]: {k: c.get(k) for k in keys} for c in doc["communities"]}


def _expected(roster: Roster, as_of: dt.date | None) -> dict[str, Any]:
    if as_of is not None:
        roster = replace(roster, appointments=active_appointments(roster, as_of))
    return to_document(roster)


def _stored(session: Session, region: str, as_of: dt.date | None) -> dict[str, Any]:
    return repository.roster_as_of(session, region, as_of).model_dump(by_alias=True, mode="json", exclude_none=True)


@pytest.mark.parametrize("as_of", [None, AS_OF, dt.date(2020, 1, 1)])
def test_a_stored_roster_reads_back_as_it_was_on_the_date(session: Session, regions: None, district_roster: Roster,
                                                          as_of: dt.date | None):
    repository.import_roster(session, COUNTY, district_roster, "importer")
    stored = _stored(session, COUNTY, as_of)
    expected = _expected(district_roster, as_of)
    assert _communities(stored) == _communities(expected)
    assert _appointments(stored) == _appointments(expected)
    stored_people, expected_people = _people(stored), _people(expected)
    assert {k: stored_people.get(k) for k in expected_people} == expected_people  # the appointed, alike
    if as_of is None:
        assert stored_people == expected_people
    roster, _ = normalize.load(repository.from_model(repository.roster_as_of(session, COUNTY, as_of)))  # it checks again
    assert roster.appointments.height == len(_appointments(expected))


def test_a_street_reads_only_its_own_communities_with_its_ancestors_as_context(session: Session, regions: None,
                                                                                district_roster: Roster):
    repository.import_roster(session, COUNTY, district_roster, "importer")
    doc = repository.roster_as_of(session, STREET, AS_OF)
    assert {c.region for c in doc.communities} == {STREET}
    assert {c.id for c in doc.communities} == set(district_roster.communities.filter(pl.col("region") == STREET)["id"])
    assert [(r.id, r.parent) for r in doc.regions] == [("320600", None), (COUNTY, "320600"), (STREET, COUNTY)]
    assert repository.roster_as_of(session, OTHER_COUNTY, AS_OF).communities == []


def _with_bad_row(roster: Roster, table: str, row: int) -> Roster:
    """The roster with one row the database refuses (its CHECK constraints), at `row`."""
    frame = getattr(roster, table)
    if table == "appointments":
        bad = frame.with_columns(
            start=pl.when(pl.int_range(pl.len()) == row).then(pl.lit(dt.date(2030, 1, 1))).otherwise("start"),
            end=pl.when(pl.int_range(pl.len()) == row).then(pl.lit(dt.date(2029, 1, 1))).otherwise("end"))
    else:
        column = {"people": "monthly_pay_yuan", "communities": "households", "regions": "min_wage_monthly_yuan"}[table]
        bad = frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(-1.0).otherwise(pl.col(column)).alias(column))
    return replace(roster, **{table: bad})


@pytest.mark.parametrize("table", ["appointments", "people", "communities"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_fault_at_any_row_stores_nothing(session: Session, regions: None, district_roster: Roster, table: str,
                                           where: str):
    n = getattr(district_roster, table).height
    row = {"first": 0, "middle": n // 2, "last": n - 1}[where]
    before = repository.count_rows(session)
    with pytest.raises(IntegrityError, match=r"ck_|CHECK"):
        repository.import_roster(session, COUNTY, _with_bad_row(district_roster, table, row), "importer")
    assert repository.count_rows(session) == before


def test_a_fault_on_a_later_import_keeps_the_earlier_state_whole(session: Session, regions: None, district_roster: Roster):
    repository.import_roster(session, COUNTY, district_roster, "importer")
    before = repository.count_rows(session)
    changed = replace(district_roster, appointments=district_roster.appointments.with_columns(full_time=~pl.col("full_time")))
    with pytest.raises(IntegrityError, match=r"ck_|CHECK"):
        repository.import_roster(session, COUNTY, _with_bad_row(changed, "appointments", changed.appointments.height - 1),
                                 "importer")
    assert repository.count_rows(session) == before
    assert _appointments(_stored(session, COUNTY, None)) == _appointments(_expected(district_roster, None))


def test_an_invalid_document_stores_nothing(session: Session, regions: None, example: dict[str, Any]):
    example["communities"][0]["appointments"][-1]["person"] = "NOBODY"
    before = repository.count_rows(session)
    with pytest.raises(RosterInputError):
        repository.import_roster(session, COUNTY, example, "importer")
    assert repository.count_rows(session) == before


def test_a_roster_cannot_reach_into_another_region(session: Session, regions: None, example: dict[str, Any]):
    before = repository.count_rows(session)
    with pytest.raises(ImportRejected, match="not inside region"):
        repository.import_roster(session, OTHER_COUNTY, example, "importer")  # its community sits in 320602001
    repository.import_roster(session, COUNTY, example, "importer")
    moved = repository.import_roster  # the same community id, claimed by another county's roster
    example["communities"][0]["region"] = OTHER_STREET
    example["regions"] = []
    after_first = repository.count_rows(session)
    with pytest.raises(ImportRejected, match="taken outside region"):
        moved(session, OTHER_COUNTY, example, "importer")
    assert repository.count_rows(session) == after_first != before
    with pytest.raises(NotFound):
        repository.import_roster(session, "999999", example, "importer")


def test_new_regions_below_the_target_are_added(session: Session, regions: None, example: dict[str, Any]):
    example["regions"].append({"id": "320602001099", "name": "新片区", "level": "street", "parent": STREET})
    example["communities"][0]["region"] = "320602001099"
    repository.import_roster(session, COUNTY, example, "importer")
    assert "320602001099" in repository.visible_region_ids(session, STREET)
    assert repository.list_communities(session, STREET)[0].region == "320602001099"


def test_reimporting_the_same_roster_changes_nothing_and_keeps_ids(session: Session, imported: dict[str, Any]):
    ids = {a.id: a.version for a in repository.list_appointments(session, COUNTY)}
    before = repository.count_rows(session)
    summary = repository.import_roster(session, COUNTY, imported, "importer")
    assert (summary.appointments_added, summary.appointments_changed, summary.appointments_retracted) == (0, 0, 0)
    assert summary.people_added == summary.people_changed == 0
    after = repository.count_rows(session)
    assert after["audit_log"] == before["audit_log"] + 1
    assert {k: v for k, v in after.items() if k not in ("audit_log", "units", "relations", "tasks")} == {
        k: v for k, v in before.items() if k not in ("audit_log", "units", "relations", "tasks")}
    assert {a.id: a.version for a in repository.list_appointments(session, COUNTY)} == ids


def test_reimporting_a_vacated_post_makes_a_new_version_and_keeps_the_old(session: Session, imported: dict[str, Any]):
    community = imported["communities"][0]
    first = next(a for a in community["appointments"] if "兼" not in a["role"])  # one post, not 书记兼主任
    first["end"] = "2026-06-30"
    gone = community["appointments"].pop()
    summary = repository.import_roster(session, COUNTY, imported, "importer")
    assert (summary.appointments_changed, summary.appointments_retracted) == (1, 1)
    vacated = [a for a in repository.list_appointments(session, COUNTY) if a.person == first["person"]
               and a.end == dt.date(2026, 6, 30)]
    assert len(vacated) == 1 and vacated[0].version == 2
    history = repository.appointment_history(session, COUNTY, vacated[0].id)
    assert [(h.version, h.end, h.superseded_at is None) for h in history] == [
        (1, None, False), (2, dt.date(2026, 6, 30), True)]
    current = _appointments(_stored(session, COUNTY, None))
    assert not any(a[1] == gone["person"] and a[2] == gone["unit"] and a[3] == gone["role"] for a in current)


def test_the_registry_remembers_what_it_knew_before_a_change(session: Session, imported: dict[str, Any]):
    known = dt.datetime.now(dt.UTC)
    imported["communities"][0]["appointments"].pop()
    repository.import_roster(session, COUNTY, imported, "importer")
    then = repository.roster_as_of(session, COUNTY, known_at=known)
    now = repository.roster_as_of(session, COUNTY)
    assert len(then.communities[0].appointments) == len(now.communities[0].appointments) + 1


def test_two_streets_may_number_their_people_alike(session: Session, regions: None, example: dict[str, Any]):
    repository.import_roster(session, STREET, example, "street office")
    other = {"regions": [], "communities": [{
        "id": "320611001001", "name": "金沙社区", "kind": "urban", "people": [{"id": "P001", "name": "钱六"}],
        "appointments": [{"person": "P001", "unit": "party_org", "role": "secretary", "full_time": True}]}]}
    repository.import_roster(session, OTHER_STREET, other, "other street office")
    city = repository.roster_as_of(session, "320600")
    ids = {p.id for c in city.communities for p in c.people}
    assert {f"P001@{STREET}", f"P001@{OTHER_STREET}"} <= ids and "P001" not in ids
    normalize.load(repository.from_model(city))
    assert {p.id for c in repository.roster_as_of(session, STREET).communities for p in c.people} >= {"P001"}


@pytest.mark.parametrize("step", ["_store_people", "_store_appointments", "_store_parts", "_audit"])
def test_a_failure_after_rows_were_written_stores_nothing(session: Session, regions: None, district_roster: Roster,
                                                          monkeypatch: pytest.MonkeyPatch, step: str):
    """The whole import is one transaction: a fault at a late step takes the rows of the early ones with it."""
    real = getattr(repository, step)

    def failing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        session.flush()
        raise RuntimeError(f"injected fault after {step}")

    monkeypatch.setattr(repository, step, failing)
    before = repository.count_rows(session)
    with pytest.raises(RuntimeError, match="injected fault"):
        repository.import_roster(session, COUNTY, district_roster, "importer")
    assert repository.count_rows(session) == before


def test_a_roster_cannot_make_a_cycle_with_the_stored_regions(session: Session, regions: None, example: dict[str, Any]):
    repository.create_region(session, "320602001901", "setup", parent_id=STREET, name="片区", level="street")
    before = repository.count_rows(session)
    looped = {"regions": [{"id": STREET, "name": "和平桥街道", "level": "street", "parent": "320602001901"},
                          {"id": "320602001901", "name": "片区", "level": "street"}],  # no parent: it keeps STREET
              "communities": [{"id": "320602001998", "kind": "urban", "people": [], "appointments": []}]}
    with pytest.raises(ImportRejected, match="cycle"):
        repository.import_roster(session, COUNTY, looped, "importer")
    assert repository.count_rows(session) == before
