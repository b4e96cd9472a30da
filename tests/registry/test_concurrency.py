"""Optimistic concurrency under real parallelism: threads, each with its own session and connection."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.registry import models, repository
from api.registry.repository import StaleVersion

from .conftest import COUNTY

K = 8


def _in_parallel(k: int, task: Callable[[int], Any]) -> list[Any]:
    """Run `task(i)` for i < k in k threads started together; each result or the exception raised."""
    barrier = threading.Barrier(k)
    results: list[Any] = [None] * k

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = task(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(k)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def post(session: Session, imported: dict[str, Any]) -> repository.AppointmentPublic:
    return repository.list_appointments(session, COUNTY)[0]


def test_parallel_conflicting_edits_of_one_post_let_exactly_one_through(sessions: sessionmaker[Session],
                                                                         post: repository.AppointmentPublic):
    def edit(i: int) -> repository.AppointmentPublic:
        with sessions() as own:
            return repository.update_appointment(own, COUNTY, post.id, {"start": f"2024-01-{i + 1:02d}"}, post.version,
                                                 f"editor {i}")

    results = _in_parallel(K, edit)
    won = [r for r in results if isinstance(r, repository.AppointmentPublic)]
    assert len(won) == 1, results
    assert all(isinstance(r, StaleVersion) for r in results if r is not won[0])
    with sessions() as check:
        current = repository.get_appointment(check, COUNTY, post.id)
        assert (current.version, current.start, current.recorded_by) == (post.version + 1, won[0].start, won[0].recorded_by)
        assert [h.version for h in repository.appointment_history(check, COUNTY, post.id)] == [1, 2]
        edits = [e for e in repository.audit_log(check, COUNTY, limit=10_000) if e.object_id == post.id]
        assert [(e.actor, e.after["version"] if e.after else None) for e in edits] == [(won[0].recorded_by, 2)]


def test_parallel_editors_who_retry_on_a_stale_version_lose_no_update(sessions: sessionmaker[Session],
                                                                       post: repository.AppointmentPublic):
    def edit_until_accepted(i: int) -> int:
        for _ in range(200):
            with sessions() as own:
                current = repository.get_appointment(own, COUNTY, post.id)
                own.rollback()  # end the read's transaction before the write's
                try:
                    return repository.update_appointment(own, COUNTY, post.id, {"start": f"2024-02-{i + 1:02d}"},
                                                         current.version, f"editor {i}").version
                except StaleVersion:
                    continue
        raise AssertionError("never accepted")

    versions = _in_parallel(K, edit_until_accepted)
    assert sorted(versions) == list(range(post.version + 1, post.version + K + 1)), versions
    with sessions() as check:
        history = repository.appointment_history(check, COUNTY, post.id)
        assert [h.version for h in history] == list(range(1, K + 2))
        assert {h.recorded_by for h in history[1:]} == {f"editor {i}" for i in range(K)}
        edits = [e for e in repository.audit_log(check, COUNTY, limit=10_000) if e.object_id == post.id]
        assert len(edits) == K
        chain = [(e.before["version"], e.after["version"]) for e in edits if e.before and e.after]
        assert sorted(chain) == [(v, v + 1) for v in range(1, K + 1)]  # each edit built on the one before it


def test_the_version_guard_holds_even_when_the_read_was_stale(session: Session, post: repository.AppointmentPublic):
    """What a loser meets on PostgreSQL: it read version 1, another writer committed version 2 since."""
    repository.update_appointment(session, COUNTY, post.id, {"full_time": True}, post.version, "winner")
    a = models.Appointment
    with pytest.raises(StaleVersion) as refused:
        repository._in_transaction(session, lambda: repository._supersede_version(
            session, a, a.appointment_id == post.id, "appointment", post.id, post.version, post.version, repository._now()))
    assert refused.value.current is None
    assert repository.get_appointment(session, COUNTY, post.id).version == post.version + 1


def test_an_idle_reader_does_not_hold_up_a_writer(sessions: sessionmaker[Session], post: repository.AppointmentPublic):
    """Regression: SQLite transactions all began IMMEDIATE, so a session that had only read held the write lock."""
    with sessions() as reader, sessions() as writer:
        assert repository.get_appointment(reader, COUNTY, post.id).version == post.version  # its transaction stays open
        done = _in_parallel(1, lambda _: repository.update_appointment(writer, COUNTY, post.id, {"full_time": True},
                                                                         post.version, "writer"))
        assert isinstance(done[0], repository.AppointmentPublic), done


def test_an_import_that_races_an_edit_stores_nothing_and_says_so(engine, sessions: sessionmaker[Session],
                                                                 imported: dict[str, Any],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The import read an appointment's version 1; an edit commits version 2 before the import
    supersedes what it read: the import must not claim it retracted the edited row."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): an edit cannot commit inside an import")
    with sessions() as reader:
        post = repository.list_appointments(reader, COUNTY)[0]
    roster = json.loads(json.dumps(imported))
    roster["communities"][0]["appointments"] = [
        a for a in roster["communities"][0]["appointments"] if a["person"] != post.person]  # retract that person's posts
    original = repository._supersede_where
    raced: list[int] = []

    def edit_first(session: Session, model: Any, column: Any, ids: Any, now: Any) -> None:
        if model is models.Appointment and not raced:
            with sessions() as other:
                raced.append(repository.update_appointment(other, COUNTY, post.id, {"full_time": False}, 1, "rival").version)
        original(session, model, column, ids, now)

    monkeypatch.setattr(repository, "_supersede_where", edit_first)
    with sessions() as session:
        before = repository.count_rows(session)
    with sessions() as session, pytest.raises(repository.ConcurrentChange):
        repository.import_roster(session, COUNTY, roster, "importer")
    assert raced == [2]
    with sessions() as session:
        after = repository.count_rows(session)
        assert repository.get_appointment(session, COUNTY, post.id).version == 2
    assert after["appointments"] == before["appointments"] + 1  # only the rival's version
    assert after["audit_log"] == before["audit_log"] + 1
