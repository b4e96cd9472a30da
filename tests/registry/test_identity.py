"""Issue 14, identity: a person keyed by a resident ID number keeps an id of their own — never the
masked number, which two people can share — in the registry, on both databases."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from api.registry import db, models, repository
from orgmodel import identity
from orgmodel.check import check
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import from_model
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.registry.conftest import COUNTY, EXAMPLE

# Two people whose resident ID numbers mask alike (320602********1234): the case of the issue.
ID_A, ID_B = "320602198001011234", "320602199505051234"
MASKED = "320602********1234"


def keyed_by_id_numbers(example: dict[str, Any] | None = None) -> dict[str, Any]:
    """The example with P022 (the part-time mediator G3 names) and P001 numbered by ID_A and ID_B."""
    roster = copy.deepcopy(EXAMPLE if example is None else example)
    numbers = {"P022": ID_A, "P001": ID_B}
    community = roster["communities"][0]
    for person in community["people"]:
        person["id"] = numbers.get(person["id"], person["id"])
    for appointment in community["appointments"]:
        appointment["person"] = numbers.get(appointment["person"], appointment["person"])
    return roster


def _stored_ids(session: Session) -> dict[str, str]:
    p = models.Person
    return dict(session.execute(select(p.person_id, p.public_id).where(p.superseded_at.is_(None))).tuples().all())


def test_two_people_whose_numbers_mask_alike_have_their_own_ids(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    people = {p.masked_id: p for p in repository.list_people(session, COUNTY) if p.masked_id}
    assert len(people) == 1  # both show the same masked number …
    shown = [p for p in repository.list_people(session, COUNTY) if p.masked_id == MASKED]
    assert len(shown) == 2 and shown[0].id != shown[1].id  # … but each has an id of their own
    secret = repository.person_id_secret(session)
    assert {p.id for p in shown} == {identity.pseudonym(ID_A, secret), identity.pseudonym(ID_B, secret)}
    for person in shown:
        assert person.id.startswith(identity.PSEUDONYM_PREFIX) and "1234" not in person.id
        assert repository.get_person(session, COUNTY, person.id) == person
    plain = repository.get_person(session, COUNTY, "P002")
    assert (plain.id, plain.masked_id) == ("P002", None)


@pytest.mark.parametrize("asked", [ID_A, MASKED])
def test_a_resident_id_number_or_its_mask_opens_no_one(session: Session, regions: None, asked: str) -> None:
    """Were the number itself looked up, a key that sees the mask could learn the hidden digits by guessing."""
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    with pytest.raises(repository.NotFound):
        repository.get_person(session, COUNTY, asked)


def test_appointments_name_the_holder_by_public_id(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    public = _stored_ids(session)
    holders = {a.person for a in repository.list_appointments(session, COUNTY)}
    assert public[ID_A] in holders and public[ID_B] in holders
    assert not holders & {ID_A, ID_B, MASKED}


def test_public_ids_survive_a_reimport_an_edit_and_a_new_secret(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    first = _stored_ids(session)
    changed = keyed_by_id_numbers()
    changed["communities"][0]["people"][0]["name"] = "张建军"  # ID_B's name: a new version of the person
    repository.import_roster(session, COUNTY, changed, "importer", id_secret="a secret set later")
    assert _stored_ids(session) == first
    person = repository.get_person(session, COUNTY, first[ID_B])
    edited = repository.update_person(session, COUNTY, person.id, {"monthly_pay_yuan": 5300}, person.version, "editor")
    assert (edited.id, edited.version) == (person.id, person.version + 1)
    assert _stored_ids(session) == first


def test_the_configured_secret_makes_the_pseudonyms(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer", id_secret="ORGMODEL_ID_SECRET value")
    assert _stored_ids(session)[ID_A] == identity.pseudonym(ID_A, b"ORGMODEL_ID_SECRET value")


def test_every_database_has_its_own_secret(engine: Engine, tmp_path: Any) -> None:
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    db.upgrade(other)
    with db.session_factory(engine)() as one, db.session_factory(other)() as two:
        assert len(repository.person_id_secret(one)) == 64
        assert repository.person_id_secret(one) != repository.person_id_secret(two)
    other.dispose()


def test_the_stored_roster_names_people_by_public_id_and_checks_as_the_registry_does(
        session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    public = _stored_ids(session)
    document = repository.roster_as_of(session, COUNTY)
    text = document.model_dump_json()
    assert ID_A not in text and ID_B not in text
    people = {p.id: p for c in document.communities for p in c.people}
    assert people[public[ID_A]].masked_id == MASKED and people[public[ID_B]].masked_id == MASKED
    assert people["P002"].masked_id is None
    roster, _ = normalize.load(from_model(document))  # no duplicate_id: the ids differ
    report = build_report(check(roster, load_pack("nantong"), None)).to_model()
    assert ("G3", public[ID_A]) in {(f.rule_id, f.person_id) for f in report.findings}


def test_a_roster_read_back_and_imported_again_keeps_its_people(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    before = _stored_ids(session)
    document = repository.roster_as_of(session, COUNTY).model_dump(mode="json", by_alias=True, exclude_none=True)
    summary = repository.import_roster(session, COUNTY, document, "importer")
    assert (summary.people_added, summary.appointments_added, summary.appointments_retracted) == (0, 0, 0)
    assert _stored_ids(session) == before  # pid-… is the stored person again, not a new one


def test_a_person_listed_by_number_and_by_pseudonym_is_refused(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    roster = keyed_by_id_numbers()
    community = roster["communities"][0]
    community["people"].append({"id": _stored_ids(session)[ID_A], "name": "又一个"})
    with pytest.raises(repository.ImportRejected, match="listed twice"):
        repository.import_roster(session, COUNTY, roster, "importer")


def test_an_appointment_is_given_to_a_person_by_public_id(session: Session, regions: None) -> None:
    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    public = _stored_ids(session)
    added = repository.add_appointment(session, COUNTY, "320602001001", {
        "person": public[ID_A], "unit": "service_station", "role": "staff", "full_time": False}, "editor")
    assert added.person == public[ID_A]
    moved = repository.update_appointment(session, COUNTY, added.id, {"person": public[ID_B]}, added.version, "editor")
    assert moved.person == public[ID_B]
    with pytest.raises(repository.NotFound):
        repository.add_appointment(session, COUNTY, "320602001001", {
            "person": ID_A, "unit": "service_station", "role": "staff"}, "editor")


def test_the_migration_gives_people_stored_before_it_their_public_ids(engine: Engine) -> None:
    """Rows written by revision 0002 (ids as given) get their public ids from revision 0003."""
    command.downgrade(db.alembic_config(engine), "0002")
    stamp = {"version": 1, "recorded_at": "2026-01-01 00:00:00+00:00", "recorded_by": "old"}
    with engine.begin() as connection:
        for person_id in (ID_A, ID_B, "P001"):
            connection.execute(text(
                "INSERT INTO people (scope, person_id, version, recorded_at, recorded_by) "
                "VALUES (:scope, :person_id, :version, :recorded_at, :recorded_by)"),
                {"scope": COUNTY, "person_id": person_id, **stamp})
            connection.execute(text(
                "INSERT INTO appointments (appointment_id, community_id, region_id, scope, person_id, unit, role, "
                "full_time, version, recorded_at, recorded_by) VALUES (:aid, 'C1', :scope, :scope, :person_id, "
                "'service_station', 'staff', false, :version, :recorded_at, :recorded_by)"),
                {"aid": f"a-{person_id}", "scope": COUNTY, "person_id": person_id, **stamp})
    db.upgrade(engine)
    sessions: sessionmaker[Session] = db.session_factory(engine)
    with sessions() as session:
        secret = repository.person_id_secret(session)
        expected = {ID_A: identity.pseudonym(ID_A, secret), ID_B: identity.pseudonym(ID_B, secret), "P001": "P001"}
        assert _stored_ids(session) == expected
        a = models.Appointment
        assert dict(session.execute(select(a.person_id, a.person_public_id)).tuples().all()) == expected


def test_two_current_rows_may_not_share_a_public_id_in_one_scope(session: Session, regions: None) -> None:
    from sqlalchemy.exc import IntegrityError

    repository.import_roster(session, COUNTY, keyed_by_id_numbers(), "importer")
    taken = _stored_ids(session)[ID_A]
    with pytest.raises(IntegrityError):
        session.execute(insert(models.Person).values(scope=COUNTY, person_id="P999", public_id=taken, version=1,
                                                     recorded_at=repository._now(), recorded_by="x"))
        session.commit()
    session.rollback()
