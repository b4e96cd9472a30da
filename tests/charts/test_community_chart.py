"""A community's chart, read back from the SVG `dot` drew: every holder in their unit under their
post, exactly `shortfall` vacancy seats per short post, the 指导 edge dashed, the same person
marked the same way, badges coloured by the worst finding."""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl
import pytest

from orgmodel import vocabulary
from orgmodel.charts import community_chart, render
from orgmodel.charts.community import VACANT, government_name
from orgmodel.charts.style import OK_COLOUR, SEVERITY_COLOUR
from orgmodel.check import CheckResult
from orgmodel.roster import active_appointments

from ._charts import DISTRICT, HONGQIAO, checked, fills, group, groups, hongqiao, parse, rows, texts

ERROR, WARNING = SEVERITY_COLOUR["error"][0], SEVERITY_COLOUR["warning"][0]


def drop(*people: str, unit: str | None = None):
    """An edit: remove the appointments of some people (optionally only in one unit's spellings)."""
    def edit(c: dict[str, Any]) -> None:
        c["appointments"] = [a for a in c["appointments"]
                             if not (a["person"] in people and (unit is None or a["unit"] in (unit, "综治办")))]
    return edit


def without_governance_office(c: dict[str, Any]) -> None:
    c["appointments"] = [a for a in c["appointments"] if vocabulary.UNIT.parse(a["unit"]) != "governance_office"]


def without_relations(c: dict[str, Any]) -> None:
    c["relations"] = []


CASES = {
    "hongqiao": lambda: (hongqiao(), HONGQIAO),
    "party_org_short_by_two": lambda: (hongqiao(drop("P004", "P005")), HONGQIAO),
    "no_governance_office": lambda: (hongqiao(without_governance_office), HONGQIAO),
    "district_community_without_office": lambda: (checked(DISTRICT), "320602006006"),
}


@pytest.fixture(scope="module", params=list(CASES))
def drawn(request: pytest.FixtureRequest) -> tuple[CheckResult, str, Any]:
    result, community = CASES[request.param]()
    return result, community, parse(render(community_chart(result, community), "svg"))


def unit_rows(svg: Any, unit: str) -> list[list[str]]:
    return rows(group(svg, f"unit-{unit}"))


def test_every_holder_is_drawn_under_their_post_in_their_unit(drawn) -> None:
    result, community, svg = drawn
    active = active_appointments(result.roster, result.as_of).filter(pl.col("community") == community)
    names = dict(result.roster.people.select("person", "name").iter_rows())
    assert active.height > 0
    for a in active.iter_rows(named=True):
        role = a["label"] if a["role"] == vocabulary.OTHER_ROLE else vocabulary.role_label(a["role"])
        drawn_rows = unit_rows(svg, a["unit"])
        assert any(row[:2] == [role, names[a["person"]]] for row in drawn_rows), (a, drawn_rows)


def test_exactly_shortfall_vacancy_seats_per_short_post(drawn) -> None:
    result, community, svg = drawn
    short = result.findings.filter((pl.col("community_id") == community) & (pl.col("shortfall") > 0))
    expected = Counter()
    for unit, role, n in short.group_by("unit", "role").agg(pl.col("shortfall").sum()).iter_rows():
        expected[(unit, vocabulary.role_label(role))] += n
    assert expected, "each case has some shortfall"
    seats = Counter()
    for unit in vocabulary.UNITS:
        for g in groups(svg, f"unit-{unit}"):
            seats.update((unit, row[0]) for row in rows(g) if row[1:] == [VACANT])
    assert seats == expected
    assert texts(svg).count(VACANT) == sum(expected.values()) + 1  # and one in the legend


def test_every_role_label_is_drawn(drawn) -> None:
    result, community, svg = drawn
    active = active_appointments(result.roster, result.as_of).filter(pl.col("community") == community)
    shown = {t for t in texts(svg)}
    for role in active.filter(pl.col("role") != vocabulary.OTHER_ROLE)["role"].unique().to_list():
        assert vocabulary.role_label(role) in shown


def test_a_unit_nobody_staffs_is_drawn_dashed_as_not_established() -> None:
    svg = parse(render(community_chart(hongqiao(without_governance_office), HONGQIAO), "svg"))
    office = group(svg, "unit-governance_office")
    assert rows(office)[0] == ["社区综治办(未建立)", "错误7"]  # S1 and G1–G6
    assert any(e.get("stroke-dasharray") for e in office.iter() if e.get("stroke") == ERROR)
    staffed = group(svg, "unit-service_station")
    assert not any(e.get("stroke-dasharray") for e in staffed.iter())


def test_the_street_office_guides_with_a_dashed_edge_and_never_leads() -> None:
    svg = parse(render(community_chart(hongqiao(), HONGQIAO), "svg"))
    assert texts(group(svg, "government-0")) == ["和平桥街道办事处"]
    [guides] = groups(svg, "edge-guides")
    assert [t.strip() for t in texts(guides)] == ["指导"]
    assert guides.find("{http://www.w3.org/2000/svg}title").text == "gov0->u_residents_committee"
    path = guides.find("{http://www.w3.org/2000/svg}path")
    assert path is not None and path.get("stroke-dasharray")
    for leads in groups(svg, "edge-leads"):
        assert not leads.find("{http://www.w3.org/2000/svg}title").text.startswith("gov")
        assert not leads.find("{http://www.w3.org/2000/svg}path").get("stroke-dasharray")


def test_without_relations_the_street_office_is_taken_from_the_community_region() -> None:
    svg = parse(render(community_chart(hongqiao(without_relations), HONGQIAO), "svg"))
    assert texts(group(svg, "government-0")) == ["和平桥街道办事处", "(按所属区域推定)"]
    [guides] = groups(svg, "edge-guides")
    assert guides.find("{http://www.w3.org/2000/svg}path").get("stroke-dasharray")


def test_a_government_that_leads_is_drawn_as_the_r1_error_it_is() -> None:
    def leads(c: dict[str, Any]) -> None:
        c["relations"].append({"from": {"government": "和平桥街道办事处"}, "to": "居委会", "type": "领导"})

    svg = parse(render(community_chart(hongqiao(leads), HONGQIAO), "svg"))
    wrong = [g for g in groups(svg, "edge-leads") if g.find("{http://www.w3.org/2000/svg}title").text.startswith("gov")]
    assert len(wrong) == 1
    assert [t.strip() for t in texts(wrong[0])] == ["领导(违规 R1)"]
    assert wrong[0].find("{http://www.w3.org/2000/svg}path").get("stroke") == ERROR


@pytest.mark.parametrize(("region", "body"), [("和平桥街道", "和平桥街道办事处"), ("金沙镇", "金沙镇人民政府"),
                                              ("三余乡", "三余乡人民政府"), ("观音山街道办事处", "观音山街道办事处")])
def test_government_name_from_the_region(region: str, body: str) -> None:
    assert government_name(region) == body


def test_a_person_with_several_posts_carries_the_same_marker_in_each() -> None:
    svg = parse(render(community_chart(hongqiao(), HONGQIAO), "svg"))
    everywhere = [row for unit in vocabulary.UNITS for g in groups(svg, f"unit-{unit}") for row in rows(g)]
    marks = {name: {tuple(row[2:]) for row in everywhere if row[1:2] == [name]}
             for name in ("张建国", "刘洋", "王伟", "李秀英", "赵敏")}
    # 张建国 书记兼主任, 刘洋 居委会委员 and 业委会主任, 王伟 and 李秀英 in both committees.
    assert {name: len(m) for name, m in marks.items()} == {"张建国": 1, "刘洋": 1, "王伟": 1, "李秀英": 1, "赵敏": 1}
    firsts = {name: next(iter(m)) for name, m in marks.items()}
    assert firsts["赵敏"] == ()  # one post, no marker
    markers = [firsts[n][0] for n in ("张建国", "李秀英", "王伟", "刘洋")]
    assert len(set(markers)) == 4 and all(len(m) == 1 for m in markers)
    assert sum(1 for row in everywhere if row[1:3] == ["张建国", firsts["张建国"][0]]) == 2


def test_a_person_a_finding_names_carries_its_rule_id() -> None:
    svg = parse(render(community_chart(hongqiao(), HONGQIAO), "svg"))
    assert ["专职调解员", "宋涛", "[G3]"] in unit_rows(svg, "governance_office")  # part-time, not counted


def test_badges_take_the_colour_of_the_worst_finding() -> None:
    svg = parse(render(community_chart(hongqiao(), HONGQIAO), "svg"))

    def badge_fills(unit: str) -> set[str]:
        return fills(group(svg, f"unit-{unit}")) & {ERROR, WARNING, OK_COLOUR[0]}

    assert badge_fills("governance_office") == {ERROR}  # G3 error (and a warning)
    assert badge_fills("residents_committee") == {WARNING}  # A2 warning
    assert badge_fills("service_station") == {OK_COLOUR[0]}
    assert unit_rows(svg, "governance_office")[0] == ["社区综治办", "错误1·警告1"]


def test_an_over_size_body_is_marked() -> None:
    def five_more(c: dict[str, Any]) -> None:
        for n in range(5):
            c["people"].append({"id": f"X{n}", "name": f"新委员{n}"})
            c["appointments"].append({"person": f"X{n}", "unit": "party_org", "role": "member"})

    result = hongqiao(five_more)
    assert result.findings.filter(pl.col("detail") == "over_max").height == 1
    svg = parse(render(community_chart(result, HONGQIAO), "svg"))
    party = unit_rows(svg, "party_org")
    assert party[0] == ["社区党组织", "警告1"]
    assert party[1] == ["超出上限:现有10人,应为5–9人"]
    assert ["超出上限:现有10人,应为5–9人"] not in unit_rows(svg, "residents_committee")


def test_person_ids_never_appear_and_id_numbers_are_masked() -> None:
    def id_number_as_name(c: dict[str, Any]) -> None:
        c["people"][7]["name"] = "110101199003071234"

    result = hongqiao(id_number_as_name)
    source = community_chart(result, HONGQIAO)
    svg = render(source, "svg")
    for output in (source.encode(), svg):
        assert b"110101199003071234" not in output
        assert b"110101********1234" in output
    shown = " ".join(texts(parse(svg)))
    assert not any(f"P0{n:02d}" in shown for n in range(1, 28))


def test_the_legend_explains_the_marks() -> None:
    svg = parse(render(community_chart(hongqiao(), HONGQIAO), "svg"))
    legend = texts(group(svg, "legend"))
    assert "图例" in legend and VACANT in legend and "①" in legend


@pytest.mark.parametrize("community", ["320602006006", "320602001001"])
def test_facility_checklist_ticks_each_category_or_marks_it_short(community: str) -> None:
    """五室/三站/两栏/一校/一场所 read back from the SVG: a category FC1 found short shows 缺N个
    (N = required − actual of the finding), every other one a tick; the counts are the roster's."""
    result = checked(DISTRICT)
    rules = {r.id: result.pack.params(r) for r in result.pack.rules if r.kind == "facility_counts"}
    minimums = rules["FC1"].minimums  # type: ignore[attr-defined]
    svg = parse(render(community_chart(result, community), "svg"))
    lines = rows(group(svg, "facilities"))
    assert lines[0] == ["设施:五室三站两栏一校一场所"]
    shown = {line[0]: line[1:] for line in lines[1:]}
    labels = dict(zip(vocabulary.FACILITY_CATEGORIES, ["五室", "三站", "两栏", "一校", "一场所"], strict=True))
    assert list(shown) == [labels[c] for c in minimums]
    listed = Counter(result.roster.facilities.filter(pl.col("community") == community)["category"].drop_nulls())
    short = {f["detail"]: f for f in result.findings.filter(
        (pl.col("community_id") == community) & (pl.col("rule_id") == "FC1")).iter_rows(named=True)}
    for category, least in minimums.items():
        count, mark = shown[labels[category]]
        assert count == f"现有{listed.get(category, 0)}个"
        if category in short:
            assert mark == f"缺{int(short[category]['required_min'] - short[category]['actual'])}个"
        else:
            assert mark == "✓" and listed.get(category, 0) >= least
    assert short or community == "320602001001"


def test_no_facility_checklist_without_facility_data() -> None:
    result = hongqiao()
    assert not result.roster.has_facilities
    svg = parse(render(community_chart(result, HONGQIAO), "svg"))
    assert groups(svg, "facilities") == [] and "五室" not in "".join(texts(svg))
