"""No text of a chart lies outside its drawing (issue 11: the overview of a small street clipped
its own subtitle and legend). Each `<text>` of graphviz's SVG is measured with the chart font's
own advance widths (bold where the text is bold) from its anchor, and its box — in the page's
coordinates, after the graph's transform — must sit within the viewBox, for community charts
and overviews of several sizes."""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import polars as pl
import pytest
from fontTools.ttLib import TTFont

from orgmodel.charts import community_chart, region_overview, render
from orgmodel.charts.engine import font_file
from orgmodel.check import CheckResult, check
from orgmodel.rules.pack import load_pack

from ._charts import AS_OF, DISTRICT, HONGQIAO, SVG, checked, hongqiao

TOLERANCE = 1.0  # points: graphviz rounds positions to 2 decimals, fonts differ in side bearings
ASCENT, DESCENT = 0.88, 0.12  # of the font size, above and below the baseline (Noto Sans CJK)


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, str], dict[str, int], int]:
    path = font_file()
    if bold:
        path = path.replace("Regular", "Bold")
    font = TTFont(path, fontNumber=2 if path.endswith(".ttc") else 0, lazy=True)
    return font.getBestCmap(), {name: width for name, (width, _) in font["hmtx"].metrics.items()}, font["head"].unitsPerEm


def text_width(text: str, size: float, bold: bool) -> float:
    cmap, widths, em = _advances(bold)
    return sum(widths.get(cmap.get(ord(ch), ".notdef"), em) for ch in text) * size / em


def _transform(root: ET.Element) -> tuple[float, float, float, float]:
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    spec = graph.get("transform", "")
    scale = re.search(r"scale\(([-\d.]+)(?:[ ,]([-\d.]+))?\)", spec)
    move = re.search(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)", spec)
    sx = float(scale.group(1)) if scale else 1.0
    sy = float(scale.group(2) or scale.group(1)) if scale else 1.0
    return sx, sy, float(move.group(1)) if move else 0.0, float(move.group(2)) if move else 0.0


def outside(svg: bytes) -> list[str]:
    """Each text whose box leaves the viewBox, with where."""
    root = ET.fromstring(svg)
    left, top, width, height = (float(v) for v in root.get("viewBox", "").split())
    sx, sy, tx, ty = _transform(root)
    found = []
    for element in root.iter(f"{SVG}text"):
        text = element.text or ""
        if not text.strip():
            continue
        size = float(element.get("font-size", "14"))
        bold = element.get("font-weight") == "bold"
        w = text_width(text, size, bold)
        x, y = float(element.get("x", "0")), float(element.get("y", "0"))
        start = {"start": x, "middle": x - w / 2, "end": x - w}[element.get("text-anchor", "start")]
        box = (start * sx + tx, (y - ASCENT * size) * sy + ty, (start + w) * sx + tx, (y + DESCENT * size) * sy + ty)
        if (box[0] < left - TOLERANCE or box[1] < top - TOLERANCE or box[2] > left + width + TOLERANCE
                or box[3] > top + height + TOLERANCE):
            found.append(f"{text!r} at {tuple(round(v, 1) for v in box)} outside {(left, top, left + width, top + height)}")
    return found


@pytest.fixture(scope="module")
def district() -> CheckResult:
    return checked(DISTRICT)


def _street_of(result: CheckResult, count: int) -> CheckResult:
    """The district cut down to the first `count` communities of its first street."""
    street = result.roster.communities.sort("id")["region"][0]
    ids = result.roster.communities.filter(pl.col("region") == street).sort("id")["id"].head(count).to_list()
    return check(replace(result.roster.restricted(ids)), load_pack("nantong"), AS_OF)


def test_the_measure_sees_text_that_leaves_the_drawing() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0.00 0.00 100.00 50.00"><g class="graph" '
           b'transform="scale(1 1) rotate(0) translate(4 46)"><text text-anchor="middle" x="46" y="-20" '
           b'font-size="14.00">\xe7\xa4\xbe\xe5\x8c\xba\xe9\x85\x8d\xe5\xa4\x87\xe6\xa6\x82\xe8\xa7\x88</text>'
           b'<text text-anchor="start" x="0" y="-20" font-size="10.00">ok</text></g></svg>')
    assert outside(svg) == []  # 6 汉字 of 14 pt are 84 pt wide: centred at 4 + 46 = 50, 8 … 92 fits
    assert len(outside(svg.replace(b'x="46"', b'x="80"'))) == 1  # 42 … 126: past the right edge
    assert len(outside(svg.replace(b'x="46"', b'x="30"'))) == 1  # -8 … 76: past the left edge
    assert len(outside(svg.replace(b'y="-20"', b'y="-40"'))) == 2  # tops at 46 - 40 - 12: above the drawing


@pytest.mark.parametrize("count", [1, 3, 12])
def test_no_text_leaves_a_street_overview(district: CheckResult, count: int) -> None:
    result = _street_of(district, count)
    street = result.roster.communities["region"][0]
    assert outside(render(region_overview(result, street), "svg")) == []


@pytest.mark.parametrize("region", ["320602", "320600"])  # the city's with its leadership group
def test_no_text_leaves_the_district_overview(district: CheckResult, region: str) -> None:
    assert outside(render(region_overview(district, region), "svg")) == []


@pytest.mark.parametrize("which", ["smallest", "largest"])
def test_no_text_leaves_a_community_chart(district: CheckResult, which: str) -> None:
    sizes = district.roster.appointments.group_by("community").len().sort("len", "community")
    community = sizes["community"][0 if which == "smallest" else -1]
    assert outside(render(community_chart(district, community), "svg")) == []


def test_no_text_leaves_the_one_community_example() -> None:
    assert outside(render(community_chart(hongqiao(), HONGQIAO), "svg")) == []
