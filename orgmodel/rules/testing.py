"""Rule cases as data: a compliant community, small edits to it, and the findings they cause.

A case starts from `baseline()` (one urban community with no finding at all under the
`nantong` pack), applies a few edits, and names the *exact* multiset of findings it expects,
so each finding of a case is caused by its edits. `check_columnar` runs it through the
library's pipeline, `check_small` through the small engine (`orgmodel.small`), which must
give the same findings and the same bytes, or decline when the case says it does.

A city writing its own pack can write its cases the same way::

    from orgmodel.rules.testing import F, case, check_columnar, check_small, dismiss

    CASES = [case("Z1 one mediator", dismiss("P23"), [F("Z1", "error", ...)], pack="city.yaml")]

and run both checks over them with `pytest.mark.parametrize`.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from orgmodel import small
from orgmodel.check import check
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.report.figures import build_report
from orgmodel.report.model import Finding, Report
from orgmodel.rules.pack import Pack, load_pack

AS_OF = dt.date(2026, 11, 25)

CITY, COUNTY, STREET = "320600", "320602", "320602001"
OTHER_COUNTY, OTHER_STREET = "320611", "320611001"
BASE = "320602001001"
SECOND, THIRD, FOURTH = "320602001002", "320602001003", "320602001004"
MIN_WAGE = 2280

Doc = dict[str, Any]
Edit = Callable[[Doc], None]

# (person number, unit, role): the posts of the baseline community. Households 3000 → S5 needs
# 10 full-time station people: the 站长 and nine staff. Both committees have exactly 5 members.
POSTS: list[tuple[int, str, str]] = [
    (1, "party_org", "secretary"), (1, "residents_committee", "director"),
    (2, "party_org", "deputy_secretary"), (3, "party_org", "member"), (4, "party_org", "member"),
    (5, "party_org", "member"),
    (6, "residents_committee", "deputy_director"), (7, "residents_committee", "member"),
    (8, "residents_committee", "member"), (9, "residents_committee", "member"),
    (10, "service_station", "station_head"),
    *((n, "service_station", "staff") for n in range(11, 20)),
    (20, "governance_office", "governance_specialist"), (21, "governance_office", "resident_police"),
    (22, "governance_office", "mediator"), (23, "governance_office", "mediator"),
    (24, "governance_office", "security_guard"), (25, "governance_office", "security_guard"),
    (26, "governance_office", "student_social_worker"), (27, "governance_office", "legal_envoy"),
    (28, "residents_committee", "student_official"),
]

# Person attributes that differ from `person()`'s defaults.
SPECIAL: dict[int, dict[str, Any]] = {
    1: {"monthly_pay_yuan": 5000},
    6: {"gender": "female"},
    18: {"monthly_pay_yuan": MIN_WAGE},  # exactly the minimum wage: fine
    21: {"police_officer": True, "monthly_pay_yuan": None},  # paid by the police: P1-exempt
    26: {"gender": "female"},
    27: {"political_legal_officer": True, "monthly_pay_yuan": None},  # paid by its agency: P1-exempt
}


def person(pid: str, **attrs: Any) -> dict[str, Any]:
    """A person who meets every qualification and pay rule unless told otherwise."""
    return {"id": pid, "name": f"人员{pid}", "education": "bachelor", "police_officer": False,
            "political_legal_officer": False, "monthly_pay_yuan": 3000, "gender": "male", **attrs}


def community(cid: str = BASE, prefix: str = "P", region: str | None = STREET) -> dict[str, Any]:
    """A fully compliant urban community; its people are `{prefix}01` … `{prefix}28`."""
    numbers = sorted({n for n, _, _ in POSTS})
    return {
        "id": cid, "name": f"社区{cid}", "region": region, "kind": "urban", "households": 3000,
        "population": 8000, "pilot": False, "budget": {"office_activity_yuan": 160_000},  # exactly 20 × 8000
        "people": [person(f"{prefix}{n:02d}", **SPECIAL.get(n, {})) for n in numbers],
        "appointments": [{"person": f"{prefix}{n:02d}", "unit": unit, "role": role, "full_time": True}
                         for n, unit, role in POSTS],
        "units": [{"kind": "supervisory_committee"}],  # declared, so A3 holds
    }


def baseline() -> Doc:
    return {
        "format": "orgmodel.roster/1",
        "regions": [
            {"id": CITY, "name": "南通市", "level": "city"},
            {"id": COUNTY, "name": "崇川区", "level": "county", "parent": CITY, "min_wage_monthly_yuan": MIN_WAGE},
            {"id": STREET, "name": "和平桥街道", "level": "street", "parent": COUNTY},
        ],
        "communities": [community()],
    }


# --- edits -----------------------------------------------------------------------------------

def _community(doc: Doc, cid: str) -> dict[str, Any]:
    return next(c for c in doc["communities"] if c["id"] == cid)


def _people(doc: Doc) -> list[dict[str, Any]]:
    return [p for c in doc["communities"] for p in c["people"]]


def _matches(a: dict[str, Any], pid: str, unit: str | None, role: str | None) -> bool:
    return a["person"] == pid and unit in (None, a["unit"]) and role in (None, a["role"])


def appoint(pid: str, unit: str, role: str, full_time: bool | None = True, community: str = BASE,
            **fields: Any) -> Edit:
    """A post for a person; a person not yet listed is added (compliant) to that community.
    `fields` are appointment fields (start, end)."""
    def edit(doc: Doc) -> None:
        target = _community(doc, community)
        if not any(p["id"] == pid for p in _people(doc)):
            target["people"].append(person(pid))
        target["appointments"].append({"person": pid, "unit": unit, "role": role, "full_time": full_time, **fields})
    return edit


def dismiss(pid: str, unit: str | None = None, role: str | None = None, community: str = BASE) -> Edit:
    """Remove the person's posts (all, or those of a unit / role); the person stays listed."""
    def edit(doc: Doc) -> None:
        c = _community(doc, community)
        kept = [a for a in c["appointments"] if not _matches(a, pid, unit, role)]
        assert len(kept) < len(c["appointments"]), f"no post of {pid} to dismiss"
        c["appointments"] = kept
    return edit


def dismiss_unit(unit: str, community: str = BASE) -> Edit:
    def edit(doc: Doc) -> None:
        c = _community(doc, community)
        c["appointments"] = [a for a in c["appointments"] if a["unit"] != unit]
    return edit


def change_post(pid: str, unit: str | None = None, role: str | None = None, community: str = BASE,
                **fields: Any) -> Edit:
    """Change fields of the person's posts (e.g. full_time, start, end, or the role's spelling)."""
    def edit(doc: Doc) -> None:
        posts = [a for a in _community(doc, community)["appointments"] if _matches(a, pid, unit, role)]
        assert posts, f"no post of {pid}"
        for a in posts:
            a.update(fields)
    return edit


def relabel(pid: str, written: str, unit: str | None = None, community: str = BASE) -> Edit:
    """The same post written another way (e.g. 调解员 → 人民调解员)."""
    def edit(doc: Doc) -> None:
        posts = [a for a in _community(doc, community)["appointments"] if _matches(a, pid, unit, None)]
        assert len(posts) == 1, f"{pid} should hold one post here"
        posts[0]["role"] = written
    return edit


def change_person(pid: str, **attrs: Any) -> Edit:
    def edit(doc: Doc) -> None:
        next(p for p in _people(doc) if p["id"] == pid).update(attrs)
    return edit


def change_community(community: str = BASE, **fields: Any) -> Edit:
    """Community fields; `office_activity_yuan` goes into the budget. An edit can be applied
    to any number of documents (both engines apply a case's edits)."""
    def edit(doc: Doc) -> None:
        c = _community(doc, community)
        own = dict(fields)
        if "office_activity_yuan" in own:
            c["budget"] = {"office_activity_yuan": own.pop("office_activity_yuan")}
        c.update(copy.deepcopy(own))
    return edit


def rural(community: str = BASE) -> Edit:
    return change_community(community, kind="rural")


def change_region(rid: str, **fields: Any) -> Edit:
    def edit(doc: Doc) -> None:
        next(r for r in doc["regions"] if r["id"] == rid).update(fields)
    return edit


def add_unit(kind: str, community: str = BASE) -> Edit:
    def edit(doc: Doc) -> None:
        _community(doc, community).setdefault("units", []).append({"kind": kind})
    return edit


def add_relation(source: str | dict[str, str], to: str, type_: str, community: str = BASE) -> Edit:
    def edit(doc: Doc) -> None:
        _community(doc, community).setdefault("relations", []).append({"from": source, "to": to, "type": type_})
    return edit


def add_task(category: str | None, community: str = BASE, **fields: Any) -> Edit:
    """A task handed down by a government body; complete for its category unless told otherwise."""
    def edit(doc: Doc) -> None:
        tasks = _community(doc, community).setdefault("tasks", [])
        task = {"id": f"T{len(tasks) + 1}", "name": "事项", "assigned_by": "民政局", "category": category,
                "approved": True, "authorization": "崇民〔2026〕1号", "funded": True,
                "purchase_contract": "崇民购〔2026〕1号", **fields}
        tasks.append(task)
    return edit


def add_facilities(*names: str | dict[str, Any], community: str = BASE) -> Edit:
    """Facilities of a community (a name, or a record with its category); none given: an empty list,
    which says the community has none."""
    def edit(doc: Doc) -> None:
        listed = _community(doc, community).setdefault("facilities", [])
        listed.extend({"name": n} if isinstance(n, str) else n for n in names)
    return edit


def leadership_group(*members: tuple[str, str | None], region: str = CITY, name: str | None = None) -> Edit:
    """A region's leadership group: (role, office title) per member, named 成员1, 成员2 …"""
    def edit(doc: Doc) -> None:
        group: dict[str, Any] = {"members": [{"name": f"成员{i}", "role": role, "office_title": title}
                                             for i, (role, title) in enumerate(members, start=1)]}
        if name is not None:
            group["name"] = name
        next(r for r in doc["regions"] if r["id"] == region)["leadership_group"] = group
    return edit


def add_community(cid: str, prefix: str, region: str | None = STREET, **fields: Any) -> Edit:
    """Another fully compliant community, with its own people."""
    def edit(doc: Doc) -> None:
        doc["communities"].append({**community(cid, prefix, region), **fields})
    return edit


def add_other_county() -> Edit:
    """A second county (with its minimum wage) and a street under it."""
    def edit(doc: Doc) -> None:
        doc["regions"] += [
            {"id": OTHER_COUNTY, "name": "港闸区", "level": "county", "parent": CITY, "min_wage_monthly_yuan": MIN_WAGE},
            {"id": OTHER_STREET, "name": "天生港镇", "level": "street", "parent": OTHER_COUNTY},
        ]
    return edit


def apply(edits: Iterable[Edit]) -> Doc:
    doc = baseline()
    for edit in edits:
        edit(doc)
    return doc


# --- running and comparing ---------------------------------------------------------------------

PackRef = str | Pack  # a packaged pack's id, a pack file's path, or a pack


def pack_of(pack: PackRef) -> Pack:
    return pack if isinstance(pack, Pack) else load_pack(pack)


def pipeline_bytes(doc: Doc, pack: PackRef = "nantong", as_of: dt.date = AS_OF) -> bytes:
    """The JSON report of the library's pipeline (read → normalise → check → report)."""
    roster, _ = normalize.load(read_document(copy.deepcopy(doc), "request"))
    return build_report(check(roster, pack_of(pack), as_of)).to_bytes()


def run(doc: Doc, pack: PackRef = "nantong", as_of: dt.date = AS_OF) -> Report:
    roster, _ = normalize.load(read_document(copy.deepcopy(doc), "case.json"))
    return build_report(check(roster, pack_of(pack), as_of)).to_model()


ANY = "*"  # a finding's `detail` a case does not check


class F(NamedTuple):
    """The fields of a finding a case checks. `region` is compared for region-level findings only;
    `detail` only for the rules whose expected findings give one (the category of an FC1 finding,
    the office of an LG3 one)."""

    rule_id: str
    severity: str
    unit: str | None = None
    role: str | None = None
    person: str | None = None
    actual: float | None = None
    min: float | None = None
    max: float | None = None
    shortfall: int = 0
    missing: str | None = None
    community: str | None = BASE
    region: str | None = None
    detail: str | None = ANY


def _number(value: float | None) -> float | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def observed(finding: Finding, with_detail: bool = False) -> F:
    return F(finding.rule_id, finding.severity, finding.unit, finding.role, finding.person_id,
             _number(finding.actual), _number(finding.required_min), _number(finding.required_max),
             finding.shortfall, finding.missing_field, finding.community_id,
             finding.region_id if finding.community_id is None else None, finding.detail if with_detail else ANY)


def _sorted(items: Iterable[F]) -> list[F]:
    return sorted(items, key=repr)


def assert_findings(report: Report, expected: Iterable[F]) -> None:
    """The exact findings (as a multiset: the same finding twice must be expected twice)."""
    expected = list(expected)
    detailed = {f.rule_id for f in expected if f.detail != ANY}
    assert _sorted(observed(f, f.rule_id in detailed) for f in report.findings) == _sorted(expected)


@dataclass(frozen=True)
class Case:
    """One row of a rule table: edits to the baseline, the pack, the expected findings, and,
    when the small engine leaves the case to the pipeline, why (`small_declines`)."""

    id: str
    edits: tuple[Edit, ...]
    expected: list[F]
    pack: PackRef = "nantong"
    small_declines: str | None = None
    as_of: dt.date = AS_OF

    def document(self) -> Doc:
        return apply(self.edits)


def case(case_id: str, edits: Edit | tuple[Edit, ...], expected: list[F], pack: PackRef = "nantong",
         small_declines: str | None = None) -> Case:
    return Case(case_id, edits if isinstance(edits, tuple) else (edits,), expected, pack, small_declines)


def check_columnar(c: Case) -> None:
    """The library's pipeline gives exactly the case's findings."""
    assert_findings(run(c.document(), c.pack, c.as_of), c.expected)


def check_small(c: Case) -> None:
    """The small engine gives exactly the case's findings, in the pipeline's very bytes; or,
    when the case says the small engine declines it, it declines."""
    doc = c.document()
    fast = small.report_bytes(copy.deepcopy(doc), pack_of(c.pack), c.as_of)
    if c.small_declines is not None:
        assert fast is None, f"the small engine serves a case it is said to decline ({c.small_declines})"
        return
    assert fast is not None, "the small engine declines a case that does not say it does"
    assert_findings(Report.model_validate_json(fast), c.expected)
    assert fast.decode("utf-8") == pipeline_bytes(doc, c.pack, c.as_of).decode("utf-8")
