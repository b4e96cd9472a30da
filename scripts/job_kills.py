"""Jobs recovered after K kills: is a job whose instance is lost run to its end by another one?

    .venv/bin/python scripts/job_kills.py              # K = 5, SQLite and PostgreSQL, writes docs/reliability.md
    .venv/bin/python scripts/job_kills.py --kills 3 --no-write

For each database (a fresh SQLite file; a fresh database on the PostgreSQL at
ORGMODEL_TEST_POSTGRES, skipped with the reason if none answers) and each of K rounds: an
instance (`orgmodel serve`'s uvicorn in a process group of its own, tests/api/instances.py)
takes a job — a check of the example district, or in every other round its import — and,
while the job runs, its whole group is killed: SIGKILL, or in every third round SIGTERM. A
new instance on the same database then recovers the job; the round counts it as recovered
when the job ends `done` with, for a check, the very bytes of a direct check, and for an
import, the roster stored once (one import in the audit log). It prints, per database,
kills, jobs recovered, results identical, jobs failed with a reason, and the median and
worst time from the kill to the job's end (the lease is 2 s, the sweep every 0.5 s).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.registry import db, models, repository  # noqa: E402
from tests.api.instances import DISTRICT, Instance, jobs_held, submit_check, wait_for  # noqa: E402

SETTINGS = {"job_threshold_bytes": 1000, "job_lease_seconds": 2.0, "job_sweep_seconds": 0.5,
            "job_shutdown_seconds": 5.0, "job_max_attempts": 3}
POSTGRES = os.environ.get("ORGMODEL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BEFORE = ("\nBefore (issue 14 as filed): a job whose instance was SIGKILLed or SIGTERMed stayed `running` for "
          "ever, after a restart too, and its result answered 409. What must not run again — a check past "
          "`job_max_attempts`, an import whose transaction committed — is failed with the reason instead; "
          "tests/api/test_job_recovery.py shows both (the rounds above never reach them).")
BEGIN, END = "<!-- scripts/job_kills.py: begin -->", "<!-- scripts/job_kills.py: end -->"


@dataclass
class Tally:
    database: str
    kills: int = 0
    sigterms: int = 0
    recovered: int = 0
    identical: int = 0
    failed: int = 0
    seconds: list[float] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _direct(url: str) -> bytes:
    direct = Instance(url, job_threshold_bytes=10**9).start()
    try:
        with httpx.Client(base_url=direct.url, timeout=120) as http:
            answer = http.post("/v1/check", files={"file": ("chongchuan.json", DISTRICT)},
                               params={"as_of": "2026-11-25"})
            assert answer.status_code == 200, answer.text
            return answer.content
    finally:
        direct.stop()


def _imports(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(models.AuditEntry)
                                     .where(models.AuditEntry.action == "import")) or 0
    finally:
        engine.dispose()


def run(url: str, label: str, kills: int) -> Tally:
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        repository.create_region(session, "320602", "setup", name="崇川区", level="county")
        key, _ = repository.create_key(session, "320602", "editor")
    engine.dispose()
    expected = _direct(url)
    tally = Tally(label)
    victim = Instance(url, **SETTINGS).start()
    for round_ in range(kills):
        importing = round_ % 2 == 1
        sig = signal.SIGTERM if round_ % 3 == 2 else signal.SIGKILL
        with httpx.Client(base_url=victim.url, timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
            before = _imports(url)
            if importing:
                answer = http.post("/v1/regions/320602/roster", files={"file": ("chongchuan.json", DISTRICT)})
                assert answer.status_code == 202, answer.text
                job_id = answer.json()["id"]
            else:
                job_id = submit_check(http)
            wait_for(http, job_id, ("running",))
            with jobs_held(url):  # the job waits at its next step: killed mid-run
                time.sleep(0.3)
                victim.signal_group(sig)
                killed_at = time.monotonic()
                time.sleep(0.3)
            victim.wait()
        tally.kills += 1
        tally.sigterms += sig == signal.SIGTERM
        started = time.monotonic()
        victim = Instance(url, **SETTINGS).start()  # the next instance recovers it, and is the next victim
        tally.starts.append(time.monotonic() - started)
        with httpx.Client(base_url=victim.url, timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
            ended = wait_for(http, job_id, ("done", "failed", "cancelled"), timeout=300)
            tally.seconds.append(time.monotonic() - killed_at)
            result = http.get(f"/v1/jobs/{job_id}/result")
        if ended["status"] == "done":
            tally.recovered += 1
            same = _imports(url) == before + 1 if importing else result.content == expected
            tally.identical += same
        else:
            tally.failed += 1
            tally.notes.append(f"{job_id}: {ended['status']}: {result.text[:200]}")
    victim.stop()
    return tally


def _postgres_database() -> tuple[str | None, str]:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"orgmodel_kills_{secrets.token_hex(4)}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return admin.url.set(database=name).render_as_string(hide_password=False), name
    except Exception as exc:
        return None, f"PostgreSQL not reachable at {POSTGRES}: {exc.__class__.__name__}"
    finally:
        admin.dispose()


def _drop(name: str) -> None:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def table(tallies: list[Tally], kills: int, skipped: list[str]) -> str:
    lines = [
        "## Jobs recovered after K kills", "",
        f"Made by `.venv/bin/python scripts/job_kills.py --kills {kills}`. Each round an instance "
        "(`orgmodel serve`'s uvicorn, in a process group of its own) runs a job — a check of the example "
        "district (100 communities), every other round its import — and its whole group is killed while "
        "the job runs (held at its next step by a writer on the job table): SIGKILL, every third round "
        "SIGTERM. A new instance on the same database recovers it. *Identical*: a check's result is the "
        "very bytes of a direct check; an import is stored once. *Time* runs from the kill to the job's "
        "end, with a lease of 2 s and a sweep every 0.5 s (the defaults are 30 s and 10 s); it includes "
        "the new instance's start and the job's whole run again.", "",
        "| database | kills (SIGTERM) | recovered to done | identical | failed with a reason | median time | worst time "
        "| median start of the new instance |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in tallies:
        lines.append(f"| {t.database} | {t.kills} ({t.sigterms}) | {t.recovered} | {t.identical} | {t.failed} | "
                     f"{statistics.median(t.seconds):.1f} s | {max(t.seconds):.1f} s | "
                     f"{statistics.median(t.starts):.1f} s |")
    for reason in skipped:
        lines.append(f"\nSkipped: {reason}.")
    for t in tallies:
        lines.extend(f"\n* {t.database}: {note}" for note in t.notes)
    load = os.getloadavg()[0]
    lines.append(f"\nMeasured on {os.cpu_count()} cores with a load average of {load:.1f} when the run ended.")
    lines.append(BEFORE)
    return "\n".join(lines) + "\n"


def write(section: str) -> None:
    path = ROOT / "docs" / "reliability.md"
    current = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{section}{END}\n"
    if BEGIN in current and END in current:
        start, stop = current.index(BEGIN), current.index(END) + len(END) + 1
        current = current[:start] + block + current[stop:]
    else:
        current = current.rstrip("\n") + "\n\n" + block
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args()
    tallies, skipped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tallies.append(run(f"sqlite:///{Path(tmp) / 'registry.sqlite3'}", "SQLite", args.kills))
    url, name = _postgres_database()
    if url is None:
        skipped.append(name)
    else:
        try:
            tallies.append(run(url, "PostgreSQL (procrastinate)", args.kills))
        finally:
            _drop(name)
    section = table(tallies, args.kills, skipped)
    print(section)
    if not args.no_write:
        write(section)


if __name__ == "__main__":
    main()
