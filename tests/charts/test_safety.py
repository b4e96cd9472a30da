"""User text reaches `dot` as literal text only: quotes, backslashes, graphviz escapes and
HTML-shaped strings come out as written, `dot` exits 0, no image is ever loaded; `dot` runs
with a timeout and oversized charts are refused."""

from __future__ import annotations

import functools
import html
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgmodel.charts import ChartTooLarge, RenderFailed, community, community_chart, overview, region_overview, render
from orgmodel.charts.engine import dot_command, dot_environment
from orgmodel.charts.escape import NAME_LIMIT, html_text, safe_id

from ._charts import DISTRICT, HONGQIAO, SVG, checked, group, hongqiao, parse, rows, shown_as, texts

HOSTILE = ['a"b', "x\\", "\\N", "<b>x</b>", '<IMG SRC="/etc/passwd"/>', "\\G\\l\\E\\T\\H\\L", "a&amp;b", "]]>", "]"]


@pytest.mark.parametrize(("text", "markup"), [
    ('a"b', "a&quot;b"),
    ("x\\", "x\\\\"),
    ("\\N", "\\\\N"),
    ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ('<IMG SRC="/etc/passwd"/>', "&lt;IMG SRC=&quot;/etc/passwd&quot;/&gt;"),
    ("a&amp;b", "a&amp;amp;b"),
    ("]", "&#93;"),
    (" 张\t三\n\x00丰 ", "张 三 丰"),
    ("长" * 50, "长" * (NAME_LIMIT - 1) + "…"),
])
def test_html_text_escapes_markup_and_doubles_backslashes(text: str, markup: str) -> None:
    assert html_text(text) == markup


@given(st.text(max_size=60))
def test_html_text_is_inert_markup_that_reads_back_as_the_cleaned_text(text: str) -> None:
    markup = html_text(text)
    assert not set(markup) & set('<>"')
    entities = ("&amp;", "&lt;", "&gt;", "&quot;", "&#93;")
    assert "&" not in functools.reduce(lambda m, e: m.replace(e, ""), entities, markup)
    assert html.unescape(markup).replace("\\\\", "\\") == shown_as(text)


def test_safe_id_refuses_anything_but_a_code() -> None:
    assert safe_id("unit-party_org") == "unit-party_org"
    with pytest.raises(ValueError):
        safe_id('x" label=<IMG>')


def hostile_roster(c: dict[str, Any]) -> None:
    """Every place a user string enters the community chart gets one of the hostile strings."""
    for person, name in zip(c["people"], HOSTILE, strict=False):
        person["name"] = name
    c["name"] = '<IMG SRC="/etc/passwd"/>'
    c["units"] = [{"kind": "owners_committee", "name": "<b>x</b>"}]
    c["relations"] = [{"from": {"government": 'a"b\\N'}, "to": "residents_committee", "type": "guides"}]
    c["appointments"].append({"person": "P009", "unit": "service_station", "role": "<b>网格员</b>", "full_time": False})


@pytest.fixture(scope="module")
def hostile_chart() -> tuple[str, bytes]:
    source = community_chart(hongqiao(hostile_roster), HONGQIAO)
    return source, render(source, "svg")


def test_hostile_names_come_out_as_literal_text(hostile_chart) -> None:
    _, svg = hostile_chart
    root = parse(svg)
    shown = [t.strip() for t in texts(root)]
    for name in HOSTILE:
        assert name in shown, name
    assert '<IMG SRC="/etc/passwd"/> 组织架构图' in shown
    assert texts(group(root, "government-0")) == ['a"b\\N']
    assert rows(group(root, "unit-owners_committee"))[0][0] == "<b>x</b>"
    assert ["<b>网格员</b>", "]"] in [row[:2] for row in rows(group(root, "unit-service_station"))]  # P009


def test_hostile_names_load_no_image_in_any_format(hostile_chart) -> None:
    source, svg = hostile_chart
    assert not list(parse(svg).iter(f"{SVG}image"))
    assert b"<image" not in svg
    assert render(source, "png").startswith(b"\x89PNG")
    assert render(source, "pdf").startswith(b"%PDF")


def test_hostile_names_in_an_overview() -> None:
    result = checked(DISTRICT)
    communities = result.roster.communities
    renamed = communities.with_columns(communities["name"].scatter([0, 1, 2, 3], ["<b>x</b>", "x\\", "\\N", 'a"b']))
    regions = result.roster.regions.with_columns(  # 320602, the county
        result.roster.regions["name"].scatter([1], ['<IMG SRC="/etc/passwd"/>']))
    result.roster = type(result.roster)(**{**result.roster.__dict__, "communities": renamed, "regions": regions})
    svg = render(region_overview(result, "320602"), "svg")
    shown = [t.strip() for t in texts(parse(svg))]
    for name in ("<b>x</b>", "x\\", "\\N", 'a"b', '<IMG SRC="/etc/passwd"/> 社区配备概览'):
        assert name in shown, name
    assert b"<image" not in svg


def test_dot_loads_no_file_even_if_an_image_slipped_through(tmp_path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(render("digraph { a }", "png"))
    source = f'digraph {{ a [label=<<TABLE><TR><TD><IMG SRC="{picture}"/></TD></TR></TABLE>>] }}'
    plain = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True)
    assert b"<image" in plain.stdout  # what the wall stops
    guarded = subprocess.run(dot_command("svg"), input=source.encode(), capture_output=True, env=dot_environment())
    assert b"<image" not in guarded.stdout
    with pytest.raises(RenderFailed):
        render(source, "svg")


def test_dot_runs_with_a_timeout() -> None:
    with pytest.raises(RenderFailed, match="timeout"):
        render(community_chart(hongqiao(), HONGQIAO), "svg", timeout=0.001)


def test_dot_failure_is_a_render_error_with_dots_message() -> None:
    with pytest.raises(RenderFailed, match="syntax error"):
        render("digraph { a -> }", "svg")


def test_a_community_over_the_post_cap_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(community, "MAX_ROWS", 10)
    with pytest.raises(ChartTooLarge, match="over the chart's cap of 10"):
        community_chart(hongqiao(), HONGQIAO)


def test_a_region_over_the_community_cap_is_refused(monkeypatch) -> None:
    result = checked(DISTRICT)
    monkeypatch.setattr(overview, "MAX_COMMUNITIES", 99)
    with pytest.raises(ChartTooLarge, match="100 communities, over the overview's cap of 99"):
        region_overview(result, "320602")
    region_overview(result, "320602001")  # a street of 12 is fine


@settings(max_examples=15, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=10, max_size=10))
def test_any_names_render_as_themselves(names: list[str]) -> None:
    def rename(c: dict[str, Any]) -> None:
        for person, name in zip(c["people"], names, strict=False):
            person["name"] = name

    result = hongqiao(rename)
    svg = render(community_chart(result, HONGQIAO), "svg")
    shown = {t.strip() for t in texts(parse(svg))}
    stored = result.roster.people["name"].to_list()[:10]
    for name in stored:
        if shown_as(name or ""):
            assert shown_as(name) in shown, (name, sorted(shown))
