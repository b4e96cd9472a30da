"""A community: its org chart inline (orgmodel.charts, vacancies drawn), its findings with their
citations and waivers, its posts and people, as of any day; the chart as PNG/PDF/SVG. An
editor vacates or fills a post here: the registry's versioned edit (the version the page
showed is the If-Match), with a plain message when someone else changed the post first."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from api.pages import groups as page_groups
from api.pages.common import (
    Editor,
    PageError,
    SignedIn,
    Stored,
    as_of_date,
    flash,
    page,
    posted_form,
    rows,
    rule_pack,
    stored,
)
from api.privacy import masked_all
from api.registry import repository
from api.schemas.appointments import AppointmentPublic
from api.schemas.communities import CommunityPublic
from api.settings import Settings
from orgmodel import charts, vocabulary
from orgmodel.report.figures import community_status
from orgmodel.report.tables import STATUS, findings_table
from orgmodel.rules.pack import Pack

router = APIRouter(include_in_schema=False)
Form = Annotated[FormData, Depends(posted_form)]
POST_ERRORS = {"unknown_unit": "机构无法识别", "role_not_in_unit": "该职务不属于所选机构", "unit_needed": "请选择机构"}
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: bytes) -> Markup:
    """Graphviz's SVG for inlining in a page: without its XML prolog, doctype and comments (the
    labels in it were escaped when the DOT was written, orgmodel.charts.escape)."""
    text = _COMMENT.sub("", _PROLOG.sub("", svg.decode("utf-8"), count=1))
    return Markup(text)


def _community(request: Request, region: str, community_id: str) -> CommunityPublic:
    with request.app.state.sessions() as session:
        try:
            return repository.get_community(session, region, community_id)
        except repository.NotFound as exc:
            raise PageError(404, f"找不到社区“{community_id}”(或不在本密钥的管辖范围内)") from exc


def _appointments(request: Request, region: str, community_id: str, as_of: Any) -> list[AppointmentPublic]:
    with request.app.state.sessions() as session:
        return masked_all(repository.list_appointments(session, region, community_id=community_id, as_of=as_of))


def _chart(data: Stored, community_id: str, fmt: str, timeout: float) -> bytes:
    return charts.render(charts.community_chart(data.result, community_id), fmt, timeout=timeout)


async def _stored_community(request: Request, caller: SignedIn, community_id: str, as_of: str | None,
                            rules: str | None) -> tuple[dt.date, Pack, Settings, CommunityPublic, Stored]:
    """What a community's page and its chart both read: the day, the pack, the community (404
    outside the caller's region) and its region's stored roster checked on that day."""
    day = as_of_date(as_of)
    pack = rule_pack(request, rules)
    settings: Settings = request.app.state.settings
    community = await run_in_threadpool(_community, request, caller.region, community_id)
    data = await run_in_threadpool(stored, request, community.region, pack, day)
    if data is None:
        raise PageError(404, f"找不到社区“{community_id}”")
    return day, pack, settings, community, data


@router.get("/communities/{community_id}")
async def community_page(request: Request, community_id: str, caller: SignedIn, as_of: str | None = None,
                         rules: str | None = None) -> Response:
    day, pack, settings, community, data = await _stored_community(request, caller, community_id, as_of, rules)
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
    facilities = await run_in_threadpool(page_groups.facilities, request, caller.region, document, day)
    return page(request, "community.html", {
        "facilities": facilities,
        "community": community, "document": document, "as_of": day.isoformat(), "pack": pack, "rules": rules or "",
        "chart": chart, "chart_error": chart_error, "status": status, "status_name": STATUS.get(status, ""),
        "kind_name": vocabulary.KINDS.get(community.kind, community.kind),
        "findings": rows(found), "posts": [{"post": p, "name": names.get(p.person, ""),
                                            "unit_name": vocabulary.UNIT_SHORT.get(p.unit, p.unit),
                                            "role_name": p.label or vocabulary.role_label(p.role)} for p in posts],
        "people": document.people, "units": [labels[0] for labels in vocabulary.UNITS.values()],
    })


@router.get("/communities/{community_id}/chart.{fmt}")
async def community_chart(request: Request, community_id: str, fmt: Literal["svg", "png", "pdf"], caller: SignedIn,
                          as_of: str | None = None, rules: str | None = None) -> Response:
    day, _, settings, _, data = await _stored_community(request, caller, community_id, as_of, rules)
    try:
        content = await run_in_threadpool(_chart, data, community_id, fmt, settings.render_timeout_seconds)
    except charts.ChartError as exc:
        raise PageError(503, f"组织架构图无法生成:{exc}") from exc
    filename = f"{community_id}-{day.isoformat()}.{fmt}"
    return Response(content, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _back(community_id: str, day: dt.date | str) -> Response:
    return RedirectResponse(f"/communities/{community_id}?as_of={day}", status_code=303)


@router.post("/communities/{community_id}/vacate")
async def vacate(request: Request, community_id: str, caller: Editor, form: Form) -> Response:
    """The holder left the post on `end`: PATCH /v1/appointments/{id} {"end": …} with If-Match."""
    appointment_id = str(form.get("appointment") or "")
    end = as_of_date(str(form.get("end") or "") or None)
    try:
        version = int(str(form.get("version") or ""))
    except ValueError as exc:
        raise PageError(400, "表单内容不完整,请刷新页面后重试") from exc

    def work() -> None:
        with request.app.state.sessions() as session:
            post = repository.get_appointment(session, caller.region, appointment_id)
            if post.community != community_id:
                raise repository.NotFound("appointment", appointment_id)
            repository.vacate_appointment(session, caller.region, appointment_id, end, version, caller.actor)

    try:
        await run_in_threadpool(work)
    except repository.NotFound as exc:
        raise PageError(404, "找不到该任职记录(或不在本密钥的管辖范围内)") from exc
    except repository.StaleVersion:
        flash(request, "error", "此职务已被他人先一步修改,本次未保存。下表为最新内容,请核对后重试。")
        return _back(community_id, str(form.get("as_of") or end))
    except repository.InvalidChange:
        flash(request, "error", "离任日期不能早于任职开始日期,本次未保存。")
        return _back(community_id, str(form.get("as_of") or end))
    flash(request, "ok", f"已登记离任,离任日期 {end.isoformat()}。")
    return _back(community_id, str(form.get("as_of") or end))


@router.post("/communities/{community_id}/appoint")
async def appoint(request: Request, community_id: str, caller: Editor, form: Form) -> Response:
    """Someone takes a post: POST /v1/communities/{id}/appointments."""
    unit, role = str(form.get("unit") or "").strip(), str(form.get("role") or "").strip()
    person = str(form.get("person") or "").strip()
    start = as_of_date(str(form.get("start") or "") or None)
    back = str(form.get("as_of") or start)
    if not (unit and role and person):
        flash(request, "error", "请填写人员、机构和职务。")
        return _back(community_id, back)
    posts = vocabulary.parse_post(unit, role)
    if isinstance(posts, str) or len(posts) != 1:
        reason = POST_ERRORS.get(posts, "") if isinstance(posts, str) else "兼任的职务请逐条登记"
        flash(request, "error", f"职务“{unit} · {role}”无法登记:{reason or '无法识别'}。")
        return _back(community_id, back)
    fields = {"person": person, "unit": unit, "role": role, "full_time": form.get("full_time") == "yes", "start": start}

    def work() -> None:
        with request.app.state.sessions() as session:
            repository.add_appointment(session, caller.region, community_id, fields, caller.actor)

    try:
        await run_in_threadpool(work)
    except repository.NotFound as exc:
        if exc.kind == "community":
            raise PageError(404, f"找不到社区“{community_id}”(或不在本密钥的管辖范围内)") from exc
        flash(request, "error", "找不到该人员。")
        return _back(community_id, back)
    except repository.InvalidChange:
        flash(request, "error", "任职内容无法保存,请检查机构、职务与日期。")
        return _back(community_id, back)
    flash(request, "ok", f"已登记任职:{unit} · {role},自 {start.isoformat()} 起。")
    return _back(community_id, back)
