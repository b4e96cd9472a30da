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
        if body["status"] in ("done", "failed"):
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


def test_an_unfinished_or_unknown_job(open_client: Callable[..., TestClient]) -> None:
    release = threading.Event()
    with open_client() as client:
        job_id = client.app.state.jobs.submit("check", None, lambda progress: (release.wait(30), (b"{}", "x"))[1])
        try:
            assert client.get(f"/v1/jobs/{job_id}/result").status_code == 409
        finally:
            release.set()
        assert client.get("/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404


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


def test_a_full_queue_refuses_and_a_stop_fails_the_waiting_jobs(open_client: Callable[..., TestClient]) -> None:
    import threading

    from api.registry import models
    from api.routers.jobs import JobRunner, QueueFull

    release = threading.Event()
    with open_client() as client:
        sessions = client.app.state.sessions
        runner = JobRunner(sessions, max_waiting=1)
        running = runner.submit("check", None, lambda progress: (release.wait(30), (b"{}", "x"))[1])
        deadline = time.monotonic() + 10
        while client.get(f"/v1/jobs/{running}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        waiting = runner.submit("check", None, lambda progress: (b"{}", "x"))
        try:
            runner.submit("check", None, lambda progress: (b"{}", "x"))
            raise AssertionError("a third job was taken")
        except QueueFull as exc:
            assert exc.status_code == 503 and exc.headers == {"Retry-After": "30"}
        runner.shutdown()
        release.set()
        with sessions() as session:
            assert session.get(models.Job, waiting).status == "failed"
        assert client.get(f"/v1/jobs/{waiting}/result").status_code == 503


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

    def failing(error: Exception) -> Callable[[object], tuple[bytes, str]]:
        def work(progress: object) -> tuple[bytes, str]:
            raise error
        return work

    cases = {422: DataError("INSERT", {}, Exception("value too long")), 409: IntegrityError("INSERT", {}, Exception("dup")),
             404: NotFound("region", "1")}
    with open_client() as client:
        for status, error in cases.items():
            job_id = client.app.state.jobs.submit("import", None, failing(error))
            assert _wait(client, f"/v1/jobs/{job_id}")["status"] == "failed"
            assert client.get(f"/v1/jobs/{job_id}/result").status_code == status
