"""Long work (a province-size upload) as jobs that survive the instance running them.

The job's row (`api.registry.models.Job`) is the truth any instance answers a poll from: its
status, step, progress, and at the end its result or its problem. The upload and what to do
with it (`params`) are stored with it, so that another instance can run it again.

**Leases.** A running job belongs to one instance (`owner`, made once per process) until
`lease_expires_at`; the owner renews the lease every third of it (`heartbeat_at`) while the
job runs, and every write of the job is conditional on the lease still being its own (owner
and attempt), so a worker that lost its lease can neither record progress nor finish the job
nor, for an import, commit (see `JobContext.fence`).

**Recovery.** A job whose instance was lost (SIGKILL, a crash, a machine gone) is recovered by
any instance that sweeps — at its start and every `job_sweep_seconds`:

* a job that has written nothing lasting is queued again, up to `job_max_attempts` starts:
  a check has no side effects at all; an import writes the registry in one transaction, which
  the database rolled back when the lost instance's connection went, and the fence keeps that
  attempt from committing later — so an import whose commit did not happen is retried too;
* an import whose transaction committed (`side_effects_at`, written *inside* that transaction)
  but whose end was not recorded is failed, never run again: the roster is stored in full, and
  the problem says so and where its summary is (the audit log);
* a job past its attempts is failed with the reason; a job whose cancel was asked is cancelled.

**Stopping** (SIGTERM, also of the whole process group, which kills the parsing workers too):
the instance takes no new job and releases the running one at its next progress step, or when
it fails while the instance stops: the job is queued again at once for another instance,
not failed. A job still running after `job_shutdown_seconds` is left to the lease.

**Cancel.** A queued job is cancelled at once; a running one is asked to stop
(`cancel_requested`) and stops at its next progress step (an import at the latest at its
commit, which the fence refuses), its status then `cancelled`.

**Expiry.** A finished job keeps its result for `job_result_seconds`; then the sweep removes
the result and the upload and keeps the row as an `expired` tombstone (its poll answers 410
Gone) for `job_forget_seconds`, after which the row goes too (404).

**The queue.** On PostgreSQL the queue is procrastinate's (`ProcrastinateQueue`): `submit`
defers a procrastinate job naming our row; each instance runs a procrastinate worker (one job
at a time) whose heartbeats say it is alive, and the sweep asks procrastinate for the stalled
jobs (`JobManager.get_stalled_jobs`: running on a worker without a recent heartbeat), then
decides as above and either retries them there (`retry_job`) or finishes them as failed.
Cancelling uses `cancel_job_by_id` (with `abort` for a running job). Procrastinate's schema is
applied at start (once per database, under an advisory lock). On the embedded SQLite default
(`LocalQueue`) the same semantics are kept in-process: instances sharing the file claim queued
rows with a conditional update, and the sweep recovers rows whose lease ran out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, case, delete, event, func, select, text, update
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.orm import Session, sessionmaker

from api.errors import code_of, problem_document, problem_of
from api.hygiene import in_order, roster_text_errors
from api.logs import LOGGER
from api.parsing import Reader
from api.registry import models, repository
from api.registry.db import begin_write
from api.schemas.jobs import JobPublic
from orgmodel.errors import RosterInputError
from orgmodel.input import normalize, readers
from orgmodel.input.readers.json_yaml import read_json, read_yaml
from orgmodel.rules.pack import load_pack

Job = models.Job
ENDED = ("done", "failed", "cancelled")
QUEUE = "orgmodel-jobs"
STOP_GRACE_SECONDS = 0.5  # how long a failed job waits to learn whether its instance is stopping
PROCRASTINATE_SCHEMA_LOCK = 7_301_946_189  # a PostgreSQL advisory lock key: "orgmodel applies procrastinate's schema"


def _count(result: Any) -> int:
    """The rows an UPDATE or DELETE matched."""
    return int(cast(CursorResult[Any], result).rowcount)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def instance_id() -> str:
    """This process's name as a job owner: host, pid and a random part (a restarted process is another owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobCancelled(Exception):
    """The job's cancel was asked; raised at its next progress step."""


class LeaseLost(Exception):
    """Another instance recovered the job (this one was thought lost) or it ended meanwhile."""


class Released(Exception):
    """The instance is stopping: the job goes back to the queue for another one."""


class QueueFull(HTTPException):
    def __init__(self, waiting: int):
        super().__init__(503, f"{waiting} jobs are waiting already; send the upload again later",
                         headers={"Retry-After": "30"})


@dataclass(frozen=True)
class Policy:
    """The queue's times and bounds (from the settings)."""

    lease_seconds: float = 30.0
    sweep_seconds: float = 10.0
    max_attempts: int = 3
    result_seconds: float = 24 * 3600.0
    forget_seconds: float = 7 * 24 * 3600.0
    shutdown_seconds: float = 10.0
    max_queued: int = 16

    @classmethod
    def of(cls, settings: Any) -> Policy:
        return cls(lease_seconds=settings.job_lease_seconds, sweep_seconds=settings.job_sweep_seconds,
                   max_attempts=settings.job_max_attempts, result_seconds=settings.job_result_seconds,
                   forget_seconds=settings.job_forget_seconds, shutdown_seconds=settings.job_shutdown_seconds,
                   max_queued=settings.job_max_queued)


@dataclass(frozen=True)
class Claimed:
    """A job this instance holds the lease of, in its `attempt`-th start."""

    id: str
    kind: str
    region_id: str | None
    params: Mapping[str, Any]
    payload: bytes
    attempt: int


def _lost(detail_zh: str, detail_en: str, status: int = 503) -> dict[str, Any]:
    return problem_document(status, f"{detail_zh} / {detail_en}")


class JobStore:
    """The lease protocol on the jobs table; every write after the claim is conditional on the lease."""

    def __init__(self, sessions: sessionmaker[Session], owner: str, policy: Policy):
        self.sessions = sessions
        self.owner = owner
        self.policy = policy

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction (on SQLite one that takes the write lock first, so that reading
        then writing waits its turn instead of failing), committed at the end."""
        with self.sessions() as session:
            begin_write(session)
            yield session
            session.commit()

    def _lease(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self.policy.lease_seconds)

    def _mine(self, job: Claimed) -> Any:
        return (Job.id == job.id) & (Job.owner == self.owner) & (Job.attempts == job.attempt) & (Job.status == "running")

    def create(self, kind: str, region_id: str | None, params: Mapping[str, Any], payload: bytes,
               submitted_by: str | None = None) -> str:
        job_id = str(uuid.uuid4())
        with self._writing() as session:
            waiting = session.scalar(select(func.count()).select_from(Job).where(Job.status == "queued")) or 0
            if waiting >= self.policy.max_queued:
                raise QueueFull(waiting)
            session.add(Job(id=job_id, kind=kind, region_id=region_id, status="queued", step="queued", progress=0.0,
                            created_at=utcnow(), params=dict(params), payload=payload, attempts=0,
                            cancel_requested=False, submitted_by=submitted_by))
        return job_id

    def claim(self, job_id: str) -> Claimed | None:
        """Take a queued job (None: cancelled, taken by another instance, or gone)."""
        now = utcnow()
        with self._writing() as session:
            taken = _count(session.execute(update(Job).where(
                Job.id == job_id, Job.status == "queued", Job.cancel_requested.is_(False)).values(
                status="running", owner=self.owner, attempts=Job.attempts + 1, heartbeat_at=now,
                lease_expires_at=self._lease(now), step="starting")))
            if taken != 1:
                return None
            row = session.execute(select(Job.kind, Job.region_id, Job.params, Job.payload, Job.attempts)
                                  .where(Job.id == job_id)).one()
        return Claimed(job_id, row.kind, row.region_id, row.params or {}, row.payload or b"", row.attempts)

    def claim_next(self) -> Claimed | None:
        """The oldest queued job, if another instance does not take it first."""
        for _ in range(5):
            with self.sessions() as session:
                job_id = session.scalar(select(Job.id).where(Job.status == "queued", Job.cancel_requested.is_(False))
                                        .order_by(Job.created_at).limit(1))
            if job_id is None:
                return None
            claimed = self.claim(job_id)
            if claimed is not None:
                return claimed
        return None

    def renew(self) -> None:
        """The heartbeat: every running job of this instance keeps its lease."""
        now = utcnow()
        with self._writing() as session:
            session.execute(update(Job).where(Job.owner == self.owner, Job.status == "running").values(
                heartbeat_at=now, lease_expires_at=self._lease(now)))

    def progress(self, job: Claimed, step: str, fraction: float) -> bool:
        """Record a step (progress never goes back, a retry's included); True if a cancel was asked."""
        now = utcnow()
        with self._writing() as session:
            moved = _count(session.execute(update(Job).where(self._mine(job)).values(
                step=step[:models.NAME], heartbeat_at=now, lease_expires_at=self._lease(now),
                progress=case((Job.progress > fraction, Job.progress), else_=fraction))))
            if moved != 1:
                raise LeaseLost(job.id)
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job.id)))

    def finish(self, job: Claimed, status: str, **values: Any) -> bool:
        now = utcnow()
        for attempt in range(3):  # the end of a job must be recorded, or its poller waits until the lease runs out
            try:
                with self._writing() as session:
                    return _count(session.execute(update(Job).where(self._mine(job)).values(
                        status=status, step=status, finished_at=now, owner=None, lease_expires_at=None,
                        payload=None, expires_at=now + dt.timedelta(seconds=self.policy.result_seconds),
                        **values))) == 1
            except Exception as exc:
                LOGGER.error("job %s: its end not recorded (attempt %d): %s", job.id, attempt + 1, exc)
                time.sleep(1 + attempt)
        return False

    def release(self, job: Claimed) -> bool:
        """Back to the queue (this instance is stopping): another instance takes it at once."""
        with self._writing() as session:
            return _count(session.execute(update(Job).where(self._mine(job), Job.side_effects_at.is_(None)).values(
                status="queued", step="queued again: its instance stopped", owner=None,
                lease_expires_at=None))) == 1

    def fence(self, job: Claimed, session: Session) -> None:
        """Make `session`'s next commit (an import's one transaction) record that the job's writes
        committed, and refuse it if the lease is no longer this instance's or a cancel was asked."""

        def check(committing: Session) -> None:
            marked = _count(committing.execute(update(Job).where(self._mine(job), Job.cancel_requested.is_(False)).values(
                side_effects_at=utcnow())))
            if marked != 1:
                cancelled = committing.scalar(select(Job.cancel_requested).where(Job.id == job.id))
                raise JobCancelled(job.id) if cancelled else LeaseLost(job.id)

        event.listen(session, "before_commit", check, once=True)

    # --- what any instance does for all of them ------------------------------------------------

    def recover(self, job_id: str) -> str | None:
        """Decide the fate of a running job whose lease ran out (its instance was lost): 'queued',
        'failed', 'cancelled', or None when it is not running any more, another sweep got there
        first, or its lease is still held."""
        with self._writing() as session:
            row = session.execute(select(Job.status, Job.owner, Job.attempts, Job.cancel_requested, Job.side_effects_at,
                                         Job.kind, Job.lease_expires_at).where(Job.id == job_id)).one_or_none()
            if row is None or row.status != "running" or (row.lease_expires_at is not None and
                                                          row.lease_expires_at > utcnow()):
                return None  # ended, recovered already, or its lease still held
            same = (Job.id == job_id) & (Job.status == "running") & (Job.attempts == row.attempts) & \
                   (Job.owner == row.owner if row.owner is not None else Job.owner.is_(None))
            now = utcnow()
            ended: dict[str, Any] = {"finished_at": now, "owner": None, "lease_expires_at": None, "payload": None,
                     "expires_at": now + dt.timedelta(seconds=self.policy.result_seconds)}
            values: dict[str, Any]
            if row.side_effects_at is not None:
                stamp = row.side_effects_at.isoformat(timespec="seconds")
                problem = _lost(
                    f"导入已全部存入(事务于 {stamp} 提交),但实例在记录结果前丢失;请勿重新提交,导入摘要见审计日志 GET /v1/audit",
                    f"the import was stored in full (its transaction committed at {stamp}), but its instance was lost "
                    "before it recorded the summary; do not send it again: the audit log (GET /v1/audit) has it",
                    status=500)
                outcome, values = "failed", {"status": "failed", "step": "failed", "problem": problem}
            elif row.cancel_requested:
                outcome, values = "cancelled", {"status": "cancelled", "step": "cancelled"}
            elif row.attempts >= self.policy.max_attempts:
                problem = _lost(f"任务的实例已丢失 {row.attempts} 次,不再重试;请稍后重新提交",
                                f"the job lost its instance {row.attempts} times and is not tried again; "
                                "send it again later")
                outcome, values = "failed", {"status": "failed", "step": "failed", "problem": problem}
            else:
                outcome = "queued"
                values = {"status": "queued", "step": f"queued again: its instance was lost (start {row.attempts})",
                          "owner": None, "lease_expires_at": None}
                same = same & Job.side_effects_at.is_(None)  # a commit that got in first is not run twice
            if outcome != "queued":
                values = {**ended, **values}
            changed = _count(session.execute(update(Job).where(same).values(**values)))
        if changed != 1:
            return self.recover(job_id) if outcome == "queued" else None  # its commit landed meanwhile: decide again
        LOGGER.warning("job %s (%s) lost its instance %s: %s", job_id, row.kind, row.owner, outcome)
        return outcome

    def expired_leases(self) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(Job.id).where(Job.status == "running",
                                                             Job.lease_expires_at < utcnow())))

    def expire(self) -> int:
        """Results past their time: removed, the row kept as a tombstone (410), then forgotten (404)."""
        now = utcnow()
        with self._writing() as session:
            session.execute(update(Job).where(Job.status.in_(ENDED), Job.expires_at <= now).values(
                status="expired", step="expired", result=None, payload=None, problem=None, media_type=None))
            forget = now - dt.timedelta(seconds=self.policy.forget_seconds)
            return _count(session.execute(delete(Job).where(Job.status == "expired", Job.expires_at <= forget)))

    def cancel(self, job_id: str) -> str:
        """Cancel a queued job now, ask a running one to stop; the status after (unchanged if it had ended)."""
        now = utcnow()
        with self._writing() as session:
            if _count(session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
                    status="cancelled", step="cancelled", cancel_requested=True, finished_at=now, payload=None,
                    expires_at=now + dt.timedelta(seconds=self.policy.result_seconds)))):
                return "cancelled"
            session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(cancel_requested=True))
            return session.scalar(select(Job.status).where(Job.id == job_id)) or "gone"


Handler = Callable[["JobContext"], tuple[bytes, str]]
Progress = Callable[[str, float], None]  # (step, fraction done): JobContext.progress


class JobContext:
    """What a job's work sees: its input, and `progress`, which is also where it stops when
    cancelled, when its instance stops, or when its lease went to another instance."""

    def __init__(self, store: JobStore, job: Claimed, stopping: Callable[[], bool],
                 abort_asked: Callable[[], bool] = lambda: False):
        self._store = store
        self.job = job
        self._stopping = stopping
        self._abort_asked = abort_asked

    @property
    def params(self) -> Mapping[str, Any]:
        return self.job.params

    @property
    def payload(self) -> bytes:
        return self.job.payload

    def progress(self, step: str, fraction: float) -> None:
        if self._stopping():
            raise Released(self.job.id)
        try:
            cancel = self._store.progress(self.job, step, fraction)
        except LeaseLost:
            raise
        except Exception as exc:  # progress is news, not the work: a busy database must not fail the check
            LOGGER.warning("job %s: progress not recorded: %s", self.job.id, exc)
            cancel = False
        if cancel or self._abort_asked():
            raise JobCancelled(self.job.id)

    def fence(self, session: Session) -> None:
        self._store.fence(self.job, session)


class JobQueue:
    """What both queues share: submitting, running a claimed job to its end, cancelling, sweeping."""

    def __init__(self, sessions: sessionmaker[Session], policy: Policy, handlers: Mapping[str, Handler] | None = None,
                 owner: str | None = None):
        self.owner = owner or instance_id()
        self.policy = policy
        self.store = JobStore(sessions, self.owner, policy)
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._starting = threading.Lock()
        self._started = False
        self.running: set[str] = set()  # jobs this instance runs now: never "recovered" by its own sweep

    # what the router calls
    def submit(self, kind: str, region_id: str | None, payload: bytes, params: Mapping[str, Any],
               submitted_by: str | None = None) -> str:
        if self._stopping.is_set():
            raise QueueFull(0)
        if kind not in self.handlers:
            raise ValueError(f"no handler for jobs of kind {kind!r}")
        self.ensure_started()
        job_id = self.store.create(kind, region_id, params, payload, submitted_by)
        self._enqueue(job_id)
        return job_id

    def cancel(self, job_id: str) -> str:
        return self.store.cancel(job_id)

    def ensure_started(self) -> None:
        """Start once: in the app's lifespan, or at the first job of an app run without one."""
        with self._starting:
            if not self._started:
                self.start()
                self._started = True

    def watch_signals(self) -> None:
        """In the main thread, once the server handles its stop signals (the app's lifespan):
        SIGTERM or SIGINT mark the queue stopping at once, before the server reaches its shutdown
        — a signal to the process group kills the parsing workers in the same instant, and the
        job whose read dies with them must be put back, not failed."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            if not callable(previous):  # nobody stops gracefully on it: leave it alone
                continue

            def stop(signum: int, frame: Any, previous: Callable[[int, Any], Any] = previous) -> None:
                self._stopping.set()
                previous(signum, frame)

            signal.signal(sig, stop)

    def _enqueue(self, job_id: str) -> None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def shutdown(self) -> None:
        raise NotImplementedError

    def sweep(self) -> dict[str, int]:
        raise NotImplementedError

    def _thread(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _heartbeat(self) -> None:
        while not self._stopped.wait(self.policy.lease_seconds / 3):
            try:
                self.store.renew()
            except Exception as exc:
                LOGGER.warning("job leases not renewed: %s", exc)

    def execute(self, job: Claimed, abort_asked: Callable[[], bool] = lambda: False) -> None:
        """Run a claimed job to its end, or release it (Released is raised again for the caller)."""
        context = JobContext(self.store, job, self._stopping.is_set, abort_asked)
        handler = self.handlers.get(job.kind)
        self.running.add(job.id)
        try:
            if handler is None:
                raise LookupError(f"no handler for jobs of kind {job.kind!r} on this instance")
            context.progress("starting", 0.0)
            content, media_type = handler(context)
        except JobCancelled:
            self.store.finish(job, "cancelled")
        except LeaseLost:
            LOGGER.warning("job %s: its lease went to another instance; this attempt stops", job.id)
        except Exception as exc:
            # a stop signal reaches the parsing workers as it reaches this process: a failure that
            # comes with a stop is the stop's, and the job goes back to the queue
            if self._stopping.wait(STOP_GRACE_SECONDS) and self.store.release(job):
                raise Released(job.id) from exc
            known = problem_of(exc)  # the status a request would have had
            if known is None:
                LOGGER.error("job %s failed", job.id, exc_info=exc)
                known = (500, "an unexpected error; the job id names it in the server's log", None, None)
            status, detail, errors, _ = known
            self.store.finish(job, "failed", problem=problem_document(status, detail, errors=errors,
                                                                      code=code_of(exc, status)))
        else:
            self.store.finish(job, "done", result=content, media_type=media_type, progress=1.0)
        finally:
            self.running.discard(job.id)

    def recover_expired(self) -> list[tuple[str, str]]:
        """Recover the jobs whose lease ran out (another instance's, never one running here: a late
        heartbeat of ours renews instead); (job id, outcome) of each this sweep decided."""
        decided = []
        for job_id in self.store.expired_leases():
            if job_id in self.running:
                self.store.renew()
                continue
            outcome = self.store.recover(job_id)
            if outcome is not None:
                decided.append((job_id, outcome))
        return decided

    def _sweep_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self.sweep()
            except Exception as exc:
                LOGGER.warning("job sweep failed: %s", exc)
            self._stopped.wait(self.policy.sweep_seconds)


class LocalQueue(JobQueue):
    """The queue in the jobs table itself (the embedded SQLite default): one job at a time per
    instance, instances on the same file claiming queued rows by a conditional update."""

    def __init__(self, sessions: sessionmaker[Session], policy: Policy, handlers: Mapping[str, Handler] | None = None,
                 owner: str | None = None, poll_seconds: float = 1.0):
        super().__init__(sessions, policy, handlers, owner)
        self._wake = threading.Event()
        self._poll = poll_seconds
        self._idle = threading.Event()
        self._idle.set()

    def _enqueue(self, job_id: str) -> None:
        self._wake.set()

    def start(self) -> None:
        self.sweep()  # recovery on start-up: jobs whose instance was lost before this one started
        self._thread(self._work, "orgmodel-jobs")
        self._thread(self._heartbeat, "orgmodel-job-heartbeat")
        self._thread(self._sweep_loop, "orgmodel-job-sweep")

    def _work(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                job = self.store.claim_next()
            except Exception as exc:
                LOGGER.warning("no job claimed: %s", exc)
                job = None
            if job is None:
                self._wake.wait(self._poll)
                continue
            self._idle.clear()
            try:
                self.execute(job)
            except Released:
                pass
            finally:
                self._idle.set()

    def sweep(self) -> dict[str, int]:
        outcomes: dict[str, int] = {}
        for _, outcome in self.recover_expired():
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcomes.get("queued"):
            self._wake.set()
        outcomes["forgotten"] = self.store.expire()
        return outcomes

    def shutdown(self) -> None:
        """Take no new job; the running one is released at its next step (waited for a while)."""
        if self._stopped.is_set():
            return
        self._stopping.set()
        self._wake.set()
        self._idle.wait(self.policy.shutdown_seconds)
        self._stopped.set()


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def apply_procrastinate_schema(engine: Engine) -> None:
    """procrastinate's tables, once per database (instances starting together take turns)."""
    from procrastinate.schema import SchemaManager

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PROCRASTINATE_SCHEMA_LOCK})
        try:
            if connection.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
                cursor = connection.connection.cursor()  # psycopg itself: no parameters, so no placeholders
                cursor.execute(SchemaManager.get_schema())
                cursor.close()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PROCRASTINATE_SCHEMA_LOCK})


class ProcrastinateQueue(JobQueue):
    """procrastinate's queue on PostgreSQL, with its worker (and our sweep) on an event loop of
    their own in a thread of this instance; our row keeps status, progress and result."""

    def __init__(self, sessions: sessionmaker[Session], engine: Engine, policy: Policy,
                 handlers: Mapping[str, Handler] | None = None, owner: str | None = None):
        import procrastinate
        from procrastinate.retry import RetryStrategy

        super().__init__(sessions, policy, handlers, owner)
        self._engine = engine
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(
            conninfo=_conninfo(engine.url.render_as_string(hide_password=False)), min_size=1, max_size=3))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task[Any] | None = None
        self._ready = threading.Event()

        def run_job(context: Any, job_id: str) -> None:
            job = self.store.claim(job_id)
            if job is None:  # cancelled before it started, or not ours to run
                return
            self.execute(job, abort_asked=context.should_abort)

        # our own attempts count governs; procrastinate retries what a stopping instance released
        self.task = self.app.task(name="orgmodel.job", queue=QUEUE, pass_context=True,
                                  retry=RetryStrategy(max_attempts=1000, retry_exceptions={Released}))(run_job)

    def start(self) -> None:
        apply_procrastinate_schema(self._engine)
        self._thread(self._run_loop, "orgmodel-procrastinate")
        if not self._ready.wait(30):
            raise RuntimeError("the procrastinate worker did not start")
        self._thread(self._heartbeat, "orgmodel-job-heartbeat")

    def _run_loop(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        async with self.app.open_async():
            await self._sweep_async()  # recovery on start-up
            self._worker = asyncio.create_task(self.app.run_worker_async(
                queues=[QUEUE], concurrency=1, wait=True, install_signal_handlers=False, name=self.owner,
                update_heartbeat_interval=max(self.policy.lease_seconds / 3, 0.2),
                stalled_worker_timeout=self.policy.lease_seconds,
                shutdown_graceful_timeout=self.policy.shutdown_seconds, fetch_job_polling_interval=1.0,
                abort_job_polling_interval=1.0))
            sweeper = asyncio.create_task(self._sweep_forever())
            self._ready.set()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
            finally:
                sweeper.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.policy.sweep_seconds)
            try:
                await self._sweep_async()
            except Exception as exc:
                LOGGER.warning("job sweep failed: %s", exc)

    async def _sweep_async(self) -> dict[str, int]:
        from procrastinate.jobs import Status

        manager = self.app.job_manager
        outcomes: dict[str, int] = {}
        for stalled in await manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=self.policy.lease_seconds):
            job_id = stalled.task_kwargs.get("job_id")
            if job_id in self.running:  # our own worker's heartbeat was late (a loaded machine): it is alive
                continue
            outcome = await asyncio.to_thread(self.store.recover, str(job_id)) if job_id else None
            if outcome == "queued":
                await manager.retry_job(stalled)
            elif outcome is not None:
                await manager.finish_job(stalled, Status.ABORTED if outcome == "cancelled" else Status.FAILED,
                                         delete_job=False)
            else:  # our row says what became of it
                status, queue_job_id = await asyncio.to_thread(self._row_state, str(job_id))
                if status == "running" and queue_job_id == stalled.id:
                    continue  # its lease runs out later: the next sweep decides
                if status == "queued" and queue_job_id == stalled.id:
                    await manager.retry_job(stalled)
                    outcome = "queued"
                else:  # ended, or run by another procrastinate job (the lease's backstop below queued it anew)
                    await manager.finish_job(stalled, Status.SUCCEEDED if status == "done" else Status.FAILED,
                                             delete_job=False)
            if outcome is not None:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        # the lease is the backstop: a job running nowhere procrastinate knows of (its procrastinate
        # job ended by a worker wrongly thought lost, say) is recovered from our row, and queued anew
        for job_id, outcome in await asyncio.to_thread(self.recover_expired):
            if outcome == "queued":
                await self._defer(job_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        for job_id in await asyncio.to_thread(self._unqueued):  # its instance was lost between the row and the defer
            await self._defer(job_id)
            outcomes["deferred"] = outcomes.get("deferred", 0) + 1
        outcomes["forgotten"] = await asyncio.to_thread(self.store.expire)
        return outcomes

    def _row_state(self, job_id: str) -> tuple[str | None, int | None]:
        with self.store.sessions() as session:
            row = session.execute(select(Job.status, Job.queue_job_id).where(Job.id == job_id)).one_or_none()
        return (None, None) if row is None else (row.status, row.queue_job_id)

    def _unqueued(self) -> list[str]:
        before = utcnow() - dt.timedelta(seconds=self.policy.lease_seconds)
        with self.store.sessions() as session:
            return list(session.scalars(select(Job.id).where(Job.status == "queued", Job.queue_job_id.is_(None),
                                                             Job.created_at < before)))

    async def _defer(self, job_id: str) -> None:
        queue_job_id = await self.task.defer_async(job_id=job_id)

        def note() -> None:
            with self.store._writing() as session:
                session.execute(update(Job).where(Job.id == job_id).values(queue_job_id=queue_job_id))

        await asyncio.to_thread(note)

    def _call(self, coroutine: Any, timeout: float = 30) -> Any:
        if self._loop is None:
            raise RuntimeError("the job queue is not running")
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)

    def _enqueue(self, job_id: str) -> None:
        try:
            self._call(self._defer(job_id))
        except Exception:
            with self.store._writing() as session:
                session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
                    status="failed", step="failed", finished_at=utcnow(), payload=None,
                    problem=problem_document(503, "the job could not be queued; send it again")))
            raise

    def cancel(self, job_id: str) -> str:
        status = self.store.cancel(job_id)
        with self.store.sessions() as session:
            queue_job_id = session.scalar(select(Job.queue_job_id).where(Job.id == job_id))
        if queue_job_id is not None and status in ("cancelled", "running"):
            try:
                self._call(self.app.job_manager.cancel_job_by_id_async(queue_job_id, abort=status == "running"))
            except Exception as exc:  # our row decides: the worker skips a job whose row is cancelled
                LOGGER.warning("job %s: procrastinate's job %s not cancelled: %s", job_id, queue_job_id, exc)
        return status

    def sweep(self) -> dict[str, int]:
        result: dict[str, int] = self._call(self._sweep_async(), timeout=120)
        return result

    def shutdown(self) -> None:
        if self._stopped.is_set():  # an app served twice (a test client and uvicorn) stops once
            return
        self._stopping.set()
        loop, worker = self._loop, self._worker
        if loop is not None and worker is not None and not loop.is_closed():
            loop.call_soon_threadsafe(worker.cancel)  # procrastinate stops gracefully: the running job is released
        for thread in self._threads:
            if thread.name == "orgmodel-procrastinate":
                thread.join(self.policy.shutdown_seconds + 10)
        self._stopped.set()


# --- the kinds of job: what the routes submit, run from the row on whichever instance -------------

READERS: dict[str, Reader] = {"json": read_json, "yaml": read_yaml, "file": readers.read_bytes}


def reader_name(read: Reader) -> str:
    """The name a job's params give the route's reader (the row must say how to read its payload)."""
    for name, known in READERS.items():
        if known is read:
            return name
    raise ValueError(f"no job reader for {read!r}")


def check_params(read: Reader, name: str, pack_id: str, as_of: dt.date | None, skip_invalid: bool) -> dict[str, Any]:
    return {"reader": reader_name(read), "name": name, "rules": pack_id,
            "as_of": None if as_of is None else as_of.isoformat(), "skip_invalid": skip_invalid}


def import_params(read: Reader, name: str, region_id: str, actor: str) -> dict[str, Any]:
    return {"reader": reader_name(read), "name": name, "region": region_id, "actor": actor}


def accepted(job_id: str, kind: str) -> JSONResponse:
    """The 202 of a request that became a job: its status now, and where to poll."""
    queued = JobPublic(id=job_id, kind=kind, status="queued", step="queued", progress=0.0,
                       created_at=dt.datetime.now(dt.UTC), finished_at=None)
    return JSONResponse(queued.model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/v1/jobs/{job_id}", "Retry-After": "2"})


def store_upload(read: Reader, data: bytes, name: str, sessions: Callable[[], Session], region_id: str, actor: str,
                 id_secret: str | None, progress: Progress, fence: Callable[[Session], None] | None = None) -> bytes:
    """An import of an upload: read, every text and normalising error at once, then the one
    transaction (`fence` ties a job's lease to its commit). Its summary as JSON."""
    progress("reading", 0.05)
    raw = read(data, name)
    refused = roster_text_errors(raw)  # with the normaliser's own errors: every error at once
    progress("normalising", 0.3)
    try:
        roster, _ = normalize.load(raw)
    except RosterInputError as exc:
        raise RosterInputError(in_order([*refused, *exc.errors])) from exc
    if refused:
        raise RosterInputError(refused)
    progress("storing", 0.6)
    with sessions() as session:
        if fence is not None:
            fence(session)
        summary = repository.import_roster(session, region_id, roster, actor, id_secret=id_secret)
    return summary.model_dump_json().encode()


def check_handler(parser: Any) -> Handler:
    """A check (no side effects: always safe to run again)."""
    from api.services import pipeline

    def run(job: JobContext) -> tuple[bytes, str]:
        p = job.params
        as_of = None if p.get("as_of") is None else dt.date.fromisoformat(p["as_of"])
        content = pipeline.report_bytes(parser.reader(READERS[p["reader"]]), job.payload, p["name"],
                                        load_pack(p["rules"]), as_of, bool(p.get("skip_invalid")), job.progress)
        return content, "application/json"

    return run


def import_handler(parser: Any, sessions: Callable[[], Session], id_secret: str | None) -> Handler:
    """An import (its writes fenced: run again only when they did not commit)."""

    def run(job: JobContext) -> tuple[bytes, str]:
        p = job.params
        content = store_upload(parser.reader(READERS[p["reader"]]), job.payload, p["name"], sessions, p["region"],
                               p["actor"], id_secret, job.progress, job.fence)
        return content, "application/json"

    return run


def make_queue(engine: Engine, sessions: sessionmaker[Session], settings: Any,
               handlers: Mapping[str, Handler] | None = None) -> JobQueue:
    """procrastinate's queue on PostgreSQL, the in-process one on SQLite."""
    policy = Policy.of(settings)
    if engine.dialect.name == "postgresql":
        return ProcrastinateQueue(sessions, engine, policy, handlers)
    return LocalQueue(sessions, policy, handlers)


__all__ = ["READERS", "Claimed", "Handler", "JobCancelled", "JobContext", "JobQueue", "JobStore", "LeaseLost", "LocalQueue",
           "Policy", "ProcrastinateQueue", "Progress", "QueueFull", "Released", "check_handler", "check_params", "import_handler",
           "import_params", "make_queue", "store_upload"]
