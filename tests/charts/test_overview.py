"""A region's overview, read back from the SVG: every community once, inside its street's
block, coloured by the report's status, with its error count; boxes never overlap; a
1,000-community region renders within the issue's 5 s."""

from __future__ import annotations

import dataclasses
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter

import polars as pl
import pytest

from orgmodel import vocabulary
from orgmodel.charts import NotInRoster, region_overview, render
from orgmodel.charts.style import STATUS_COLOUR
from orgmodel.check import check
from orgmodel.dev import synth
from orgmodel.report.figures import community_status

from ._charts import DISTRICT, checked, groups, parse, rows, texts

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
Box = tuple[float, float, float, float]


def bounds(element: ET.Element) -> Box:
    """The box around an element's shapes (polygon points and path coordinates)."""
    numbers = []
    for shape in element.iter():
        numbers += [float(n) for n in NUMBER.findall(shape.get("points", "") + " " + shape.get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def inside(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def district():
    result = checked(DISTRICT)
    return result, parse(render(region_overview(result, "320602"), "svg"))


def drawn_boxes(svg: ET.Element) -> list[tuple[str, str, str, str]]:
    """(street label, community name, status line, fill) of every community box."""
    streets = [(rows(g)[0][0], bounds(g)) for g in groups(svg, "street-")]
    found = []
    for g in groups(svg, "community-"):
        box = bounds(g)
        [street] = [label for label, area in streets if inside(box, area)]
        fill = next(s.get("fill") for s in g.iter() if s.get("fill") not in (None, "none"))
        lines = rows(g)
        found.append((street, lines[0][0], lines[1][0], fill))
    return found


def test_every_community_once_in_its_street_with_the_report_status(district) -> None:
    result, svg = district
    regions = dict(result.roster.regions.select("id", "name").iter_rows())
    status = dict(community_status(result).select("community_id", "status").iter_rows())
    errors = Counter(result.findings.filter((pl.col("severity") == "error") & pl.col("waiver").is_null()
                                            & pl.col("community_id").is_not_null())["community_id"])  # not LG3's city
    expected = Counter()
    for cid, name, region in result.roster.communities.select("id", "name", "region").iter_rows():
        fill = STATUS_COLOUR[status[cid]][1]
        expected[(regions[region], name, fill)] += 1
        assert (status[cid] == "with_errors") == (errors[cid] > 0)
    drawn = drawn_boxes(svg)
    assert Counter((street, name, fill) for street, name, _, fill in drawn) == expected
    error_lines = Counter(int(m.group(1)) for _, _, line, _ in drawn if (m := re.match(r"错误 (\d+)", line)))
    assert error_lines == Counter(n for n in errors.values() if n > 0)


def test_street_blocks_are_labelled_and_boxes_do_not_overlap(district) -> None:
    _, svg = district
    assert sorted(rows(g)[0][0] for g in groups(svg, "street-")) == sorted(
        ["和平桥街道", "城东街道", "任港街道", "新城桥街道", "虹桥街道", "学田街道", "钟秀街道", "幸福街道"])
    boxes = [bounds(g) for g in groups(svg, "community-")]
    blocks = [bounds(g) for g in groups(svg, "street-")]
    for shapes in (boxes, blocks):
        assert not any(overlap(a, b) for i, a in enumerate(shapes) for b in shapes[i + 1:])


def test_main_shortfalls_name_the_posts_most_missing(district) -> None:
    _, svg = district
    lines = {rows(g)[0][0]: rows(g)[2] for g in groups(svg, "community-")}
    assert lines["友谊里社区"] == ["调解员2 保安2 等"]  # no 综治办: 8 seats over six posts


def test_a_street_overview_holds_only_its_communities() -> None:
    result = checked(DISTRICT)
    svg = parse(render(region_overview(result, "320602001"), "svg"))
    names = result.roster.communities.filter(pl.col("region") == "320602001")["name"].to_list()
    assert sorted(rows(g)[0][0] for g in groups(svg, "community-")) == sorted(names)
    assert "和平桥街道 社区配备概览" in texts(svg)


def test_an_unknown_region_is_not_in_the_roster() -> None:
    with pytest.raises(NotInRoster, match="region 999"):
        region_overview(checked(DISTRICT), "999")


def test_a_thousand_communities_render_within_five_seconds(tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("synthetic-1000")
    synth.write_synthetic(folder, 1000, seed=1)
    result = checked(folder)
    root = result.roster.regions.filter(pl.col("parent").is_null())["id"][0]
    started = time.perf_counter()
    svg = render(region_overview(result, root), "svg")
    elapsed = time.perf_counter() - started
    assert len(groups(parse(svg), "community-")) == 1000
    assert elapsed <= 5.0, f"{elapsed:.2f} s"


def _group_seats(svg: ET.Element) -> dict[str, list[tuple[str, str]]]:
    """The leadership group's panel read back: post → [(office, holder or 空缺)], rows of two
    lines (office above name) paired column by column."""
    lines = rows(groups(svg, "leadership-group")[0])
    seats: dict[str, list[tuple[str, str]]] = {}
    for upper, lower in zip(lines[1::2], lines[2::2], strict=True):
        role, offices = (upper[0], upper[1:]) if upper[0] in ("组长", "副组长", "成员") else ("", upper)
        holders = [t for t in lower if not re.fullmatch(r"LG\d", t)]
        seats.setdefault(role, []).extend(zip(offices, holders, strict=True))
    return seats


def _leadership_cases() -> dict[str, object]:
    result = checked(DISTRICT)
    without_civil_affairs = dataclasses.replace(result.roster, leadership=result.roster.leadership.filter(
        pl.col("office") != "civil_affairs_head"))
    leader_replaced = dataclasses.replace(result.roster, leadership=result.roster.leadership.with_columns(
        office=pl.when(pl.col("role") == "leader").then(pl.lit("other")).otherwise("office"),
        office_title=pl.when(pl.col("role") == "leader").then(pl.lit("市委常委")).otherwise("office_title")))
    return {"example": result, "no_civil_affairs_head": check(without_civil_affairs, result.pack, result.as_of),
            "leader_not_party_secretary": check(leader_replaced, result.pack, result.as_of)}


@pytest.mark.parametrize("case", ["example", "no_civil_affairs_head", "leader_not_party_secretary"])
def test_city_overview_shows_its_leadership_group_with_vacant_offices(case: str) -> None:
    """南通市's overview: each member in their post under their office as written (本职), and one
    空缺 seat per office an LG2–LG4 finding says is missing, under the post the rule looks in."""
    result = _leadership_cases()[case]
    svg = parse(render(region_overview(result, "320600"), "svg"))  # type: ignore[arg-type]
    seats = _group_seats(svg)
    members = result.roster.leadership.filter(pl.col("region") == "320600")  # type: ignore[attr-defined]
    expected: dict[str, list[tuple[str, str]]] = {}
    for role, title, name in members.select("role", "office_title", "name").iter_rows():
        expected.setdefault(vocabulary.LEADERSHIP_ROLES[role], []).append((title, name))
    rules = {r.id: result.pack.params(r) for r in result.pack.rules if r.kind == "group_offices"}  # type: ignore[attr-defined]
    found = result.findings.filter(pl.col("rule_id").is_in(list(rules)) & (pl.col("region_id") == "320600"))  # type: ignore[attr-defined]
    assert found.height >= 1
    for rule_id, detail in found.select("rule_id", "detail").iter_rows():
        params = rules[rule_id]
        office = "或".join(vocabulary.OFFICES[o] for o in params.offices) if params.sole else vocabulary.OFFICES[detail]
        role = params.roles[0] if len(params.roles) == 1 else "member"
        expected.setdefault(vocabulary.LEADERSHIP_ROLES[role], []).append((office, "空缺"))
    assert {r: sorted(s) for r, s in seats.items()} == {r: sorted(s) for r, s in expected.items()}
    assert sum(holder == "空缺" for s in seats.values() for _, holder in s) == found.height
    panel = bounds(groups(svg, "leadership-group")[0])
    assert not any(overlap(panel, bounds(b)) for b in groups(svg, "street-"))


def test_overview_of_a_region_without_a_group_draws_none() -> None:
    result = checked(DISTRICT)
    assert result.roster.leadership.filter(pl.col("region") == "320602").is_empty()
    assert groups(parse(render(region_overview(result, "320602"), "svg")), "leadership-group") == []
