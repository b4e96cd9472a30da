"""Jobs survive their instance, on SQLite and PostgreSQL: real `orgmodel serve` processes
(uvicorn in a process group of its own, tests/api/instances.py) are SIGKILLed or SIGTERMed
while a job runs, and a new instance on the same database recovers the job — a check is run
again to the very report a direct check gives; what must not run again (past its attempts, or
an import whose transaction committed) is failed with the reason; a lost attempt can never
commit an import after its job was recovered (the lease fences the commit)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import sessionmaker

from api.registry import db, models, repository
from api.services import jobs
from orgmodel.input.readers.json_yaml import read_json
from tests.api.instances import DISTRICT, instance, job_row, jobs_held, submit_check, wait_for

HONGQIAO = (Path(__file__).resolve().parents[2] / "examples" / "hongqiao.json").read_bytes()
FAST = {"job_threshold_bytes": 1000, "job_lease_seconds": 2.0, "job_sweep_seconds": 0.5, "job_shutdown_seconds": 5.0}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _direct_report(url: str) -> bytes:
    with instance(url, job_threshold_bytes=10**9) as direct, httpx.Client(base_url=direct.url, timeout=120) as http:
        answer = http.post("/v1/check", files={"file": ("chongchuan.json", DISTRICT)}, params={"as_of": "2026-11-25"})
        assert answer.status_code == 200
        return answer.content


def test_a_check_whose_instance_is_sigkilled_mid_run_is_run_again_to_the_same_report(engine: Engine) -> None:
    url = _url(engine)
    with instance(url, **FAST) as first, httpx.Client(base_url=first.url, timeout=60) as http:
        job_id = submit_check(http)
        wait_for(http, job_id, ("running",))
        with jobs_held(url):  # the job waits at its next step: killed mid-run, not after
            time.sleep(0.3)
            assert first.kill_group(signal.SIGKILL) == -signal.SIGKILL
        lost = job_row(url, job_id)
    assert lost["status"] == "running" and lost["attempts"] == 1 and lost["progress"] < 1.0  # left as it was
    with instance(url, **FAST) as second, httpx.Client(base_url=second.url, timeout=60) as http:
        seen: list[tuple[str, float]] = []
        done = wait_for(http, job_id, ("done", "failed"), seen=seen)
        assert done["status"] == "done" and done["attempts"] == 2, done
        assert [p for _, p in seen] == sorted(p for _, p in seen)  # progress never goes back, across the retry
        report = http.get(f"/v1/jobs/{job_id}/result")
    assert report.status_code == 200 and report.content == _direct_report(url)


def test_a_check_lost_more_often_than_its_attempts_allow_is_failed_with_the_reason(engine: Engine) -> None:
    url = _url(engine)
    settings = {**FAST, "job_max_attempts": 1}
    with instance(url, **settings) as first, httpx.Client(base_url=first.url, timeout=60) as http:
        job_id = submit_check(http)
        wait_for(http, job_id, ("running",))
        with jobs_held(url):
            first.kill_group(signal.SIGKILL)
    with instance(url, **settings) as second, httpx.Client(base_url=second.url, timeout=60) as http:
        failed = wait_for(http, job_id, ("done", "failed"))
        assert failed["status"] == "failed" and failed["attempts"] == 1
        problem = http.get(f"/v1/jobs/{job_id}/result")
    assert problem.status_code == 503 and problem.headers["content-type"] == "application/problem+json"
    assert "lost its instance 1 times" in problem.json()["detail"] and "不再重试" in problem.json()["detail"]


def test_sigterm_of_the_process_group_puts_the_running_job_back_for_another_instance(engine: Engine) -> None:
    """SIGTERM reaches uvicorn and its parsing workers alike: the job's read dies with them, which
    is the stop's doing, not the job's — it is queued again at once (no lease to wait out)."""
    url = _url(engine)
    with instance(url, **FAST) as first, httpx.Client(base_url=first.url, timeout=60) as http:
        job_id = submit_check(http)
        wait_for(http, job_id, ("running",))
        with jobs_held(url):
            time.sleep(0.3)
            first.signal_group(signal.SIGTERM)  # the job's next write waits here while the instance stops
            time.sleep(0.3)
        assert first.wait() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has stopped
        released = job_row(url, job_id)
    assert released["status"] == "queued" and released["owner"] is None and released["problem"] is None, released
    with instance(url, **FAST) as second, httpx.Client(base_url=second.url, timeout=60) as http:
        done = wait_for(http, job_id, ("done", "failed"))
        assert done["status"] == "done" and done["attempts"] == 2
        assert http.get(f"/v1/jobs/{job_id}/result").status_code == 200


def _county_and_editor(engine: Engine) -> str:
    with sessionmaker(engine)() as session:
        repository.create_region(session, "320602", "setup", name="崇川区", level="county")
        key, _ = repository.create_key(session, "320602", "editor")
    return key


def test_an_import_killed_before_its_commit_is_run_again_and_stored_once(engine: Engine) -> None:
    url = _url(engine)
    key = _county_and_editor(engine)
    auth = {"Authorization": f"Bearer {key}"}
    with instance(url, **FAST) as first, httpx.Client(base_url=first.url, timeout=60, headers=auth) as http:
        accepted = http.post("/v1/regions/320602/roster", files={"file": ("chongchuan.json", DISTRICT)})
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["id"]
        wait_for(http, job_id, ("running",))
        with jobs_held(url):  # on SQLite the import's own transaction waits for this lock too
            time.sleep(0.3)
            first.kill_group(signal.SIGKILL)
        lost = job_row(url, job_id)
    assert lost["status"] == "running"
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(models.AuditEntry)
                              .where(models.AuditEntry.action == "import")) == 0  # nothing was stored
    with instance(url, **FAST) as second, httpx.Client(base_url=second.url, timeout=60, headers=auth) as http:
        done = wait_for(http, job_id, ("done", "failed"))
        assert done["status"] == "done", http.get(f"/v1/jobs/{job_id}/result").text
        summary = http.get(f"/v1/jobs/{job_id}/result").json()
    assert summary["communities"] == 100
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(models.AuditEntry)
                              .where(models.AuditEntry.action == "import")) == 1


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
