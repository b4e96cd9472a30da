"""Shared limits (issue 14): a key's burst holds across instances when they share a Redis, the
memory store limits one process only, wrong keys are throttled per client address before they
are looked up, and every limited response says where it stands in its RateLimit headers.

Redis is the one at ORGMODEL_TEST_REDIS (default redis://127.0.0.1:6379/0); each test counts
under a key prefix of its own and deletes it afterwards. When none answers, the Redis cases
skip and say why.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from api.registry import db, repository
from api.settings import Settings
from tests.api.conftest import COUNTY
from tests.api.instances import free_port, served_in_thread

REDIS_URL = os.environ.get("ORGMODEL_TEST_REDIS", "redis://127.0.0.1:6379/0")
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
FIELDS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy")
_SKIPS_SHOWN: set[str] = set()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the test Redis (skips when Redis does not answer)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}: {exc}"
        if reason not in _SKIPS_SHOWN:  # once, past pytest's capture, so that CI logs show it
            _SKIPS_SHOWN.add(reason)
            sys.__stderr__.write(f"\nSKIPPING the Redis cases: {reason}\n")
        pytest.skip(reason)
    prefix = f"orgmodel-test-{secrets.token_hex(6)}"
    yield prefix
    for name in client.scan_iter(f"{prefix}:*"):
        client.delete(name)
    client.close()


def _registry(url: str) -> dict[str, str]:
    """A registry at `url` with one county and a viewer key and an admin key for it."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        repository.create_region(session, COUNTY, "setup", name="崇川区", level="county")
        keys = {role: repository.create_key(session, COUNTY, role)[0] for role in ("viewer", "admin")}
    engine.dispose()
    return keys


def _sqlite_registry(tmp_path: Path) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    return url, _registry(url)


def _served(settings: Settings) -> contextlib.AbstractContextManager[str]:
    """The app of these settings served by uvicorn in a thread, trusting no proxy header."""
    return served_in_thread(create_app(settings), proxy_headers=False)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}





def _uvicorn_process(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """One uvicorn server process of `api.main:app_from_environment` (as `orgmodel serve` starts
    each worker), up and answering; a port taken between choosing and binding it is chosen again."""
    for _ in range(3):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.main:app_from_environment", "--factory", "--host",
                 "127.0.0.1", "--port", str(port), "--no-proxy-headers", "--log-level", "warning"],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise AssertionError(f"uvicorn did not start: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/openapi.json", timeout=5).status_code == 200:
                    return process, url
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        output = log.read_text(errors="replace")
        assert "address already in use" in output.lower(), f"uvicorn exited: {output}"
    raise AssertionError("no free port for uvicorn in three tries")


@contextmanager
def _uvicorn_processes(count: int, environment: dict[str, str], tmp_path: Path) -> Iterator[list[str]]:
    """`count` uvicorn server processes, each on a port of its own, configured by ORGMODEL_* variables only."""
    env = {**os.environ, **environment}
    servers: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for i in range(count):
            process, url = _uvicorn_process(env, tmp_path / f"uvicorn-{i}.log")
            servers.append(process)
            urls.append(url)
        yield urls
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- a key's burst, across instances -----------------------------------------------------------

BURST = 5
ROUNDS = 6  # requests to each instance, alternating: 12 in all, more than two bursts


def _alternate(urls: list[str], key: str) -> list[httpx.Response]:
    with httpx.Client(timeout=30) as http:
        return [http.get(f"{urls[i % len(urls)]}/v1/rulesets", headers=_bearer(key)) for i in range(ROUNDS * len(urls))]


def test_a_keys_burst_across_two_server_processes(tmp_path: Path, redis_prefix: str) -> None:
    """Two uvicorn processes on one Redis, configured by the environment alone, requests
    alternating between them: the key gets its burst once, and its remaining quota falls by one
    whichever process answers."""
    url, keys = _sqlite_registry(tmp_path)
    environment = {"ORGMODEL_DATABASE_URL": url, "ORGMODEL_RATE_LIMIT_PER_MINUTE": "1",  # 5 in any 300 s
                   "ORGMODEL_RATE_LIMIT_BURST": str(BURST), "ORGMODEL_PARSE_WORKERS": "1",
                   "ORGMODEL_RATE_LIMIT_STORAGE": REDIS_URL, "ORGMODEL_RATE_LIMIT_KEY_PREFIX": redis_prefix}
    with _uvicorn_processes(2, environment, tmp_path) as urls:
        answers = _alternate(urls, keys["viewer"])
    assert [a.status_code for a in answers] == [200] * BURST + [429] * (2 * ROUNDS - BURST)
    assert [int(a.headers["ratelimit-remaining"]) for a in answers[:BURST]] == list(range(BURST - 1, -1, -1))
    assert {a.json()["code"] for a in answers[BURST:]} == {"rate_limited"}
    for limited in answers[BURST:]:
        assert 1 <= int(limited.headers["retry-after"]) <= 300
        assert limited.headers["ratelimit-policy"] == f"{BURST};w=300"


@pytest.mark.parametrize("store", ["redis", "memory"])
def test_two_app_instances_share_a_count_only_through_redis(store: str, tmp_path: Path,
                                                            request: pytest.FixtureRequest) -> None:
    """Two instances served by uvicorn, requests alternating: on one Redis the burst once; with the
    in-memory store each instance (as each process) counts its own, so twice."""
    url, keys = _sqlite_registry(tmp_path)
    shared: dict[str, str] = {}
    if store == "redis":
        shared = {"rate_limit_storage": REDIS_URL, "rate_limit_key_prefix": request.getfixturevalue("redis_prefix")}
    settings = Settings(database_url=url, rate_limit_per_minute=1, rate_limit_burst=BURST, **shared)  # type: ignore[arg-type]
    with _served(settings) as first, _served(settings) as second:
        statuses = [a.status_code for a in _alternate([first, second], keys["viewer"])]
    granted = BURST if store == "redis" else 2 * BURST
    assert statuses == [200] * granted + [429] * (2 * ROUNDS - granted)
    if store == "redis":
        stored = redis.Redis.from_url(REDIS_URL)
        assert list(stored.scan_iter(f"{shared['rate_limit_key_prefix']}:*")), "the counts are under the prefix"
        stored.close()


# --- wrong keys, per address ----------------------------------------------------------------------

FAILURES = 20
WRONG_KEYS = 300


def test_wrong_keys_from_one_address_get_429_while_another_address_is_unaffected(
        engine: Engine, redis_prefix: str) -> None:
    """300 made-up keys from 127.0.0.1 through a real uvicorn on a shared Redis: 20 × 401, then
    429 with Retry-After before the key is looked up (a good key from there too); a client at
    127.0.0.2 keeps its own quota and its key works. On SQLite and PostgreSQL."""
    keys = _registry(engine.url.render_as_string(hide_password=False))
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), rate_limit_storage=REDIS_URL,
                        rate_limit_key_prefix=redis_prefix, failed_keys_per_address=FAILURES)
    other = httpx.HTTPTransport(local_address="127.0.0.2")
    with _served(settings) as base, httpx.Client(base_url=base, timeout=30) as attacker, \
            httpx.Client(base_url=base, timeout=30, transport=other) as neighbour:
        answers = [attacker.get("/v1/regions", headers=_bearer(f"omk_guess-{i:04d}")) for i in range(WRONG_KEYS)]
        statuses = [a.status_code for a in answers]
        assert statuses == [401] * FAILURES + [429] * (WRONG_KEYS - FAILURES)
        assert [int(a.headers["ratelimit-remaining"]) for a in answers[:FAILURES]] == list(range(FAILURES - 1, -1, -1))
        throttled = answers[-1]
        assert throttled.headers["content-type"] == "application/problem+json"
        assert throttled.json()["code"] == "too_many_wrong_keys"
        assert 1 <= int(throttled.headers["retry-after"]) <= 600
        assert throttled.headers["ratelimit-policy"] == f"{FAILURES};w=600"
        assert attacker.get("/v1/regions", headers=_bearer(keys["viewer"])).status_code == 429  # not even looked up
        assert neighbour.get("/v1/regions", headers=_bearer(keys["viewer"])).status_code == 200
        wrong = neighbour.get("/v1/regions", headers=_bearer("omk_guess-neighbour"))
        assert wrong.status_code == 401 and wrong.headers["ratelimit-remaining"] == str(FAILURES - 1)


def test_wrong_keys_are_throttled_in_memory_too_and_a_missing_key_is_no_guess(tmp_path: Path) -> None:
    url, keys = _sqlite_registry(tmp_path)
    app = create_app(Settings(database_url=url, failed_keys_per_address=3))
    with TestClient(app, client=("198.51.100.7", 5000)) as attacker, TestClient(app, client=("198.51.100.8", 5000)) as other:
        assert [attacker.get("/v1/regions").status_code for _ in range(10)] == [401] * 10  # no key: not counted
        statuses = [attacker.get("/v1/regions", headers={"X-API-Key": f"omk_{i}"}).status_code for i in range(6)]
        assert statuses == [401, 401, 401, 429, 429, 429]
        assert other.get("/v1/regions", headers=_bearer(keys["viewer"])).status_code == 200


def test_the_addresses_of_one_ipv6_64_share_one_quota_of_wrong_keys(tmp_path: Path) -> None:
    url, _ = _sqlite_registry(tmp_path)
    app = create_app(Settings(database_url=url, failed_keys_per_address=2))

    def wrong_key_from(address: str) -> int:
        with TestClient(app, client=(address, 5000)) as client:
            return client.get("/v1/regions", headers=_bearer("omk_wrong")).status_code

    assert [wrong_key_from(f"2001:db8:0:1::{i:x}") for i in range(1, 4)] == [401, 401, 429]
    assert wrong_key_from("2001:db8:0:2::1") == 401  # another /64
    assert [wrong_key_from(a) for a in ("::ffff:192.0.2.1", "192.0.2.1", "192.0.2.1")] == [401, 401, 429]


def test_the_pages_sign_in_counts_wrong_keys_with_the_api(tmp_path: Path) -> None:
    """The login form is a key lookup too: its wrong keys and the API's are one quota per address."""
    url, keys = _sqlite_registry(tmp_path)
    app = create_app(Settings(database_url=url, failed_keys_per_address=3))
    with TestClient(app, client=("198.51.100.9", 5000)) as browser:
        form = browser.get("/login").text
        csrf_field, csrf = _csrf(form)
        assert browser.get("/v1/regions", headers=_bearer("omk_wrong")).status_code == 401
        signins = [browser.post("/login", data={"key": f"omk_wrong-{i}", csrf_field: csrf}, follow_redirects=False)
                   for i in range(3)]
        assert [s.status_code for s in signins] == [401, 401, 429]
        assert "秒后再试" in signins[-1].text and int(signins[-1].headers["retry-after"]) >= 1
        good = browser.post("/login", data={"key": keys["viewer"], csrf_field: csrf}, follow_redirects=False)
        assert good.status_code == 429  # refused before the key is looked up


def _csrf(form: str) -> tuple[str, str]:
    found = re.search(r'<input type="hidden" name="([^"]+)" value="([^"]+)">', form)
    assert found is not None, form
    return found.group(1), found.group(2)


# --- the client's address behind a proxy -----------------------------------------------------------

def test_x_forwarded_for_names_the_client_only_from_a_listed_proxy(tmp_path: Path) -> None:
    url, _ = _sqlite_registry(tmp_path)
    for trusted, expected in (([], [401, 401, 429, 429]), (["127.0.0.1"], [401, 401, 401, 401])):
        app = create_app(Settings(database_url=url, failed_keys_per_address=2, forwarded_allow_ips=trusted))
        with TestClient(app, client=("127.0.0.1", 5000)) as proxy:
            statuses = [proxy.get("/v1/regions", headers={**_bearer("omk_wrong"), "X-Forwarded-For": f"203.0.113.{i}"})
                        .status_code for i in range(4)]
        assert statuses == expected, trusted


# --- the headers ---------------------------------------------------------------------------------

def test_every_answer_to_a_key_carries_consistent_ratelimit_headers(tmp_path: Path) -> None:
    url, keys = _sqlite_registry(tmp_path)
    app = create_app(Settings(database_url=url, rate_limit_per_minute=1, rate_limit_burst=8))  # 8 in any 480 s
    with TestClient(app) as client:
        answers = [client.get(path, headers=_bearer(keys["viewer"])) for path in
                   ("/v1/rulesets", "/v1/regions", f"/v1/regions/{COUNTY}", "/v1/regions/999999", "/v1/keys",
                    "/v1/rulesets", "/v1/rulesets", "/v1/rulesets", "/v1/rulesets")]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 403, 200, 200, 200, 429]
    for answer in answers:
        assert all(field in answer.headers for field in FIELDS), answer.headers
        assert answer.headers["ratelimit-limit"] == "8" and answer.headers["ratelimit-policy"] == "8;w=480"
        assert 0 < int(answer.headers["ratelimit-reset"]) <= 480
    assert [int(a.headers["ratelimit-remaining"]) for a in answers] == [7, 6, 5, 4, 3, 2, 1, 0, 0]
    assert "retry-after" not in answers[0].headers and int(answers[-1].headers["retry-after"]) >= 1


def test_no_limit_no_headers(tmp_path: Path) -> None:
    url, keys = _sqlite_registry(tmp_path)
    with TestClient(create_app(Settings(database_url=url, rate_limit_per_minute=0))) as client:
        answer = client.get("/v1/rulesets", headers=_bearer(keys["viewer"]))
    assert answer.status_code == 200 and not any(field in answer.headers for field in FIELDS)


def test_the_openapi_document_names_the_headers(tmp_path: Path) -> None:
    url, _ = _sqlite_registry(tmp_path)
    with TestClient(create_app(Settings(database_url=url))) as client:
        schema = client.get("/openapi.json").json()
    headers = schema["components"]["headers"]
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", "Retry-After"} <= set(headers)
    keyed = [(path, method, operation) for path, operations in schema["paths"].items()
             for method, operation in operations.items() if "401" in operation["responses"]]
    assert len(keyed) >= 25
    for path, method, operation in keyed:
        for answer in operation["responses"].values():
            assert answer["headers"]["RateLimit-Remaining"] == {"$ref": "#/components/headers/RateLimit-Remaining"}
        for status in ("429", "503"):
            assert operation["responses"][status]["headers"]["Retry-After"]["$ref"].endswith("/Retry-After"), (path, method)


# --- the store out of reach ----------------------------------------------------------------------

def test_an_unreachable_store_answers_503_and_says_so_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Never a 500 and never unlimited: 503 with Retry-After, for good keys and wrong ones; the
    log names the store once (not once a request), without its password."""
    url, keys = _sqlite_registry(tmp_path)
    store = UNREACHABLE.replace("redis://", "redis://:sesame@")
    app = create_app(Settings(database_url=url, rate_limit_storage=store))
    with caplog.at_level(logging.WARNING, logger="orgmodel.api"), TestClient(app, raise_server_exceptions=False) as client:
        answers = [client.get("/v1/regions", headers=_bearer(key)) for key in (keys["viewer"], "omk_wrong") * 3]
    assert [a.status_code for a in answers] == [503] * 6
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "rate_limit_store_unavailable"
        assert int(answer.headers["retry-after"]) >= 1
    logged = [r.getMessage() for r in caplog.records if "rate-limit store" in r.getMessage()]
    assert len(logged) == 1 and "127.0.0.1:1" in logged[0] and "sesame" not in logged[0], logged


@contextmanager
def _private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of this test's own (no persistence), stopped at the end."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.RedisError:
            assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield process
    finally:
        client.close()
        process.terminate()
        process.wait(10)


def test_a_store_that_comes_back_is_used_again(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """One app on a Redis of its own: stopped, the app answers 503; started again, 200 and a log line."""
    from api import rate_limits

    monkeypatch.setattr(rate_limits, "STORE_RETRY_SECONDS", 0)  # ask the store again at once
    url, keys = _sqlite_registry(tmp_path)
    port = free_port()
    app = create_app(Settings(database_url=url, rate_limit_storage=f"redis://127.0.0.1:{port}/0"))
    with caplog.at_level(logging.WARNING, logger="orgmodel.api"), TestClient(app) as client:
        with _private_redis(port):
            assert client.get("/v1/regions", headers=_bearer(keys["viewer"])).status_code == 200
        assert client.get("/v1/regions", headers=_bearer(keys["viewer"])).status_code == 503
        with _private_redis(port):  # empty again: a new store, a new count
            back = client.get("/v1/regions", headers=_bearer(keys["viewer"]))
    assert back.status_code == 200 and back.headers["ratelimit-remaining"] == "59"
    messages = [r.getMessage() for r in caplog.records if "rate-limit store" in r.getMessage()]
    assert len(messages) == 2 and "cannot be reached" in messages[0] and "answers again" in messages[1], messages


def test_serve_leaves_x_forwarded_for_to_the_setting_and_warns_of_per_worker_counts(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """uvicorn by itself believes X-Forwarded-For from 127.0.0.1; `orgmodel serve` turns that off
    (the app trusts only ORGMODEL_FORWARDED_ALLOW_IPS) and says when workers would count apart."""
    from click.testing import CliRunner

    from orgmodel.cli import main

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: started.update(kwargs))
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    alone = CliRunner().invoke(main, ["serve", "--database", url])
    assert alone.exit_code == 0 and started["proxy_headers"] is False
    assert "ORGMODEL_RATE_LIMIT_STORAGE" not in alone.output
    two = CliRunner().invoke(main, ["serve", "--database", url, "--workers", "2"])
    assert two.exit_code == 0 and "ORGMODEL_RATE_LIMIT_STORAGE=redis://" in two.output
    monkeypatch.setenv("ORGMODEL_RATE_LIMIT_STORAGE", REDIS_URL)
    shared = CliRunner().invoke(main, ["serve", "--database", url, "--workers", "2"])
    assert shared.exit_code == 0 and "ORGMODEL_RATE_LIMIT_STORAGE" not in shared.output
