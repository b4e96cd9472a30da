"""For admins: the keys of the subtree (make one, revoke one) and the audit log — the calls of
api.routers.keys and api.routers.audit, as pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from api.pages.common import ROLE_NAMES, Admin, PageError, flash, page, posted_form
from api.privacy import masked_all
from api.registry import models, repository
from api.schemas.keys import ROLES

router = APIRouter(include_in_schema=False)
Form = Annotated[FormData, Depends(posted_form)]
AUDIT_PAGE = 100
ACTIONS = {"create": "新增", "update": "修改", "retract": "撤销", "import": "导入", "revoke": "吊销"}


@router.get("/admin/keys")
async def keys_page(request: Request, caller: Admin) -> Response:
    def read() -> tuple[list[Any], list[Any]]:
        with request.app.state.sessions() as session:
            return repository.list_keys(session, caller.region), repository.list_regions(session, caller.region)

    keys, regions = await run_in_threadpool(read)
    made = request.session.pop("new_key", None)  # shown once, on the page right after it was made
    return page(request, "keys.html", {"keys": keys, "regions": regions, "roles": ROLES, "role_names": ROLE_NAMES,
                                       "made": made})


@router.post("/admin/keys")
async def make_key(request: Request, caller: Admin, form: Form) -> Response:
    region, role = str(form.get("region") or ""), str(form.get("role") or "")
    note = str(form.get("note") or "").strip() or None
    if role not in ROLES:
        raise PageError(422, "请选择权限")

    def work() -> str:
        with request.app.state.sessions() as session:
            repository.get_region(session, caller.region, region)
            plaintext, _ = repository.create_key(session, region, role, caller.actor, note)  # type: ignore[arg-type]
            return plaintext

    try:
        request.session["new_key"] = await run_in_threadpool(work)
    except repository.NotFound as exc:
        raise PageError(404, f"找不到区域“{region}”(或不在本密钥的管辖范围内)") from exc
    except repository.InvalidChange as exc:
        raise PageError(422, "备注含有不能保存的字符或过长") from exc
    return RedirectResponse("/admin/keys", status_code=303)


@router.post("/admin/keys/{key_id}/revoke")
async def revoke(request: Request, key_id: int, caller: Admin, form: Form) -> Response:
    if not 1 <= key_id <= models.MAX_INTEGER_ID:
        raise PageError(404, "找不到该密钥")

    def work() -> None:
        with request.app.state.sessions() as session:
            repository.revoke_key(session, caller.region, key_id, caller.actor)

    try:
        await run_in_threadpool(work)
    except repository.NotFound as exc:
        raise PageError(404, "找不到该密钥") from exc
    request.app.state.keys.forget()  # refused at once here; other instances within key_cache_seconds
    flash(request, "ok", f"密钥 {key_id} 已吊销。")
    return RedirectResponse("/admin/keys", status_code=303)


@router.get("/admin/audit")
async def audit_page(request: Request, caller: Admin, after: int = 0) -> Response:
    def read() -> list[Any]:
        with request.app.state.sessions() as session:
            after_id = min(max(0, after), models.MAX_INTEGER_ID)
            return masked_all(repository.audit_log(session, caller.region, after_id=after_id, limit=AUDIT_PAGE))

    entries = await run_in_threadpool(read)
    return page(request, "audit.html", {"entries": entries, "actions": ACTIONS,
                                        "next": entries[-1].id if len(entries) == AUDIT_PAGE else None})
