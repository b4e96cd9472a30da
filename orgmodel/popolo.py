"""`orgmodel export --format popolo`: the roster as Popolo JSON, for other civic-data tools.

Popolo (popoloproject.com), which follows the W3C Organization Ontology, describes who holds
which post in which organization: `areas` (our regions), `organizations` (each community,
and each of its units as a sub-organization with `parent_id`, and the government bodies of
its relations), `posts` (a role in a unit), `persons` and `memberships` (a person holding a
post, with start and end dates). Codes go into `classification` and `role` so a consumer
can map them back; Chinese labels beside them in `name` and `label`. Resident ID numbers and
mobile numbers are masked, as in every output; ids are stable paths, so two exports of the same
roster are identical.

A membership's id is a digest of what makes it that membership — its post (which names the
organization), its person and its start date — so removing or adding another appointment leaves
every other id as it was, and a person who holds the same post twice, from two dates, has two.

The document is also JSON-LD: its `@context` (`orgmodel/data/popolo_context.jsonld`, shipped in
the package and written inline, so no reader needs the network) scopes each list's keys, making
the links W3C ORG edges — a membership `org:member` its person and `org:organization` its
organization, a person `org:memberOf` each organization and `org:holds` each post it holds (the
`organization_ids` and `post_ids` beside the person, which plain Popolo readers ignore), a post
`org:postIn` its organization, a unit `org:subOrganizationOf` its community.

A region's leadership group (领导小组, §三(一)) is an organization of its own, classified
`leadership_group`, in its region's area (regions are areas here, not organizations, so it has
no parent): its posts are the seats by office (副组长 · 市长 → `…/deputy_leader/government_head`,
an `other` office by its title as written), each member a person (id a digest of the region,
name and office, for officials have no person id in a roster) holding it by a membership.

A person keyed by a resident ID number is never called by its masked form (two people can share
it): their id is a pseudonym (`orgmodel.identity`), keyed by `id_secret` — the same secret gives
the same ids in every export — and the masked number is an identifier beside it. Without a
secret they are numbered in roster order (`pid-1`, `pid-2` …): unique and identical for the same
roster, but not kept when people are added.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from importlib import resources
from typing import Any

import polars as pl

from orgmodel import identity, vocabulary
from orgmodel.masking import mask_text
from orgmodel.roster import Roster

POPOLO_FORMAT = "popolo"
CONTEXT_FILE = "popolo_context.jsonld"


@functools.cache
def _context_text() -> str:
    return resources.files("orgmodel.data").joinpath(CONTEXT_FILE).read_text(encoding="utf-8")


def json_ld_context() -> dict[str, Any]:
    """The JSON-LD context of the export (a fresh copy), as shipped in the package."""
    context: dict[str, Any] = json.loads(_context_text())["@context"]
    return context


def _community_org(community: str) -> str:
    return f"community/{community}"


def _unit_org(community: str, unit: str) -> str:
    return f"community/{community}/{unit}"


def _date(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None and v != []}


def _person_ids(people: list[str], id_secret: str | bytes | None) -> dict[str, str]:
    """Each roster person id → the id of its Popolo person (without `person/`)."""
    if id_secret is not None:
        secret = id_secret.encode("utf-8") if isinstance(id_secret, str) else id_secret
        return {p: identity.public_id(p, secret) for p in people}
    numbered = iter(range(1, len(people) + 1))
    return {p: f"{identity.PSEUDONYM_PREFIX}{next(numbered)}" if identity.needs_pseudonym(p) else p for p in people}


def _membership_id(post_id: str, person_id: str, start: str | None, taken: set[str]) -> str:
    """`membership/` + a digest of post, person and start date; an exact repeat gets `-2`, `-3` …"""
    digest = hashlib.sha256("\x1f".join((post_id, person_id, start or "")).encode("utf-8")).hexdigest()[:16]
    membership_id, repeat = f"membership/{digest}", 1
    while membership_id in taken:
        repeat += 1
        membership_id = f"membership/{digest}-{repeat}"
    taken.add(membership_id)
    return membership_id


def group_org(region: str) -> str:
    return f"region/{region}/leadership_group"


def _official_id(region: str, name: str | None, office_title: str | None) -> str:
    """A member of a leadership group, stable across exports: a digest of who and where."""
    digest = hashlib.sha256("\x1f".join((region, name or "", office_title or "")).encode("utf-8")).hexdigest()[:16]
    return f"person/official-{digest}"


def _leadership(roster: Roster, organizations: dict[str, dict[str, Any]], posts: dict[str, dict[str, Any]],
                taken: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each region's group: its organization and posts (added to the given), its members as
    (persons, memberships)."""
    names = dict(roster.regions.select("id", "name").iter_rows())
    held: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {}
    memberships = []
    for row in roster.leadership.iter_rows(named=True):
        region, role = row["region"], row["role"] or "member"
        office = row["office"] or "other"
        org_id = group_org(region)
        organizations.setdefault(org_id, _clean({
            "id": org_id, "name": row["group_name"] or f"{names.get(region) or region}领导小组",
            "classification": "leadership_group", "area_id": f"area/{region}" if region in names else None,
            "identifiers": [{"scheme": "orgmodel", "identifier": f"{region}/leadership_group"}]}))
        title = row["office_title"] or vocabulary.OFFICES.get(office, office)
        seat = office if office != "other" else f"other:{title}"
        label = f"{vocabulary.LEADERSHIP_ROLES.get(role, role)}({title})"
        post_id = f"{org_id}/{role}/{seat}"
        posts.setdefault(post_id, {"id": post_id, "label": label, "role": role, "organization_id": org_id,
                                   "other_label": [vocabulary.OFFICES[office] if office != "other" else title]})
        person_id = _official_id(region, row["name"], row["office_title"])
        person = held.setdefault(person_id, ({"id": person_id, "name": mask_text(row["name"] or title)}, [], []))
        person[1].append(org_id)
        person[2].append(post_id)
        memberships.append({"id": _membership_id(post_id, person_id, None, taken), "person_id": person_id,
                            "organization_id": org_id, "post_id": post_id, "role": role, "label": label,
                            "extras": {"office": office, "office_title": title}})
    persons = [{**person, "organization_ids": sorted(set(orgs)), "post_ids": sorted(set(seats))}
               for person, orgs, seats in held.values()]
    return persons, memberships


def _person(record: dict[str, Any], popolo_id: str, organizations: list[str], posts: list[str]) -> dict[str, Any]:
    masked = identity.masked_id(record["person"])
    name = None if record["name"] is None else mask_text(record["name"])
    return _clean({"id": f"person/{popolo_id}", "name": name, "gender": record["gender"],
                   "identifiers": [{"scheme": "masked_id", "identifier": masked}] if masked else None,
                   "organization_ids": sorted(set(organizations)), "post_ids": sorted(set(posts))})


def to_popolo(roster: Roster, id_secret: str | bytes | None = None) -> dict[str, Any]:
    """The roster as a Popolo document: areas, organizations, posts, persons, memberships; the
    leadership groups' after the communities'."""
    areas = [_clean({"id": f"area/{r['id']}", "name": r["name"], "classification": r["level"],
                     "parent_id": f"area/{r['parent']}" if r["parent"] else None,
                     "identifiers": [{"scheme": "orgmodel", "identifier": r["id"]}]})
             for r in roster.regions.with_columns(pl.col("level").cast(pl.String)).iter_rows(named=True)]
    rural = {c: k == "rural" for c, k in roster.communities.select("id", pl.col("kind").cast(pl.String)).iter_rows()}
    organizations: dict[str, dict[str, Any]] = {}
    for c in roster.communities.with_columns(pl.col("kind").cast(pl.String)).iter_rows(named=True):
        organizations[_community_org(c["id"])] = _clean({
            "id": _community_org(c["id"]), "name": c["name"] or c["id"], "classification": f"community:{c['kind']}",
            "area_id": f"area/{c['region']}" if c["region"] else None,
            "identifiers": [{"scheme": "orgmodel", "identifier": c["id"]}]})

    def unit_org(community: str, unit: str, name: str | None = None) -> str:
        org_id = _unit_org(community, unit)
        if org_id not in organizations:
            organizations[org_id] = {"id": org_id, "name": name or vocabulary.unit_label(unit, rural.get(community, False)),
                                     "classification": unit, "parent_id": _community_org(community)}
        return org_id

    for u in roster.units.with_columns(pl.col("unit").cast(pl.String)).iter_rows(named=True):
        unit_org(u["community"], u["unit"], u["name"])
    people = roster.people.select("person", "name", "gender")
    person_ids = _person_ids(people["person"].to_list(), id_secret)
    posts: dict[str, dict[str, Any]] = {}
    memberships = []
    held: dict[str, tuple[list[str], list[str]]] = {p: ([], []) for p in person_ids}
    taken: set[str] = set()
    appointments = roster.appointments.with_columns(pl.col("unit").cast(pl.String), pl.col("role").cast(pl.String))
    for a in appointments.iter_rows(named=True):
        org_id = unit_org(a["community"], a["unit"])
        role = a["role"] if a["role"] != vocabulary.OTHER_ROLE else f"other:{a['label']}"
        label = vocabulary.role_label(a["role"]) if a["role"] != vocabulary.OTHER_ROLE else a["label"]
        post_id = f"{org_id}/{role}"
        posts.setdefault(post_id, {"id": post_id, "label": label, "role": a["role"], "organization_id": org_id})
        person_id = f"person/{person_ids[a['person']]}"
        start = _date(a["start"])
        held[a["person"]][0].append(org_id)
        held[a["person"]][1].append(post_id)
        memberships.append(_clean({
            "id": _membership_id(post_id, person_id, start, taken), "person_id": person_id, "organization_id": org_id,
            "post_id": post_id, "role": a["role"], "label": label, "start_date": start, "end_date": _date(a["end"]),
            "extras": {"full_time": a["full_time"]}}))
    persons = [_person(p, person_ids[p["person"]], *held[p["person"]]) for p in people.iter_rows(named=True)]
    officials, seats = _leadership(roster, organizations, posts, taken)
    persons += officials
    memberships += seats
    for r in roster.relations.iter_rows(named=True):
        for government in (r["from_government"], r["to_government"]):
            if government:
                organizations.setdefault(f"government/{government}", {
                    "id": f"government/{government}", "name": government, "classification": "government"})
    return {"@context": json_ld_context(), "format": POPOLO_FORMAT, "areas": areas, "organizations": list(organizations.values()),
            "posts": list(posts.values()), "persons": persons, "memberships": memberships}


def to_json(roster: Roster, id_secret: str | bytes | None = None) -> bytes:
    return (json.dumps(to_popolo(roster, id_secret), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
