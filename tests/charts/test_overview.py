"""A region's overview, read back from the SVG: every community once, inside its street's
block, coloured by the report's status, with its error count; boxes never overlap; a
1,000-community region renders within the issue's 5 s."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections import Counter

import polars as pl
import pytest

from orgmodel.charts import NotInRoster, region_overview, render
from orgmodel.charts.style import STATUS_COLOUR
from orgmodel.dev import synth
from orgmodel.report import community_status

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
