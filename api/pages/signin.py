"""Sign in with an API key (the same keys as the API's `Authorization: Bearer`), sign out."""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from api.access import failures_spent, key_failed
from api.pages.common import MaybeSignedIn, error_page, page, posted_form
from api.pages.security import CSRF_FIELD, key_binding, key_hash
from api.settings import Settings

router = APIRouter(include_in_schema=False)
Form = Annotated[FormData, Depends(posted_form)]


def _safe_next(target: object) -> str:
    """Only a path of this site (never `//elsewhere` or a full address)."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


@router.get("/")
async def home(caller: MaybeSignedIn) -> Response:
    return RedirectResponse("/dashboard" if caller is not None else "/login", status_code=303)


@router.get("/login")
async def login_form(request: Request, caller: MaybeSignedIn, next: str = "/dashboard") -> Response:
    if caller is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return page(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
async def login(request: Request, form: Form) -> Response:
    plaintext = str(form.get("key") or "").strip()
    spent = await failures_spent(request) if plaintext else None  # wrong keys are counted per address
    if spent is not None:
        return error_page(request, 429, f"密钥错误次数过多,请{spent.retry_after}秒后再试")
    keys = request.app.state.keys
    info = await run_in_threadpool(keys.lookup, plaintext) if plaintext else None
    if info is None:
        if plaintext:
            await key_failed(request)
        return page(request, "login.html", {"next": _safe_next(form.get("next")), "failed": True}, status=401)
    settings: Settings = request.app.state.settings
    request.session.clear()  # a new session, a new CSRF token: nothing carried over from before
    binding = key_binding(request.app.state.page_secret, key_hash(plaintext))
    request.session.update({"key_id": info.id, "key_mac": binding, "expires": time.time() + settings.session_hours * 3600,
                            CSRF_FIELD: secrets.token_urlsafe(32)})
    return RedirectResponse(_safe_next(form.get("next")), status_code=303)


@router.post("/logout")
async def logout(request: Request, form: Form) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
