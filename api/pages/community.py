"""A community: its org chart inline (orgmodel.charts, vacancies drawn), its findings with their
citations and waivers, its posts and people, as of any day; the chart as PNG/PDF/SVG."""

from __future__ import annotations

import re
from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.pages.common import PageError, SignedIn, Stored, as_of_date, page, rows, rule_pack, stored
from api.privacy import masked_all
from api.registry import repository
from api.registry.views import AppointmentView, CommunityView
from api.settings import Settings
from orgmodel import charts, vocabulary
from orgmodel.report import community_status
from orgmodel.report_tables import STATUS, findings_table

router = APIRouter(include_in_schema=False)
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: bytes) -> Markup:
    """Graphviz's SVG for inlining in a page: without its XML prolog, doctype and comments (the
    labels in it were escaped when the DOT was written, orgmodel.charts.escape)."""
    text = _COMMENT.sub("", _PROLOG.sub("", svg.decode("utf-8"), count=1))
    return Markup(text)


def _community(request: Request, region: str, community_id: str) -> CommunityView:
    with request.app.state.sessions() as session:
        try:
            return repository.get_community(session, region, community_id)
        except repository.NotFound as exc:
            raise PageError(404, f"找不到社区“{community_id}”(或不在本密钥的管辖范围内)") from exc


def _appointments(request: Request, region: str, community_id: str, as_of: Any) -> list[AppointmentView]:
    with request.app.state.sessions() as session:
        return masked_all(repository.list_appointments(session, region, community_id=community_id, as_of=as_of))


def _chart(data: Stored, community_id: str, fmt: str, timeout: float) -> bytes:
    return charts.render(charts.community_chart(data.result, community_id), fmt, timeout=timeout)


@router.get("/communities/{community_id}")
async def community_page(request: Request, community_id: str, caller: SignedIn, as_of: str | None = None,
                         rules: str | None = None) -> Response:
    day = as_of_date(as_of)
    pack = rule_pack(request, rules)
    settings: Settings = request.app.state.settings
    community = await run_in_threadpool(_community, request, caller.region, community_id)
    data = await run_in_threadpool(stored, request, community.region, pack, day)
    if data is None:
        raise PageError(404, f"找不到社区“{community_id}”")
    posts = await run_in_threadpool(_appointments, request, caller.region, community_id, day)
    chart, chart_error = None, None
    try:
        chart = inline_svg(await run_in_threadpool(_chart, data, community_id, "svg", settings.render_timeout_seconds))
    except charts.ChartError as exc:
        chart_error = str(exc)
    document = next(c for c in data.document.communities if c.id == community_id)
    names = {p.id: p.name for c in data.document.communities for p in c.people}
    found = findings_table(data.result, data.parts).filter(pl.col("社区编码") == community_id)
    state = community_status(data.result).filter(pl.col("community_id") == community_id).to_dicts()
    status = state[0]["status"] if state else "compliant"
    return page(request, "community.html", {
        "community": community, "document": document, "as_of": day.isoformat(), "pack": pack, "rules": rules or "",
        "chart": chart, "chart_error": chart_error, "status": status, "status_name": STATUS.get(status, ""),
        "kind_name": vocabulary.KINDS.get(community.kind, community.kind),
        "findings": rows(found), "posts": [{"post": p, "name": names.get(p.person, ""),
                                            "unit_name": vocabulary.UNIT_SHORT.get(p.unit, p.unit),
                                            "role_name": p.label or vocabulary.role_label(p.role)} for p in posts],
        "people": document.people,
    })


@router.get("/communities/{community_id}/chart.{fmt}")
async def community_chart(request: Request, community_id: str, fmt: Literal["svg", "png", "pdf"], caller: SignedIn,
                          as_of: str | None = None, rules: str | None = None) -> Response:
    day = as_of_date(as_of)
    pack = rule_pack(request, rules)
    settings: Settings = request.app.state.settings
    community = await run_in_threadpool(_community, request, caller.region, community_id)
    data = await run_in_threadpool(stored, request, community.region, pack, day)
    if data is None:
        raise PageError(404, f"找不到社区“{community_id}”")
    try:
        content = await run_in_threadpool(_chart, data, community_id, fmt, settings.render_timeout_seconds)
    except charts.ChartError as exc:
        raise PageError(503, f"组织架构图无法生成:{exc}") from exc
    filename = f"{community_id}-{day.isoformat()}.{fmt}"
    return Response(content, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
