"""The registry's operations: plain functions of a session, one unit of work each.

Every function that writes commits its own transaction on success and rolls it back on
any error, so a change and its audit row land together or not at all. Every read and
edit takes the caller's region (an API key's) and sees only that region's subtree
(`visible_region_ids`): another region's object is simply not found.

Two writers that rewrite the same region's communities take turns (`_lock_subtree`): on
PostgreSQL a transaction-scoped advisory lock per region, on SQLite the single writer that
`BEGIN IMMEDIATE` already makes of every write. A writer waits for its turn at most the
engine's `write_wait_seconds`, then gets `DatabaseBusy` (db.py).

Versioned rows are never changed except to mark them superseded: an edit is
`UPDATE … SET superseded_at = now WHERE id = :id AND version = :expected AND superseded_at
IS NULL`, whose row count says whether this writer won, followed by the insert of the
next version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import ColumnElement, Select, and_, func, insert, literal, or_, select, text, true, update
from sqlalchemy.orm import Session

from api import hygiene
from api.registry import models
from api.registry.db import DatabaseBusy as DatabaseBusy  # what a write that waited too long raises
from api.registry.db import begin_write
from api.schemas.appointments import AppointmentPublic
from api.schemas.audit import AuditPublic
from api.schemas.communities import CommunityPublic
from api.schemas.keys import ROLES, KeyPublic, Role
from api.schemas.people import PersonPublic
from api.schemas.regions import RegionPublic
from api.schemas.rosters import ImportSummary
from orgmodel import identity, vocabulary
from orgmodel.errors import InputError, RosterInputError
from orgmodel.input import cells, normalize
from orgmodel.input.readers.json_yaml import from_model, read_document
from orgmodel.input.schema import RosterDocument
from orgmodel.masking import mask_text
from orgmodel.roster import SCHEMAS, Roster
from orgmodel.text_hygiene import bad_characters, describe

CHUNK = 500  # ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
KEY_PREFIX = "omk_"

T = TypeVar("T")


class RegistryError(Exception):
    """A request the registry refuses; the API maps each kind to one HTTP status."""


class NotFound(RegistryError):
    def __init__(self, kind: str, object_id: str):
        super().__init__(f"{kind} {object_id} not found")
        self.kind = kind
        self.object_id = object_id


class StaleVersion(RegistryError):
    def __init__(self, kind: str, object_id: str, expected: int, current: int | None):
        super().__init__(f"{kind} {object_id}: version {expected} is not the current one ({current})")
        self.kind = kind
        self.object_id = object_id
        self.expected = expected
        self.current = current


class NotYours(RegistryError):
    """A record the key may read but not change (a person kept by a region above the key's)."""


class ConcurrentChange(RegistryError):
    """Rows this change read were changed by another writer before it could supersede them."""


class InvalidChange(RegistryError):
    """An edit whose values do not make sense (an unknown post, an end before the start …)."""


class RegionNotEmpty(RegistryError):
    """A region that still holds something (communities, regions below it, people, keys) cannot be deleted."""

    code = "region_not_empty"  # its problem code (api.errors)

    def __init__(self, region_id: str, contents: dict[str, int]):
        self.region_id = region_id
        self.contents = contents
        zh = "、".join(f"{n}{_CONTENT_ZH[kind]}" for kind, n in contents.items())
        en = ", ".join(f"{n} {_CONTENT_EN[kind][n != 1]}" for kind, n in contents.items())
        self.message_zh = f"区域 {region_id} 不是空的:含{zh};先移走或删除这些,再删除区域"
        self.message_en = f"region {region_id} is not empty: it holds {en}; move or delete them first"
        super().__init__(self.message_en)


_CONTENT_ZH = {"communities": "个社区", "regions": "个下级区域", "people": "名人员", "api_keys": "个有效密钥"}
_CONTENT_EN = {"communities": ("community", "communities"), "regions": ("region below it", "regions below it"),
               "people": ("person", "people"), "api_keys": ("live API key", "live API keys")}


class ImportRejected(RegistryError):
    """A roster that cannot go into this region (it names regions or communities of another)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- time, chunks, the unit of work -------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _in_transaction(session: Session, work: Callable[[], T]) -> T:
    """Run `work` in a write transaction of its own and commit; on any error roll back (taking the
    audit rows with it) and re-raise."""
    try:
        begin_write(session)
        result = work()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _audit(session: Session, at: dt.datetime, actor: str, action: str, kind: str, object_id: str, region_id: str,
           before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> None:
    session.execute(insert(models.AuditEntry).values(
        at=at, actor=actor, action=action, object_kind=kind, object_id=object_id, region_id=region_id,
        before=_jsonable(before), after=_jsonable(after)))


def _jsonable(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Mapping):
            value = _jsonable(value)
        out[key] = value
    return out


def _current(model: Any, known_at: dt.datetime | None = None) -> ColumnElement[bool]:
    """Rows in force now, or as the registry knew them at `known_at` (transaction time)."""
    if known_at is None:
        return model.superseded_at.is_(None)  # type: ignore[no-any-return]
    return and_(model.recorded_at <= known_at, or_(model.superseded_at.is_(None), model.superseded_at > known_at))


# --- regions and isolation ----------------------------------------------------------------------

def _subtree(region_id: str, name: str = "subtree") -> Select[tuple[str]]:
    """The ids of a region and all its descendants (a recursive CTE: one round trip). A query
    that uses two different subtrees gives them different names."""
    r = models.Region
    tree = select(r.id).where(r.id == region_id, r.superseded_at.is_(None)).cte(name, recursive=True)
    tree = tree.union(select(r.id).where(r.parent_id == tree.c.id, r.superseded_at.is_(None)))
    return select(tree.c.id)


def visible_region_ids(session: Session, key_region_id: str) -> set[str]:
    """The regions a key of `key_region_id` may see: its own and every region below it."""
    return set(session.scalars(_subtree(key_region_id)))


def _ancestors(session: Session, region_id: str) -> list[str]:
    """The region's ancestors, nearest first."""
    r = models.Region
    parents = dict(session.execute(select(r.id, r.parent_id).where(_current(r))).tuples().all())
    out, at = [], parents.get(region_id)
    while at is not None and at not in out and at != region_id:
        out.append(at)
        at = parents.get(at)
    return out


_REGION_FIELDS = ("id", "parent_id", "name", "level", "min_wage_monthly_yuan")


def _region_view(row: Any) -> RegionPublic:
    return RegionPublic(id=row.id, parent=row.parent_id, name=row.name, level=row.level,
                      min_wage_monthly_yuan=row.min_wage_monthly_yuan, version=row.version,
                      recorded_at=row.recorded_at, recorded_by=row.recorded_by)


def _level_code(level: str | None) -> str:
    if level is None or not vocabulary.clean(level):
        raise InvalidChange(f"level is required: {vocabulary.LEVEL.expected}")
    parsed = vocabulary.LEVEL.parse(level)
    if parsed is None:
        raise InvalidChange(f"level {level!r}: {vocabulary.LEVEL.expected}")
    return str(parsed)


def create_region(session: Session, region_id: str, actor: str, *, parent_id: str | None = None, name: str | None = None,
                  level: str | None = None, min_wage_monthly_yuan: float | None = None) -> RegionPublic:
    """Add a region (an administrator's setup step; a root has no parent). Its level is required:
    a region without one cannot be checked, nor can any region above it."""
    code = _level_code(level)

    def work() -> RegionPublic:
        if parent_id is not None and _region_row(session, parent_id) is None:
            raise NotFound("region", parent_id)
        if _region_row(session, region_id) is not None:
            raise InvalidChange(f"region {region_id} exists already")
        now = _now()
        values = {"id": region_id, "parent_id": parent_id, "name": name, "level": code,
                  "min_wage_monthly_yuan": min_wage_monthly_yuan}
        _refuse_unstorable(models.Region, {**values, "recorded_by": actor})
        session.execute(insert(models.Region).values(**values, version=1, recorded_at=now, recorded_by=actor))
        _audit(session, now, actor, "create", "region", region_id, region_id, None, values)
        row = _region_row(session, region_id)
        assert row is not None
        return _region_view(row)

    return _in_transaction(session, work)


_LOCK_NAMESPACE = 0x6F72  # "or": the first key of the registry's two-key advisory locks


def _lock_key(region_id: str) -> int:
    """A region's advisory lock key (a 32-bit hash: a collision only makes two regions take turns)."""
    return int.from_bytes(hashlib.blake2b(region_id.encode("utf-8"), digest_size=4).digest(), "big", signed=True)


def _lock_subtree(session: Session, region_id: str) -> None:
    """This transaction rewrites the region's subtree (an import, a deletion): on PostgreSQL it takes
    the region's advisory lock exclusively and its ancestors' shared, top-down, held to the end of
    the transaction. Two imports into one region take turns; so do a county's and one of its
    streets' (the street's shared lock on the county); two streets of a county do not wait for each
    other. Taken first, before any read, so that what the writer reads is what the one before it
    left. SQLite needs none: `BEGIN IMMEDIATE` already makes one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for ancestor in reversed(_ancestors(session, region_id)):
        session.execute(text("SELECT pg_advisory_xact_lock_shared(CAST(:ns AS integer), CAST(:key AS integer))"),
                        {"ns": _LOCK_NAMESPACE, "key": _lock_key(ancestor)})
    session.execute(text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:key AS integer))"),
                    {"ns": _LOCK_NAMESPACE, "key": _lock_key(region_id)})


def region_contents(session: Session, region_id: str) -> dict[str, int]:
    """What a region holds itself (not counting its subregions' contents): only the kinds it has."""
    reg, c, p, k = models.Region, models.Community, models.Person, models.ApiKey
    counts = {
        "communities": select(func.count()).where(c.region_id == region_id, _current(c)),
        "regions": select(func.count()).where(reg.parent_id == region_id, _current(reg)),
        "people": select(func.count()).where(p.scope == region_id, _current(p)),
        "api_keys": select(func.count()).where(k.region_id == region_id, k.revoked_at.is_(None)),
    }
    found = {kind: session.execute(query).scalar_one() for kind, query in counts.items()}
    return {kind: n for kind, n in found.items() if n}


def delete_region(session: Session, key_region_id: str, region_id: str, actor: str) -> None:
    """Remove an empty region (one added by mistake, or without its level): its versions stay in the
    history, none is current any more. The audit entry goes to its parent, whose keys still see it."""

    def work() -> None:
        _lock_subtree(session, region_id)
        reg = models.Region
        row = session.execute(select(reg).where(reg.id == region_id, _current(reg),
                                                reg.id.in_(_subtree(key_region_id)))).scalar_one_or_none()
        if row is None:
            raise NotFound("region", region_id)
        contents = region_contents(session, region_id)
        if contents:
            raise RegionNotEmpty(region_id, contents)
        now = _now()
        _supersede_version(session, reg, reg.id == region_id, "region", region_id, row.version, row.version, now)
        _audit(session, now, actor, "delete", "region", region_id, row.parent_id or region_id,
               {**_fields(row, _REGION_FIELDS), "version": row.version}, None)

    _in_transaction(session, work)


def update_region(session: Session, key_region_id: str, region_id: str, *, name: str | None, level: str | None,
                  min_wage_monthly_yuan: float | None, expected_version: int, actor: str) -> RegionPublic:
    """Replace a region's name, level and minimum wage (not its place in the tree): a new version.
    How a region stored without a level gets one."""
    code = _level_code(level)

    def work() -> RegionPublic:
        _lock_subtree(session, region_id)  # an import into it or above it rewrites this row too
        reg = models.Region
        row = session.execute(select(reg).where(reg.id == region_id, _current(reg),
                                                reg.id.in_(_subtree(key_region_id)))).scalar_one_or_none()
        if row is None:
            raise NotFound("region", region_id)
        before = _fields(row, _REGION_FIELDS)
        after = {**before, "name": name, "level": code, "min_wage_monthly_yuan": min_wage_monthly_yuan}
        _refuse_unstorable(reg, after)
        now = _now()
        _supersede_version(session, reg, reg.id == region_id, "region", region_id, expected_version, row.version, now)
        session.execute(insert(reg).values(**after, version=expected_version + 1, recorded_at=now, recorded_by=actor))
        _audit(session, now, actor, "update", "region", region_id, region_id, {**before, "version": expected_version},
               {**after, "version": expected_version + 1})
        updated = _region_row(session, region_id)
        return _region_view(updated)

    return _in_transaction(session, work)


def _region_row(session: Session, region_id: str) -> Any:
    r = models.Region
    return session.execute(select(r).where(r.id == region_id, _current(r))).scalar_one_or_none()


def get_region(session: Session, key_region_id: str, region_id: str) -> RegionPublic:
    r = models.Region
    row = session.execute(select(r).where(r.id == region_id, _current(r), r.id.in_(_subtree(key_region_id)))).scalar()
    if row is None:
        raise NotFound("region", region_id)
    return _region_view(row)


def list_regions(session: Session, key_region_id: str) -> list[RegionPublic]:
    r = models.Region
    rows = session.scalars(select(r).where(_current(r), r.id.in_(_subtree(key_region_id))).order_by(r.id))
    return [_region_view(row) for row in rows]


# --- communities and people ---------------------------------------------------------------------

def _community_view(row: Any) -> CommunityPublic:
    return CommunityPublic(id=row.id, region=row.region_id, name=row.name, kind=row.kind, households=row.households,
                         population=row.population, pilot=row.pilot, office_activity_yuan=row.office_activity_yuan,
                         version=row.version, recorded_at=row.recorded_at, recorded_by=row.recorded_by)


def list_communities(session: Session, key_region_id: str, *, region_id: str | None = None, limit: int = 1000,
                     offset: int = 0) -> list[CommunityPublic]:
    c = models.Community
    query = select(c).where(_current(c), c.region_id.in_(_subtree(key_region_id)))
    if region_id is not None:
        query = query.where(c.region_id.in_(_subtree(region_id, "within")))
    return [_community_view(row) for row in session.scalars(query.order_by(c.id).limit(limit).offset(offset))]


def get_community(session: Session, key_region_id: str, community_id: str) -> CommunityPublic:
    c = models.Community
    row = session.scalars(select(c).where(c.id == community_id, _current(c), c.region_id.in_(_subtree(key_region_id)))).first()
    if row is None:
        raise NotFound("community", community_id)
    return _community_view(row)


def _public(row: Any) -> str:
    return row.public_id or row.person_id  # type: ignore[no-any-return]


def _person_view(row: Any) -> PersonPublic:
    public = _public(row)
    return PersonPublic(id=public, masked_id=None if public == row.person_id else mask_text(row.person_id),
                      scope=row.scope, name=row.name, education=row.education,
                      police_officer=row.police_officer, political_legal_officer=row.political_legal_officer,
                      monthly_pay_yuan=row.monthly_pay_yuan, gender=row.gender,
                      previous_monthly_pay_yuan=row.previous_monthly_pay_yuan, version=row.version,
                      recorded_at=row.recorded_at, recorded_by=row.recorded_by)


def _visible_people(key_region_id: str) -> ColumnElement[bool]:
    """People a region sees: those its rosters listed, and those appointed in its communities."""
    p, a = models.Person, models.Appointment
    subtree = _subtree(key_region_id)  # one CTE, used twice
    appointed = select(literal(1)).where(a.scope == p.scope, a.person_id == p.person_id, _current(a),
                                         a.region_id.in_(subtree)).exists()
    return or_(p.scope.in_(subtree), appointed)


def list_people(session: Session, key_region_id: str, *, as_of: dt.date | None = None, limit: int = 1000,
                offset: int = 0) -> list[PersonPublic]:
    """The people the region sees; with `as_of`, only those holding a post of the region on that day."""
    p, a = models.Person, models.Appointment
    query = select(p).where(_current(p), _visible_people(key_region_id)).order_by(p.scope, p.public_id)
    if as_of is not None:
        query = query.where(select(literal(1)).where(
            a.scope == p.scope, a.person_id == p.person_id, _current(a),
            a.region_id.in_(_subtree(key_region_id, "posted_in")), _in_force(a, as_of)).exists())
    return [_person_view(row) for row in session.scalars(query.limit(limit).offset(offset))]


def get_person(session: Session, key_region_id: str, person_id: str, scope: str | None = None) -> PersonPublic:
    """A person by their public id (`PersonPublic.id`). A resident ID number finds no one: were it
    looked up, a key that sees the masked number could learn the hidden digits by guessing."""
    return _person_view(_person_row(session, key_region_id, person_id, scope))


def _person_row(session: Session, key_region_id: str, person_id: str, scope: str | None) -> models.Person:
    p = models.Person
    query = select(p).where(p.public_id == person_id, _current(p), _visible_people(key_region_id))
    if scope is not None:
        query = query.where(p.scope == scope)
    rows = list(session.scalars(query.limit(2)))
    if not rows:
        raise NotFound("person", person_id)
    if len(rows) > 1:
        raise InvalidChange(f"person {person_id} is listed by several regions' rosters; name the scope")
    return rows[0]


# --- appointments ---------------------------------------------------------------------------

_APPOINTMENT_FIELDS = ("appointment_id", "community_id", "region_id", "scope", "person_id", "person_public_id", "unit",
                       "role", "label", "full_time", "start", "end")


def _appointment_view(row: Any) -> AppointmentPublic:
    return AppointmentPublic(id=row.appointment_id, community=row.community_id, region=row.region_id,
                           person=row.person_public_id or row.person_id,
                           scope=row.scope, unit=row.unit, role=row.role, label=row.label, full_time=row.full_time,
                           start=row.start, end=row.end, version=row.version, recorded_at=row.recorded_at,
                           recorded_by=row.recorded_by, superseded_at=row.superseded_at)


def _in_force(model: Any, as_of: dt.date | None) -> ColumnElement[bool]:
    """Valid time: start ≤ as_of ≤ end, either bound may be blank (as `roster.active_appointments`)."""
    if as_of is None:
        return true()
    return and_(or_(model.start.is_(None), model.start <= as_of), or_(model.end.is_(None), model.end >= as_of))


def list_appointments(session: Session, key_region_id: str, *, community_id: str | None = None,
                      as_of: dt.date | None = None, limit: int = 1000, offset: int = 0) -> list[AppointmentPublic]:
    a = models.Appointment
    query = select(a).where(_current(a), a.region_id.in_(_subtree(key_region_id)), _in_force(a, as_of))
    if community_id is not None:
        query = query.where(a.community_id == community_id)
    query = query.order_by(a.community_id, a.unit, a.role, a.person_public_id, a.appointment_id).limit(limit).offset(offset)
    return [_appointment_view(row) for row in session.scalars(query)]


def _appointment_row(session: Session, key_region_id: str, appointment_id: str) -> models.Appointment:
    a = models.Appointment
    row = session.scalars(select(a).where(a.appointment_id == appointment_id, _current(a),
                                          a.region_id.in_(_subtree(key_region_id)))).first()
    if row is None:
        raise NotFound("appointment", appointment_id)
    return row


def get_appointment(session: Session, key_region_id: str, appointment_id: str) -> AppointmentPublic:
    return _appointment_view(_appointment_row(session, key_region_id, appointment_id))


def appointment_history(session: Session, key_region_id: str, appointment_id: str) -> list[AppointmentPublic]:
    """Every version of an appointment, oldest first (a retracted one too)."""
    a = models.Appointment
    rows = list(session.scalars(select(a).where(a.appointment_id == appointment_id).order_by(a.version)))
    if not rows or rows[-1].region_id not in visible_region_ids(session, key_region_id):
        raise NotFound("appointment", appointment_id)  # whose latest version is elsewhere: moved away, not ours
    return [_appointment_view(row) for row in rows]


def _date(value: object, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    parsed = cells.parse_date(str(value))
    if parsed is None and vocabulary.clean(str(value)):
        raise InvalidChange(f"{field} {value!r} is not a date (e.g. 2024-01-01)")
    return parsed


def _post(unit: str, role: str) -> tuple[str, str, str | None]:
    posts = vocabulary.parse_post(unit, role)
    if isinstance(posts, str):
        raise InvalidChange(f"{unit} / {role}: {posts}")
    if len(posts) != 1:
        raise InvalidChange(f"{unit} / {role}: a compound post; record each post as its own appointment")
    post = posts[0]
    return post.unit, post.role, role if post.role == vocabulary.OTHER_ROLE else None


def _appointment_values(session: Session, key_region_id: str, base: Mapping[str, Any],
                        changes: Mapping[str, Any]) -> dict[str, Any]:
    """The next version's values: the base with `changes` (document field names) applied and checked."""
    allowed = {"person", "unit", "role", "full_time", "start", "end"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidChange(f"cannot change {', '.join(sorted(unknown))}; changeable: {', '.join(sorted(allowed))}")
    values = dict(base)
    if "unit" in changes or "role" in changes:
        shown_role = values["label"] if values["role"] == vocabulary.OTHER_ROLE and values["label"] else values["role"]
        values["unit"], values["role"], values["label"] = _post(str(changes.get("unit", values["unit"])),
                                                                str(changes.get("role", shown_role)))
    if "full_time" in changes:
        flag = changes["full_time"]
        parsed = flag if isinstance(flag, bool) else vocabulary.YES_NO.parse(str(flag))
        if not isinstance(parsed, bool):
            raise InvalidChange(f"full_time {flag!r}: {vocabulary.YES_NO.expected}")
        values["full_time"] = parsed
    for bound in ("start", "end"):
        if bound in changes:
            values[bound] = _date(changes[bound], bound)
    if values["start"] is not None and values["end"] is not None and values["end"] < values["start"]:
        raise InvalidChange(f"end {values['end']} is before start {values['start']}")
    if "person" in changes:
        person = _person_row(session, key_region_id, str(changes["person"]), None)
        values["scope"], values["person_id"], values["person_public_id"] = person.scope, person.person_id, _public(person)
    _refuse_unstorable(models.Appointment, values)
    return values


def _fields(row: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


_MULTILINE = {(models.ApiKey, "note")}  # the one text that may hold tabs and line breaks


def _refuse_unstorable(model: Any, values: Mapping[str, Any]) -> None:
    """One row's text as every database would hold it: no control, bidi or zero-width
    characters (`orgmodel.text_hygiene`), none longer than its column's cap (`models.text_caps`)."""
    caps = models.text_caps(model)
    problems = []
    for name, value in values.items():
        if not isinstance(value, str) or name not in caps:
            continue
        bad = bad_characters(value, multiline=(model, name) in _MULTILINE)
        if bad:
            problems.append(f"{name} holds {', '.join(describe(ch) for ch in bad)}, which may not be stored")
        if len(value) > caps[name]:
            problems.append(f"{name} has {len(value)} characters, more than the {caps[name]} it may have")
    if problems:
        raise InvalidChange("; ".join(problems))


def _supersede_version(session: Session, model: Any, identity: ColumnElement[bool], kind: str, object_id: str,
                       expected_version: int, current_version: int, now: dt.datetime) -> None:
    """The optimistic check: only the writer whose expected version is still current marks it superseded."""
    if expected_version != current_version:
        raise StaleVersion(kind, object_id, expected_version, current_version)
    result = session.execute(update(model).where(identity, model.version == expected_version, model.superseded_at.is_(None))
                             .values(superseded_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersion(kind, object_id, expected_version, None)


def update_appointment(session: Session, key_region_id: str, appointment_id: str, changes: Mapping[str, Any],
                       expected_version: int, actor: str) -> AppointmentPublic:
    """A correction or a change of post: a new version; the old one stays in the history."""

    def work() -> AppointmentPublic:
        a = models.Appointment
        row = _appointment_row(session, key_region_id, appointment_id)
        before = _fields(row, _APPOINTMENT_FIELDS)
        after = _appointment_values(session, key_region_id, before, changes)
        now = _now()
        _supersede_version(session, a, a.appointment_id == appointment_id, "appointment", appointment_id,
                           expected_version, row.version, now)
        session.execute(insert(a).values(**after, version=expected_version + 1, recorded_at=now, recorded_by=actor))
        _audit(session, now, actor, "update", "appointment", appointment_id, row.region_id,
               {**before, "version": expected_version}, {**after, "version": expected_version + 1})
        return _appointment_view(session.scalars(select(a).where(a.appointment_id == appointment_id, _current(a))).one())

    return _in_transaction(session, work)


def vacate_appointment(session: Session, key_region_id: str, appointment_id: str, end: dt.date, expected_version: int,
                       actor: str) -> AppointmentPublic:
    """The holder left the post on `end`: the appointment keeps its history and stops being in force after that day."""
    return update_appointment(session, key_region_id, appointment_id, {"end": end}, expected_version, actor)


def retract_appointment(session: Session, key_region_id: str, appointment_id: str, expected_version: int,
                        actor: str) -> None:
    """An appointment entered in error: its versions stay in the history, none is current any more."""

    def work() -> None:
        a = models.Appointment
        row = _appointment_row(session, key_region_id, appointment_id)
        now = _now()
        _supersede_version(session, a, a.appointment_id == appointment_id, "appointment", appointment_id,
                           expected_version, row.version, now)
        _audit(session, now, actor, "retract", "appointment", appointment_id, row.region_id,
               {**_fields(row, _APPOINTMENT_FIELDS), "version": row.version}, None)

    _in_transaction(session, work)


def add_appointment(session: Session, key_region_id: str, community_id: str, fields: Mapping[str, Any],
                    actor: str) -> AppointmentPublic:
    """A new post holder in a community (document field names: person, unit, role, full_time, start, end)."""

    def work() -> AppointmentPublic:
        community = get_community(session, key_region_id, community_id)
        missing = {"person", "unit", "role"} - set(fields)
        if missing:
            raise InvalidChange(f"missing {', '.join(sorted(missing))}")
        base = {"appointment_id": str(uuid.uuid4()), "community_id": community.id, "region_id": community.region,
                "scope": None, "person_id": None, "person_public_id": None, "unit": None, "role": None, "label": None,
                "full_time": False, "start": None, "end": None}
        values = _appointment_values(session, key_region_id, base, fields)
        now = _now()
        session.execute(insert(models.Appointment).values(**values, version=1, recorded_at=now, recorded_by=actor))
        _audit(session, now, actor, "create", "appointment", values["appointment_id"], community.region, None,
               {**values, "version": 1})
        return get_appointment(session, key_region_id, values["appointment_id"])

    return _in_transaction(session, work)


_COMMUNITY_EDITABLE = {"name": None, "kind": vocabulary.KIND.parse, "households": cells.parse_amount,
                       "population": cells.parse_amount, "pilot": vocabulary.YES_NO.parse,
                       "office_activity_yuan": cells.parse_amount}


def update_community(session: Session, key_region_id: str, community_id: str, changes: Mapping[str, Any],
                     expected_version: int, actor: str) -> CommunityPublic:
    """A correction of a community's attributes: a new version of the community."""
    unknown = set(changes) - set(_COMMUNITY_EDITABLE)
    if unknown:
        raise InvalidChange(f"cannot change {', '.join(sorted(unknown))}; changeable: {', '.join(_COMMUNITY_EDITABLE)}")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        parse = _COMMUNITY_EDITABLE[name]
        parsed = value if parse is None or value is None or isinstance(value, bool) else parse(str(value))
        if parsed is None and (value is not None or name in ("kind", "pilot")):
            raise InvalidChange(f"{name} {value!r} cannot be read")
        values[name] = str(parsed) if name == "kind" else parsed

    def work() -> CommunityPublic:
        c = models.Community
        row = session.scalars(select(c).where(c.id == community_id, _current(c),
                                              c.region_id.in_(_subtree(key_region_id)))).first()
        if row is None:
            raise NotFound("community", community_id)
        before = _fields(row, _COMMUNITY_FIELDS)
        after = {**before, **values}
        _refuse_unstorable(c, after)
        now = _now()
        _supersede_version(session, c, c.id == community_id, "community", community_id, expected_version, row.version, now)
        session.execute(insert(c).values(**after, version=expected_version + 1, recorded_at=now, recorded_by=actor))
        _audit(session, now, actor, "update", "community", community_id, row.region_id,
               {**before, "version": expected_version}, {**after, "version": expected_version + 1})
        return get_community(session, key_region_id, community_id)

    return _in_transaction(session, work)


_PERSON_FIELDS = ("name", "education", "police_officer", "political_legal_officer", "monthly_pay_yuan", "gender",
                  "previous_monthly_pay_yuan")


def update_person(session: Session, key_region_id: str, person_id: str, changes: Mapping[str, Any],
                  expected_version: int, actor: str, *, scope: str | None = None) -> PersonPublic:
    """A correction of a person's attributes: a new version of the person."""
    unknown = set(changes) - set(_PERSON_FIELDS)
    if unknown:
        raise InvalidChange(f"cannot change {', '.join(sorted(unknown))}; changeable: {', '.join(_PERSON_FIELDS)}")

    def work() -> PersonPublic:
        p = models.Person
        row = _person_row(session, key_region_id, person_id, scope)
        if row.scope not in visible_region_ids(session, key_region_id):
            raise NotYours(f"person {person_id} is kept by the roster of region {row.scope}, above this key's region; "
                           "a key of that region may change them")
        before = _fields(row, ("scope", "person_id", "public_id", "home_community", *_PERSON_FIELDS))
        after = {**before, **_person_changes(changes)}
        _refuse_unstorable(p, after)
        now = _now()
        _supersede_version(session, p, and_(p.scope == row.scope, p.person_id == row.person_id), "person", person_id,
                           expected_version, row.version, now)
        session.execute(insert(p).values(**after, version=expected_version + 1, recorded_at=now, recorded_by=actor))
        _audit(session, now, actor, "update", "person", _public(row), row.scope, {**before, "version": expected_version},
               {**after, "version": expected_version + 1})
        return get_person(session, key_region_id, _public(row), row.scope)

    return _in_transaction(session, work)


def _person_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None or name == "name":
            out[name] = value
            continue
        text = str(value)
        if name in ("police_officer", "political_legal_officer"):
            parsed: object = value if isinstance(value, bool) else vocabulary.YES_NO.parse(text)
        elif name in ("monthly_pay_yuan", "previous_monthly_pay_yuan"):
            parsed = cells.parse_amount(text)
        elif name == "education":
            parsed = vocabulary.EDUCATION_VOCAB.parse(text)
        else:
            parsed = vocabulary.GENDER.parse(text)
        if parsed is None:
            raise InvalidChange(f"{name} {value!r} cannot be read")
        out[name] = parsed
    return out


# --- import -------------------------------------------------------------------------------

def as_roster(source: Roster | RosterDocument | Mapping[str, Any]) -> Roster:
    """A roster from a Roster, a validated document or a parsed one (raises RosterInputError)."""
    if isinstance(source, Roster):
        return source
    raw = from_model(source) if isinstance(source, RosterDocument) else read_document(dict(source), "request")
    roster, _ = normalize.load(raw)
    return roster


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String)).to_dicts()


def _place_regions(session: Session, region_id: str, regions: list[dict[str, Any]],
                   problems: list[str]) -> tuple[set[str], list[dict[str, Any]]]:
    """Which regions the roster may use (the target's subtree, grown by the roster's new regions
    below it) and which of the roster's regions to store. The roster's regions above the target
    are context, not stored; a region of another subtree is refused."""
    visible = visible_region_ids(session, region_id)
    stored_ids = set(session.scalars(select(models.Region.id).where(_current(models.Region))))
    parent_in_doc = {r["id"]: r["parent"] for r in regions}
    above, at = set(), parent_in_doc.get(region_id)
    while at is not None and at not in above:
        above.add(at)
        at = parent_in_doc.get(at)
    above |= set(_ancestors(session, region_id))
    accepted = set(visible)
    pending = [r for r in regions if r["id"] not in visible and r["id"] not in above]
    for r in pending:
        if r["id"] in stored_ids:
            problems.append(f"region {r['id']} is not inside region {region_id}")  # the words of an unknown one
    pending = [r for r in pending if r["id"] not in stored_ids]
    grew = True
    while grew:
        grew = False
        for r in pending:
            if r["id"] not in accepted and r["parent"] in accepted:
                accepted.add(r["id"])
                grew = True
    for r in pending:
        if r["id"] not in accepted:
            problems.append(f"region {r['id']} is not inside region {region_id}")
    for r in regions:
        if r["id"] in visible and r["id"] != region_id and r["parent"] is not None and r["parent"] not in accepted:
            problems.append(f"region {r['id']} cannot move out of region {region_id}")
    if not problems:
        _check_tree(session, region_id, [r for r in regions if r["id"] in accepted], problems)
    return accepted, [r for r in regions if r["id"] in accepted]


def _check_tree(session: Session, region_id: str, regions: list[dict[str, Any]], problems: list[str]) -> None:
    """After the roster's moves, every region below the target must still lead up to it (no cycle
    made of stored and new parents together)."""
    r = models.Region
    parent = dict(session.execute(select(r.id, r.parent_id).where(_current(r), r.id.in_(_subtree(region_id))))
                  .tuples().all())
    parent.update({x["id"]: x["parent"] for x in regions if x["id"] != region_id and x["parent"] is not None})
    parent.pop(region_id, None)
    for start in parent:
        seen, at = {start}, start
        while at != region_id:
            at = parent.get(at)  # type: ignore[assignment]
            if at is None or at in seen:
                problems.append(f"region {start} would no longer lie inside region {region_id} (a cycle)")
                break
            seen.add(at)


def _store_regions(session: Session, region_id: str, regions: list[dict[str, Any]], now: dt.datetime, actor: str) -> None:
    reg = models.Region
    current = {row.id: row for row in session.scalars(
        select(reg).where(_current(reg), reg.id.in_([r["id"] for r in regions])))} if regions else {}
    rows = []
    for r in regions:
        old = current.get(r["id"])
        values = {"id": r["id"], "name": r["name"], "level": r["level"], "min_wage_monthly_yuan": r["min_wage_monthly_yuan"],
                  "parent_id": old.parent_id if old is not None and (r["id"] == region_id or r["parent"] is None)
                  else r["parent"]}
        if old is not None and _fields(old, _REGION_FIELDS) == values:
            continue
        if old is not None:
            session.execute(update(reg).where(reg.key == old.key).values(superseded_at=now)
                            .execution_options(synchronize_session=False))
        rows.append({**values, "version": 1 if old is None else old.version + 1, "recorded_at": now, "recorded_by": actor})
    if rows:
        _insert_many(session, reg, rows)


def _supersede_where(session: Session, model: Any, column: Any, ids: Iterable[Any], now: dt.datetime) -> None:
    """Mark the current rows whose `column` is in `ids` superseded. Given row keys (`model.key`),
    every one must still be current: one that another writer superseded since it was read means
    this change was computed from a state that is gone (ConcurrentChange, and a rollback)."""
    for batch in _chunks(ids):
        result = session.execute(update(model).where(column.in_(batch), model.superseded_at.is_(None))
                                 .values(superseded_at=now).execution_options(synchronize_session=False))
        if column is model.key and result.rowcount != len(batch):  # type: ignore[attr-defined]
            raise ConcurrentChange(f"{model.__tablename__}: {len(batch) - result.rowcount} row(s) "  # type: ignore[attr-defined]
                                   "changed by another writer during this import; send it again")


def _insert_many(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Many rows in few round trips (Core executemany: no ORM bookkeeping for a province's rows)."""
    connection = session.connection()
    for batch in _chunks(rows, 10_000):
        connection.execute(model.__table__.insert(), batch)


def _current_rows(session: Session, model: Any, column: Any, ids: Iterable[Any]) -> list[Any]:
    rows: list[Any] = []
    for batch in _chunks(ids):
        rows.extend(session.execute(select(*model.__table__.c).where(column.in_(batch), _current(model))).mappings())
    return rows


_COMMUNITY_FIELDS = ("id", "region_id", "name", "kind", "households", "population", "pilot", "office_activity_yuan")
_COMMUNITY_RECORD = ("name", "kind", "households", "population", "office_activity_yuan")  # as the roster has them
_KEPT_FIELDS = ("full_time", "end")  # an appointment whose only differences are these is a new version of the same one


def import_roster(session: Session, region_id: str, source: Roster | RosterDocument | Mapping[str, Any],
                  actor: str, *, id_secret: str | None = None) -> ImportSummary:
    """Store a roster in a region — all or nothing, in one transaction.

    Each community of the roster replaces that community's current state: the same
    appointment (same person, post and start) keeps its id and, if its end or full-time flag
    changed, gets a new version; an appointment no longer listed is retracted (kept in the
    history). Communities of the region that the roster does not list are left as they are.
    People belong to the region the roster is imported into; a new person's public id is made
    with `id_secret` (ORGMODEL_ID_SECRET), or with the registry's own secret when it is None.
    """
    roster = as_roster(source)
    unstorable = unstorable_text(roster) + groups.unstorable_text(roster)
    if unstorable:
        raise RosterInputError(unstorable)

    def work() -> ImportSummary:
        _lock_subtree(session, region_id)  # identical imports at once: one after the other, never both
        if _region_row(session, region_id) is None:
            raise NotFound("region", region_id)
        problems: list[str] = []
        accepted, regions = _place_regions(session, region_id, _records(roster.regions), problems)
        communities = _records(roster.communities)
        for c in communities:
            c["region"] = c["region"] or region_id
            if c["region"] not in accepted:
                problems.append(f"community {c['id']}: region {c['region']} is not inside region {region_id}")
        existing = {row["id"]: row for row in _current_rows(session, models.Community, models.Community.id,
                                                           [c["id"] for c in communities])}
        visible = visible_region_ids(session, region_id)
        problems += [f"community {cid}: its id is taken outside region {region_id}" for cid, row in existing.items()
                     if row["region_id"] not in visible]
        if problems:
            raise ImportRejected(problems)
        now = _now()
        stamp = {"recorded_at": now, "recorded_by": actor}
        _store_regions(session, region_id, regions, now, actor)
        _store_communities(session, communities, existing, stamp)
        region_of = {c["id"]: c["region"] for c in communities}
        existing_people = _stored_people(session, region_id)
        stored = _known_by_public_id(roster, existing_people)
        people_added, people_changed, public_of = _store_people(
            session, region_id, stored, existing_people, person_id_secret(session, id_secret), stamp)
        counts = _store_appointments(session, region_id, stored, region_of, public_of, stamp)
        _store_parts(session, stored, region_of, stamp)
        groups.store_imported(session, stored, [r["id"] for r in regions], region_of, stamp)
        summary = ImportSummary(region=region_id, communities=len(communities), people_added=people_added,
                                people_changed=people_changed, **counts)
        _audit(session, now, actor, "import", "roster", region_id, region_id, None,
               {**summary.model_dump(), "community_ids": sorted(region_of)})
        return summary

    return _in_transaction(session, work)


# Where each text column of a roster is stored: its table's model and the model's column.
STORED_TEXT: dict[str, tuple[Any, dict[str, str]]] = {
    "regions": (models.Region, {"id": "id", "name": "name", "level": "level", "parent": "parent_id"}),
    "communities": (models.Community, {"id": "id", "name": "name", "region": "region_id", "kind": "kind"}),
    "people": (models.Person, {"person": "person_id", "name": "name", "education": "education", "gender": "gender"}),
    "appointments": (models.Appointment, {"community": "community_id", "person": "person_id", "unit": "unit",
                                          "role": "role", "label": "label"}),
    "units": (models.Unit, {"community": "community_id", "unit": "unit", "name": "name"}),
    "relations": (models.Relation, {"community": "community_id", **{c: c for c in (
        "from_unit", "from_government", "to_unit", "to_government", "type")}}),
    "tasks": (models.Task, {"community": "community_id", "id": "task_id", **{c: c for c in (
        "name", "assigned_by", "category", "category_text", "authorization", "purchase_contract")}}),
}
# Anything a text could hold that `bad_characters` refuses, for the Rust regex engine under polars;
# the values it finds are then judged by `bad_characters` itself.
_SUSPECT = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]"


def unstorable_text(roster: Roster) -> list[InputError]:
    """Text the registry does not store, found in columns: a control, bidi or zero-width character
    (a NUL too, which PostgreSQL would refuse and SQLite keep), or more characters than the column
    holds (PostgreSQL would refuse it, SQLite keep it) — refused alike on every database."""
    errors = []
    for table, (model, columns) in STORED_TEXT.items():
        frame: pl.DataFrame = getattr(roster, table)
        caps = models.text_caps(model)
        for column, stored_as in columns.items():
            if isinstance(frame.schema[column], pl.Enum) or (table, column) in _VOCABULARY_CODES:
                continue  # codes the normaliser wrote, never the roster's text
            suspect = pl.col(column).str.contains(_SUSPECT) | (pl.col(column).str.len_chars() > caps[stored_as])
            found = frame.filter(suspect)
            if found.is_empty():
                continue
            if table == "people":  # a person's community: where they are first appointed
                homes = roster.appointments.select("person", pl.col("community").alias("_community"))
                found = found.join(homes.unique("person", keep="first"), on="person", how="left")
            else:
                found = found.with_columns(pl.col("id" if table == "communities" else "community").alias("_community")
                                           if table != "regions" else pl.lit(None, pl.String).alias("_community"))
            for value, community in found.select(column, "_community").unique(column, keep="first",
                                                                               maintain_order=True).iter_rows():
                errors += _text_errors(f"{table}.{column}", value, caps[stored_as], community)
    return errors


_VOCABULARY_CODES = {("people", "education"), ("people", "gender")}  # String columns that only hold codes


def _text_errors(column: str, value: str, cap: int, community: str | None) -> list[InputError]:
    bad = bad_characters(value)
    return ([hygiene.invalid_text(bad, column=column, community_id=community)] if bad else []) + \
        ([hygiene.text_too_long(len(value), cap, column=column, community_id=community)] if len(value) > cap else [])


def _store_versions(session: Session, model: Any, versions: Iterable[tuple[Mapping[str, Any] | None, dict[str, Any]]],
                    stamp: dict[str, Any]) -> tuple[int, int]:
    """Each record (its stored row or None, its values now) as its next version: an unchanged one
    is left, a changed one superseded and stored again as version + 1, a new one stored as
    version 1. Returns how many were new and how many changed."""
    rows, changed = [], []
    for old, values in versions:
        if old is not None and {f: old[f] for f in values} == values:
            continue
        if old is not None:
            changed.append(old["key"])
        rows.append({**values, "version": 1 if old is None else old["version"] + 1, **stamp})
    _supersede_where(session, model, model.key, changed, stamp["recorded_at"])
    if rows:
        _insert_many(session, model, rows)
    return len(rows) - len(changed), len(changed)


def _store_communities(session: Session, communities: list[dict[str, Any]], existing: dict[str, Any],
                       stamp: dict[str, Any]) -> None:
    versions = [(existing.get(record["id"]), {f: record[f] for f in _COMMUNITY_RECORD} | {
        "id": record["id"], "region_id": record["region"], "pilot": bool(record["pilot"])}) for record in communities]
    _store_versions(session, models.Community, versions, stamp)


def _store_people(session: Session, region_id: str, roster: Roster, existing: Mapping[str, Any], secret: bytes,
                  stamp: dict[str, Any]) -> tuple[int, int, dict[str, str]]:
    """The roster's people as the region's; also each one's public id (kept from the stored
    person, made for a new one)."""
    homes = dict(roster.appointments.select("person", "community").unique("person", keep="first", maintain_order=True)
                 .iter_rows())
    versions, public_of = [], {}
    for record in _records(roster.people):
        old = existing.get(record["person"])
        public = old["public_id"] if old is not None and old["public_id"] else identity.public_id(record["person"], secret)
        public_of[record["person"]] = public
        versions.append((old, {"scope": region_id, "person_id": record["person"], "public_id": public,
                               "home_community": homes.get(record["person"]), **{f: record[f] for f in _PERSON_FIELDS}}))
    added, changed = _store_versions(session, models.Person, versions, stamp)
    return added, changed, public_of


def _stored_people(session: Session, region_id: str) -> dict[str, Any]:
    """The region's own current people by person id (one query)."""
    p = models.Person
    return {row["person_id"]: row for row in session.execute(
        select(*p.__table__.c).where(p.scope == region_id, _current(p))).mappings()}


def _known_by_public_id(roster: Roster, existing: Mapping[str, Any]) -> Roster:
    """A roster read back from the registry names people by their public ids: each pseudonym of a
    stored person of the region is that person again (not a new one called `pid-…`)."""
    aliases = {row["public_id"]: person_id for person_id, row in existing.items()
               if row["public_id"] and row["public_id"] != person_id}
    if not aliases:
        return roster
    named = set(roster.people["person"].to_list())
    used = {alias: person_id for alias, person_id in aliases.items() if alias in named}
    if not used:
        return roster
    twice = sorted(alias for alias, person_id in used.items() if person_id in named)
    if twice:
        raise ImportRejected([f"person {alias} is listed twice: by this id and by the number it stands for"
                              for alias in twice])
    return dataclasses.replace(
        roster, people=roster.people.with_columns(pl.col("person").replace(used)),
        appointments=roster.appointments.with_columns(pl.col("person").replace(used)))


def _appointment_key(record: Mapping[str, Any]) -> tuple[Any, ...]:
    return (record["community_id"], record["scope"], record["person_id"], record["unit"], record["role"], record["label"],
            record["start"])


def _store_appointments(session: Session, region_id: str, roster: Roster, region_of: dict[str, str],
                        public_of: Mapping[str, str], stamp: dict[str, Any]) -> dict[str, int]:
    a = models.Appointment
    old_by_key: dict[tuple[Any, ...], list[Any]] = {}
    for row in _current_rows(session, a, a.community_id, list(region_of)):
        old_by_key.setdefault(_appointment_key(row), []).append(row)
    rows, superseded = [], []
    unchanged = changed = 0
    for record in roster.appointments.select("community", "person", "unit", "role", "label", "full_time", "start", "end",
                                             ).with_columns(pl.col(pl.Enum).cast(pl.String)).iter_rows(named=True):
        values = {"community_id": record["community"], "region_id": region_of[record["community"]], "scope": region_id,
                  "person_id": record["person"], "person_public_id": public_of.get(record["person"], record["person"]),
                  "unit": record["unit"], "role": record["role"], "label": record["label"],
                  "full_time": bool(record["full_time"]), "start": record["start"], "end": record["end"]}
        matches = old_by_key.get(_appointment_key(values))
        old = matches.pop(0) if matches else None
        if old is not None and all(old[f] == values[f] for f in _KEPT_FIELDS) and old["region_id"] == values["region_id"]:
            unchanged += 1
            continue
        if old is not None:
            superseded.append(old["key"])
            changed += 1
        rows.append({**values, "appointment_id": old["appointment_id"] if old is not None else str(uuid.uuid4()),
                     "version": 1 if old is None else old["version"] + 1, **stamp})
    retracted = [row["key"] for left in old_by_key.values() for row in left]
    _supersede_where(session, a, a.key, superseded + retracted, stamp["recorded_at"])
    _insert_many(session, a, rows)
    return {"appointments_added": len(rows) - changed, "appointments_changed": changed,
            "appointments_retracted": len(retracted), "appointments_unchanged": unchanged}


def _store_parts(session: Session, roster: Roster, region_of: dict[str, str], stamp: dict[str, Any]) -> None:
    """Units, relations and tasks have no identity of their own: each community's set is replaced."""
    parts: list[tuple[Any, pl.DataFrame, dict[str, str]]] = [
        (models.Unit, roster.units, {"unit": "unit", "name": "name"}),
        (models.Relation, roster.relations, {c: c for c in ("from_unit", "from_government", "to_unit", "to_government", "type")}),
        (models.Task, roster.tasks, {"id": "task_id", **{c: c for c in ("name", "assigned_by", "category", "category_text",
                                                                        "approved", "authorization", "funded",
                                                                        "purchase_contract")}}),
    ]
    for model, frame, columns in parts:
        _supersede_where(session, model, model.community_id, list(region_of), stamp["recorded_at"])
        rows = [{"community_id": r["community"], "region_id": region_of[r["community"]], "version": 1, **stamp,
                 **{target: r[source] for source, target in columns.items()}} for r in _records(frame)]
        _insert_many(session, model, rows)


# --- reading a region back as a roster document ----------------------------------------------

def _clean(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if value is None:
            continue
        out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    return out


def roster_as_of(session: Session, region_id: str, as_of: dt.date | None = None, *,
                 known_at: dt.datetime | None = None) -> RosterDocument:
    """The region's subtree as a roster document: the appointments in force on `as_of` (every
    appointment, with its dates, when None), as the registry knew them at `known_at` (now when
    None). The region's ancestors come along as context (a minimum wage set by the county
    applies to its streets); the topmost has no parent, so the document stands alone.

    A person id that two regions' rosters both use is written `id@scope` to keep them apart.
    """
    reg, c, p, a = models.Region, models.Community, models.Person, models.Appointment
    if _region_row(session, region_id) is None:
        raise NotFound("region", region_id)
    subtree = _subtree(region_id)
    ancestors = _ancestors(session, region_id)
    region_rows = list(session.execute(select(*reg.__table__.c).where(
        _current(reg, known_at), or_(reg.id.in_(subtree), reg.id.in_(ancestors))).order_by(reg.id)).mappings())
    top = ancestors[-1] if ancestors else region_id
    leadership = groups.groups_in_document(session, [r["id"] for r in region_rows], as_of, known_at)
    regions = [_clean({"id": r["id"], "name": r["name"], "level": r["level"],
                       "parent": None if r["id"] == top else r["parent_id"],
                       "min_wage_monthly_yuan": r["min_wage_monthly_yuan"], "leadership_group": leadership.get(r["id"])})
               for r in region_rows]
    community_rows = list(session.execute(select(*c.__table__.c).where(
        _current(c, known_at), c.region_id.in_(subtree)).order_by(c.id)).mappings())
    appointment_rows = list(session.execute(select(*a.__table__.c).where(
        _current(a, known_at), a.region_id.in_(subtree), _in_force(a, as_of))
        .order_by(a.community_id, a.unit, a.role, a.person_public_id, a.start, a.appointment_id)).mappings())
    community_ids = {row["id"] for row in community_rows}
    appointed = {(row["scope"], row["person_id"]) for row in appointment_rows}
    scopes = {scope for scope, _ in appointed} | set(visible_region_ids(session, region_id))
    people_rows = [row for batch in _chunks(sorted(scopes)) for row in session.execute(
        select(*p.__table__.c).where(_current(p, known_at), p.scope.in_(batch))).mappings()
        if (row["scope"], row["person_id"]) in appointed or row["home_community"] in community_ids]
    public_of = {(row["scope"], row["person_id"]): row["public_id"] or row["person_id"] for row in people_rows}
    public_of.update({(row["scope"], row["person_id"]): row["person_public_id"] or row["person_id"]
                      for row in appointment_rows if (row["scope"], row["person_id"]) not in public_of})
    people_rows.sort(key=lambda row: (public_of[(row["scope"], row["person_id"])], row["scope"]))
    scopes_of: dict[str, set[str]] = {}
    for (scope, _), public in public_of.items():
        scopes_of.setdefault(public, set()).add(scope)

    def shown(scope: str, person_id: str) -> str:
        """The person's public id (never the roster's number), `@scope` when two regions use it."""
        public = public_of[(scope, person_id)]
        return public if len(scopes_of[public]) <= 1 else f"{public}@{scope}"

    first_community: dict[tuple[str, str], str] = {}
    for row in appointment_rows:
        first_community.setdefault((row["scope"], row["person_id"]), row["community_id"])
    listed: dict[str, list[dict[str, Any]]] = {}
    for row in people_rows:
        ident = (row["scope"], row["person_id"])
        home = row["home_community"] if row["home_community"] in community_ids else first_community.get(ident)
        if home is None:
            continue
        masked = None if public_of[ident] == row["person_id"] else mask_text(row["person_id"])
        listed.setdefault(home, []).append(_clean({"id": shown(*ident), "masked_id": masked,
                                                   **{f: row[f] for f in _PERSON_FIELDS}}))
    appointments: dict[str, list[dict[str, Any]]] = {}
    for row in appointment_rows:
        role = row["label"] if row["role"] == vocabulary.OTHER_ROLE and row["label"] else row["role"]
        appointments.setdefault(row["community_id"], []).append(_clean({
            "person": shown(row["scope"], row["person_id"]), "unit": row["unit"], "role": role,
            "full_time": row["full_time"], "start": row["start"], "end": row["end"]}))
    units, relations, tasks = _parts(session, subtree, known_at)
    facilities = groups.facilities_in_document(session, subtree, as_of, known_at)  # absent: not recorded
    communities = []
    for row in community_rows:
        cid = row["id"]
        doc = _clean({"id": cid, "name": row["name"], "region": row["region_id"], "kind": row["kind"],
                      "households": row["households"], "population": row["population"], "pilot": row["pilot"]})
        if row["office_activity_yuan"] is not None:
            doc["budget"] = _clean({"office_activity_yuan": row["office_activity_yuan"]})
        doc.update(units=units.get(cid, []), people=listed.get(cid, []), appointments=appointments.get(cid, []),
                   relations=relations.get(cid, []), tasks=tasks.get(cid, []), facilities=facilities.get(cid))
        communities.append(doc)
    return RosterDocument.model_validate({"regions": regions, "communities": communities})


def checkable_roster(document: RosterDocument, source: str) -> Roster:
    """A stored document normalised for a check (report, chart, page).

    A region stored without a level (added before a level was required) would make the whole
    document an input error, so the report and chart of every region above it failed. It is
    left out instead: its communities and regions count under its nearest ancestor that has a
    level (a pilot count at its own level cannot be made), and a notice of the report names it
    and says how to mend it.
    """
    levelless = {r.id: r for r in document.regions if r.level is None}
    if not levelless:
        roster, _ = normalize.load(from_model(document, source))
        return roster
    parent = {r.id: r.parent for r in document.regions}

    def placed(region_id: str | None) -> str | None:
        seen: set[str] = set()
        while region_id in levelless and region_id not in seen:
            seen.add(region_id)
            region_id = parent.get(region_id)
        return None if region_id in levelless else region_id

    regions = [r.model_copy(update={"parent": placed(r.parent)}) for r in document.regions if r.id not in levelless]
    communities = [c.model_copy(update={"region": placed(c.region)}) if c.region in levelless else c
                   for c in document.communities]
    roster, _ = normalize.load(from_model(document.model_copy(update={"regions": regions, "communities": communities}),
                                          source))
    notices = []
    for index, region in enumerate(document.regions):
        if region.id not in levelless:
            continue
        named = f"{region.id}({region.name})" if region.name else region.id
        named_en = f"{region.id} ({region.name})" if region.name else region.id
        above = placed(region.parent)
        notices.append({
            "code": "region_without_level", "file": source, "path": f"regions[{index}].level", "column": "level",
            "value": region.id,
            "message_zh": f"区域 {named} 没有层级(省/市/区县/街道乡镇),本次检查不单列,其社区和下级区域计入"
                          f"{'上级 ' + above if above else '上一层'};请补填层级(PUT /v1/regions/{region.id}),"
                          f"空区域也可删除(DELETE /v1/regions/{region.id})",
            "message_en": f"region {named_en} has no level (province/city/county/street): this check leaves it out and "
                          f"counts its communities and regions under {'region ' + above if above else 'the level above'}; "
                          f"give it a level (PUT /v1/regions/{region.id}), or delete it if it is empty "
                          f"(DELETE /v1/regions/{region.id})"})
    extra = pl.DataFrame(notices, schema=SCHEMAS["notices"])
    return dataclasses.replace(roster, notices=pl.concat([roster.notices, extra], how="diagonal_relaxed"))


def _parts(session: Session, subtree: Select[tuple[str]], known_at: dt.datetime | None) -> tuple[dict[str, list[Any]], ...]:
    def grouped(model: Any, shape: Callable[[Any], dict[str, Any]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        query = select(*model.__table__.c).where(_current(model, known_at), model.region_id.in_(subtree)).order_by(model.key)
        for row in session.execute(query).mappings():
            out.setdefault(row["community_id"], []).append(shape(row))
        return out

    def end(unit: str | None, government: str | None) -> object:
        return {"government": government} if government is not None else unit

    units = grouped(models.Unit, lambda r: _clean({"kind": r["unit"], "name": r["name"]}))
    relations = grouped(models.Relation, lambda r: {"from": end(r["from_unit"], r["from_government"]),
                                                    "to": end(r["to_unit"], r["to_government"]), "type": r["type"]})
    tasks = grouped(models.Task, lambda r: _clean({
        "id": r["task_id"], "name": r["name"], "assigned_by": r["assigned_by"],
        "category": r["category"] or r["category_text"], "approved": r["approved"], "authorization": r["authorization"],
        "funded": r["funded"], "purchase_contract": r["purchase_contract"]}))
    return units, relations, tasks


# --- the person id secret ----------------------------------------------------------------

def person_id_secret(session: Session, configured: str | None = None) -> bytes:
    """The key of people's pseudonyms: ORGMODEL_ID_SECRET when set, else the registry's own (made
    by the migration, one per database, so every instance on it agrees)."""
    if configured:
        return configured.encode("utf-8")
    s = models.RegistrySetting
    value = session.scalar(select(s.value).where(s.name == models.PERSON_ID_SECRET))
    if value is None:
        raise RuntimeError("the registry has no person id secret; migrate it first (orgmodel serve does)")
    return value.encode("utf-8")


# --- the audit log ------------------------------------------------------------------------

def audit_log(session: Session, key_region_id: str, *, after_id: int = 0, limit: int = 100) -> list[AuditPublic]:
    """Committed changes in the region's subtree, oldest first; page with `after_id`."""
    e = models.AuditEntry
    rows = session.scalars(select(e).where(e.region_id.in_(_subtree(key_region_id)), e.id > after_id)
                           .order_by(e.id).limit(limit))
    return [AuditPublic(id=r.id, at=r.at, actor=r.actor, action=r.action, object_kind=r.object_kind, object_id=r.object_id,
                      region=r.region_id, before=r.before, after=r.after) for r in rows]


# --- API keys -----------------------------------------------------------------------------

def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _key_info(row: models.ApiKey) -> KeyPublic:
    role: Role = row.role  # type: ignore[assignment]
    return KeyPublic(id=row.id, prefix=row.prefix, region=row.region_id, role=role, created_at=row.created_at,
                   created_by=row.created_by)


def create_key(session: Session, region_id: str, role: Role, actor: str = "cli",
               note: str | None = None) -> tuple[str, KeyPublic]:
    """A new key for a region; the plaintext is returned here once and stored nowhere (only its SHA-256)."""
    if role not in ROLES:
        raise InvalidChange(f"role {role!r}: one of {', '.join(ROLES)}")

    def work() -> tuple[str, KeyPublic]:
        if _region_row(session, region_id) is None:
            raise NotFound("region", region_id)
        _refuse_unstorable(models.ApiKey, {"note": note, "created_by": actor})
        plaintext = KEY_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
        now = _now()
        row = models.ApiKey(key_hash=_hash(plaintext), prefix=plaintext[:len(KEY_PREFIX) + 6], region_id=region_id,
                            role=role, created_at=now, created_by=actor, note=note)
        session.add(row)
        session.flush()
        _audit(session, now, actor, "create", "api_key", str(row.id), region_id, None,
               {"prefix": row.prefix, "role": role, "region": region_id})
        return plaintext, _key_info(row)

    return _in_transaction(session, work)


def lookup_key(session: Session, plaintext: str) -> KeyPublic | None:
    """The key's region and role, or None for an unknown or revoked key."""
    k = models.ApiKey
    row = session.scalars(select(k).where(k.key_hash == _hash(plaintext), k.revoked_at.is_(None))).first()
    return None if row is None else _key_info(row)


def list_keys(session: Session, key_region_id: str) -> list[KeyPublic]:
    """The live keys of the region's subtree (their prefixes, never their text)."""
    k = models.ApiKey
    rows = session.scalars(select(k).where(k.revoked_at.is_(None), k.region_id.in_(_subtree(key_region_id))).order_by(k.id))
    return [_key_info(row) for row in rows]


def revoke_key(session: Session, key_region_id: str, key_id: int, actor: str) -> None:
    def work() -> None:
        k = models.ApiKey
        row = session.scalars(select(k).where(k.id == key_id, k.revoked_at.is_(None),
                                              k.region_id.in_(_subtree(key_region_id)))).first()
        if row is None:
            raise NotFound("api_key", str(key_id))
        now = _now()
        row.revoked_at = now
        _audit(session, now, actor, "revoke", "api_key", str(key_id), row.region_id, {"prefix": row.prefix}, None)

    _in_transaction(session, work)


def count_rows(session: Session) -> dict[str, int]:
    """Rows per table (tests and health checks)."""
    return {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in models.Base.metadata.sorted_tables}


# --- the totals of the lists (the API's pages say how many there are in all) -------------------

def count_communities(session: Session, key_region_id: str, *, region_id: str | None = None) -> int:
    """How many communities `list_communities` lists over all its pages."""
    c = models.Community
    query = select(func.count()).select_from(c).where(_current(c), c.region_id.in_(_subtree(key_region_id)))
    if region_id is not None:
        query = query.where(c.region_id.in_(_subtree(region_id, "within")))
    return int(session.execute(query).scalar_one())


def count_people(session: Session, key_region_id: str, *, as_of: dt.date | None = None) -> int:
    """How many people `list_people` lists over all its pages."""
    p, a = models.Person, models.Appointment
    query = select(func.count()).select_from(p).where(_current(p), _visible_people(key_region_id))
    if as_of is not None:
        query = query.where(select(literal(1)).where(
            a.scope == p.scope, a.person_id == p.person_id, _current(a),
            a.region_id.in_(_subtree(key_region_id, "posted_in")), _in_force(a, as_of)).exists())
    return int(session.execute(query).scalar_one())


def count_appointments(session: Session, key_region_id: str, *, community_id: str | None = None,
                       as_of: dt.date | None = None) -> int:
    """How many appointments `list_appointments` lists over all its pages."""
    a = models.Appointment
    query = select(func.count()).select_from(a).where(_current(a), a.region_id.in_(_subtree(key_region_id)),
                                                      _in_force(a, as_of))
    if community_id is not None:
        query = query.where(a.community_id == community_id)
    return int(session.execute(query).scalar_one())


def count_audit(session: Session, key_region_id: str, *, after_id: int = 0) -> int:
    """How many entries `audit_log` has after `after_id`."""
    e = models.AuditEntry
    query = select(func.count()).select_from(e).where(e.region_id.in_(_subtree(key_region_id)), e.id > after_id)
    return int(session.execute(query).scalar_one())


from api.registry import groups  # noqa: E402  (it uses the helpers above)
