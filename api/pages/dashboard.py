"""The region dashboard: the key's subtree (city → county → street → community) coloured by
compliance, the hiring plan as a table and as bars by street, the trend by quarter end."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.pages import groups as page_groups
from api.pages import plots
from api.pages.common import SignedIn, Stored, as_of_date, page, rows, rule_pack, stored, templates
from api.registry import repository
from orgmodel import vocabulary
from orgmodel.check import today_in_china
from orgmodel.report.figures import community_status
from orgmodel.report.tables import STATUS, hiring_plan

router = APIRouter(include_in_schema=False)
TREND_QUARTERS = 8


def region_tree(data: Stored, root: str) -> dict[str, Any]:
    """The root region with its subregions and, at each, its communities and their status."""
    status = {row["community_id"]: row for row in community_status(data.result).iter_rows(named=True)}
    tallies = {row["id"]: row for row in data.parts.regions.iter_rows(named=True)}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for region in data.document.regions:
        children.setdefault(region.parent, []).append({"id": region.id, "name": region.name or region.id,
                                                       "level": vocabulary.LEVELS.get(str(region.level or ""), "")})
    communities: dict[str | None, list[dict[str, Any]]] = {}
    for community in data.document.communities:
        state = status.get(community.id, {})
        communities.setdefault(community.region, []).append({
            "id": community.id, "name": community.name or community.id, "status": state.get("status", "compliant"),
            "status_name": STATUS.get(state.get("status", ""), ""), "waived": bool(state.get("waived"))})

    def node(region: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
        tally = tallies.get(region["id"], {})
        kids = [node(child, seen | {child["id"]}) for child in children.get(region["id"], []) if child["id"] not in seen]
        return {**region, "communities": communities.get(region["id"], []), "children": kids,
                **{k: tally.get(k, 0) for k in ("compliant", "incomplete", "with_errors", "shortfall_total")},
                "total": tally.get("communities", 0)}

    top = next((r for rs in children.values() for r in rs if r["id"] == root), {"id": root, "name": root, "level": ""})
    return node(top, frozenset({root}))


def plan_parts(data: Stored) -> tuple[list[str], list[dict[str, Any]], plots.BarChart | None]:
    """The hiring plan's columns and rows, and its bars (one per street that needs anyone)."""
    plan = hiring_plan(data.result)
    columns = plan.columns
    posts = columns[3:-1]
    table = rows(plan)
    streets = [(row["区域名称"] or row["区域编码"], {p: int(row[p] or 0) for p in posts}) for row in table[:-1]
               if row["合计"]]
    return columns, table, plots.hiring_bars(streets, posts) if streets else None


@router.get("/dashboard")
async def dashboard(request: Request, caller: SignedIn, as_of: str | None = None, rules: str | None = None) -> Response:
    day = as_of_date(as_of)
    pack = rule_pack(request, rules)
    data = await run_in_threadpool(stored, request, caller.region, pack, day)

    def region_name() -> str:
        with request.app.state.sessions() as session:
            region = repository.get_region(session, caller.region, caller.region)
        return region.name or region.id

    name = await run_in_threadpool(region_name)
    context: dict[str, Any] = {"as_of": day.isoformat(), "region_name": name, "pack": pack, "data": data,
                               "rules": rules or ""}
    if data is not None:
        columns, table, bars = plan_parts(data)
        context.update(summary=data.parts.head["summary"], tree=region_tree(data, caller.region), plan_columns=columns,
                       plan_rows=table, bars=bars, regional=page_groups.regional_findings(data),
                       leadership=await run_in_threadpool(page_groups.leadership_groups, request, caller.region, data, day))
    return page(request, "dashboard.html", context)


@router.get("/dashboard/trend.svg")
async def trend(request: Request, caller: SignedIn, rules: str | None = None) -> Response:
    """The compliance rate at each of the last quarter ends, as the registry holds it now
    (appointments are effective-dated: each quarter end is checked with the posts in force then)."""
    pack = rule_pack(request, rules)

    def rates() -> list[tuple[Any, float | None]]:
        out: list[tuple[Any, float | None]] = []
        for day in plots.quarter_ends(today_in_china(), TREND_QUARTERS):
            data = stored(request, caller.region, pack, day)
            summary: Any = None if data is None else data.parts.head["summary"]
            out.append((day, None if not summary or not summary["communities"]
                        else summary["compliant"] / summary["communities"]))
        return out

    chart = plots.trend_line(await run_in_threadpool(rates))
    return templates.TemplateResponse(request, "_trend.svg", {"chart": chart}, media_type="image/svg+xml")
