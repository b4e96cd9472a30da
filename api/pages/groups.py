"""What the dashboard shows of a region's leadership group (领导小组, §三(一)) and its
region-level findings (LG1–LG4, C1: `community_id` null), and what a community page shows of
its facilities (设施: 五室三站两栏一校一场所, FC1).

Read from the stored roster the page already checks when it carries them (its regions'
`leadership_group`, its communities' `facilities`), else from the registry's own tables
(api.registry.groups) as of the page's day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request

from api.pages.common import Stored, rows
from api.registry import groups, repository
from orgmodel import vocabulary
from orgmodel.input.schema import Community
from orgmodel.report.tables import findings_table

# 五室三站两栏一校一场所: each category and how many the standard names
FACILITY_TARGETS = {"room": 5, "station": 3, "board": 2, "school": 1, "venue": 1}


def _in_force(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


def regional_findings(data: Stored) -> list[dict[str, Any]]:
    """The findings of no community (a region's: LG1–LG4, C1), with their region's name."""
    names = {region.id: region.name or region.id for region in data.document.regions}
    found = [row for row in rows(findings_table(data.result, data.parts)) if row.get("社区编码") is None]
    for row in found:
        row["区域名称"] = names.get(row.get("区域编码") or "", row.get("区域编码") or "")
    return sorted(found, key=lambda row: (str(row.get("区域编码") or ""), str(row.get("规则") or "")))


def leadership_groups(request: Request, key_region: str, data: Stored, day: dt.date) -> list[dict[str, Any]]:
    """Blocking: each region of the page with a leadership group recorded, and its members in force."""
    out: list[dict[str, Any]] = []
    with request.app.state.sessions() as session:
        for region in data.document.regions:
            name: str | None
            if region.leadership_group is not None:
                name = region.leadership_group.name
                members = [m.model_dump() for m in region.leadership_group.members]
            else:
                try:
                    view = groups.get_group(session, key_region, region.id)
                except repository.NotFound:  # a region above the key's: not shown
                    continue
                if not view.recorded:
                    continue
                name = view.name
                members = [m.model_dump() for m in view.members if _in_force(m.start, m.end, day)]
            for member in members:
                member["role_name"] = vocabulary.LEADERSHIP_ROLES.get(member.get("role") or "", member.get("role"))
                member["office_name"] = member.get("office_title") or vocabulary.OFFICES.get(member.get("office") or "", "")
            out.append({"region": region.id, "region_name": region.name or region.id, "name": name,
                        "members": members})
    return out


def facilities(request: Request, key_region: str, community: Community, day: dt.date) -> dict[str, Any] | None:
    """Blocking: the community's facilities in force and the count of each category against the
    standard; None when none are recorded (FC1 says nothing then)."""
    listed: list[dict[str, Any]]
    if community.facilities is not None:
        listed = [f.model_dump() for f in community.facilities]
    else:
        with request.app.state.sessions() as session:
            view = groups.get_facilities(session, key_region, community.id)
        if not view.recorded:
            return None
        listed = [f.model_dump() for f in view.facilities if _in_force(f.start, f.end, day)]
    for item in listed:
        parsed = vocabulary.FACILITY_CATEGORY.parse(str(item["category"])) if item.get("category") else None
        category = None if parsed is None else str(parsed)
        item["category"] = category or vocabulary.facility_category(str(item["name"]))
        item["category_name"] = vocabulary.FACILITY_CATEGORIES.get(item["category"] or "", "未识别")
    counts = [{"category": code, "label": vocabulary.FACILITY_CATEGORIES[code], "target": target,
               "count": sum(1 for item in listed if item["category"] == code)}
              for code, target in FACILITY_TARGETS.items()]
    return {"items": listed, "counts": counts}
