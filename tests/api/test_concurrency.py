"""Concurrent clients over real sockets, against a real uvicorn, on SQLite and PostgreSQL: K
clients edit one post at the same moment (one wins, every other gets 412, no update is lost);
identical imports at once leave one copy; a write during a long import waits for it, and past
`write_wait_seconds` gets 503 with Retry-After — never a 500."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from api.main import create_app
from api.registry import repository
from api.settings import Settings
from tests.api.conftest import COMMUNITY, COUNTY, EXAMPLE_PATH, Service
from tests.api.instances import served_in_thread

K = 8
ROUNDS = 4
IMPORTERS = 4
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    with served_in_thread(service.client.app) as url:
        yield url


def test_parallel_conflicting_edits_one_wins_the_rest_get_412(service: Service, base_url: str) -> None:
    viewer = service.as_(COUNTY, "viewer")
    post = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=viewer).json()["items"][0]
    url = f"{base_url}/v1/appointments/{post['id']}"
    start = threading.Barrier(K)

    def edit(i: int) -> int:
        with httpx.Client(timeout=60) as http:
            headers = {**service.as_(COUNTY, "editor"), "If-Match": '"1"'}
            start.wait()
            return http.patch(url, json={"end": f"2026-12-{i + 1:02d}"}, headers=headers).status_code

    with ThreadPoolExecutor(K) as pool:
        statuses = sorted(pool.map(edit, range(K)))
    assert statuses == [200] + [412] * (K - 1)
    history = service.client.get(f"/v1/appointments/{post['id']}/history", headers=viewer).json()["items"]
    assert [v["version"] for v in history] == [1, 2]  # one new version: nothing written over, nothing lost
    audit = service.client.get("/v1/audit", headers=service.as_(COUNTY, "admin"), params={"limit": 1000}).json()["items"]
    updates = [e for e in audit if e["object_id"] == post["id"] and e["action"] == "update"]
    assert len(updates) == 1 and updates[0]["after"]["end"] == history[1]["end"]


def test_parallel_edits_of_different_posts_all_land(service: Service, base_url: str) -> None:
    viewer = service.as_(COUNTY, "viewer")
    posts = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=viewer).json()["items"][:K]

    def edit(post: dict) -> int:
        with httpx.Client(timeout=60) as http:
            headers = {**service.as_(COUNTY, "editor"), "If-Match": '"1"'}
            return http.patch(f"{base_url}/v1/appointments/{post['id']}", json={"end": "2026-12-31"},
                              headers=headers).status_code

    with ThreadPoolExecutor(K) as pool:
        assert list(pool.map(edit, posts)) == [200] * K


def _parts_per_community(service: Service) -> dict[str, tuple[int, int, int, int]]:
    stored = service.client.get(f"/v1/regions/{COUNTY}/roster", headers=service.as_(COUNTY, "viewer")).json()
    return {c["id"]: (len(c["tasks"]), len(c["relations"]), len(c["units"]), len(c["appointments"]))
            for c in stored["communities"]}


def test_identical_concurrent_imports_leave_one_copy(service: Service, base_url: str) -> None:
    """Regression: on PostgreSQL four identical imports at once stored a community's tasks,
    relations and units twice (88 tasks instead of 44) in half the rounds."""
    roster = repository.as_roster(EXAMPLE)  # the file's own rows (normalised: a compound post is two appointments)
    expected = {cid: tuple(getattr(roster, table).filter(community=cid).height
                           for table in ("tasks", "relations", "units", "appointments"))
                for cid in roster.communities["id"]}
    for round_ in range(ROUNDS):
        roster = copy.deepcopy(EXAMPLE)
        roster["communities"][0]["tasks"][0]["name"] = f"第{round_}轮事项"
        start = threading.Barrier(IMPORTERS)

        def load(_: int, roster: dict[str, Any] = roster, start: threading.Barrier = start) -> int:
            with httpx.Client(timeout=120) as http:
                start.wait()
                return http.post(f"{base_url}/v1/regions/{COUNTY}/roster", json=roster,
                                 headers=service.as_(COUNTY, "editor")).status_code

        with ThreadPoolExecutor(IMPORTERS) as pool:
            assert list(pool.map(load, range(IMPORTERS))) == [200] * IMPORTERS
        assert _parts_per_community(service) == expected, f"round {round_}"


@pytest.fixture
def held_import(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Every import stops inside its transaction, holding what it locked, until `release` is set."""
    reached, release = threading.Event(), threading.Event()
    original = repository._store_parts

    def slow(*args: Any, **kwargs: Any) -> None:
        reached.set()
        assert release.wait(60)
        original(*args, **kwargs)

    monkeypatch.setattr(repository, "_store_parts", slow)
    yield reached, release
    release.set()


def _long_import(base_url: str, service: Service, reached: threading.Event) -> Callable[[], int]:
    """Start an import that changes the community (its row is rewritten); the status when it ends."""
    roster = copy.deepcopy(EXAMPLE)
    roster["communities"][0]["households"] = 4000
    statuses: list[int] = []

    def run() -> None:
        with httpx.Client(timeout=120) as http:
            statuses.append(http.post(f"{base_url}/v1/regions/{COUNTY}/roster", json=roster,
                                      headers=service.as_(COUNTY, "editor")).status_code)

    thread = threading.Thread(target=run)
    thread.start()
    assert reached.wait(60)

    def finished() -> int:
        thread.join(60)
        return statuses[0]

    return finished


def _app_waiting(engine: Engine, seconds: float) -> FastAPI:
    return create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), rate_limit_per_minute=0,
                               write_wait_seconds=seconds))


def test_a_patch_past_the_bound_during_a_long_import_is_503_with_retry_after(
        service: Service, engine: Engine, held_import: tuple[threading.Event, threading.Event]) -> None:
    reached, release = held_import
    editor = service.as_(COUNTY, "editor")
    with served_in_thread(_app_waiting(engine, 1.0)) as url, httpx.Client(base_url=url, timeout=60) as http:
        finished = _long_import(url, service, reached)
        started = time.monotonic()
        busy = http.patch(f"/v1/communities/{COMMUNITY}", json={"name": "改名"}, headers={**editor, "If-Match": '"1"'})
        waited = time.monotonic() - started
        release.set()
        assert finished() == 200
    assert busy.status_code == 503, busy.text
    assert busy.headers["content-type"] == "application/problem+json" and int(busy.headers["retry-after"]) >= 1
    problem = busy.json()
    assert problem["code"] == "registry_busy" and "稍后" in problem["detail"] and "busy" in problem["detail"]
    assert waited >= 0.9  # it waited its bound first
    community = service.client.get(f"/v1/communities/{COMMUNITY}", headers=service.as_(COUNTY, "viewer")).json()
    assert (community["name"], community["households"]) == ("虹桥社区", 4000)  # the import's, not the refused edit's


def test_a_patch_within_the_bound_waits_for_a_long_import_and_lands(
        service: Service, base_url: str, held_import: tuple[threading.Event, threading.Event]) -> None:
    """SQLite: the edit waits for the import's write lock, then succeeds. PostgreSQL: it does not
    wait (the import does not touch the post), and succeeds too."""
    reached, release = held_import
    viewer, editor = service.as_(COUNTY, "viewer"), service.as_(COUNTY, "editor")
    post = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=viewer).json()
    post = (post["items"] if isinstance(post, dict) else post)[0]
    finished = _long_import(base_url, service, reached)
    answered: list[tuple[int, float]] = []

    def patch() -> None:
        with httpx.Client(base_url=base_url, timeout=120) as http:
            status = http.patch(f"/v1/appointments/{post['id']}", json={"end": "2026-12-31"},
                                headers={**editor, "If-Match": f'"{post["version"]}"'}).status_code
            answered.append((status, time.monotonic()))

    thread = threading.Thread(target=patch)
    thread.start()
    time.sleep(0.5)
    released_at = time.monotonic()
    release.set()
    thread.join(60)
    assert finished() == 200
    status, at = answered[0]
    assert status == 200
    if service.database == "sqlite":
        assert at >= released_at  # it waited for the import rather than failing
    history = service.client.get(f"/v1/appointments/{post['id']}/history", headers=viewer).json()["items"]
    assert [v["end"] for v in history][-1] == "2026-12-31"
