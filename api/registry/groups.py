"""A region's leadership group (领导小组, §三(一)) and a community's facilities (五室三站两栏一校一场所)
in the registry: stored by an import, given back in the stored roster, read and replaced whole.

Both are sets without identities of their own, so each is replaced as a whole, like a
community's units: the old rows are superseded (transaction time), the new ones inserted. A
member's and a facility's `start`/`end` are valid time, so the roster as of a day holds the
members who sat in the group and the facilities that existed that day.

A group's (`LeadershipGroup`) and a facility list's (`FacilityList`) version is the ETag of
the whole. A community without a current `FacilityList` row has no facilities recorded ("not
recorded": FC1 says nothing), one with an empty list has none ("none").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Select, and_, insert, or_, select, true
from sqlalchemy.orm import Session

from api.registry import models
from api.registry import repository as repo
from api.schemas.facilities import FacilitiesPublic, FacilityPublic
from api.schemas.leadership import LeadershipGroupPublic, LeadershipMemberPublic
from orgmodel import vocabulary
from orgmodel.errors import InputError
from orgmodel.roster import Roster

MEMBER_FIELDS = ("name", "role", "office", "office_title", "start", "end")
FACILITY_FIELDS = ("name", "category", "area_m2", "start", "end")


def _in_force(model: Any, as_of: dt.date | None) -> Any:
    if as_of is None:
        return true()
    return and_(or_(model.start.is_(None), model.start <= as_of), or_(model.end.is_(None), model.end >= as_of))


# --- values: what a member or a facility may hold ----------------------------------------------

def member_values(member: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A member as stored: the role a code (组长 → leader), the office read from the title when absent."""
    role = vocabulary.LEADERSHIP_ROLE.parse(str(member.get("role") or ""))
    if role is None:
        raise repo.InvalidChange(f"{where}: role {member.get('role')!r} is not one of {vocabulary.LEADERSHIP_ROLE.expected}")
    office, title = member.get("office"), member.get("office_title")
    parsed_office = vocabulary.parse_office(str(office or title)) if (office or title) else None
    values = {"name": member.get("name"), "role": str(role), "office": parsed_office, "office_title": title,
              "start": member.get("start"), "end": member.get("end")}
    _check_dates(values, where)
    return values


def facility_values(facility: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A facility as stored: its category a code, read from the end of its name when absent."""
    name = str(facility.get("name") or "").strip()
    if not name:
        raise repo.InvalidChange(f"{where}: a facility needs its name")
    given = facility.get("category")
    category = vocabulary.FACILITY_CATEGORY.parse(str(given)) if given else vocabulary.facility_category(name)
    if given and category is None:
        raise repo.InvalidChange(f"{where}: category {given!r} is not one of {vocabulary.FACILITY_CATEGORY.expected}")
    area = facility.get("area_m2")
    if area is not None and area < 0:
        raise repo.InvalidChange(f"{where}: area_m2 {area} is negative")
    values = {"name": name, "category": None if category is None else str(category), "area_m2": area,
              "start": facility.get("start"), "end": facility.get("end")}
    _check_dates(values, where)
    return values


def _plain(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as the audit log's JSON holds them (dates as ISO text)."""
    return [{f: row[f].isoformat() if isinstance(row[f], dt.date) else row[f] for f in fields} for row in rows]


def _check_dates(values: Mapping[str, Any], where: str) -> None:
    if values["start"] is not None and values["end"] is not None and values["start"] > values["end"]:
        raise repo.InvalidChange(f"{where}: end {values['end']} is before start {values['start']}")


_IMPORTED_TEXT = {"leadership": (models.LeadershipMember, ("group_name", "name", "office_title")),
                  "facilities": (models.Facility, ("name",))}


def unstorable_text(roster: Roster) -> list[InputError]:
    """The group's and the facilities' text the registry would not store (as `repository.unstorable_text`)."""
    errors = []
    for table, (model, columns) in _IMPORTED_TEXT.items():
        frame: pl.DataFrame = getattr(roster, table)
        caps = models.text_caps(model) | {"group_name": models.NAME}
        for column in columns:
            for row in frame.select(column, *(["community"] if "community" in frame.columns else [])).iter_rows():
                if isinstance(row[0], str):
                    errors += repo._text_errors(f"{table}.{column}", row[0], caps[column],
                                                row[1] if len(row) > 1 else None)
    return errors


# --- import --------------------------------------------------------------------------------------

def store_imported(session: Session, roster: Roster, region_ids: Iterable[str], region_of: Mapping[str, str],
                   stamp: dict[str, Any]) -> None:
    """The roster's groups and facilities, in the import's transaction. Each region the roster
    stores gets the roster's group (none when the roster gives it none); each community gets the
    roster's facility list when the roster records facilities, and "not recorded" when it does not."""
    groups: dict[str, tuple[str | None, list[dict[str, Any]]]] = {}
    for row in roster.leadership.iter_rows(named=True):
        _, members = groups.setdefault(row["region"], (row["group_name"], []))
        members.append({f: row.get(f) for f in MEMBER_FIELDS})
    for region_id in region_ids:
        group = groups.get(region_id)
        _replace_group(session, region_id, group, stamp)
    facilities: dict[str, list[dict[str, Any]]] = {}
    for row in roster.facilities.iter_rows(named=True):
        facilities.setdefault(row["community"], []).append({f: row.get(f) for f in FACILITY_FIELDS})
    _store_facilities(session, {c: (r, facilities.get(c, []) if roster.has_facilities else None)
                                for c, r in region_of.items()}, stamp)


def _store_facilities(session: Session, wanted: Mapping[str, tuple[str, list[dict[str, Any]] | None]],
                      stamp: dict[str, Any]) -> None:
    """Every imported community's facility list replaced where it changed, in a few batched round
    trips (a province imports tens of thousands of communities), as `_replace_facilities` does one."""
    fl, f = models.FacilityList, models.Facility
    ids = list(wanted)
    old_lists = {row["community_id"]: row for row in repo._current_rows(session, fl, fl.community_id, ids)}
    old_rows: dict[str, list[Any]] = {}
    for row in repo._current_rows(session, f, f.community_id, ids):
        old_rows.setdefault(row["community_id"], []).append(row)
    changed = [(c, region_id, listed, old_lists.get(c)) for c, (region_id, listed) in wanted.items()
               if not _same_facilities(old_lists.get(c), old_rows.get(c, []), listed, region_id)]
    now = stamp["recorded_at"]
    repo._supersede_where(session, fl, fl.community_id, [c for c, *_ in changed], now)
    repo._supersede_where(session, f, f.community_id, [c for c, *_ in changed], now)
    versions = {c: 1 if old is None else int(old["version"]) + 1 for c, _, listed, old in changed if listed is not None}
    repo._insert_many(session, fl, [{"community_id": c, "region_id": region_id, "version": versions[c], **stamp}
                                    for c, region_id, listed, _ in changed if listed is not None])
    repo._insert_many(session, f, [{"community_id": c, "region_id": region_id, **facility, "version": versions[c], **stamp}
                                   for c, region_id, listed, _ in changed for facility in listed or []])


def _same_facilities(old: Any, old_rows: list[Any], listed: list[dict[str, Any]] | None, region_id: str) -> bool:
    """The stored list (None: not recorded) is already the one to store."""
    if old is None or listed is None:
        return old is None and listed is None
    return bool(old["region_id"] == region_id
                and sorted(map(_facility_key, old_rows)) == sorted(map(_facility_key, listed)))


def _member_key(member: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(str(member.get(f)) for f in MEMBER_FIELDS)


def _facility_key(facility: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(str(facility.get(f)) for f in FACILITY_FIELDS)


def _current_group(session: Session, region_id: str) -> tuple[Any, list[Any]]:
    g, m = models.LeadershipGroup, models.LeadershipMember
    group = session.execute(select(*g.__table__.c).where(g.region_id == region_id, repo._current(g))).mappings().first()
    members = list(session.execute(select(*m.__table__.c).where(m.region_id == region_id, repo._current(m))
                                   .order_by(m.key)).mappings())
    return group, members


def _claim_version(session: Session, table: Any, where: Any, kind: str, key: str, old: Any, expected_version: int,
                   now: dt.datetime) -> None:
    """An edit goes on only if `expected_version` is still current (0: none stored): the stored
    version is superseded under that condition, so of two writers of one version one wins."""
    if old is None:
        if expected_version != 0:
            raise repo.StaleVersion(kind, key, expected_version, None)
        return
    repo._supersede_version(session, table, where, kind, key, expected_version, int(old["version"]), now)


def _replace_group(session: Session, region_id: str, group: tuple[str | None, list[dict[str, Any]]] | None,
                   stamp: dict[str, Any], expected_version: int | None = None) -> int:
    """The region's group replaced (or removed when `group` is None); its new version (0: none)."""
    g, m = models.LeadershipGroup, models.LeadershipMember
    old, old_members = _current_group(session, region_id)
    if expected_version is not None:  # an edit: only the writer whose version is still current goes on
        _claim_version(session, g, g.region_id == region_id, "leadership group", region_id, old, expected_version,
                       stamp["recorded_at"])
    else:
        same = (old is None and group is None) or (
            old is not None and group is not None and old["name"] == group[0]
            and sorted(map(_member_key, old_members)) == sorted(map(_member_key, group[1])))
        if same:
            return 0 if old is None else int(old["version"])
    now = stamp["recorded_at"]
    repo._supersede_where(session, g, g.region_id, [region_id], now)
    repo._supersede_where(session, m, m.region_id, [region_id], now)
    if group is None:
        return 0
    version = 1 if old is None else int(old["version"]) + 1
    session.execute(insert(g).values(region_id=region_id, name=group[0], version=version, **stamp))
    repo._insert_many(session, m, [{"region_id": region_id, **member, "version": version, **stamp} for member in group[1]])
    return version


def _current_facilities(session: Session, community_id: str) -> tuple[Any, list[Any]]:
    fl, f = models.FacilityList, models.Facility
    listed = session.execute(select(*fl.__table__.c).where(fl.community_id == community_id, repo._current(fl))
                             ).mappings().first()
    rows = list(session.execute(select(*f.__table__.c).where(f.community_id == community_id, repo._current(f))
                                .order_by(f.key)).mappings())
    return listed, rows


def _replace_facilities(session: Session, community_id: str, region_id: str, facilities: list[dict[str, Any]] | None,
                        stamp: dict[str, Any], expected_version: int | None = None) -> int:
    """The community's facility list replaced (None: not recorded); its new version (0: not recorded)."""
    fl, f = models.FacilityList, models.Facility
    old, old_rows = _current_facilities(session, community_id)
    if expected_version is not None:
        _claim_version(session, fl, fl.community_id == community_id, "facilities", community_id, old, expected_version,
                       stamp["recorded_at"])
    elif _same_facilities(old, old_rows, facilities, region_id):
        return 0 if old is None else int(old["version"])
    now = stamp["recorded_at"]
    repo._supersede_where(session, fl, fl.community_id, [community_id], now)
    repo._supersede_where(session, f, f.community_id, [community_id], now)
    if facilities is None:
        return 0
    version = 1 if old is None else int(old["version"]) + 1
    session.execute(insert(fl).values(community_id=community_id, region_id=region_id, version=version, **stamp))
    repo._insert_many(session, f, [{"community_id": community_id, "region_id": region_id, **facility, "version": version,
                                    **stamp} for facility in facilities])
    return version


# --- the stored roster ---------------------------------------------------------------------------

def groups_in_document(session: Session, region_ids: Sequence[str], as_of: dt.date | None,
                       known_at: dt.datetime | None) -> dict[str, dict[str, Any]]:
    """region id → its `leadership_group` (formats.md §1) with the members sitting on `as_of`."""
    g, m = models.LeadershipGroup, models.LeadershipMember
    out: dict[str, dict[str, Any]] = {}
    for batch in repo._chunks(region_ids):
        for row in session.execute(select(g.region_id, g.name).where(repo._current(g, known_at), g.region_id.in_(batch))):
            out[row.region_id] = repo._clean({"name": row.name}) | {"members": []}
        for member in session.execute(select(*m.__table__.c).where(
                repo._current(m, known_at), m.region_id.in_(batch), _in_force(m, as_of)).order_by(m.key)).mappings():
            if member["region_id"] in out:
                out[member["region_id"]]["members"].append(repo._clean(
                    {f: member[f] for f in ("name", "role", "office", "office_title")}))
    return out


def facilities_in_document(session: Session, subtree: Select[tuple[str]], as_of: dt.date | None,
                           known_at: dt.datetime | None) -> dict[str, list[dict[str, Any]]]:
    """community id → its `facilities` existing on `as_of`, for the communities that record them."""
    fl, f = models.FacilityList, models.Facility
    out: dict[str, list[dict[str, Any]]] = {row.community_id: [] for row in session.execute(
        select(fl.community_id).where(repo._current(fl, known_at), fl.region_id.in_(subtree)))}
    for row in session.execute(select(*f.__table__.c).where(
            repo._current(f, known_at), f.region_id.in_(subtree), _in_force(f, as_of)).order_by(f.key)).mappings():
        if row["community_id"] in out:
            out[row["community_id"]].append(repo._clean({k: row[k] for k in ("name", "category", "area_m2")}))
    return out


# --- reading and replacing one group or list -------------------------------------------------------

def _group_view(region_id: str, group: Any, members: list[Any]) -> LeadershipGroupPublic:
    return LeadershipGroupPublic(
        region=region_id, recorded=group is not None, name=None if group is None else group["name"],
        members=[LeadershipMemberPublic(**{f: row[f] for f in MEMBER_FIELDS}) for row in members],
        version=0 if group is None else group["version"],
        recorded_at=None if group is None else group["recorded_at"],
        recorded_by=None if group is None else group["recorded_by"])


def get_group(session: Session, key_region_id: str, region_id: str) -> LeadershipGroupPublic:
    """The region's current group, every member with their dates (version 0: none stored)."""
    repo.get_region(session, key_region_id, region_id)
    return _group_view(region_id, *_current_group(session, region_id))


def replace_group(session: Session, key_region_id: str, region_id: str, name: str | None,
                  members: Sequence[Mapping[str, Any]] | None, expected_version: int, actor: str) -> LeadershipGroupPublic:
    """The region's group replaced whole (`members` None: the group removed); a new version."""
    values = None if members is None else [member_values(member, f"members[{i}]") for i, member in enumerate(members)]
    for row in values or []:
        repo._refuse_unstorable(models.LeadershipMember, row)
    repo._refuse_unstorable(models.LeadershipGroup, {"name": name})

    def work() -> LeadershipGroupPublic:
        repo.get_region(session, key_region_id, region_id)
        old, old_members = _current_group(session, region_id)
        current = 0 if old is None else int(old["version"])
        if expected_version != current:
            raise repo.StaleVersion("leadership group", region_id, expected_version, current)
        stamp: dict[str, Any] = {"recorded_at": repo._now(), "recorded_by": actor}
        group = None if values is None else (name, values)
        _replace_group(session, region_id, group, stamp, expected_version)
        before = None if old is None else {"name": old["name"], "version": current,
                                           "members": _plain(old_members, MEMBER_FIELDS)}
        after = None if values is None else {"name": name, "version": current + 1,
                                             "members": _plain(values, MEMBER_FIELDS)}
        repo._audit(session, stamp["recorded_at"], actor, "replace" if group is not None else "delete",
                    "leadership_group", region_id, region_id, before, after)
        return _group_view(region_id, *_current_group(session, region_id))

    return repo._in_transaction(session, work)


def _facilities_view(community_id: str, region_id: str, listed: Any, rows: list[Any]) -> FacilitiesPublic:
    return FacilitiesPublic(
        community=community_id, region=region_id, recorded=listed is not None,
        facilities=[FacilityPublic(**{f: row[f] for f in FACILITY_FIELDS}) for row in rows],
        version=0 if listed is None else listed["version"],
        recorded_at=None if listed is None else listed["recorded_at"],
        recorded_by=None if listed is None else listed["recorded_by"])


def get_facilities(session: Session, key_region_id: str, community_id: str) -> FacilitiesPublic:
    """The community's current facilities with their dates (`recorded` false, version 0: not recorded)."""
    community = repo.get_community(session, key_region_id, community_id)
    return _facilities_view(community_id, community.region, *_current_facilities(session, community_id))


def replace_facilities(session: Session, key_region_id: str, community_id: str,
                       facilities: Sequence[Mapping[str, Any]] | None, expected_version: int,
                       actor: str) -> FacilitiesPublic:
    """The community's facility list replaced whole (None: "not recorded" again); a new version."""
    values = None if facilities is None else [facility_values(f, f"facilities[{i}]") for i, f in enumerate(facilities)]
    for row in values or []:
        repo._refuse_unstorable(models.Facility, row)

    def work() -> FacilitiesPublic:
        community = repo.get_community(session, key_region_id, community_id)
        old, old_rows = _current_facilities(session, community_id)
        current = 0 if old is None else int(old["version"])
        if expected_version != current:
            raise repo.StaleVersion("facilities", community_id, expected_version, current)
        stamp: dict[str, Any] = {"recorded_at": repo._now(), "recorded_by": actor}
        _replace_facilities(session, community_id, community.region, values, stamp, expected_version)
        before = None if old is None else {"version": current, "facilities": _plain(old_rows, FACILITY_FIELDS)}
        after = None if values is None else {"version": current + 1, "facilities": _plain(values, FACILITY_FIELDS)}
        repo._audit(session, stamp["recorded_at"], actor, "replace" if values is not None else "delete",
                    "facilities", community_id, community.region, before, after)
        return _facilities_view(community_id, community.region, *_current_facilities(session, community_id))

    return repo._in_transaction(session, work)
