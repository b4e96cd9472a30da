"""Long work as jobs: a province-size upload to `POST /v1/check` (or an import) answers 202 with
a `Location` here; the job's row in the registry carries its step, progress and, at the end,
its result or its problem, so any instance behind a load balancer can answer the poll. The
queue, leases, recovery and expiry are api.services.jobs; this module is only their HTTP.

A finished job's result is kept for `job_result_seconds` (ORGMODEL_JOB_RESULT_SECONDS); after
that the job answers **410 Gone** (its row stays as a tombstone for `job_forget_seconds`, then
it is forgotten and answers 404, like a job that never was).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.access import Caller, StatelessCaller
from api.deps import DbSession
from api.errors import Problem, ProblemError, problem_response, responses
from api.registry import models, repository
from api.schemas.jobs import JobPublic

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


def _visible_job(session: Session, caller: Caller, job_id: str) -> models.Job:
    job = session.get(models.Job, job_id)
    if job is not None:
        if caller.key is None and job.region_id is None:
            return job
        if caller.key is not None and job.region_id is not None and \
                job.region_id in repository.visible_region_ids(session, caller.region):
            return job
    raise HTTPException(404, f"no job {job_id}")


def _gone(job: models.Job) -> ProblemError:
    return ProblemError("job_expired", f"任务 {job.id} 的结果已过期并已删除 / the result of job {job.id} has expired "
                                       "and was removed")


def _status(job: models.Job) -> JobPublic:
    ended = job.status in ("done", "failed")
    return JobPublic(id=job.id, kind=job.kind, status=job.status,  # type: ignore[arg-type]
                     step=job.step, progress=job.progress, created_at=job.created_at, finished_at=job.finished_at,
                     result=f"/v1/jobs/{job.id}/result" if ended else None, attempts=job.attempts,
                     cancel_requested=job.cancel_requested, expires_at=job.expires_at)


@router.get("/{job_id}", response_model=JobPublic, responses=responses(401, 403, 404, 410, 429),
            summary="A job's step and progress; when it has ended, where its result is")
def job_status(job_id: str, session: DbSession, caller: StatelessCaller, response: Response) -> JobPublic:
    job = _visible_job(session, caller, job_id)
    if job.status == "expired":
        raise _gone(job)
    if job.status in ("queued", "running"):
        response.headers["Retry-After"] = "2"
    return _status(job)


@router.get("/{job_id}/result", response_class=Response,
            responses={200: {"description": "The job's result (for a check: the report of formats.md §4)",
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                       **responses(401, 403, 404, 409, 410, 422, 429, 500, 503)},
            summary="A finished job's result, or the problem that stopped it; 409 while it runs, 410 once expired")
def job_result(job_id: str, session: DbSession, caller: StatelessCaller) -> Response:
    job = _visible_job(session, caller, job_id)
    if job.status == "expired":
        raise _gone(job)
    if job.status == "done":
        return Response(job.result, media_type=job.media_type)
    if job.status == "failed" and job.problem is not None:
        problem = Problem.model_validate(job.problem)
        return problem_response(problem.status, problem.detail, errors=problem.errors, code=problem.code)
    if job.status == "cancelled":
        raise ProblemError("job_cancelled", f"任务 {job_id} 已取消,没有结果 / job {job_id} was cancelled; it has no result")
    raise ProblemError("job_not_finished", f"任务 {job_id} 尚未完成({job.status}),请轮询 / job {job_id} is {job.status}, "
                                           f"not finished yet; poll /v1/jobs/{job_id}",
                       headers={"Retry-After": "2", "Location": f"/v1/jobs/{job_id}"})


def _may_cancel(caller: Caller, job: models.Job) -> bool:
    """The key that sent the job, or an admin key that sees its region (or a trusted-network caller for its own)."""
    if caller.key is None:
        return job.region_id is None
    if job.submitted_by == caller.actor:
        return True
    return caller.key.role == "admin"


@router.delete("/{job_id}", response_model=JobPublic, responses={
    202: {"description": "The job is running: its cancel is asked, it stops at its next step "
                         "(poll the job: its status becomes `cancelled`)",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobPublic"}}}},
    **responses(401, 403, 404, 410, 429, 503)},
               summary="Cancel a job (the key that sent it, or an admin): a queued one at once (200), a running "
                       "one at its next step (202); an ended one is left as it is (200)")
def cancel_job(job_id: str, request: Request, session: DbSession, caller: StatelessCaller) -> Response:
    job = _visible_job(session, caller, job_id)
    if not _may_cancel(caller, job):
        raise HTTPException(403, "只有提交任务的密钥或管理员可以取消它 / only the key that sent the job, or an admin "
                                 "key, may cancel it")
    if job.status == "expired":
        raise _gone(job)
    if job.status in ("queued", "running"):
        request.app.state.jobs.cancel(job_id)
    session.rollback()  # a fresh read: the cancel was written by another transaction
    job = _visible_job(session, caller, job_id)
    body = _status(job).model_dump(mode="json")
    if job.status == "running":
        return JSONResponse(body, status_code=202, headers={"Location": f"/v1/jobs/{job_id}", "Retry-After": "2"})
    return JSONResponse(body)
