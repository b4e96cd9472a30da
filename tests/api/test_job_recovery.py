"""Jobs survive their instance, on SQLite and PostgreSQL: real `orgmodel serve` processes
(uvicorn in a process group of its own, tests/api/instances.py) are SIGKILLed or SIGTERMed
while a job runs, and a new instance on the same database recovers the job — a check is run
again to the very report a direct check gives; what must not run again (past its attempts, or
an import whose transaction committed) is failed with the reason; a lost attempt can never
commit an import after its job was recovered (the lease fences the commit)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import sessionmaker

from api.registry import db, models, repository
from api.services import jobs
from orgmodel.readers.document import read_json

HONGQIAO = (Path(__file__).resolve().parents[2] / "examples" / "hongqiao.json").read_bytes()
FAST = {"job_threshold_bytes": 1000, "job_lease_seconds": 2.0, "job_sweep_seconds": 0.5, "job_shutdown_seconds": 5.0}


def _county_and_editor(engine: Engine) -> str:
    with sessionmaker(engine)() as session:
        repository.create_region(session, "320602", "setup", name="崇川区", level="county")
        key, _ = repository.create_key(session, "320602", "editor")
    return key


# --- the lease protocol itself, on each database ---------------------------------------------

POLICY = jobs.Policy(lease_seconds=0.5, sweep_seconds=60, max_attempts=3)


def _import_job(engine: Engine) -> tuple[jobs.JobStore, str]:
    _county_and_editor(engine)
    store = jobs.JobStore(db.session_factory(engine), "lost-instance", POLICY)
    job_id = store.create("import", "320602", jobs.import_params(read_json, "hongqiao.json", "320602", "test"), HONGQIAO)
    return store, job_id


def _import(store: jobs.JobStore, claimed: jobs.Claimed) -> bytes:
    return jobs.store_upload(read_json, claimed.payload, "hongqiao.json", store.sessions, "320602", "test", None,
                             lambda _step, _fraction: None, lambda session: store.fence(claimed, session))


def _imports(engine: Engine) -> int:
    with sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(models.AuditEntry)
                              .where(models.AuditEntry.action == "import")) or 0


def _expire_lease(engine: Engine, job_id: str) -> None:
    with sessionmaker(engine).begin() as session:
        session.execute(update(models.Job).where(models.Job.id == job_id).values(
            lease_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))


def test_an_import_that_committed_but_lost_its_instance_is_failed_never_run_again(engine: Engine) -> None:
    store, job_id = _import_job(engine)
    claimed = store.claim(job_id)
    assert claimed is not None
    json.loads(_import(store, claimed))  # committed; the instance is lost before it records the end
    _expire_lease(engine, job_id)
    sweeper = jobs.JobStore(db.session_factory(engine), "new-instance", POLICY)
    assert sweeper.recover(job_id) == "failed"
    with sessionmaker(engine)() as session:
        job = session.get(models.Job, job_id)
        assert job is not None and job.status == "failed" and job.payload is None
        assert job.problem is not None and job.problem["status"] == 500
        assert "stored in full" in job.problem["detail"] and "GET /v1/audit" in job.problem["detail"]
    assert _imports(engine) == 1


def test_a_lost_attempt_cannot_commit_an_import_once_its_job_was_recovered(engine: Engine) -> None:
    store, job_id = _import_job(engine)
    claimed = store.claim(job_id)
    assert claimed is not None
    _expire_lease(engine, job_id)
    sweeper = jobs.JobStore(db.session_factory(engine), "new-instance", POLICY)
    assert sweeper.recover(job_id) == "queued"  # nothing committed: safe to run again
    with pytest.raises(jobs.LeaseLost):
        _import(store, claimed)  # the lost attempt wakes up: its commit is refused and rolled back
    assert _imports(engine) == 0
    again = sweeper.claim(job_id)
    assert again is not None and again.attempt == 2
    with pytest.raises(jobs.LeaseLost):
        store.progress(claimed, "normalising", 0.3)  # nor may it record progress
    json.loads(_import(sweeper, again))
    assert sweeper.finish(again, "done", result=b"{}", media_type="application/json", progress=1.0)
    assert _imports(engine) == 1


def test_a_cancel_asked_during_an_import_refuses_its_commit(engine: Engine) -> None:
    store, job_id = _import_job(engine)
    claimed = store.claim(job_id)
    assert claimed is not None
    assert store.cancel(job_id) == "running"  # asked; the worker stops at its next step: the commit
    with pytest.raises(jobs.JobCancelled):
        _import(store, claimed)
    assert _imports(engine) == 0
