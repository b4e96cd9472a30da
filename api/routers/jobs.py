"""Long work as jobs: a province-size upload to `POST /v1/check` answers 202 with a `Location`
here; the job's row in the registry carries its step, progress and, at the end, its result or
its problem, so any instance behind a load balancer can answer the poll.

One job runs at a time per instance (the check of a province takes a core and a few GB);
others wait in the queue and say so.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.access import StatelessCaller
from api.deps import DbSession
from api.errors import Problem, ProblemError, code_of, problem_document, problem_of, problem_response, responses
from api.logs import LOGGER
from api.registry import models, repository

router = APIRouter(tags=["jobs"])

Progress = Callable[[str, float], None]
Work = Callable[[Progress], tuple[bytes, str]]


class JobStatus(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    step: str | None
    progress: float
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: str | None = None  # where to fetch the result (done or failed)


def accepted(job_id: str, kind: str) -> JSONResponse:
    """The 202 of a request that became a job: its status now, and where to poll."""
    queued = JobStatus(id=job_id, kind=kind, status="queued", step="queued", progress=0.0,
                       created_at=dt.datetime.now(dt.UTC), finished_at=None)
    return JSONResponse(queued.model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/v1/jobs/{job_id}", "Retry-After": "2"})


class QueueFull(HTTPException):
    def __init__(self, waiting: int):
        super().__init__(503, f"{waiting} jobs are waiting already; send the upload again later",
                         headers={"Retry-After": "30"})


class JobRunner:
    def __init__(self, sessions: sessionmaker[Session], max_waiting: int = 4):
        self._sessions = sessions
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orgmodel-job")
        self._max_waiting = max_waiting  # each waiting job holds its upload in memory
        self._waiting: set[str] = set()  # this instance's jobs not started yet
        self._lock = threading.Lock()

    def submit(self, kind: str, region_id: str | None, work: Work) -> str:
        job_id = str(uuid.uuid4())
        with self._lock:
            if len(self._waiting) >= self._max_waiting:
                raise QueueFull(len(self._waiting))
            self._waiting.add(job_id)
        try:
            with self._sessions.begin() as session:
                session.add(models.Job(id=job_id, kind=kind, region_id=region_id, status="queued", step="queued",
                                       progress=0.0, created_at=dt.datetime.now(dt.UTC)))
        except BaseException:
            with self._lock:
                self._waiting.discard(job_id)
            raise
        try:
            self._pool.submit(self._run, job_id, work)
        except RuntimeError as exc:  # the runner has been shut down: the row must not wait for ever
            with self._lock:
                self._waiting.discard(job_id)
            self._finish(job_id, "failed", problem=problem_document(503, "the service is stopping; send it again"))
            raise QueueFull(0) from exc
        return job_id

    def _set(self, job_id: str, **values: object) -> None:
        with self._sessions.begin() as session:
            session.execute(update(models.Job).where(models.Job.id == job_id).values(**values))

    def _progress(self, job_id: str) -> Progress:
        def report(step: str, fraction: float) -> None:
            try:  # progress is news, not the work: a busy database must not fail the check
                self._set(job_id, step=step, progress=fraction)
            except Exception as exc:
                LOGGER.warning("job %s: progress not recorded: %s", job_id, exc)

        return report

    def _run(self, job_id: str, work: Work) -> None:
        with self._lock:
            self._waiting.discard(job_id)
        try:
            self._progress(job_id)("starting", 0.0)
            self._set(job_id, status="running")
            content, media_type = work(self._progress(job_id))
        except Exception as exc:
            known = problem_of(exc)  # the status a request would have had
            if known is None:
                LOGGER.error("job %s failed", job_id, exc_info=exc)
                known = (500, "an unexpected error; the job id names it in the server's log", None, None)
            status, detail, errors, _ = known
            self._finish(job_id, "failed", problem=problem_document(status, detail, errors=errors,
                                                                    code=code_of(exc, status)))
        else:
            self._finish(job_id, "done", result=content, media_type=media_type, progress=1.0)

    def _finish(self, job_id: str, status: str, **values: object) -> None:
        for attempt in range(3):  # the end of a job must be recorded, or its poller waits for ever
            try:
                self._set(job_id, status=status, step=status, finished_at=dt.datetime.now(dt.UTC), **values)
                return
            except Exception as exc:
                LOGGER.error("job %s: its end not recorded (attempt %d): %s", job_id, attempt + 1, exc)
                time.sleep(1 + attempt)

    def shutdown(self) -> None:
        """Stop taking jobs; the running one finishes. Jobs still waiting are marked failed, not left queued."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            waiting, self._waiting = list(self._waiting), set()
        if not waiting:
            return
        try:
            with self._sessions.begin() as session:
                session.execute(update(models.Job).where(models.Job.id.in_(waiting)).values(
                    status="failed", step="failed", finished_at=dt.datetime.now(dt.UTC),
                    problem=problem_document(503, "the service stopped before this job started; send it again")))
        except Exception as exc:
            LOGGER.warning("waiting jobs not marked failed at shutdown: %s", exc)


def _visible_job(session: Session, caller: StatelessCaller, job_id: str) -> models.Job:
    job = session.get(models.Job, job_id)
    if job is not None:
        if caller.key is None and job.region_id is None:
            return job
        if caller.key is not None and job.region_id is not None and \
                job.region_id in repository.visible_region_ids(session, caller.region):
            return job
    raise HTTPException(404, f"no job {job_id}")


@router.get("/v1/jobs/{job_id}", response_model=JobStatus, responses=responses(401, 403, 404, 429),
            summary="A job's step and progress; when it has ended, where its result is")
def job_status(job_id: str, session: DbSession, caller: StatelessCaller, response: Response) -> JobStatus:
    job = _visible_job(session, caller, job_id)
    ended = job.status in ("done", "failed")
    if not ended:
        response.headers["Retry-After"] = "2"
    return JobStatus(id=job.id, kind=job.kind, status=job.status,  # type: ignore[arg-type]
                     step=job.step, progress=job.progress, created_at=job.created_at, finished_at=job.finished_at,
                     result=f"/v1/jobs/{job.id}/result" if ended else None)


@router.get("/v1/jobs/{job_id}/result", response_class=Response,
            responses={200: {"description": "The job's result (for a check: the report of formats.md §4)",
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                       **responses(401, 403, 404, 409, 422, 429, 500)},
            summary="A finished job's result, or the problem that stopped it")
def job_result(job_id: str, session: DbSession, caller: StatelessCaller) -> Response:
    job = _visible_job(session, caller, job_id)
    if job.status == "done":
        return Response(job.result, media_type=job.media_type)
    if job.status == "failed" and job.problem is not None:
        problem = Problem.model_validate(job.problem)
        return problem_response(problem.status, problem.detail, errors=problem.errors, code=problem.code)
    raise ProblemError("job_not_finished", f"job {job_id} is {job.status}; poll /v1/jobs/{job_id}",
                       headers={"Retry-After": "2", "Location": f"/v1/jobs/{job_id}"})
