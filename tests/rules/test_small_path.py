"""The small path (`orgmodel.small`) gives exactly the full pipeline's report bytes, or declines.

Every test compares with `read_document → normalize.load → check → build_report(...).to_bytes()`,
the pipeline of the HTTP API (`testing.pipeline_bytes`). Documents the small path must
serve (the examples, clean generated documents) assert that it was taken; the documents and
packs it declines are named below, each with the reason it declines. The rule tables run
through both engines in test_cases.py.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel import graph, small, vocabulary
from orgmodel.errors import RosterInputError
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.rules.kinds import FINDING_SCHEMA, KINDS, Finding
from orgmodel.rules.pack import Pack, available, load_pack
from orgmodel.rules.testing import AS_OF, change_community, change_person, pipeline_bytes
from orgmodel.small import records
from orgmodel.small.plan import plan_for
from orgmodel.small.report import to_bytes

from .strategies import communities

EXAMPLES = Path(__file__).parents[2] / "examples"
PACKS = available()
DAYS = [dt.date(2023, 12, 31), dt.date(2024, 6, 30), AS_OF]
DATES = [None, "2020-01-01", "2023-12-31", "2024-01-01", "2024-06-30", "2024-07-01", "2027-01-01"]
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_or_declined(doc: dict[str, Any], pack: Pack, as_of: dt.date) -> bytes | None:
    """The property: the small path's bytes are the pipeline's, or None (always None when the
    pipeline finds input errors). Returns the small path's answer."""
    fast = small.report_bytes(copy.deepcopy(doc), pack, as_of)
    try:
        full = pipeline_bytes(doc, pack, as_of)
    except RosterInputError:
        assert fast is None
        return None
    if fast is not None:
        assert fast.decode("utf-8") == full.decode("utf-8")
    return fast


# --- documents -----------------------------------------------------------------------------------

REGION_TREES = [
    # (regions, the community's region)
    ([{"id": "R1", "name": "测试街道", "level": "street", "min_wage_monthly_yuan": 2280}], "R1"),
    ([{"id": "R0", "name": "测试区", "level": "county", "min_wage_monthly_yuan": 2280.5},
      {"id": "R1", "name": "测试街道", "level": "street", "parent": "R0"}], "R1"),
    ([{"id": "R0", "name": "测试区", "level": "county"},
      {"id": "R1", "name": None, "level": "street", "parent": "R0"}], "R1"),
    ([{"id": "R0", "name": "测试区", "level": "county", "min_wage_monthly_yuan": 2280},
      {"id": "R1", "name": "测试街道", "level": "street", "parent": "R0"},
      {"id": "R2", "name": "另一区", "level": "county"}, {"id": "R3", "level": "street", "parent": "R2"}], "R1"),
    ([], "R1"),
    ([], None),
]
TASK_CATEGORIES = [*vocabulary.TASK_CATEGORIES, None, "协助", "不明"]
BODIES = ["party_org", "residents_committee"]


@st.composite
def tasks(draw: st.DrawFn, number: int) -> dict[str, Any]:
    task = {"id": f"T{number}", "name": draw(st.sampled_from(["人口普查", "养老服务", None])),
            "assigned_by": "民政局", "category": draw(st.sampled_from(TASK_CATEGORIES)),
            "approved": draw(st.sampled_from([True, False, None])),
            "authorization": draw(st.sampled_from(["崇民〔2026〕1号", None])),
            "funded": draw(st.sampled_from([True, False, None])),
            "purchase_contract": draw(st.sampled_from(["崇民购〔2026〕1号", None]))}
    return {k: v for k, v in task.items() if v is not None}


def relation_end(unit: str) -> st.SearchStrategy[Any]:
    return st.sampled_from([unit, {"government": "和平桥街道办事处"}, {"government": "城东街道办事处"}])


@st.composite
def relations(draw: st.DrawFn) -> dict[str, Any]:
    units = list(vocabulary.UNITS)
    return {"from": draw(relation_end(draw(st.sampled_from(units)))), "to": draw(relation_end(draw(st.sampled_from(units)))),
            "type": draw(st.sampled_from(list(vocabulary.RELATION_TYPES)))}


@st.composite
def clean_documents(draw: st.DrawFn) -> dict[str, Any]:
    """One community written with codes, numbers and ISO dates (as `orgmodel convert` writes
    it): the strategy of test_properties.py, plus genders, people with several posts, dated
    appointments, declared units, relations, tasks, pilots and other region trees."""
    doc = draw(communities())
    community = doc["communities"][0]
    people = community["people"]
    for person in people:
        gender = draw(st.sampled_from(["male", "female", None]))
        if gender is not None:
            person["gender"] = gender
        if draw(st.integers(0, 9)) == 0:
            person["monthly_pay_yuan"] = 2280.5
    for appointment in community["appointments"]:
        if draw(st.integers(0, 3)) == 0:  # a second post for someone already appointed
            appointment["person"] = draw(st.sampled_from(people))["id"]
        for bound in ("start", "end"):
            date = draw(st.sampled_from(DATES))
            if date is not None:
                appointment[bound] = date
    if draw(st.integers(0, 3)) == 0:  # a large committee (S2/S3 over the maximum)
        for n in range(draw(st.integers(5, 10))):
            people.append({"id": f"M{n:02d}", "name": f"委员{n}", "monthly_pay_yuan": 3000})
            community["appointments"].append({"person": f"M{n:02d}", "unit": draw(st.sampled_from(BODIES)),
                                              "role": "member", "full_time": True})
    regions, region = draw(st.sampled_from(REGION_TREES))
    doc["regions"] = copy.deepcopy(regions)
    community["region"] = region
    community["pilot"] = draw(st.booleans())
    community["budget"] = draw(st.sampled_from([community["budget"], {"office_activity_yuan": 150_000.5}, {}, None]))
    community["units"] = [{"kind": unit} for unit in draw(st.lists(st.sampled_from(list(vocabulary.UNITS)), max_size=3))]
    community["relations"] = draw(st.lists(relations(), max_size=3))
    community["tasks"] = [draw(tasks(n)) for n in range(1, draw(st.integers(0, 4)) + 1)]
    return doc


@st.composite
def two_communities(draw: st.DrawFn) -> dict[str, Any]:
    """Two communities sharing some people (full-time in both: X1), the second anywhere in the
    region tree (a county with no pilot: C1) or in none."""
    doc, other = draw(clean_documents()), draw(clean_documents())["communities"][0]
    renamed = {p["id"]: "Q" + p["id"] for p in other["people"]}
    for person in other["people"]:
        person["id"] = renamed[person["id"]]
    for appointment in other["appointments"]:
        appointment["person"] = renamed[appointment["person"]]
    first = doc["communities"][0]
    for person in draw(st.lists(st.sampled_from(first["people"]), max_size=3)) if first["people"] else []:
        other["appointments"].append({"person": person["id"], "unit": "service_station", "role": "staff", "full_time": True})
    other["id"] = "C2"
    other["region"] = draw(st.sampled_from([first["region"], None, *(r["id"] for r in doc["regions"])]))
    doc["communities"].append(other)
    return doc


def _document(**fields: Any) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        doc.update(fields)
    return edit


def _post(**fields: Any) -> Any:
    """Fields of the first appointment (`testing.change_post` selects by unit and role)."""
    def edit(doc: dict[str, Any]) -> None:
        doc["communities"][0]["appointments"][0].update(fields)
    return edit


def _person(**fields: Any) -> Any:
    return change_person("P000", **fields)


def _community(**fields: Any) -> Any:
    return change_community("C1", **fields)


READABLE = [  # spellings the pipeline accepts and the small path reads as it does
    _post(role="网格员"), _post(role="书记兼网格员"), _post(full_time="是"), _post(full_time=None), _post(c=0),
    _post(start="2024/1/1"), _post(end="2024年6月30日"),
    _community(kind="城市"), _community(kind="乡村"), _community(pilot="是"), _person(education="本科"),
    _person(gender="女"), _person(police_officer="否"), _person(name="  王  伟 "),
]
DECLINED = [  # input errors, and spellings the small path leaves to the pipeline
    _post(unit="综治班"), _post(person="NOBODY"), _post(full_time="maybe"), _post(start="2024-13-01"),
    _community(households=-1), _community(households="3000"), _community(households=3000.0),
    _community(kind="乡村社区"), _community(name=12), _community(region="NOWHERE"), _person(education="博士后"),
    _person(monthly_pay_yuan=2280.123), _person(id=" P001 "), _document(format="orgmodel.roster/2"),
]


def _spoil(draw: st.DrawFn, doc: dict[str, Any], edits: list[Any]) -> None:
    for edit in draw(st.lists(st.sampled_from(edits), max_size=2)):
        with contextlib.suppress(IndexError, StopIteration):  # no appointment, or P000 is not listed
            edit(doc)


@st.composite
def readable_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Clean documents of one or two communities, some values written the ways rosters write them."""
    doc = draw(st.one_of(clean_documents(), two_communities()))
    if draw(st.booleans()) and doc["communities"][0]["appointments"]:  # a post written in Chinese
        appointment = doc["communities"][0]["appointments"][-1]
        appointment["unit"] = vocabulary.UNIT_VARIANTS[appointment["unit"]][0]
        appointment["role"] = vocabulary.ROLE_VARIANTS[appointment["role"]][0]
    _spoil(draw, doc, READABLE)
    return doc


@st.composite
def noisy_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = draw(readable_documents())
    _spoil(draw, doc, DECLINED)
    return doc


# --- properties ----------------------------------------------------------------------------------

@SETTINGS
@given(doc=readable_documents(), pack=st.sampled_from(PACKS), as_of=st.sampled_from(DAYS))
def test_a_clean_document_takes_the_small_path_and_gets_the_pipelines_bytes(
        doc: dict[str, Any], pack: str, as_of: dt.date) -> None:
    assert assert_same_or_declined(doc, load_pack(pack), as_of) is not None


@SETTINGS
@given(doc=noisy_documents(), pack=st.sampled_from(PACKS), as_of=st.sampled_from(DAYS))
def test_any_document_gets_the_pipelines_bytes_or_none(doc: dict[str, Any], pack: str, as_of: dt.date) -> None:
    assert_same_or_declined(doc, load_pack(pack), as_of)


def _nested(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4))


JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()


@given(value=st.recursive(JSON_LEAVES, _nested, max_leaves=20))
def test_the_json_text_is_json_dumps(value: object) -> None:
    assert to_bytes(value) == (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- the examples and the rule tables ------------------------------------------------------------

@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("as_of", DAYS)
def test_the_hongqiao_example_takes_the_small_path(pack: str, as_of: dt.date) -> None:
    doc = json.loads((EXAMPLES / "hongqiao.json").read_text(encoding="utf-8"))
    assert assert_same_or_declined(doc, load_pack(pack), as_of) is not None


def _district_communities() -> list[Any]:
    """Each community of the example district as a document of its own, with its region chain
    and the people it appoints (people are listed under their first community)."""
    district = json.loads((EXAMPLES / "chongchuan.json").read_text(encoding="utf-8"))
    regions = {r["id"]: r for r in district["regions"]}
    people = {p["id"]: p for c in district["communities"] for p in c["people"]}
    docs = []
    for community in district["communities"]:
        chain, at = [], community.get("region")
        while at is not None:
            chain.insert(0, regions[at])
            at = regions[at].get("parent")
        own = {p["id"] for p in community["people"]}
        guests = [people[pid] for pid in dict.fromkeys(a["person"] for a in community["appointments"]) if pid not in own]
        alone = {**community, "people": community["people"] + guests}
        docs.append(pytest.param({"format": district["format"], "regions": chain, "communities": [alone]},
                                 id=community["id"]))
    return docs


@pytest.mark.parametrize("doc", _district_communities())
def test_each_community_of_the_district_takes_the_small_path(doc: dict[str, Any]) -> None:
    for pack in PACKS:
        assert assert_same_or_declined(doc, load_pack(pack), AS_OF) is not None


# --- what it declines ----------------------------------------------------------------------------

def hongqiao() -> dict[str, Any]:
    return json.loads((EXAMPLES / "hongqiao.json").read_text(encoding="utf-8"))


def _post_in_the_wrong_unit(doc: dict[str, Any]) -> None:
    doc["communities"][0]["appointments"][0].update(unit="服务站", role="调解员")


def _misspelt_unit(doc: dict[str, Any]) -> None:
    doc["communities"][0]["appointments"][0]["unit"] = "综治班"


def _missing_person(doc: dict[str, Any]) -> None:
    doc["communities"][0]["people"].pop(0)


def _ten_communities(doc: dict[str, Any]) -> None:
    first = doc["communities"][0]
    doc["communities"] = [{**copy.deepcopy(first), "id": f"{first['id']}{n}", "people": [] if n else first["people"]}
                          for n in range(10)]


def _negative_households(doc: dict[str, Any]) -> None:
    doc["communities"][0]["households"] = -1


def _bad_date(doc: dict[str, Any]) -> None:
    doc["communities"][0]["appointments"][0]["start"] = "2024-02-30"


def _another_format(doc: dict[str, Any]) -> None:
    doc["format"] = "orgmodel.roster/2"


@pytest.mark.parametrize("spoil", [_post_in_the_wrong_unit, _misspelt_unit, _missing_person, _ten_communities,
                                   _negative_households, _bad_date, _another_format])
def test_a_document_outside_the_small_path_gets_none(spoil: Any) -> None:
    doc = hongqiao()
    spoil(doc)
    assert small.report_bytes(doc, load_pack("nantong"), AS_OF) is None


@pytest.mark.parametrize("document", [None, [], "roster", {"communities": []}, {"communities": None}])
def test_what_is_not_a_roster_document_gets_none(document: object) -> None:
    assert small.report_bytes(document, load_pack("nantong"), AS_OF) is None


def _pack(**rule: Any) -> Pack:
    return Pack.model_validate({"id": "test", "name": "测试", "version": "1", "rules": [
        {"id": "Z1", "name": "test.rule", "title": "测试", "severity": "error", "citation": "测试", **rule}]})


DECLINED_PARAMETERS = [  # (kind, parameters): each kind module says why its per-community path declines them
    pytest.param("qualification", {"post": "governance_office.student_social_worker", "attribute": "education",
                                   "allowed": ["bachelor", True], "requirement": "本科"}, id="codes mixed with true"),
    pytest.param("qualification", {"post": "governance_office.student_social_worker", "attribute": "education",
                                   "allowed": ["bachelor"], "requirement": "本科{name}"}, id="braces in a requirement"),
    pytest.param("holder_attribute", {"posts": ["residents_committee.member"], "attribute": "gender",
                                      "value": "female", "requirement": "{actual}"}, id="braces in a holder's requirement"),
]


@pytest.mark.parametrize(("kind", "parameters"), DECLINED_PARAMETERS)
def test_a_pack_with_what_the_small_path_does_not_reproduce_gets_none(kind: str, parameters: dict[str, Any]) -> None:
    pack = _pack(kind=kind, parameters=parameters)
    assert KINDS[kind].small_declines(pack.params(pack.rules[0])) is not None
    assert plan_for(pack) is None
    assert small.report_bytes(hongqiao(), pack, AS_OF) is None
    pipeline_bytes(hongqiao(), pack, AS_OF)  # the pipeline takes the pack


@pytest.mark.parametrize(("kind", "parameters"), [
    pytest.param("forbidden_relation", {"source": "government", "type": "leads"}, id="a government body as the source"),
    pytest.param("forbidden_relation", {"source": "party_org", "type": "leads"}, id="a unit as the source"),
    pytest.param("qualification", {"post": "governance_office.resident_police", "attribute": "police_officer",
                                   "allowed": [True], "requirement": "民警"}, id="true for a yes/no attribute"),
])
def test_the_same_kinds_with_other_parameters_take_the_small_path(kind: str, parameters: dict[str, Any]) -> None:
    pack = _pack(kind=kind, parameters=parameters)
    assert KINDS[kind].small_declines(pack.params(pack.rules[0])) is None
    assert assert_same_or_declined(hongqiao(), pack, AS_OF) is not None


@SETTINGS
@given(doc=readable_documents(), source=st.sampled_from(list(vocabulary.UNITS)),
       type_=st.sampled_from(list(vocabulary.RELATION_TYPES)), data=st.data())
def test_a_unit_as_the_source_of_a_forbidden_relation_gets_the_pipelines_bytes(
        doc: dict[str, Any], source: str, type_: str, data: st.DataObject) -> None:
    """Both engines decide on one structure graph: declared units (some named, some twice),
    relations declared from the source, standing relations between declared units."""
    units = st.sampled_from(list(vocabulary.UNITS))
    for community in doc["communities"]:
        community["units"] += [{"kind": kind} for kind in data.draw(st.lists(st.just(source) | units, max_size=3))]
        for unit in community["units"]:
            unit["name"] = data.draw(st.sampled_from([None, "虹桥服务中心", " 党群之家 "]))
        community["relations"] += [{"from": source, "to": data.draw(relation_end(data.draw(units))), "type": type_}
                                   for _ in range(data.draw(st.integers(0, 2)))]
    pack = _pack(kind="forbidden_relation", parameters={"source": source, "type": type_},
                 applies_to=data.draw(st.sampled_from([None, ["urban"], ["rural"]])))
    assert assert_same_or_declined(doc, pack, data.draw(st.sampled_from(DAYS))) is not None


def test_the_records_give_the_structure_graph_the_roster_gives() -> None:
    """One definition: `graph.structure_of` over the small engine's records builds the very graph
    `graph.structure_graph` builds from the roster's tables (nodes, labels, declared and
    standing edges), so both engines decide forbidden_relation on one graph."""
    doc = hongqiao()
    first = doc["communities"][0]
    first["units"] += [{"kind": "service_station", "name": " 虹桥党群服务中心 "}, {"kind": "service_station", "name": "又一个"}]
    first["relations"] += [{"from": "居委会", "to": "owners_committee", "type": "管理"},
                           {"from": "service_station", "to": {"government": "区民政局"}, "type": "leads"},
                           {"from": "政府:和平桥街道办事处", "to": "service_station", "type": "leads"},
                           {"from": "政府:和平桥街道办事处", "to": "service_station", "type": "leads"}]
    village = {**copy.deepcopy(first), "id": "V1", "kind": "rural", "name": None, "people": []}
    village["relations"].append({"from": "assembly", "to": "residents_committee", "type": "decides"})
    doc["communities"].append(village)

    from_records = graph.structure_of(records.read(doc).communities)
    from_roster = graph.structure_graph(normalize.load(read_document(copy.deepcopy(doc), "case.json"))[0])
    edges = lambda g: sorted((a, b, sorted(d.items())) for a, b, d in g.edges(data=True))  # noqa: E731
    assert dict(from_records.nodes(data=True)) == dict(from_roster.nodes(data=True))
    assert edges(from_records) == edges(from_roster)
    community = first["id"]
    assert from_roster.nodes[graph.unit_node(community, "service_station")]["label"] == "虹桥党群服务中心"
    assert from_roster.nodes[graph.unit_node("V1", "residents_committee")]["label"] == "村民委员会"
    assert graph.forbidden_edges(from_records, "residents_committee", "manages") == [
        (graph.unit_node(c, "residents_committee"), graph.unit_node(c, unit))
        for c in (community, "V1") for unit in ("owners_committee", "service_station")]


def test_a_pack_is_planned_anew_when_it_changes_under_the_same_id_and_version() -> None:
    two = _pack(kind="role_holders", parameters={"posts": ["governance_office.mediator"], "min": 2})
    three = _pack(kind="role_holders", parameters={"posts": ["governance_office.mediator"], "min": 3})
    assert assert_same_or_declined(hongqiao(), two, AS_OF) is not None
    assert assert_same_or_declined(hongqiao(), three, AS_OF) is not None
    assert small.report_bytes(hongqiao(), two, AS_OF) != small.report_bytes(hongqiao(), three, AS_OF)


def test_every_kind_has_a_per_community_evaluation_and_the_columns_of_the_findings() -> None:
    assert [name for name, k in KINDS.items() if k.per_community is None] == []
    assert Finding._fields == tuple(FINDING_SCHEMA)


@pytest.mark.parametrize("person_id", ["32060219900101123X", "13812345678", "A32060219900101123X", "P022"])
def test_person_ids_are_masked_as_the_pipeline_masks_them(person_id: str) -> None:
    doc = hongqiao()
    community = doc["communities"][0]
    for record in (*community["people"], *community["appointments"]):
        for key in ("id", "person"):
            if record.get(key) == "P022":  # the part-time mediator: G3 names them
                record[key] = person_id
    answer = assert_same_or_declined(doc, load_pack("nantong"), AS_OF)
    assert answer is not None
    assert (person_id in answer.decode("utf-8")) == (person_id == "P022")  # a number inside an id is masked too
