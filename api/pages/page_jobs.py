"""A large upload as a job (api.services.jobs), never a frozen page: over `job_threshold_bytes`
the upload's preview (read, check, compare with the registry) and the confirmed import run as
jobs; the page in between shows the job's step and progress, polled by /static/job.js (or
refreshed by the browser without script), with a 取消 button, then the preview, the located
errors or the import's summary.

The preview job is the pages' own kind (`pages_preview`, added to the app's queue at install);
the import is the API's `import` job, the same as a large `POST /v1/regions/{id}/roster`.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any, cast

from fastapi import APIRouter, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from api.access import Caller
from api.pages.common import PageError, SignedIn, page, posted_form
from api.registry import models, repository
from api.schemas.rosters import ImportSummary
from api.services.jobs import JobContext, import_params
from orgmodel.input import readers
from orgmodel.rules.pack import Pack, load_pack

router = APIRouter(include_in_schema=False)
KIND = "pages_preview"
KINDS = (KIND, "import")
STEPS = {"queued": "排队等候", "starting": "开始处理", "reading": "读取文件", "normalising": "整理数据",
         "checking": "检查配备", "comparing": "与登记册比对", "storing": "写入登记册", "done": "完成"}
STATUS = {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "未完成", "cancelled": "已取消",
          "expired": "已过期"}


def visible_region(request: Request, caller: Caller, region_id: str) -> None:
    """Blocking: a region outside the key's subtree is a 404 page before any job is queued."""
    with request.app.state.sessions() as session:
        try:
            repository.get_region(session, caller.region, region_id)
        except repository.NotFound as exc:
            raise PageError(404, f"找不到区域“{region_id}”(或不在本密钥的管辖范围内)") from exc


def submit_preview(request: Request, caller: Caller, data: bytes, name: str, region_id: str, pack: Pack,
                   day: dt.date) -> str:
    assert caller.key is not None
    params = {"name": name, "region": region_id, "rules": pack.id, "as_of": day.isoformat(),
              "key_region": caller.region, "key_id": caller.key.id}
    return str(request.app.state.jobs.submit(KIND, caller.region, data, params, caller.actor))


def submit_import(request: Request, caller: Caller, data: bytes, name: str, region_id: str) -> str:
    return str(request.app.state.jobs.submit("import", caller.region, data,
                                             import_params(readers.read_bytes, name, region_id, caller.actor),
                                             caller.actor))


def preview_handler(app: FastAPI) -> Any:
    """The preview of a large upload, as the small one's (api.pages.upload), its steps reported."""
    from api.pages import upload

    holder = cast(Request, SimpleNamespace(app=app))

    def run(job: JobContext) -> tuple[bytes, str]:
        p = job.params
        job.progress("reading", 0.1)
        reading = upload.read_upload(holder, job.payload, p["name"], for_import=True)
        if reading.roster is None:
            body: dict[str, Any] = {"page": "read_errors", "reading": _reading(reading)}
        else:
            job.progress("checking", 0.5)
            context = upload.preview_context(holder, job.payload, reading, p["key_region"], p["key_id"], p["region"],
                                             load_pack(p["rules"]), dt.date.fromisoformat(p["as_of"]))
            job.progress("comparing", 0.9)
            context.pop("pack")
            body = {"page": "preview", **context, "rules": p["rules"], "reading": _reading(reading)}
        return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"), "application/json"

    return run


def _reading(reading: Any) -> dict[str, Any]:
    return {"name": reading.name, "errors": reading.errors, "notes": reading.notes}


def install(app: FastAPI) -> None:
    app.state.jobs.handlers[KIND] = preview_handler(app)
    app.include_router(router)


# --- the pages ---------------------------------------------------------------------------------

def _job(request: Request, caller: Caller, job_id: str, *, with_result: bool = False) -> models.Job:
    """Blocking: a job of the pages' kinds in the key's subtree (else a 404 page, as the API's)."""
    with request.app.state.sessions() as session:
        job = session.get(models.Job, job_id)
        visible = job is not None and job.kind in KINDS and job.region_id is not None and \
            job.region_id in repository.visible_region_ids(session, caller.region)
        if not visible or job is None:
            raise PageError(404, f"找不到任务“{job_id}”(或不在本密钥的管辖范围内)")
        if with_result and job.status == "done":
            _ = job.result  # deferred: loaded while the session is open
        session.expunge(job)
        return job


def _state(job: models.Job) -> dict[str, Any]:
    return {"status": job.status, "status_zh": STATUS.get(job.status, job.status), "step": job.step,
            "step_zh": STEPS.get(job.step or "", job.step or ""), "progress": round(float(job.progress or 0), 3),
            "cancel_requested": job.cancel_requested}


@router.get("/upload/jobs/{job_id}")
async def job_page(request: Request, caller: SignedIn, job_id: str) -> Response:
    job = await run_in_threadpool(_job, request, caller, job_id, with_result=True)
    if job.status in ("queued", "running"):
        may_cancel = job.submitted_by == caller.actor or (caller.key is not None and caller.key.role == "admin")
        return page(request, "job.html", {"job": job, "state": _state(job), "may_cancel": may_cancel,
                                          "what": "导入" if job.kind == "import" else "读取与检查"})
    if job.status == "done" and job.result is not None:
        body = json.loads(job.result)
        if job.kind == "import":
            summary = ImportSummary.model_validate(body)
            return page(request, "imported.html", {"summary": summary, "name": (job.params or {}).get("name", "")})
        if body.get("page") == "read_errors":
            return page(request, "read_errors.html", {"reading": body["reading"], "again": "/upload"}, status=422)
        body.pop("page")
        return page(request, "preview.html", {**body, "pack": load_pack(body.pop("rules"))})
    if job.status == "failed":
        problem = job.problem or {}
        errors = problem.get("errors") or []
        if errors:
            reading = {"name": (job.params or {}).get("name", ""), "errors": errors, "notes": []}
            return page(request, "read_errors.html", {"reading": reading, "again": "/upload"}, status=422)
        detail = problem.get("detail") or ""
        return page(request, "job.html", {"job": job, "state": _state(job), "ended": True, "detail": detail},
                    status=int(problem.get("status") or 500))
    return page(request, "job.html", {"job": job, "state": _state(job), "ended": True},
                status=410 if job.status == "expired" else 200)


@router.get("/upload/jobs/{job_id}/status")
async def job_state(request: Request, caller: SignedIn, job_id: str) -> Response:
    """What /static/job.js polls (the pages' session, not an API key)."""
    job = await run_in_threadpool(_job, request, caller, job_id)
    return JSONResponse(_state(job), headers={"Cache-Control": "no-store"})


@router.post("/upload/jobs/{job_id}/cancel")
async def cancel(request: Request, caller: SignedIn, job_id: str) -> Response:
    await posted_form(request)
    job = await run_in_threadpool(_job, request, caller, job_id)
    if not (job.submitted_by == caller.actor or (caller.key is not None and caller.key.role == "admin")):
        raise PageError(403, "只有提交任务的密钥或管理员可以取消它")
    if job.status in ("queued", "running"):
        await run_in_threadpool(request.app.state.jobs.cancel, job_id)
    return RedirectResponse(f"/upload/jobs/{job_id}", status_code=303)

