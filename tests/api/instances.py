"""Instances of the service as `orgmodel serve` runs them — uvicorn in a process (and a process
group) of its own — that a test or scripts/job_kills.py can SIGKILL or SIGTERM, and a lock
that holds a job where it is (a long writer, as a province import is) so that it is killed
mid-run, not before or after."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = (ROOT / "examples" / "chongchuan.json").read_bytes()  # 100 communities: a job that takes a while


@contextmanager
def served_in_thread(app: Any, **config: Any) -> Iterator[str]:
    """The app served by uvicorn on an ephemeral loopback port, in a thread of this process (a
    crash of the app is the test's); `config` goes to uvicorn.Config (proxy_headers=False …)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Instance:
    """One `orgmodel serve` on `database_url`, with ORGMODEL_* settings (JSON for lists)."""

    def __init__(self, database_url: str, **settings: Any):
        self.database_url = database_url
        self.settings = {"trusted_networks": ["127.0.0.1/32"], "rate_limit_per_minute": 0, **settings}
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        handle, name = tempfile.mkstemp(prefix="orgmodel-instance-", suffix=".log")
        os.close(handle)
        self.log = Path(name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Instance:
        env = {**os.environ, "ORGMODEL_DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT)}
        for name, value in self.settings.items():
            env[f"ORGMODEL_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
        self.port = free_port()
        with self.log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "api.main:app_from_environment", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the instance exited ({self.process.returncode}): {self.output()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/v1/rulesets", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the instance did not start: {self.output()[-3000:]}")
            time.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def signal_group(self, sig: int) -> None:
        """Send `sig` to the instance's whole process group: uvicorn, its forkserver and parsing workers."""
        assert self.process is not None
        os.killpg(self.process.pid, sig)

    def wait(self, timeout: float = 60) -> int:
        """Wait for uvicorn to exit (then nothing of its group may outlive it); its exit code."""
        assert self.process is not None
        code = self.process.wait(timeout)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return code

    def kill_group(self, sig: int = signal.SIGKILL, timeout: float = 60) -> int:
        self.signal_group(sig)
        return self.wait(timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill_group(signal.SIGKILL)


@contextmanager
def instance(database_url: str, **settings: Any) -> Iterator[Instance]:
    running = Instance(database_url, **settings)
    try:
        yield running.start()
    finally:
        running.stop()


@contextmanager
def jobs_held(database_url: str) -> Iterator[None]:
    """A writer that holds the job table (SQLite: the database's write lock; PostgreSQL: the
    table in EXCLUSIVE mode, reads still answered): a running job waits at its next progress
    step, as it would behind a long import."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database or "", isolation_level=None, timeout=60)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE jobs IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                connection.rollback()
    finally:
        engine.dispose()


def job_row(database_url: str, job_id: str) -> dict[str, Any]:
    engine = create_engine(make_url(database_url))
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT status, step, progress, attempts, owner, problem FROM jobs "
                                          "WHERE id = :id"), {"id": job_id}).mappings().one()
            return dict(row)
    finally:
        engine.dispose()


def submit_check(http: httpx.Client, data: bytes = DISTRICT, name: str = "chongchuan.json") -> str:
    accepted = http.post("/v1/check", files={"file": (name, data)}, params={"as_of": "2026-11-25"})
    assert accepted.status_code == 202, accepted.text
    return str(accepted.json()["id"])


def wait_for(http: httpx.Client, job_id: str, statuses: tuple[str, ...], timeout: float = 180,
             seen: list[tuple[str, float]] | None = None) -> dict[str, Any]:
    """Poll the job until its status is one of `statuses`; every (status, progress) seen goes to `seen`."""
    deadline = time.monotonic() + timeout
    while True:
        answer = http.get(f"/v1/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if seen is not None:
            seen.append((body["status"], body["progress"]))
        if body["status"] in statuses:
            return body
        assert time.monotonic() < deadline, f"job {job_id} still {body['status']} ({body['step']})"
        time.sleep(0.02)
