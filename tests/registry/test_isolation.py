"""Region isolation: a key sees its region's subtree and nothing else; API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.registry import models, repository
from api.registry.repository import InvalidChange, NotFound

from .conftest import CITY, COUNTY, OTHER_COUNTY, OTHER_STREET, STREET

COMMUNITY = "320602001001"


def test_a_region_sees_its_subtree(session: Session, regions: None):
    assert repository.visible_region_ids(session, CITY) == {CITY, COUNTY, STREET, OTHER_COUNTY, OTHER_STREET}
    assert repository.visible_region_ids(session, COUNTY) == {COUNTY, STREET}
    assert repository.visible_region_ids(session, OTHER_STREET) == {OTHER_STREET}
    assert repository.visible_region_ids(session, "nowhere") == set()
    assert [r.id for r in repository.list_regions(session, COUNTY)] == [COUNTY, STREET]


def _calls(session: Session, post: repository.AppointmentPublic) -> dict[str, Callable[[str], Any]]:
    """Every read and edit that names an object, as a function of the caller's region."""
    return {
        "get_region": lambda key: repository.get_region(session, key, STREET),
        "get_community": lambda key: repository.get_community(session, key, COMMUNITY),
        "get_person": lambda key: repository.get_person(session, key, "P001"),
        "get_appointment": lambda key: repository.get_appointment(session, key, post.id),
        "appointment_history": lambda key: repository.appointment_history(session, key, post.id),
        "update_appointment": lambda key: repository.update_appointment(session, key, post.id, {"full_time": True},
                                                                         post.version, "intruder"),
        "vacate_appointment": lambda key: repository.vacate_appointment(session, key, post.id, dt.date(2026, 1, 1),
                                                                         post.version, "intruder"),
        "retract_appointment": lambda key: repository.retract_appointment(session, key, post.id, post.version, "intruder"),
        "add_appointment": lambda key: repository.add_appointment(session, key, COMMUNITY,
                                                                   {"person": "P001", "unit": "居委会", "role": "委员"},
                                                                   "intruder"),
        "update_person": lambda key: repository.update_person(session, key, "P001", {"name": "x"}, 1, "intruder"),
        "update_community": lambda key: repository.update_community(session, key, COMMUNITY, {"name": "x"}, 1, "intruder"),
    }


CALLS = ["get_region", "get_community", "get_person", "get_appointment", "appointment_history", "update_appointment",
         "vacate_appointment", "retract_appointment", "add_appointment", "update_person", "update_community"]


@pytest.mark.parametrize("name", CALLS)
def test_another_regions_objects_are_not_found(session: Session, imported: dict[str, Any], name: str):
    post = repository.list_appointments(session, COUNTY, community_id=COMMUNITY)[0]
    before = repository.count_rows(session)
    attempt = _calls(session, post)[name]
    for foreign in (OTHER_COUNTY, OTHER_STREET):
        with pytest.raises(NotFound):
            attempt(foreign)
    assert repository.count_rows(session) == before


def test_another_regions_lists_are_empty(session: Session, imported: dict[str, Any]):
    assert repository.list_communities(session, OTHER_COUNTY) == []
    assert repository.list_people(session, OTHER_COUNTY) == []
    assert repository.list_appointments(session, OTHER_COUNTY) == []
    assert repository.list_communities(session, OTHER_COUNTY, region_id=STREET) == []
    assert {r.id for r in repository.list_regions(session, OTHER_COUNTY)} == {OTHER_COUNTY, OTHER_STREET}
    assert {e.region for e in repository.audit_log(session, OTHER_COUNTY)} == {OTHER_COUNTY, OTHER_STREET}
    assert repository.roster_as_of(session, OTHER_COUNTY).communities == []
    assert len(repository.list_communities(session, CITY)) == 1
    assert len(repository.list_people(session, STREET)) == len(imported["communities"][0]["people"])


def test_the_same_calls_succeed_for_the_owning_region_and_its_ancestors(session: Session, imported: dict[str, Any]):
    post = repository.list_appointments(session, COUNTY, community_id=COMMUNITY)[0]
    calls = _calls(session, post)
    for name in ("get_region", "get_community", "get_person", "get_appointment", "appointment_history"):
        for key in (CITY, COUNTY, STREET):
            assert calls[name](key) is not None
    assert calls["update_appointment"](STREET).version == post.version + 1


def test_a_key_is_stored_as_a_hash_and_found_by_its_text(session: Session, regions: None):
    plaintext, info = repository.create_key(session, STREET, "editor", actor="admin")
    assert plaintext.startswith(repository.KEY_PREFIX) and len(plaintext) >= 40
    stored = session.scalars(select(models.ApiKey)).one()
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest() and plaintext not in str(vars(stored))
    found = repository.lookup_key(session, plaintext)
    assert found is not None and (found.region, found.role, found.id) == (STREET, "editor", info.id)
    assert repository.lookup_key(session, plaintext + "x") is None
    other, viewer = repository.create_key(session, STREET, "viewer")
    assert other != plaintext
    with pytest.raises(NotFound):
        repository.revoke_key(session, OTHER_COUNTY, info.id, "admin")
    assert [k.id for k in repository.list_keys(session, COUNTY)] == [info.id, viewer.id]
    assert repository.list_keys(session, OTHER_COUNTY) == []
    repository.revoke_key(session, COUNTY, info.id, "admin")
    assert repository.lookup_key(session, plaintext) is None
    assert repository.lookup_key(session, other) is not None
    with pytest.raises(InvalidChange):
        repository.create_key(session, STREET, "root")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        repository.create_key(session, "nowhere", "viewer")
    assert [e.action for e in repository.audit_log(session, STREET) if e.object_kind == "api_key"] == [
        "create", "create", "revoke"]
