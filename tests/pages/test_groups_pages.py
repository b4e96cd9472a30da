"""The dashboard's leadership group (领导小组) and region-level findings (LG1–LG4, C1: no
community), and a community page's facilities (五室三站两栏一校一场所 with counts), through the
ASGI stack: the registry's own records (api.registry.groups) and the stored roster's check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.registry import groups, repository
from orgmodel.input import normalize, readers
from tests.pages.conftest import COUNTY, STREET_COMMUNITIES, Rows, roster_zip, seed
from tests.pages.test_sessions import _app, sign_in

FACILITIES = [{"name": "党员活动室", "area_m2": 280}, {"name": "警务室", "area_m2": 250},
              {"name": "卫生计生服务站"}, {"name": "村务公开栏"}, {"name": "社区居民学校", "category": "校"}]
MEMBERS = [{"name": "钱某", "role": "组长", "office_title": "区委书记"},
           {"name": "孙某", "role": "副组长", "office_title": "区长"},
           {"name": "李某", "role": "成员", "office_title": "区民政局局长"}]


def four_pilots(tables: dict[str, Rows]) -> None:
    """Four pilot communities in one county: C1 (1–3 per county) finds the county."""
    for row in tables["社区.csv"][:4]:
        row["试点"] = "是"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return _app(tmp_path)


@pytest.fixture
def keys(app: Any) -> dict[tuple[str, str], str]:
    keys = seed(app.state.sessions)
    roster, _ = normalize.load(readers.read_bytes(roster_zip(STREET_COMMUNITIES, four_pilots), "r.zip"))
    with app.state.sessions() as session:
        repository.import_roster(session, COUNTY, roster, "test")
    return keys


@pytest.fixture
def client(app: Any, keys: dict[tuple[str, str], str]) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        sign_in(test_client, keys[(COUNTY, "viewer")])
        yield test_client


def _section(html: str, heading: str) -> str:
    found = re.search(rf"<h2>{re.escape(heading)}[^<]*</h2>\s*<section class=\"card\">(.*?)</section>", html, re.S)
    assert found is not None, heading
    return found.group(1)


def test_the_dashboard_shows_the_recorded_leadership_group(app: Any, client: TestClient) -> None:
    with app.state.sessions() as session:  # what the import stored of the county's group, removed
        groups.replace_group(session, COUNTY, COUNTY, None, None, groups.get_group(session, COUNTY, COUNTY).version,
                             "test")
    assert "崇川区“政社互动”领导小组" not in _section(client.get("/dashboard").text, "领导小组")
    with app.state.sessions() as session:
        version = groups.get_group(session, COUNTY, COUNTY).version
        groups.replace_group(session, COUNTY, COUNTY, "崇川区“政社互动”领导小组", MEMBERS, version, "test")
    shown = _section(client.get("/dashboard").text, "领导小组")
    assert "崇川区“政社互动”领导小组" in shown
    for member, role in zip(MEMBERS, ("组长", "副组长", "成员"), strict=True):
        assert re.search(rf"<td>{role}</td><td>{member['name']}</td><td>{member['office_title']}</td>", shown), member


def test_the_dashboard_lists_the_region_level_findings_of_the_check(client: TestClient,
                                                                   keys: dict[tuple[str, str], str]) -> None:
    report = client.get(f"/v1/regions/{COUNTY}/report", headers={"Authorization": f"Bearer {keys[(COUNTY, 'viewer')]}"})
    assert report.status_code == 200
    regional = [f for f in report.json()["findings"] if f.get("community_id") is None]
    assert any(f["rule_id"] == "C1" for f in regional)  # four pilots in one county
    shown = _section(client.get("/dashboard").text, "区域级问题")
    assert shown.count("<tr>") - 1 == len(regional)
    for finding in regional:
        assert f'<span class="code">{finding["rule_id"]}</span>' in shown
        assert finding["region_id"] in shown


def test_a_community_page_shows_its_facilities_with_counts(app: Any, client: TestClient) -> None:
    community, other, unrecorded = STREET_COMMUNITIES[:3]
    with app.state.sessions() as session:  # over what the import stored of the example's facilities
        for where, listed in ((community, FACILITIES), (other, []), (unrecorded, None)):
            version = groups.get_facilities(session, COUNTY, where).version
            groups.replace_facilities(session, COUNTY, where, listed, version, "test")
    shown = _section(client.get(f"/communities/{community}").text, "设施")
    counts = re.search(r'<table class="facility-counts">(.*?)</table>', shown, re.S)
    assert counts is not None
    header, have, target = (re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
                            for row in re.findall(r"<tr>(.*?)</tr>", counts.group(1), re.S))
    assert header[1:] == ["室", "站", "栏", "校", "场所"]
    assert have[1:] == ["2", "1", "1", "1", "0"]
    assert target[1:] == ["5", "3", "2", "1", "1"]
    for facility in FACILITIES:
        assert f"<td>{facility['name']}</td>" in shown
    assert "本社区没有设施" in _section(client.get(f"/communities/{other}").text, "设施")
    assert "未记录本社区的设施" in _section(client.get(f"/communities/{unrecorded}").text, "设施")
