"""A large upload runs as a job: 202 with a Location, progress while it runs, then the same
report as a direct check, or the located errors that stopped it. And uploads past the row
limit are refused before any parser sees them."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api import upload_limits
from api.registry import models
from api.services.jobs import JobContext, LocalQueue, Policy, QueueFull
from tests.api.conftest import COUNTY, OTHER_COUNTY, Service

ROOT = Path(__file__).resolve().parents[2]
HONGQIAO = (ROOT / "examples" / "hongqiao.json").read_bytes()
WORKBOOK = ROOT / "tests" / "fixtures" / "xlsx" / "chongchuan.xlsx"


def _wait(client: TestClient, location: str) -> dict:
    deadline = time.monotonic() + 120
    seen = []
    while True:
        status = client.get(location)
        assert status.status_code == 200, status.text
        body = status.json()
        seen.append((body["status"], body["progress"]))
        if body["status"] in ("done", "failed", "cancelled"):
            assert [p for _, p in seen] == sorted(p for _, p in seen)  # progress never goes back
            return body
        assert status.headers["retry-after"] == "2"
        assert time.monotonic() < deadline, seen
        time.sleep(0.05)


def test_a_large_upload_answers_202_and_its_job_gives_the_report(open_client: Callable[..., TestClient]) -> None:
    data = WORKBOOK.read_bytes()
    with open_client(job_threshold_bytes=len(data) - 1) as client:
        accepted = client.post("/v1/check", files={"file": ("chongchuan.xlsx", data)}, params={"as_of": "2026-11-25"})
        assert accepted.status_code == 202, accepted.text
        location = accepted.headers["location"]
        assert accepted.json()["id"] in location and accepted.json()["status"] == "queued"
        job = _wait(client, location)
        assert (job["status"], job["progress"], job["result"]) == ("done", 1.0, f"{location}/result")
        report = client.get(job["result"])
        with open_client(job_threshold_bytes=len(data) + 1) as direct:
            expected = direct.post("/v1/check", files={"file": ("chongchuan.xlsx", data)}, params={"as_of": "2026-11-25"})
    assert expected.status_code == 200
    assert report.status_code == 200 and report.content == expected.content


def test_a_job_that_meets_bad_input_keeps_its_located_errors(open_client: Callable[..., TestClient]) -> None:
    document = json.loads(HONGQIAO)
    document["communities"][0]["appointments"][0]["unit"] = "不存在的单位"
    data = json.dumps(document, ensure_ascii=False).encode()
    with open_client(job_threshold_bytes=100) as client:
        accepted = client.post("/v1/check", files={"file": ("roster.json", data)})
        assert accepted.status_code == 202
        job = _wait(client, accepted.headers["location"])
        assert job["status"] == "failed"
        result = client.get(job["result"])
    assert result.status_code == 422
    assert result.headers["content-type"] == "application/problem+json"
    assert result.json()["errors"][0]["path"].endswith(".unit")


def _waiting(release: threading.Event, steps: int = 1) -> Callable[[JobContext], tuple[bytes, str]]:
    """A job's work that reports `steps` steps, then waits until the test releases it."""
    def work(job: JobContext) -> tuple[bytes, str]:
        for step in range(steps):
            job.progress(f"step {step}", step / steps)
        while not release.wait(0.05):
            job.progress("waiting", 0.5)  # a step where a cancel or a stop is seen
        return b'{"waited": true}', "application/json"
    return work


def test_an_unfinished_job_is_409_with_a_retry_and_an_unknown_one_404(open_client: Callable[..., TestClient]) -> None:
    release = threading.Event()
    with open_client() as client:
        client.app.state.jobs.handlers["wait"] = _waiting(release)
        job_id = client.app.state.jobs.submit("wait", None, b"", {})
        try:
            unfinished = client.get(f"/v1/jobs/{job_id}/result")
            assert unfinished.status_code == 409 and unfinished.headers["retry-after"] == "2"
            assert unfinished.json()["code"] == "job_not_finished"  # not a write conflict's 409
        finally:
            release.set()
        assert _wait(client, f"/v1/jobs/{job_id}")["status"] == "done"
        assert client.get("/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404


def test_delete_cancels_a_queued_job_at_once_and_a_running_one_at_its_next_step(
        open_client: Callable[..., TestClient]) -> None:
    release = threading.Event()
    with open_client() as client:
        queue = client.app.state.jobs
        queue.handlers["wait"] = _waiting(release)
        running = queue.submit("wait", None, b"", {})
        deadline = time.monotonic() + 30
        while client.get(f"/v1/jobs/{running}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        queued = queue.submit("wait", None, b"", {})  # one job at a time per instance: this one waits
        cancelled = client.delete(f"/v1/jobs/{queued}")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        asked = client.delete(f"/v1/jobs/{running}")
        assert asked.status_code == 202 and asked.json()["cancel_requested"] is True
        assert asked.headers["location"] == f"/v1/jobs/{running}"
        assert _wait(client, f"/v1/jobs/{running}")["status"] == "cancelled"  # it saw the cancel at its next step
        no_result = client.get(f"/v1/jobs/{running}/result")  # a cancelled job has no result
        assert no_result.status_code == 410 and no_result.json()["code"] == "job_cancelled"
        again = client.delete(f"/v1/jobs/{running}")
        assert again.status_code == 200 and again.json()["status"] == "cancelled"
        release.set()
        with client.app.state.sessions() as session:
            assert session.get(models.Job, queued).attempts == 0  # never started


def test_a_finished_result_expires_410_then_the_job_is_forgotten_404(open_client: Callable[..., TestClient]) -> None:
    release = threading.Event()
    release.set()
    with open_client(job_result_seconds=0.5, job_forget_seconds=1.0, job_sweep_seconds=0.2) as client:
        client.app.state.jobs.handlers["wait"] = _waiting(release)
        job_id = client.app.state.jobs.submit("wait", None, b"", {})
        done = _wait(client, f"/v1/jobs/{job_id}")
        assert done["status"] == "done" and done["expires_at"] is not None
        assert client.get(f"/v1/jobs/{job_id}/result").status_code == 200
        statuses = []
        deadline = time.monotonic() + 30
        while not statuses or statuses[-1] != 404:
            statuses.append(client.get(f"/v1/jobs/{job_id}/result").status_code)
            assert time.monotonic() < deadline, statuses
            time.sleep(0.05)
        assert set(statuses) <= {200, 410, 404} and 410 in statuses  # gone, then forgotten
        assert client.get(f"/v1/jobs/{job_id}").status_code == 404
        assert statuses == sorted(statuses, key=[200, 410, 404].index)
        with client.app.state.sessions() as session:
            assert session.get(models.Job, job_id) is None  # the row and its result removed


def _csv_zip(rows: int) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("人员.csv", "社区编码,人员编号\n" + "1,P1\n" * rows)
    return archive.getvalue()


def test_uploads_past_the_row_limit_are_413_before_parsing(open_client: Callable[..., TestClient]) -> None:
    with open_client(max_upload_rows=1000) as client:
        too_many = client.post("/v1/check", files={"file": ("roster.zip", _csv_zip(5000))})
        assert too_many.status_code == 413 and "rows" in too_many.json()["detail"]
        csv = client.post("/v1/check", files={"file": ("人员.csv", b"a,b\n" * 5000)})
        assert csv.status_code == 413
        sheet = client.post("/v1/check", files={"file": ("chongchuan.xlsx", WORKBOOK.read_bytes())})
        assert sheet.status_code == 413  # its sheets hold thousands of rows
        few = client.post("/v1/check", files={"file": ("roster.zip", _csv_zip(10))})
        assert few.status_code != 413


def test_rows_are_counted_from_the_row_tags_never_the_declared_dimension() -> None:
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{"x" * (i % 50)}</v></c></row>' for i in range(1, 30_001))
    prefixed = "".join(f"<x:row><x:c><x:v>{i}</x:v></x:c></x:row>" for i in range(700))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        # a forged dimension (2 rows) over 30,000 rows, more than a megabyte: tags cut by chunk ends too
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet><dimension ref="A1:B2"/><sheetData>{rows}</sheetData>'
                                               '<rowBreaks count="0"/></worksheet>')
        z.writestr("xl/worksheets/sheet2.xml", f"<x:worksheet><x:sheetData>{prefixed}</x:sheetData></x:worksheet>")
    with zipfile.ZipFile(archive) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 1 << 20
        assert upload_limits.archive_rows(z, 10**6) == 30_000 + 700
        assert 1000 < upload_limits.archive_rows(z, 1000) <= 30_000 + 700  # stops soon after the limit


def test_a_full_queue_refuses_and_a_stop_leaves_the_waiting_jobs_to_another_instance(
        open_client: Callable[..., TestClient]) -> None:
    release = threading.Event()
    with open_client(job_max_queued=1) as client:
        queue = client.app.state.jobs
        queue.handlers["wait"] = _waiting(release)
        running = queue.submit("wait", None, b"", {})
        deadline = time.monotonic() + 10
        while client.get(f"/v1/jobs/{running}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        waiting = queue.submit("wait", None, b"", {})
        try:
            queue.submit("wait", None, b"", {})
            raise AssertionError("a third job was taken")
        except QueueFull as exc:
            assert exc.status_code == 503 and exc.headers == {"Retry-After": "30"}
        sessions = client.app.state.sessions
    # the app stopped: the running job was released at its next step, the waiting one left queued
    with sessions() as session:
        assert [session.get(models.Job, job_id).status for job_id in (running, waiting)] == ["queued", "queued"]
    another = LocalQueue(sessions, Policy(), {"wait": _waiting(release)})  # another instance on the same file
    release.set()
    another.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            with sessions() as session:
                if [session.get(models.Job, job_id).status for job_id in (running, waiting)] == ["done", "done"]:
                    break
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        another.shutdown()


def test_rows_a_parser_would_make_count_too() -> None:
    def archive_of(parts: dict[str, str]) -> zipfile.ZipFile:
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in parts.items():
                z.writestr(name, text)
        return zipfile.ZipFile(data)

    sparse = archive_of({"xl/worksheets/sheet1.xml": '<sheetData><row r="1"/><row r="1000000"><c r="ZZ1000000"/></row>'
                                                     "</sheetData>"})
    repeated = archive_of({"content.xml": '<table:table><table:table-row table:number-rows-repeated="3000000">'
                                          "<table:table-cell/></table:table-row></table:table>"})
    elsewhere = archive_of({"xl/data/sheet1.xml": "<sheetData>" + "<row><c/></row>" * 5000 + "</sheetData>"})
    assert upload_limits.archive_rows(sparse, 10_000) >= 1_000_000
    assert upload_limits.archive_rows(repeated, 10_000) >= 3_000_000
    assert upload_limits.archive_rows(elsewhere, 10_000) == 5000


def test_a_job_stopped_by_the_database_keeps_the_status_a_request_would_get(open_client: Callable[..., TestClient]) -> None:
    from sqlalchemy.exc import DataError, IntegrityError

    from api.registry.repository import NotFound

    def failing(error: Exception) -> Callable[[JobContext], tuple[bytes, str]]:
        def work(job: JobContext) -> tuple[bytes, str]:
            raise error
        return work

    cases = {422: DataError("INSERT", {}, Exception("value too long")), 409: IntegrityError("INSERT", {}, Exception("dup")),
             404: NotFound("region", "1")}
    with open_client() as client:
        for status, error in cases.items():
            client.app.state.jobs.handlers[f"fail-{status}"] = failing(error)
            job_id = client.app.state.jobs.submit(f"fail-{status}", None, b"", {})
            assert _wait(client, f"/v1/jobs/{job_id}")["status"] == "failed"
            assert client.get(f"/v1/jobs/{job_id}/result").status_code == status


def test_cancel_on_each_database_by_the_key_that_sent_the_job_or_an_admin(service: Service) -> None:
    """Jobs of a region: another viewer of it may poll them but not cancel them (403), another
    region sees none (404); the key that sent one cancels it while it waits (200), an admin of
    the region one that runs (202, then `cancelled` at its next step)."""
    from api.registry import repository

    release = threading.Event()
    queue = service.client.app.state.jobs
    queue.handlers["wait"] = _waiting(release)
    viewer, admin = service.as_(COUNTY, "viewer"), service.as_(COUNTY, "admin")
    with service.client.app.state.sessions() as session:
        key = repository.lookup_key(session, service.keys[(COUNTY, "editor")])
    assert key is not None

    def status(job_id: str) -> str:
        return str(service.client.get(f"/v1/jobs/{job_id}", headers=viewer).json()["status"])

    try:
        running = queue.submit("wait", COUNTY, b"", {}, submitted_by="key:0:another")
        deadline = time.monotonic() + 30
        while status(running) != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        waiting = queue.submit("wait", COUNTY, b"", {}, submitted_by=f"key:{key.id}:{key.prefix}")
        assert service.client.delete(f"/v1/jobs/{running}", headers=viewer).status_code == 403
        assert service.client.delete(f"/v1/jobs/{running}", headers=service.as_(OTHER_COUNTY, "admin")).status_code \
            == 404
        own = service.client.delete(f"/v1/jobs/{waiting}", headers=service.as_(COUNTY, "editor"))
        assert own.status_code == 200 and own.json()["status"] == "cancelled"
        asked = service.client.delete(f"/v1/jobs/{running}", headers=admin)
        assert asked.json()["cancel_requested"] is True
        assert (asked.status_code, asked.json()["status"]) in ((202, "running"), (200, "cancelled"))  # stopped already
        deadline = time.monotonic() + 30
        while status(running) != "cancelled":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        release.set()
