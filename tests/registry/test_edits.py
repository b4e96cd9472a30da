"""Edits: effective-dated appointments, versions as the ETag source, and the audit log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.registry import repository
from api.registry.repository import InvalidChange, NotFound, NotYours, StaleVersion

from .conftest import COUNTY, STREET

COMMUNITY = "320602001001"


def _post(session: Session, role: str = "deputy_secretary") -> repository.AppointmentPublic:
    return next(a for a in repository.list_appointments(session, COUNTY, community_id=COMMUNITY) if a.role == role)


def _audit_count(session: Session) -> int:
    return len(repository.audit_log(session, "320600", limit=10_000))


def test_vacating_a_post_keeps_its_history_and_changes_what_is_in_force(session: Session, imported: dict[str, Any]):
    post = _post(session)
    vacated = repository.vacate_appointment(session, STREET, post.id, dt.date(2026, 6, 30), post.version, "editor")
    assert (vacated.id, vacated.version, vacated.end, vacated.recorded_by) == (post.id, post.version + 1, dt.date(2026, 6, 30),
                                                                              "editor")
    in_force = {a.id for a in repository.list_appointments(session, COUNTY, as_of=dt.date(2026, 11, 25))}
    before = {a.id for a in repository.list_appointments(session, COUNTY, as_of=dt.date(2026, 6, 1))}
    assert post.id not in in_force and post.id in before
    history = repository.appointment_history(session, COUNTY, post.id)
    assert [(h.version, h.end) for h in history] == [(1, None), (2, dt.date(2026, 6, 30))]
    assert history[0].superseded_at is not None and history[1].superseded_at is None


def test_a_correction_is_a_new_version_and_is_audited_with_before_and_after(session: Session, imported: dict[str, Any]):
    post = _post(session)
    count = _audit_count(session)
    changed = repository.update_appointment(session, COUNTY, post.id, {"full_time": "否", "start": "2024/3/1"}, 1, "editor")
    assert (changed.full_time, changed.start, changed.version) == (False, dt.date(2024, 3, 1), 2)
    entry = repository.audit_log(session, COUNTY, limit=10_000)[-1]
    assert _audit_count(session) == count + 1
    assert (entry.actor, entry.action, entry.object_kind, entry.object_id) == ("editor", "update", "appointment", post.id)
    assert entry.before is not None and entry.after is not None
    assert (entry.before["full_time"], entry.before["version"]) == (post.full_time, 1)
    assert (entry.after["full_time"], entry.after["start"], entry.after["version"]) == (False, "2024-03-01", 2)


def test_a_stale_version_is_refused_and_leaves_no_trace(session: Session, imported: dict[str, Any]):
    post = _post(session)
    repository.update_appointment(session, COUNTY, post.id, {"full_time": False}, 1, "first")
    before, count = repository.count_rows(session), _audit_count(session)
    with pytest.raises(StaleVersion) as refused:
        repository.update_appointment(session, COUNTY, post.id, {"full_time": True}, 1, "second")
    assert (refused.value.expected, refused.value.current) == (1, 2)
    assert repository.count_rows(session) == before and _audit_count(session) == count
    assert repository.get_appointment(session, COUNTY, post.id).full_time is False


@pytest.mark.parametrize("changes", [
    {"end": "2020-01-01", "start": "2021-01-01"},
    {"unit": "没有这个机构"},
    {"role": "主任", "unit": "社区综治办"},
    {"end": "not a date"},
    {"full_time": "maybe"},
    {"person": "NOBODY"},
    {"salary": 1},
])
def test_an_edit_that_makes_no_sense_is_refused_and_leaves_no_trace(session: Session, imported: dict[str, Any],
                                                                    changes: dict[str, Any]):
    post = _post(session)
    before = repository.count_rows(session)
    with pytest.raises((InvalidChange, NotFound)):
        repository.update_appointment(session, COUNTY, post.id, changes, 1, "editor")
    assert repository.count_rows(session) == before


def test_a_change_of_post_and_holder(session: Session, imported: dict[str, Any]):
    post = _post(session)
    changed = repository.update_appointment(session, COUNTY, post.id, {"person": "P010", "role": "委员"}, 1, "editor")
    assert (changed.person, changed.unit, changed.role) == ("P010", post.unit, "member")


def test_adding_and_retracting_an_appointment(session: Session, imported: dict[str, Any]):
    fields = {"person": "P002", "unit": "居委会", "role": "网格联络员", "start": "2026-01-01"}
    added = repository.add_appointment(session, STREET, COMMUNITY, fields, "editor")
    assert (added.version, added.role, added.label, added.start) == (1, "other", "网格联络员", dt.date(2026, 1, 1))
    document = repository.roster_as_of(session, COUNTY, dt.date(2026, 11, 25))
    assert any(a.role == "网格联络员" for a in document.communities[0].appointments)
    with pytest.raises(StaleVersion):
        repository.retract_appointment(session, COUNTY, added.id, 2, "editor")
    repository.retract_appointment(session, COUNTY, added.id, 1, "editor")
    with pytest.raises(NotFound):
        repository.get_appointment(session, COUNTY, added.id)
    assert [h.version for h in repository.appointment_history(session, COUNTY, added.id)] == [1]
    assert [e.action for e in repository.audit_log(session, COUNTY)][-2:] == ["create", "retract"]


def test_a_person_correction_is_a_new_version(session: Session, imported: dict[str, Any]):
    person = repository.get_person(session, STREET, "P003")
    changed = repository.update_person(session, COUNTY, "P003", {"monthly_pay_yuan": "4100", "education": "本科"},
                                       person.version, "editor")
    assert (changed.monthly_pay_yuan, changed.education, changed.version) == (4100.0, "bachelor", person.version + 1)
    with pytest.raises(StaleVersion):
        repository.update_person(session, COUNTY, "P003", {"name": "x"}, person.version, "editor")
    with pytest.raises(InvalidChange):
        repository.update_person(session, COUNTY, "P003", {"monthly_pay_yuan": -5}, changed.version, "editor")
    assert [(e.object_id, e.region) for e in repository.audit_log(session, COUNTY) if e.object_kind == "person"] == [
        ("P003", COUNTY)]
    pay = {p.id: p.monthly_pay_yuan for c in repository.roster_as_of(session, COUNTY).communities for p in c.people}
    assert pay["P003"] == 4100


def test_a_person_kept_by_a_region_above_is_read_but_not_changed_below(session: Session, imported: dict[str, Any]):
    """The street sees the county's people it appoints, but the county's roster keeps them: an edit
    from the street would change them for every other street too."""
    person = repository.get_person(session, STREET, "P003")
    with pytest.raises(NotYours):
        repository.update_person(session, STREET, "P003", {"name": "x"}, person.version, "editor")
    assert repository.get_person(session, COUNTY, "P003").version == person.version


def test_every_committed_change_is_audited_and_no_rolled_back_one(session: Session, imported: dict[str, Any]):
    actions = [(e.action, e.object_kind) for e in repository.audit_log(session, "320600", limit=10_000)]
    assert actions.count(("create", "region")) == 5 and actions[-1] == ("import", "roster")
    count = _audit_count(session)
    with pytest.raises(RuntimeError):
        repository._in_transaction(session, lambda: (
            repository._audit(session, repository._now(), "x", "update", "appointment", "a", COUNTY, None, {}),
            (_ for _ in ()).throw(RuntimeError("fault after the audit row"))))
    assert _audit_count(session) == count
    page = repository.audit_log(session, "320600", after_id=repository.audit_log(session, "320600")[2].id, limit=2)
    assert len(page) == 2


def test_a_community_correction_is_a_new_version(session: Session, imported: dict[str, Any]):
    community = repository.get_community(session, STREET, COMMUNITY)
    changed = repository.update_community(session, STREET, COMMUNITY, {"households": "3200", "pilot": "否"},
                                          community.version, "editor")
    assert (changed.households, changed.pilot, changed.version) == (3200, False, community.version + 1)
    with pytest.raises(StaleVersion):
        repository.update_community(session, STREET, COMMUNITY, {"name": "x"}, community.version, "editor")
    for bad in ({"kind": "城乡"}, {"households": -1}, {"region": "320611"}):
        with pytest.raises(InvalidChange):
            repository.update_community(session, STREET, COMMUNITY, bad, changed.version, "editor")
    assert repository.roster_as_of(session, COUNTY).communities[0].households == 3200


def test_an_appointments_history_leaves_with_its_community(session: Session, imported: dict[str, Any]):
    """A community moved to another street: the old street no longer reads its posts, nor their history."""
    post = repository.list_appointments(session, STREET)[0]
    roster = json.loads(json.dumps(imported))
    roster["communities"][0]["region"] = "320602002"
    roster["regions"].append({"id": "320602002", "name": "新街道", "level": "street", "parent": COUNTY})
    repository.import_roster(session, COUNTY, roster, "importer")
    with pytest.raises(NotFound):
        repository.get_appointment(session, STREET, post.id)
    with pytest.raises(NotFound):
        repository.appointment_history(session, STREET, post.id)
    assert len(repository.appointment_history(session, COUNTY, post.id)) == 2
