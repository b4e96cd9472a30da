"""A small roster document (formats.md §1, already decoded from JSON) → plain Python records.

It reads what `orgmodel.input.schema` (the shape) and `orgmodel.input.normalize` (the meaning) read,
with the same vocabulary and the same blanks, and takes the same values from them. Anything
those two would report as an input error, and anything this reader does not want to
reproduce exactly, raises `Outside`: the caller then runs the full pipeline, which also
locates the errors. Refusing is always correct; reading a value otherwise than the full
pipeline never is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from orgmodel import vocabulary
from orgmodel.input.cells import parse_date
from orgmodel.input.schema import ROSTER_FORMAT

MAX_COMMUNITIES = 3  # more is a batch: the columnar engine is the right tool
MAX_AMOUNT = 1e12  # larger figures could print otherwise than polars prints them

T = TypeVar("T")


class Outside(Exception):
    """The document is outside what the small path reads; the full pipeline must run."""


@dataclass(slots=True)
class LeadershipMember:
    name: str
    role: str  # a code of vocabulary.LEADERSHIP_ROLES
    office: str | None  # a code of vocabulary.OFFICES


@dataclass(slots=True)
class Region:
    id: str
    name: str | None
    level: str
    parent: str | None
    min_wage_monthly_yuan: float | None
    leadership: list[LeadershipMember] | None = None  # the region's 领导小组, when the document gives one
    leadership_name: str | None = None


@dataclass(slots=True)
class Person:
    id: str
    name: str | None
    education: str | None
    police_officer: bool | None
    political_legal_officer: bool | None
    monthly_pay_yuan: float | None
    gender: str | None
    previous_monthly_pay_yuan: float | None = None


@dataclass(slots=True)
class Post:
    """One post of an appointment row (a compound post such as 书记兼主任 gives several)."""

    person: str
    unit: str
    role: str  # a code of vocabulary.ROLES, or vocabulary.OTHER_ROLE
    full_time: bool
    start: dt.date | None
    end: dt.date | None


@dataclass(slots=True)
class Unit:
    """A declared unit, with the name the roster gives it (the structure graph's label)."""

    unit: str  # a code of vocabulary.UNITS
    name: str | None


@dataclass(slots=True)
class Relation:
    from_unit: str | None
    from_government: str | None
    to_unit: str | None
    to_government: str | None
    type: str


@dataclass(slots=True)
class Task:
    id: str
    name: str | None
    category: str | None  # a code of vocabulary.TASK_CATEGORIES, or None when blank or unknown
    category_text: str | None
    approved: bool | None
    authorization: str | None
    funded: bool | None
    purchase_contract: str | None


@dataclass(slots=True)
class Facility:
    name: str
    category: str | None  # a code of vocabulary.FACILITY_CATEGORIES; None when neither cell nor name tells


@dataclass(slots=True)
class Community:
    id: str
    name: str | None
    region: str | None
    kind: str
    households: float | None
    population: float | None
    pilot: bool
    office_activity_yuan: float | None
    units: list[Unit] = field(default_factory=list)  # declared units, in order
    posts: list[Post] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    titles: list[tuple[str, str]] = field(default_factory=list)  # (person, post title as written), in order
    facilities: list[Facility] = field(default_factory=list)


@dataclass(slots=True)
class Notice:
    path: str
    value: str


@dataclass(slots=True)
class Document:
    regions: dict[str, Region]
    communities: list[Community]
    people: dict[str, Person]
    notices: list[Notice]
    has_facilities: bool = False  # some community lists its facilities (an empty list included)


# --- cells -------------------------------------------------------------------------------------

def _text(value: object) -> str | None:
    """A text cell as the document reader lays it out: stripped, blank → None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Outside
    return value.strip() or None


def _required(value: object) -> str:
    text = _text(value)
    if text is None:
        raise Outside
    return text


def _cell(read: Callable[[Any], T]) -> Callable[[Any], T]:
    """A cell reader that reads each distinct value once, as `normalize` reads each spelling once
    (bounded: the values come from clients; `typed`, so that 1, 1.0 and True stay apart). A list
    or an object where a cell belongs is unhashable: `read` declines on that TypeError."""
    return lru_cache(maxsize=4096, typed=True)(read)


def _vocabulary_cell(vocab: vocabulary.Vocabulary) -> Callable[[Any], str | None]:
    """A vocabulary cell: blank → None; a spelling the vocabulary does not know is an input error."""
    def read(value: object) -> str | None:
        text = _text(value)
        if text is None:
            return None
        code = vocab.parse(text)
        if code is None:
            raise Outside
        return str(code)
    return _cell(read)


def _required_cell(vocab: vocabulary.Vocabulary) -> Callable[[Any], str]:
    read = _vocabulary_cell(vocab)

    def required(value: object) -> str:
        code = read(value)
        if code is None:
            raise Outside
        return code
    return required


_KIND = _required_cell(vocabulary.KIND)
_LEVEL = _required_cell(vocabulary.LEVEL)
_UNIT = _required_cell(vocabulary.UNIT)
_RELATION = _required_cell(vocabulary.RELATION)
_EDUCATION = _vocabulary_cell(vocabulary.EDUCATION_VOCAB)
_GENDER = _vocabulary_cell(vocabulary.GENDER)
_UNIT_TEXT = lru_cache(maxsize=4096)(vocabulary.UNIT.parse)
_TASK_CATEGORY_TEXT = lru_cache(maxsize=4096)(vocabulary.TASK_CATEGORY.parse)
_FACILITY_CATEGORY = _vocabulary_cell(vocabulary.FACILITY_CATEGORY)
_LEADERSHIP_ROLE = _required_cell(vocabulary.LEADERSHIP_ROLE)


@_cell
def _yes_no(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    answer = vocabulary.YES_NO.parse(text)
    if answer is None:
        raise Outside
    return bool(answer)


def _amount(value: object) -> float | None:
    """A non-negative amount (pydantic `Amount`); bools, texts and huge figures are refused."""
    if value is None:
        return None
    if type(value) is not int and type(value) is not float:
        raise Outside
    if not 0 <= value <= MAX_AMOUNT:  # NaN fails too
        raise Outside
    return float(value)


def _count(value: object) -> float | None:
    """households, population: whole numbers (pydantic `Count`), read as amounts."""
    if value is not None and type(value) is not int:
        raise Outside
    return _amount(value)


@_cell
def _date(value: object) -> dt.date | None:
    text = _text(value)
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        raise Outside
    return day


@_cell
def _end_date(value: object) -> dt.date | None:
    """A term's end: a month alone (2021.06) means its last day."""
    text = _text(value)
    if text is None:
        return None
    day = parse_date(text, end=True)
    if day is None:
        raise Outside
    return day


@lru_cache(maxsize=4096, typed=True)
def _post_cells(unit: object, role: object, full_time: object, start: object,
                end: object) -> tuple[tuple[vocabulary.Post, ...], bool, dt.date | None, dt.date | None, str]:
    """An appointment's cells but the person (rosters repeat them): posts, full-time, start, end, the post as written."""
    role_text = _required(role)
    posts = vocabulary.parse_post(_required(unit), role_text)
    if isinstance(posts, str):  # unknown_unit, role_not_in_unit
        raise Outside
    return posts, bool(_yes_no(full_time)), _date(start), _end_date(end), role_text


def _list(record: dict[str, object], key: str) -> list[object]:
    """An optional list member: absent is empty; null or anything but a list is a shape error."""
    value = record.get(key, [])
    if not isinstance(value, list):
        raise Outside
    return value


def _record(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise Outside
    return value


# --- the document ------------------------------------------------------------------------------

def read(document: object) -> Document:
    """The records of a small, clean document; `Outside` for anything else."""
    try:
        return _read(document)
    except TypeError:  # a list or an object where a cell belongs (see `_cell`)
        raise Outside from None


def _read(document: object) -> Document:
    data = _record(document)
    if data.get("format", ROSTER_FORMAT) != ROSTER_FORMAT:
        raise Outside
    regions = _regions(_list(data, "regions"))
    raw_communities = data.get("communities")
    if not isinstance(raw_communities, list) or not 0 < len(raw_communities) <= MAX_COMMUNITIES:
        raise Outside
    people: dict[str, Person] = {}
    notices: list[Notice] = []
    communities: list[Community] = []
    for i, raw in enumerate(raw_communities):
        community = _community(_record(raw), i, regions, people, notices)
        if any(c.id == community.id for c in communities):
            raise Outside
        communities.append(community)
    for community in communities:
        for post in community.posts:
            if post.person not in people:
                raise Outside
    _qualify_by_titles(communities, people)
    notices.sort(key=lambda n: n.path)
    has_facilities = any(_record(raw).get("facilities") is not None for raw in raw_communities)
    return Document(regions, communities, people, notices, has_facilities)


def _qualify_by_titles(communities: list[Community], people: dict[str, Person]) -> None:
    """社区民警 is a police officer unless the person says otherwise (domain.md §3); the first
    title in document order that says anything decides, as in `orgmodel.input.normalize`."""
    decided: set[tuple[str, str]] = set()
    for community in communities:
        for person, title in community.titles:
            for attribute, value in vocabulary.title_qualifications(title):
                if (person, attribute) in decided:
                    continue
                decided.add((person, attribute))
                if getattr(people[person], attribute) is None:
                    setattr(people[person], attribute, value)


def _regions(rows: list[object]) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for row in rows:
        r = _record(row)
        group = r.get("leadership_group")
        region = Region(_required(r.get("id")), _text(r.get("name")), _LEVEL(r.get("level")),
                        _text(r.get("parent")), _amount(r.get("min_wage_monthly_yuan")), _leadership(group),
                        None if group is None else _text(_record(group).get("name")))
        if region.id in regions:
            raise Outside
        regions[region.id] = region
    for region in regions.values():
        seen, at = {region.id}, region.parent
        while at is not None:
            if at not in regions or at in seen:  # an unknown parent, or a cycle
                raise Outside
            seen.add(at)
            at = regions[at].parent
    return regions


def _leadership(value: object) -> list[LeadershipMember] | None:
    """A region's 领导小组 as `normalize` reads it: each member's post, and office from its code or title."""
    if value is None:
        return None
    group = _record(value)
    members = []
    for row in _list(group, "members"):
        m = _record(row)
        code, title = _text(m.get("office")), _text(m.get("office_title"))
        office = code if code is not None else title
        members.append(LeadershipMember(_required(m.get("name")), _LEADERSHIP_ROLE(m.get("role")),
                                        None if office is None else vocabulary.parse_office(office)))
    return members


def _community(c: dict[str, object], i: int, regions: dict[str, Region], people: dict[str, Person],
               notices: list[Notice]) -> Community:
    region = _text(c.get("region"))
    if region is not None and regions and region not in regions:
        raise Outside
    budget = c.get("budget")
    if budget is not None and not isinstance(budget, dict):
        raise Outside
    community = Community(
        id=_required(c.get("id")), name=_text(c.get("name")), region=region,
        kind=_KIND(c.get("kind")),
        households=_count(c.get("households")), population=_count(c.get("population")),
        pilot=bool(_yes_no(c.get("pilot"))),
        office_activity_yuan=None if budget is None else _amount(budget.get("office_activity_yuan")),
    )
    for row in _list(c, "units"):
        u = _record(row)
        community.units.append(Unit(_UNIT(u.get("kind")), _text(u.get("name"))))
    for row in _list(c, "people"):
        person = _person(_record(row))
        if person.id in people:
            raise Outside
        people[person.id] = person
    for j, row in enumerate(_list(c, "appointments")):
        _appointment(_record(row), f"communities[{i}].appointments[{j}]", community, notices)
    for row in _list(c, "relations"):
        community.relations.append(_relation(_record(row)))
    for row in _list(c, "tasks"):
        community.tasks.append(_task(_record(row)))
    facilities = c.get("facilities")
    for row in [] if facilities is None else _list(c, "facilities"):
        f = _record(row)
        name = _required(f.get("name"))
        _amount(f.get("area_m2"))  # read by no rule, but still a figure or nothing
        category = _FACILITY_CATEGORY(f.get("category"))
        community.facilities.append(Facility(name, category if category is not None
                                             else vocabulary.facility_category(name)))
    return community


def _person(p: dict[str, object]) -> Person:
    return Person(
        id=_required(p.get("id")), name=_text(p.get("name")), education=_EDUCATION(p.get("education")),
        police_officer=_yes_no(p.get("police_officer")),
        political_legal_officer=_yes_no(p.get("political_legal_officer")),
        monthly_pay_yuan=_amount(p.get("monthly_pay_yuan")), gender=_GENDER(p.get("gender")),
        previous_monthly_pay_yuan=_amount(p.get("previous_monthly_pay_yuan")),
    )


def _appointment(a: dict[str, object], path: str, community: Community, notices: list[Notice]) -> None:
    get = a.get
    person = _required(get("person"))
    posts, full_time, start, end, role_text = _post_cells(get("unit"), get("role"), get("full_time"), get("start"),
                                                          get("end"))
    community.titles.append((person, role_text))
    for post in posts:
        community.posts.append(Post(person, post.unit, post.role, full_time, start, end))
        if post.role == vocabulary.OTHER_ROLE:
            notices.append(Notice(f"{path}.role", role_text))


def _end(value: object) -> tuple[str | None, str | None]:
    """A relation end: (unit, government body), read as `normalize` reads 政府:<name>."""
    if isinstance(value, dict):
        name = value.get("government")
        if not isinstance(name, str):
            raise Outside
        text = f"政府:{name}"
    else:
        text = _required(value)
    government = vocabulary.parse_government(text)
    unit = _UNIT_TEXT(text)
    if government is None and unit is None:
        raise Outside
    return (None if unit is None else str(unit)), government


def _relation(r: dict[str, object]) -> Relation:
    if "source" in r:  # the field's own name, which pydantic also accepts: not worth the ambiguity
        raise Outside
    if "from" not in r or "to" not in r:
        raise Outside
    from_unit, from_government = _end(r["from"])
    to_unit, to_government = _end(r["to"])
    return Relation(from_unit, from_government, to_unit, to_government, _RELATION(r.get("type")))


def _task(t: dict[str, object]) -> Task:
    category_text = _text(t.get("category"))
    category = None if category_text is None else _TASK_CATEGORY_TEXT(category_text)
    _text(t.get("assigned_by"))  # read by no rule, but still a text or nothing
    return Task(
        id=_required(t.get("id")), name=_text(t.get("name")),
        category=None if category is None else str(category), category_text=category_text,
        approved=_yes_no(t.get("approved")), authorization=_text(t.get("authorization")),
        funded=_yes_no(t.get("funded")), purchase_contract=_text(t.get("purchase_contract")),
    )
