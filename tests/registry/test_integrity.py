"""Integrity under concurrent writers, on SQLite and PostgreSQL: identical imports at once leave
one copy; a writer that meets a long import waits for it, up to a bound, then gets DatabaseBusy
(never the driver's error); a region needs its level; an empty region can be deleted."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from api.registry import db, models, repository

from .conftest import CITY, COUNTY, OTHER_COUNTY, STREET
from .test_concurrency import _in_parallel

ROUNDS = 6
IMPORTERS = 4


def _current_counts(session: Session) -> dict[str, dict[str, int]]:
    """Current rows per community, for every table that holds a community's rows."""
    out: dict[str, dict[str, int]] = {}
    for model in (models.Task, models.Relation, models.Unit, models.Appointment):
        rows = session.execute(select(model.community_id, func.count()).where(model.superseded_at.is_(None))
                               .group_by(model.community_id)).tuples()
        out[model.__tablename__] = dict(rows.all())
    communities = session.execute(select(models.Community.id, func.count())
                                  .where(models.Community.superseded_at.is_(None)).group_by(models.Community.id))
    out["communities"] = dict(communities.tuples().all())
    return out


def _expected(document: dict[str, Any]) -> dict[str, dict[str, int]]:
    """The file's own rows per community (normalised: a compound post is two appointments)."""
    roster = repository.as_roster(document)
    out = {table: dict(getattr(roster, table).group_by("community").len().iter_rows())
           for table in ("tasks", "relations", "units", "appointments")}
    out["communities"] = {cid: 1 for cid in roster.communities["id"]}
    return out


def test_identical_concurrent_imports_leave_exactly_one_copy(sessions: sessionmaker[Session], regions: None,
                                                             example: dict[str, Any]) -> None:
    """Regression: on PostgreSQL four identical imports at once doubled a community's tasks,
    relations and units in half the rounds (each replaced the set it had read)."""
    duplicated_rounds = []
    for round_ in range(ROUNDS):
        roster = copy.deepcopy(example)
        roster["communities"][0]["households"] = 3100 + round_ // 2  # every other round the community changes too
        roster["communities"][0]["tasks"][0]["name"] = f"第{round_}轮事项"

        def load(i: int, roster: dict[str, Any] = roster) -> repository.ImportSummary:
            with sessions() as own:
                return repository.import_roster(own, COUNTY, roster, f"importer {i}")

        results = _in_parallel(IMPORTERS, load)
        with sessions() as check:
            if _current_counts(check) != _expected(roster):
                duplicated_rounds.append(round_)
            stored = repository.roster_as_of(check, COUNTY).communities[0]
            assert (stored.households, stored.tasks[0].name) == (3100 + round_ // 2, f"第{round_}轮事项")
            assert all(isinstance(r, repository.ImportSummary) for r in results), results
    assert duplicated_rounds == []
    with sessions() as check:
        imports = [e for e in repository.audit_log(check, COUNTY, limit=10_000) if e.action == "import"]
        assert len(imports) == ROUNDS * IMPORTERS  # every one landed, one after the other


def test_imports_into_a_county_and_its_street_take_turns(sessions: sessionmaker[Session], regions: None,
                                                        example: dict[str, Any]) -> None:
    """The street's import rewrites communities the county's import rewrites too: they serialise
    (the street takes the county's lock shared), and the result is one copy."""
    def load(i: int) -> repository.ImportSummary:
        with sessions() as own:
            return repository.import_roster(own, (COUNTY, STREET)[i % 2], example, f"importer {i}")

    for _ in range(3):
        results = _in_parallel(IMPORTERS, load)
        assert all(isinstance(r, repository.ImportSummary) for r in results), results
        with sessions() as check:
            assert _current_counts(check) == _expected(example)


# --- a writer during a long import ----------------------------------------------------------------

@pytest.fixture
def held_import(sessions: sessionmaker[Session], imported: dict[str, Any],
                monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event, list[Any]]]:
    """An import of the county, changing its community, that stops inside its transaction (its
    write lock held, the community's row superseded) until the test sets `release`."""
    reached, release, outcome = threading.Event(), threading.Event(), []
    original = repository._store_parts

    def slow(*args: Any, **kwargs: Any) -> None:
        reached.set()
        assert release.wait(60)
        original(*args, **kwargs)

    monkeypatch.setattr(repository, "_store_parts", slow)
    roster = copy.deepcopy(imported)
    roster["communities"][0]["households"] = 4000

    def run() -> None:
        with sessions() as own:
            try:
                outcome.append(repository.import_roster(own, COUNTY, roster, "long import"))
            except Exception as exc:
                outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert reached.wait(60)
    yield reached, release, outcome
    release.set()
    thread.join(60)


def _ended(outcome: list[Any]) -> Any:
    """What the held import ended with (it may still be committing when the test gets here)."""
    deadline = time.monotonic() + 60
    while not outcome and time.monotonic() < deadline:
        time.sleep(0.02)
    return outcome[0]


def _engine_like(engine: Engine, write_wait_seconds: float) -> Engine:
    return db.make_engine(engine.url.render_as_string(hide_password=False), write_wait_seconds=write_wait_seconds)


def test_a_writer_past_the_bound_gets_database_busy_and_stores_nothing(engine: Engine, held_import: Any) -> None:
    impatient = _engine_like(engine, 0.5)
    try:
        with db.session_factory(impatient)() as session:
            community = repository.get_community(session, COUNTY, "320602001001")
            session.rollback()
            started = time.monotonic()
            with pytest.raises(repository.DatabaseBusy) as busy:
                repository.update_community(session, COUNTY, "320602001001", {"name": "改名"}, community.version,
                                            "editor")
            waited = time.monotonic() - started
        assert busy.value.waited_seconds == 0.5 and waited >= 0.4
    finally:
        impatient.dispose()
    _, release, outcome = held_import
    release.set()
    assert isinstance(_ended(outcome), repository.ImportSummary)  # the import it waited for was not disturbed
    with db.session_factory(engine)() as session:
        current = repository.get_community(session, COUNTY, "320602001001")
        assert (current.households, current.name) == (4000, "虹桥社区")


def test_a_writer_within_the_bound_waits_for_the_import_then_lands(engine: Engine, held_import: Any) -> None:
    """An edit of a person waits for the import (SQLite: its write lock; PostgreSQL needs no wait)
    and lands; an edit of the community the import rewrote waits for it too and then finds the
    version it read gone (412, not a lost update)."""
    _, release, outcome = held_import
    done: list[Any] = []

    with db.session_factory(engine)() as session:  # read while the import is under way: what it will replace
        person = repository.get_person(session, COUNTY, "P002")
        community = repository.get_community(session, COUNTY, "320602001001")

    def edit() -> None:
        with db.session_factory(engine)() as session:
            try:
                done.append(repository.update_person(session, COUNTY, "P002", {"name": "李秀英二"}, person.version,
                                                     "editor"))
                done.append(time.monotonic())
                done.append(repository.update_community(session, COUNTY, "320602001001", {"name": "改名"},
                                                        community.version, "editor"))
            except Exception as exc:
                done.append(exc)
            done.append(time.monotonic())

    thread = threading.Thread(target=edit)
    thread.start()
    time.sleep(0.5)
    released_at = time.monotonic()
    release.set()
    thread.join(60)
    person, person_at, community_edit, finished_at = done
    assert isinstance(person, repository.PersonPublic) and person.name == "李秀英二"
    assert isinstance(_ended(outcome), repository.ImportSummary)
    assert isinstance(community_edit, repository.StaleVersion) and finished_at >= released_at
    if engine.dialect.name == "sqlite":
        assert person_at >= released_at  # it waited for the import's write lock


def test_an_import_waits_for_another_on_the_same_region_up_to_the_bound(engine: Engine, held_import: Any,
                                                                         example: dict[str, Any]) -> None:
    impatient = _engine_like(engine, 0.5)
    try:
        with db.session_factory(impatient)() as session, pytest.raises(repository.DatabaseBusy):
            repository.import_roster(session, COUNTY, example, "second import")
        with db.session_factory(impatient)() as session:
            counts = _current_counts(session)
        assert counts["tasks"] == {"320602001001": 2}
    finally:
        impatient.dispose()


def test_busy_is_only_a_lock_that_was_not_granted() -> None:
    import sqlite3

    import psycopg.errors

    assert db.is_busy(sqlite3.OperationalError("database is locked"))
    assert db.is_busy(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))
    assert not db.is_busy(sqlite3.OperationalError("no such table: regions"))
    assert not db.is_busy(psycopg.errors.UndefinedTable("relation does not exist"))


# --- a region needs its level; an empty one can be deleted -----------------------------------------

def test_a_region_needs_its_level(session: Session, regions: None) -> None:
    for level in (None, "", "  "):
        with pytest.raises(repository.InvalidChange, match="level is required"):
            repository.create_region(session, "320602099", "admin", parent_id=COUNTY, name="新街道", level=level)
    with pytest.raises(repository.InvalidChange, match="level 'village'"):
        repository.create_region(session, "320602099", "admin", parent_id=COUNTY, level="village")
    assert repository.create_region(session, "320602099", "admin", parent_id=COUNTY, level="街道").level == "street"


def _levelless_region(session: Session, region_id: str, parent: str) -> None:
    """A region as one was stored before a level was required."""
    session.execute(insert(models.Region).values(id=region_id, parent_id=parent, name="新街道", level=None, version=1,
                                                 recorded_at=repository._now(), recorded_by="before"))
    session.commit()


def test_a_stored_region_without_level_is_a_notice_not_a_broken_check(session: Session, imported: dict[str, Any]) -> None:
    _levelless_region(session, "320602999", COUNTY)
    for region in (CITY, COUNTY):
        document = repository.roster_as_of(session, region)
        roster = repository.checkable_roster(document, f"region {region}")
        notices = roster.notices.filter(roster.notices["code"] == "region_without_level").to_dicts()
        assert [(n["value"], n["column"]) for n in notices] == [("320602999", "level")]
        assert "PUT /v1/regions/320602999" in notices[0]["message_en"] and "没有层级" in notices[0]["message_zh"]
        assert "320602999" not in roster.regions["id"].to_list()
        assert roster.communities.height == 1
    updated = repository.update_region(session, COUNTY, "320602999", name="新街道", level="street",
                                       min_wage_monthly_yuan=None, expected_version=1, actor="admin")
    assert (updated.level, updated.version) == ("street", 2)
    roster = repository.checkable_roster(repository.roster_as_of(session, CITY), "region 320600")
    assert "region_without_level" not in roster.notices["code"].to_list()


def test_communities_of_a_levelless_region_count_under_its_parent(session: Session, imported: dict[str, Any]) -> None:
    _levelless_region(session, "320602999", COUNTY)
    _levelless_region(session, "320602999001", "320602999")
    roster = dict(imported)
    roster["regions"] = []  # the stored tree places it
    roster["communities"] = [{**imported["communities"][0], "region": "320602999001"}]
    repository.import_roster(session, COUNTY, roster, "importer")
    checked = repository.checkable_roster(repository.roster_as_of(session, CITY), "region 320600")
    assert checked.communities["region"].to_list() == [COUNTY]
    assert sorted(checked.notices.filter(checked.notices["code"] == "region_without_level")["value"]) == [
        "320602999", "320602999001"]


def test_an_empty_region_can_be_deleted_and_one_that_holds_anything_cannot(session: Session,
                                                                          imported: dict[str, Any]) -> None:
    repository.create_region(session, "320602099", "admin", parent_id=COUNTY, name="多余的街道", level="street")
    repository.delete_region(session, COUNTY, "320602099", "admin")
    with pytest.raises(repository.NotFound):
        repository.get_region(session, COUNTY, "320602099")
    deleted = [e for e in repository.audit_log(session, COUNTY) if e.action == "delete"]
    assert [(e.object_id, e.region, e.after) for e in deleted] == [("320602099", COUNTY, None)]
    assert deleted[0].before is not None and deleted[0].before["level"] == "street"
    with pytest.raises(repository.RegionNotEmpty) as street:
        repository.delete_region(session, COUNTY, STREET, "admin")
    assert street.value.contents == {"communities": 1}
    assert "1个社区" in street.value.message_zh
    with pytest.raises(repository.RegionNotEmpty) as county:
        repository.delete_region(session, CITY, COUNTY, "admin")
    assert county.value.contents == {"regions": 1, "people": 27}
    repository.create_key(session, OTHER_COUNTY, "viewer")
    with pytest.raises(repository.NotFound):  # outside the key's region: not found, not refused
        repository.delete_region(session, COUNTY, OTHER_COUNTY, "admin")
    assert repository.create_region(session, "320602099", "admin", parent_id=COUNTY, level="street").version == 1
