"""What every page router shares: the templates, who is signed in, what their role allows,
the as-of date, the CSRF check of a form, and the stored roster of a region checked.

Templates autoescape everything, and every text they print is masked (resident ID and mobile
numbers) as every API response is: a page shows no more than the API would.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import Depends, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from api.access import Caller, _trusted, charge_key
from api.pages.security import CSRF_FIELD, csrf_ok, csrf_token, key_binding
from api.registry import models, repository
from api.schemas.keys import ROLES, KeyPublic, Role
from api.services import pipeline
from api.settings import Settings
from orgmodel.check import CheckResult, today_in_china
from orgmodel.input import cells
from orgmodel.input.schema import RosterDocument
from orgmodel.masking import mask_text
from orgmodel.report.figures import build_report
from orgmodel.report.json import ReportParts
from orgmodel.rules.pack import Pack, available, load_pack

TEMPLATES = Path(__file__).parent / "templates"
ROLE_NAMES = {"viewer": "查看", "editor": "编辑", "admin": "管理"}
_RANK = {role: rank for rank, role in enumerate(ROLES)}


def _shown(value: Any) -> Any:
    """Every printed value: None as blank, text masked; markup we made ourselves passes."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return mask_text(value)
    return value


def _number(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits or 1}f}"
    return f"{int(value):,}"


def _percent(value: Any) -> str:
    return "" if value is None else f"{100 * float(value):.0f}%"


environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                          finalize=_shown, trim_blocks=True, lstrip_blocks=True)
environment.filters["number"] = _number
environment.filters["percent"] = _percent
templates = Jinja2Templates(env=environment)


class PageError(Exception):
    """A page that answers with an error page (another region's community is a plain 404)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class SignInNeeded(Exception):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def page(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    caller: Caller | None = getattr(request.state, "page_caller", None)
    base = {"caller": caller, "role_name": ROLE_NAMES.get(caller.key.role, "") if caller and caller.key else "",
            "csrf": csrf_token(request), "csrf_field": CSRF_FIELD, "path": request.url.path,
            "trusted": trusted(request), "can_edit": allowed(caller, "editor"), "flash": request.session.pop("flash", None)}
    return templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code=status)


def flash(request: Request, kind: str, text: str) -> None:
    """A message for the next page (after a form's redirect)."""
    request.session["flash"] = {"kind": kind, "text": text}


def error_page(request: Request, status: int, message: str) -> Response:
    return page(request, "error.html", {"status": status, "message": message}, status=status)


def trusted(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    return _trusted(request, settings)


def allowed(caller: Caller | None, role: Role) -> bool:
    return caller is not None and caller.key is not None and _RANK[caller.key.role] >= _RANK[role]


def _session_key(request: Request, key_id: int, binding: str) -> KeyPublic | None:
    """The live key of this id whose stored hash the session is bound to (blocking: one lookup
    by primary key); None when it was revoked, or the binding is not this key's."""
    k = models.ApiKey
    with request.app.state.sessions() as session:
        row = session.scalars(select(k).where(k.id == key_id, k.revoked_at.is_(None))).first()
    if row is None or not hmac.compare_digest(key_binding(request.app.state.page_secret, row.key_hash), binding):
        return None
    role: Role = row.role  # type: ignore[assignment]
    return KeyPublic(id=row.id, prefix=row.prefix, region=row.region_id, role=role, created_at=row.created_at,
                   created_by=row.created_by)


async def current_caller(request: Request) -> Caller | None:
    """The key of the session, or None (a revoked key ends the session). The session holds the
    key's id and a binding to its stored hash, never the key (api.pages.security)."""
    key_id, binding = request.session.get("key_id"), request.session.get("key_mac")
    if not isinstance(key_id, int) or not isinstance(binding, str):
        if request.session.get("key") is not None:  # a cookie of an older version held the key: sign in again
            request.session.clear()
        return None
    info = await run_in_threadpool(_session_key, request, key_id, binding)
    if info is None:
        request.session.clear()
        return None
    quota = await charge_key(request, info.id)
    if quota is not None and not quota.allowed:
        raise PageError(429, f"操作过于频繁,请{quota.retry_after}秒后再试")
    request.state.actor = f"key:{info.id}"
    caller = Caller(info)
    request.state.page_caller = caller
    return caller


async def signed_in(request: Request) -> Caller:
    caller = await current_caller(request)
    if caller is None:
        raise SignInNeeded(request.url.path)
    return caller


def need(role: Role) -> Any:
    async def dependency(request: Request) -> Caller:
        caller = await signed_in(request)
        if not allowed(caller, role):
            raise PageError(403, f"当前密钥为“{ROLE_NAMES[caller.key.role if caller.key else 'viewer']}”权限,"
                                 f"此操作需要“{ROLE_NAMES[role]}”权限")
        return caller

    return Depends(dependency)


SignedIn = Annotated[Caller, Depends(signed_in)]
MaybeSignedIn = Annotated[Caller | None, Depends(current_caller)]
Editor = Annotated[Caller, need("editor")]
Admin = Annotated[Caller, need("admin")]


async def posted_form(request: Request) -> FormData:
    """A POSTed form whose CSRF token matches the session's (403 page otherwise). Uploads are
    bounded by the service's body limit (api.middleware), so one part may be that large."""
    settings: Settings = request.app.state.settings
    form = await request.form(max_files=1, max_fields=20, max_part_size=settings.max_body_bytes)
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        raise PageError(403, "表单已过期或来源不明,请刷新页面后重试")
    return form


def as_of_date(text: str | None) -> dt.date:
    """The page's as-of date (today in China when blank); a bad one is a 422 page."""
    if not text:
        return today_in_china()
    day = cells.parse_date(text)
    if day is None:
        raise PageError(422, f"日期“{text}”无法识别,请写成 2026-06-30 的样子")
    return day


def rule_pack(request: Request, name: str | None = None) -> Pack:
    settings: Settings = request.app.state.settings
    chosen = name or settings.default_rules
    if chosen not in available():
        raise PageError(404, f"规则包“{chosen}”不存在,可用:{'、'.join(available())}")
    return load_pack(chosen)


@dataclass
class Stored:
    """A region's stored roster as of a day, checked: what the dashboard, a community page and
    the downloads show (the same calls as GET /v1/regions/{id}/report)."""

    document: RosterDocument
    result: CheckResult
    parts: ReportParts


def stored(request: Request, region_id: str, pack: Pack, as_of: dt.date) -> Stored | None:
    """Blocking (run it in the thread pool); None when the region holds no community yet."""
    with request.app.state.sessions() as session:
        document = repository.roster_as_of(session, region_id, as_of)
    if not document.communities:
        return None
    result = pipeline.check_stored(document, region_id, pack, as_of)
    return Stored(document, result, build_report(result))


def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()
