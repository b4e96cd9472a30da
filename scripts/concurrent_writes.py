"""Concurrent writers against the registry: duplicate imports and lost updates in K rounds, and
what a write meets during a long SQLite import.

    .venv/bin/python scripts/concurrent_writes.py               # K = 5, writes its section of docs/reliability.md
    .venv/bin/python scripts/concurrent_writes.py --rounds 3 --no-write

scripts/hostile_files.py runs it too (docs/reliability.md is made by that one command). For each
database (a fresh SQLite file; a fresh database on the PostgreSQL at ORGMODEL_TEST_POSTGRES,
skipped with the reason if none answers):

* duplicate imports: K rounds of 4 identical imports of the example district (100
  communities, 44 tasks, 32 relations, 4 units) started together, each in a thread with its own
  connection; a round duplicates when a community's current tasks, relations, units or
  appointments are more than the file's. Run with the region lock (`_lock_subtree`) and, on
  PostgreSQL, without it (a no-op in its place): the registry as it was before.
* lost updates: K rounds of 8 editors changing one post at once, each re-reading and resending
  on 412 until accepted; an update is lost when the post's history has fewer new versions
  than editors.
* a write during a long import (SQLite): an edit sent 0.1 s after an import of the district
  8 times over (800 communities) began its write transaction, with the default
  `write_wait_seconds` and with 0.5 s: what it answers and how long it waited.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.registry import db, models, repository  # noqa: E402

REPORT = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- scripts/concurrent_writes.py: begin -->", "<!-- scripts/concurrent_writes.py: end -->"
ADMIN_URL = os.environ.get("ORGMODEL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DISTRICT = json.loads((ROOT / "examples" / "chongchuan.json").read_text(encoding="utf-8"))
COUNTY = "320602"
IMPORTERS, EDITORS = 4, 8


@contextmanager
def database(kind: str) -> Iterator[str]:
    """The URL of a fresh, empty registry database of that kind."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/registry.sqlite3"
        return
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"orgmodel_writes_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL rows are skipped."""
    try:
        engine = create_engine(ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {db.shown_url(ADMIN_URL)}: {exc.__class__.__name__}"


def _together(k: int, task: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(k)
    results: list[Any] = [None] * k

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = task(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(k)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _registry(url: str, **options: Any) -> Engine:
    engine = db.make_engine(url, **options)
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        for region in DISTRICT["regions"]:
            repository.create_region(session, region["id"], "setup", parent_id=region.get("parent"),
                                     name=region.get("name"), level=region["level"])
    return engine


def _expected() -> dict[str, dict[str, int]]:
    roster = repository.as_roster(DISTRICT)
    return {table: dict(getattr(roster, table).group_by("community").len().iter_rows())
            for table in ("tasks", "relations", "units", "appointments")}


def _current(engine: Engine) -> dict[str, dict[str, int]]:
    out = {}
    with engine.connect() as connection:
        for model in (models.Task, models.Relation, models.Unit, models.Appointment):
            out[model.__tablename__] = dict(connection.execute(
                select(model.community_id, func.count()).where(model.superseded_at.is_(None))
                .group_by(model.community_id)).tuples().all())
    return out


def duplicate_imports(url: str, rounds: int, locked: bool) -> dict[str, Any]:
    engine = _registry(url, pool_size=IMPORTERS + 2)
    sessions = db.session_factory(engine)
    expected = _expected()
    original = repository._lock_subtree
    if not locked:
        repository._lock_subtree = lambda session, region_id: None  # type: ignore[assignment]
    duplicated, extra_rows, refused, seconds = 0, 0, [], []
    try:
        for round_ in range(rounds):
            roster = copy.deepcopy(DISTRICT)
            roster["communities"][0]["households"] = 3000 + round_ // 2  # every other round a community changes

            def load(i: int, roster: dict[str, Any] = roster) -> Any:
                with sessions() as own:
                    return repository.import_roster(own, COUNTY, roster, f"importer {i}")

            started = time.monotonic()
            results = _together(IMPORTERS, load)
            seconds.append(time.monotonic() - started)
            refused += [type(r).__name__ for r in results if isinstance(r, Exception)]
            current = _current(engine)
            extra = sum(max(0, n - expected[table].get(cid, 0)) for table, counts in current.items()
                        for cid, n in counts.items())
            duplicated += extra > 0
            extra_rows += extra
            print(f"  imports {'with' if locked else 'without'} the lock, round {round_ + 1}: "
                  f"{extra} duplicate row(s), {len(refused)} refused so far, {seconds[-1]:.1f} s", flush=True)
    finally:
        repository._lock_subtree = original  # type: ignore[assignment]
        engine.dispose()
    return {"rounds": rounds, "duplicated": duplicated, "extra_rows": extra_rows, "refused": refused,
            "median_seconds": statistics.median(seconds)}


def lost_updates(url: str, rounds: int) -> dict[str, Any]:
    engine = _registry(url, pool_size=EDITORS + 2)
    sessions = db.session_factory(engine)
    with sessions() as session:
        repository.import_roster(session, COUNTY, DISTRICT, "setup")
        post = repository.list_appointments(session, COUNTY, limit=1)[0]
    lost, stale, seconds = 0, 0, []
    try:
        for round_ in range(rounds):
            retries = [0] * EDITORS

            def edit(i: int, round_: int = round_, retries: list[int] = retries) -> int:
                while True:
                    with sessions() as own:
                        current = repository.get_appointment(own, COUNTY, post.id)
                        own.rollback()
                        try:
                            return repository.update_appointment(
                                own, COUNTY, post.id, {"start": f"2024-{round_ % 12 + 1:02d}-{i + 1:02d}"},
                                current.version, f"editor {i}").version
                        except repository.StaleVersion:
                            retries[i] += 1

            with sessions() as session:
                before = repository.get_appointment(session, COUNTY, post.id).version
            started = time.monotonic()
            _together(EDITORS, edit)
            seconds.append(time.monotonic() - started)
            with sessions() as session:
                after = repository.get_appointment(session, COUNTY, post.id).version
            lost += EDITORS - (after - before)
            stale += sum(retries)
    finally:
        engine.dispose()
    return {"rounds": rounds, "edits": rounds * EDITORS, "lost": lost, "stale": stale,
            "median_seconds": statistics.median(seconds)}


def _enlarged(copies: int) -> dict[str, Any]:
    """The district `copies` times over (community and person ids suffixed): a long import."""
    out = copy.deepcopy(DISTRICT)
    out["communities"] = []
    for j in range(copies):
        for community in copy.deepcopy(DISTRICT["communities"]):
            community["id"] = f"{community['id']}{j:02d}"
            for person in community["people"]:
                person["id"] = f"{person['id']}-{j}"
            for appointment in community["appointments"]:
                appointment["person"] = f"{appointment['person']}-{j}"
            out["communities"].append(community)
    return out


def write_during_import(url: str, wait: float | None, copies: int = 8) -> dict[str, Any]:
    """An edit of a person sent 0.1 s after an import of the district `copies` times over (800
    communities) has begun its write transaction."""
    options = {} if wait is None else {"write_wait_seconds": wait}
    engine = _registry(url, **options)
    sessions = db.session_factory(engine)
    with sessions() as session:
        repository.import_roster(session, COUNTY, DISTRICT, "setup")
        person = repository.list_people(session, COUNTY, limit=1)[0]
    roster = repository.as_roster(_enlarged(copies))  # read before: the import's time is its transaction's
    import_seconds: list[float] = []
    writing = threading.Event()
    original = repository._lock_subtree

    def signalled(session: Any, region_id: str) -> None:  # called first in the import's write transaction
        original(session, region_id)
        writing.set()

    def long_import() -> None:
        with sessions() as own:
            started = time.monotonic()
            repository.import_roster(own, COUNTY, roster, "long import")
        import_seconds.append(time.monotonic() - started)

    repository._lock_subtree = signalled  # type: ignore[assignment]
    thread = threading.Thread(target=long_import)
    thread.start()
    writing.wait(120)
    repository._lock_subtree = original  # type: ignore[assignment]
    time.sleep(0.1)
    started = time.monotonic()
    with sessions() as own:
        try:
            repository.update_person(own, COUNTY, person.id, {"name": "改名"}, person.version, "editor",
                                     scope=person.scope)
            answer = "stored (200)"
        except repository.DatabaseBusy:
            answer = "busy (503, Retry-After)"
        except Exception as exc:
            answer = f"{type(exc).__name__} (500)"
    waited = time.monotonic() - started
    thread.join()
    engine.dispose()
    return {"wait": db.WRITE_WAIT_SECONDS if wait is None else wait, "answer": answer, "waited": waited,
            "import_seconds": import_seconds[0] if import_seconds else None}


def section(results: dict[str, Any], rounds: int, skipped: str | None) -> str:
    lines = [
        BEGIN,
        "## Concurrent writers",
        "",
        "Made by `.venv/bin/python scripts/concurrent_writes.py` (also run by `scripts/hostile_files.py`), on",
        f"{os.cpu_count()} cores with a load average of {os.getloadavg()[0]:.1f} (other work shares the machine).",
        f"*Duplicate imports*: {rounds} rounds of {IMPORTERS} identical imports of the example district (100",
        "communities, 44 tasks, 32 relations, 4 units) started together; a round duplicates when any community's",
        "current tasks, relations, units or appointments outnumber the file's. *Without the lock* is the",
        "registry as it was before (PostgreSQL's per-region advisory lock replaced by a no-op).",
        f"*Lost updates*: {rounds} rounds of {EDITORS} editors changing one post at once, each resending on 412",
        "until accepted; lost = editors − new versions.",
        "",
        "| database | writers | rounds | rounds with duplicates | duplicate rows | refused | median round |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, found in results.items():
        with_lock = "imports, one writer at a time (BEGIN IMMEDIATE)" if kind == "SQLite" else "imports, with the lock"
        for label, key in ((with_lock, "locked"), ("imports, without the lock (before)", "unlocked")):
            r = found.get(key)
            if r is None:
                continue
            refused = ", ".join(f"{name} × {r['refused'].count(name)}" for name in sorted(set(r["refused"]))) or "0"
            lines.append(f"| {kind} | {label} | {r['rounds']} | {r['duplicated']} | {r['extra_rows']} | {refused} | "
                         f"{r['median_seconds']:.1f} s |")
    lines += ["", "| database | edits | lost updates | 412s resent | median round |", "|---|---|---|---|---|"]
    for kind, found in results.items():
        r = found["lost"]
        lines.append(f"| {kind} | {r['edits']} | {r['lost']} | {r['stale']} | {r['median_seconds']:.2f} s |")
    during = results.get("SQLite", {}).get("during", [])
    if during:
        lines += ["", "A write during a long import (SQLite: an import of the district 8 times over, 800 communities,",
                  "holds the one write lock; an edit of a person is sent 0.1 s after its transaction began):", ""]
        for r in during:
            took = "" if r["import_seconds"] is None else f" (the import took {r['import_seconds']:.1f} s)"
            lines.append(f"* `write_wait_seconds` = {r['wait']:g}: {r['answer']} after {r['waited']:.2f} s{took}")
    if skipped:
        lines += ["", f"PostgreSQL rows skipped: {skipped}."]
    lines += ["", "Before (measured by hand when issue 14 was filed): on PostgreSQL four identical imports at once",
              "stored a community's tasks, relations and units twice (88 tasks instead of 44) in half the rounds;",
              "on SQLite a PATCH during a province import answered 500 \"database is locked\" after 30 s.", END]
    return "\n".join(lines) + "\n"


def write(block: str) -> None:
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Reliability\n"
    if BEGIN in current and END in current:
        start, stop = current.index(BEGIN), current.index(END) + len(END) + 1
        current = current[:start] + block + current[stop:]
    else:
        current = current.rstrip("\n") + "\n\n" + block
    REPORT.write_text(current, encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    skipped = postgres_reason()
    results: dict[str, Any] = {}
    for kind, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        if kind == "postgresql" and skipped:
            print(f"skipping PostgreSQL: {skipped}")
            continue
        print(label, flush=True)
        found: dict[str, Any] = {}
        with database(kind) as url:
            found["locked"] = duplicate_imports(url, args.rounds, locked=True)
        if kind == "postgresql":
            with database(kind) as url:
                found["unlocked"] = duplicate_imports(url, args.rounds, locked=False)
        with database(kind) as url:
            found["lost"] = lost_updates(url, args.rounds)
        if kind == "sqlite":
            found["during"] = []
            for wait in (None, 0.5):
                with database(kind) as url:
                    found["during"].append(write_during_import(url, wait))
        results[label] = found
        print(json.dumps(found, default=str), flush=True)
    block = section(results, args.rounds, skipped)
    print(block)
    if not args.no_write:
        write(block)


if __name__ == "__main__":
    main()
