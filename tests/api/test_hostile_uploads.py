"""Hostile uploads against a real server (uvicorn on a loopback port, as `orgmodel serve` runs
it): each is answered with a 413 or 422 problem, never a 500 or a dead process, and the server
answers the next request. Parsing happens in a worker process, so a slow parse holds up no
other request, and a worker that runs out of memory or time is killed, not the server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from tests.api import hostile
from tests.api.conftest import stateless_app
from tests.api.instances import served_in_thread

# A GB18030 zip of 8 MB decodes to ~40 MB: over this limit, while its unpacked size is far
# under the unpacked-size limit (the file the issue measured is the same at 400 MB).
DECODED_LIMIT = 16 * 1024 * 1024


@pytest.fixture
def serve(tmp_path: Path) -> Callable[..., Any]:
    """A factory: serve an app with these settings, yielding (base URL, app)."""

    @contextmanager
    def make(**settings: Any) -> Iterator[tuple[str, FastAPI]]:
        app = stateless_app(tmp_path / f"registry-{len(list(tmp_path.iterdir()))}.sqlite3", **settings)
        with served_in_thread(app) as url:
            yield url, app

    return make


def _upload(http: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return http.post("/v1/check", files={"file": (name, data)})


def _assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _still_answers(http: httpx.Client) -> None:
    response = http.get("/v1/rulesets")
    assert response.status_code == 200 and response.json()


@pytest.mark.parametrize("case", hostile.HOSTILE, ids=[case.label for case in hostile.HOSTILE])
def test_a_hostile_upload_is_a_problem_and_the_server_answers_on(serve: Callable[..., Any], case: hostile.Hostile) -> None:
    with serve(max_decoded_bytes=DECODED_LIMIT) as (url, _), httpx.Client(base_url=url, timeout=120) as http:
        body = _assert_problem(_upload(http, case.name, case.build()), case.status)
        assert body.get("detail")
        if case.status == 422:
            assert body["errors"] and body["errors"][0]["code"] in ("unreadable_file", "bad_document")
        _still_answers(http)


def test_a_yaml_alias_bomb_sent_as_a_body_is_413(serve: Callable[..., Any]) -> None:
    with serve() as (url, _), httpx.Client(base_url=url, timeout=120) as http:
        response = http.post("/v1/check", content=hostile.yaml_aliases(), headers={"content-type": "application/yaml"})
        assert "aliases" in _assert_problem(response, 413)["detail"]
        _still_answers(http)


def test_deeply_nested_json_bodies_are_422_on_every_path(serve: Callable[..., Any]) -> None:
    """Small bodies go the small path in the event loop, large ones the worker: both refuse."""
    with serve() as (url, _), httpx.Client(base_url=url, timeout=120) as http:
        for depth in (600, 5_000, 200_000):
            response = http.post("/v1/check", content=hostile.nested_json(depth), headers={"content-type": "application/json"})
            assert _assert_problem(response, 422)["errors"][0]["code"] == "bad_document"
        _still_answers(http)


def test_an_import_of_a_hostile_upload_is_refused_too(serve: Callable[..., Any]) -> None:
    """The other route that reads uploads: it refuses before the region is even looked at."""
    with serve() as (url, app), httpx.Client(base_url=url, timeout=120) as http:
        from api.registry import repository

        with app.state.sessions() as session:
            repository.create_region(session, "320602", "setup", name="崇川区", level="county")
            key, _ = repository.create_key(session, "320602", "editor")
        response = http.post("/v1/regions/320602/roster", files={"file": ("grid.xlsx", hostile.wide_and_tall_grid())},
                             headers={"Authorization": f"Bearer {key}"})
        _assert_problem(response, 413)
        _still_answers(http)


def test_a_worker_that_runs_out_of_memory_is_killed_and_the_upload_is_413(serve: Callable[..., Any]) -> None:
    """With the cell limit lifted, calamine asks for its 550 GB grid: the worker aborts (it would
    have been the server), the upload is a 413 and the server goes on."""
    with serve(max_upload_cells=10**15, parse_memory_bytes=3 * 1024**3) as (url, _), \
            httpx.Client(base_url=url, timeout=120) as http:
        body = _assert_problem(_upload(http, "grid.xlsx", hostile.wide_and_tall_grid()), 413)
        assert "memory" in body["detail"]
        _still_answers(http)
        assert _upload(http, "roster.json", hostile.document_json()).status_code == 200


def test_a_worker_past_its_time_is_killed_and_the_upload_is_413(serve: Callable[..., Any]) -> None:
    with serve(parse_seconds=0.5) as (url, app), httpx.Client(base_url=url, timeout=120) as http:
        body = _assert_problem(_upload(http, "merges.xlsx", hostile.tall_merges()), 413)
        assert "longer than 0.5 s" in body["detail"]
        assert app.state.parser.running == []  # killed, not left behind
        _still_answers(http)


def test_a_probe_is_answered_while_another_request_is_parsed(serve: Callable[..., Any]) -> None:
    """No request waits on another request's parsing: while a slow upload is being read (its
    worker is running), GET /v1/rulesets is answered, and before that parse finishes."""
    slow = hostile.tall_merges()  # a grid to row 1,048,576 with merges down it: seconds of parsing
    with serve() as (url, app), httpx.Client(base_url=url, timeout=120) as http, ThreadPoolExecutor(1) as pool:
        upload = pool.submit(_upload, httpx.Client(base_url=url, timeout=120), "merges.xlsx", slow)
        deadline = time.monotonic() + 60
        while not app.state.parser.running:
            assert not upload.done(), upload.result().text[:300]
            assert time.monotonic() < deadline, "the upload's worker never started"
            time.sleep(0.005)
        worker = app.state.parser.running[0]
        _still_answers(http)
        assert worker in app.state.parser.running and not upload.done()  # answered while that parse runs
        assert upload.result().status_code == 422  # read whole: its roster lacks the 社区 table


def test_an_upload_that_finds_every_worker_busy_past_the_deadline_is_503(tmp_path: Path) -> None:
    from api.parsing import Parser
    from api.settings import Settings
    from orgmodel.input import readers

    parser = Parser(Settings(parse_workers=1, parse_seconds=0.3))
    with parser._slot():  # the one worker is taken
        outcome = parser.outcome(readers.read_bytes, hostile.document_json(), "roster.json")
    assert outcome.kind == "busy"
    with pytest.raises(HTTPException) as caught, parser._slot():
        parser.parse(readers.read_bytes, hostile.document_json(), "roster.json")
    assert caught.value.status_code == 503 and caught.value.headers == {"Retry-After": "10"}
    assert parser.parse(readers.read_bytes, hostile.document_json(), "roster.json").tables  # free again
