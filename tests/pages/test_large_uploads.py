"""A large upload in a real Chromium (a served app whose job threshold is 1 KiB): the upload
becomes a job, the page shows its progress (polled by /static/job.js) with a 取消 button,
then the preview; the confirm is the API's import job, then its summary."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.registry import models
from api.services.jobs import JobContext
from tests.pages.conftest import COUNTY, STREET_COMMUNITIES, Site, roster_zip, serve
from tests.pages.test_browser import Visit

BLOCK = "test_block"


@pytest.fixture(scope="module")
def small_threshold(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, threading.Event]]:
    release = threading.Event()
    with serve(Path(tmp_path_factory.mktemp("large")), job_threshold_bytes=1024) as site:
        def block(job: JobContext) -> tuple[bytes, str]:
            """Holds this instance's one job worker until released (the next job waits queued)."""
            while not release.wait(0.2):
                job.progress("checking", 0.5)
            return b"{}", "application/json"

        site.app.state.jobs.handlers[BLOCK] = block
        try:
            yield site, release
        finally:
            release.set()


@pytest.fixture
def visit(browser: Any, small_threshold: tuple[Site, threading.Event]) -> Iterator[Visit]:
    v = Visit(browser, small_threshold[0])
    try:
        yield v
    finally:
        v.context.close()


def _upload(visit: Visit) -> None:
    data = roster_zip(STREET_COMMUNITIES)
    assert len(data) > 1024
    visit.go("/upload")
    visit.page.set_input_files("#file", files=[{"name": "花名册.zip", "mimeType": "application/zip", "buffer": data}])
    visit.page.select_option("#region", COUNTY)
    visit.page.click("main button[type=submit]")


def _jobs(site: Site) -> list[models.Job]:
    with site.sessions() as session:
        return list(session.query(models.Job).order_by(models.Job.created_at))


def test_a_queued_upload_shows_its_progress_and_is_cancelled(visit: Visit,
                                                             small_threshold: tuple[Site, threading.Event]) -> None:
    site, release = small_threshold
    assert not release.is_set()
    site.app.state.jobs.submit(BLOCK, COUNTY, b"", {}, "test")  # the worker is busy: the upload's job waits
    visit.sign_in(site.keys[(COUNTY, "editor")])
    _upload(visit)
    page = visit.page
    page.wait_for_url("**/upload/jobs/*")
    assert "正在读取与检查" in page.inner_text("h1")
    assert page.locator("progress#job-bar").count() == 1
    assert page.inner_text("#job-status") == "排队中"
    job_id = page.url.rsplit("/", 1)[1]
    page.wait_for_timeout(2500)  # the script polls meanwhile, the page stays as it is
    assert sum(url.endswith(f"/upload/jobs/{job_id}/status") for url in visit.requests) >= 1
    assert page.inner_text("#job-status") == "排队中"
    visit.shot("job-progress")
    page.click("text=取消")
    page.wait_for_url(f"**/upload/jobs/{job_id}")
    assert "任务已取消" in page.inner_text("h1")
    assert "登记册没有任何改动" in page.inner_text("main")
    assert {job.id: job.status for job in _jobs(site)}[job_id] == "cancelled"
    assert visit.foreign() == []


def test_a_large_upload_runs_as_jobs_to_its_preview_and_import(visit: Visit,
                                                               small_threshold: tuple[Site, threading.Event]) -> None:
    site, release = small_threshold
    release.set()
    visit.sign_in(site.keys[(COUNTY, "editor")])
    _upload(visit)
    page = visit.page
    page.wait_for_selector("h1:has-text('预览')", timeout=30_000)
    assert "/upload/jobs/" in page.url
    assert "将新增 6 个社区" in page.inner_text("main")
    assert "读取说明" in page.inner_text("main")
    page.click("text=确认导入")
    page.wait_for_selector("h1:has-text('已导入')", timeout=30_000)
    assert "/upload/jobs/" in page.url
    jobs = {job.kind: job for job in _jobs(site) if job.status == "done"}
    assert {"pages_preview", "import"} <= set(jobs)
    assert jobs["import"].progress > 0 and jobs["pages_preview"].step is not None
    visit.go("/dashboard")
    assert page.locator("a.chip").count() >= len(STREET_COMMUNITIES)
    assert visit.foreign() == []
