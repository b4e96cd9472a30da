"""K clients edit one post at the same moment, over real sockets, against a real uvicorn: one
wins, every other gets 412, and no update is lost — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from tests.api.conftest import COMMUNITY, COUNTY, Service

K = 8


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    """The service's app served by uvicorn on an ephemeral loopback port, in a thread."""
    server = uvicorn.Server(uvicorn.Config(service.client.app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_parallel_conflicting_edits_one_wins_the_rest_get_412(service: Service, base_url: str) -> None:
    viewer = service.as_(COUNTY, "viewer")
    post = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=viewer).json()[0]
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
    history = service.client.get(f"/v1/appointments/{post['id']}/history", headers=viewer).json()
    assert [v["version"] for v in history] == [1, 2]  # one new version: nothing written over, nothing lost
    audit = service.client.get("/v1/audit", headers=service.as_(COUNTY, "admin"), params={"limit": 1000}).json()
    updates = [e for e in audit if e["object_id"] == post["id"] and e["action"] == "update"]
    assert len(updates) == 1 and updates[0]["after"]["end"] == history[1]["end"]


def test_parallel_edits_of_different_posts_all_land(service: Service, base_url: str) -> None:
    viewer = service.as_(COUNTY, "viewer")
    posts = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=viewer).json()[:K]

    def edit(post: dict) -> int:
        with httpx.Client(timeout=60) as http:
            headers = {**service.as_(COUNTY, "editor"), "If-Match": '"1"'}
            return http.patch(f"{base_url}/v1/appointments/{post['id']}", json={"end": "2026-12-31"},
                              headers=headers).status_code

    with ThreadPoolExecutor(K) as pool:
        assert list(pool.map(edit, posts)) == [200] * K
