"""Cross-region leaks over the whole matrix: every route that addresses a stored object by id ×
every role × both foreign regions, on SQLite and PostgreSQL.

    .venv/bin/python scripts/isolation_matrix.py             # writes its section of docs/reliability.md
    .venv/bin/python scripts/isolation_matrix.py --no-write  # prints it only

The walk is tests/api/isolation_walk.py's, the one tests/api/test_isolation.py asserts on: each
(route, role) is called twice, with the ids of the owning county's objects and with ids that do not
exist; a leak is any difference between the two answers (status, body with the ids scrubbed), an
answer other than 403/404, or the owner's community named. PostgreSQL is skipped, with the reason
printed, when it does not answer.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from concurrent_writes import database, postgres_reason  # noqa: E402
from reliability import marked, write_section  # noqa: E402

from api.registry import db  # noqa: E402
from tests.api.isolation_walk import FOREIGN_REGIONS, Walk, serving, walk  # noqa: E402

NAME = "isolation_matrix.py"


def matrix(kind: str) -> list[Walk]:
    """The walk with each foreign region, on a fresh registry of that kind."""
    with database(kind) as url:
        engine = db.make_engine(url)
        try:
            db.upgrade(engine)
            with serving(engine) as service:
                return [walk(service, foreign) for foreign in FOREIGN_REGIONS]
        finally:
            engine.dispose()


def section(results: dict[str, list[Walk]], skipped: str | None) -> str:
    lines = [
        "## Cross-region leaks over the whole matrix", "",
        "Made by `.venv/bin/python scripts/isolation_matrix.py` (the walk is `tests/api/isolation_walk.py`, "
        "the one `tests/api/test_isolation.py` asserts on). Every route of the OpenAPI document that "
        "addresses a stored object by id, with every role of a region that does not own it (another "
        "county, and a street of it), is called twice: with the ids of the owning county's objects and "
        "with ids that do not exist. A *leak* is any difference between the two answers (status; body "
        "with the ids scrubbed), an answer other than 403/404, or the owner's community named in it. "
        "(Ids in queries and bodies are asserted by the other tests of that file, not counted here.)", "",
        "| database | foreign region | routes | roles | route × role pairs | requests | leaks |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, walks in results.items():
        for w in walks:
            lines.append(f"| {label} | {w.foreign} | {w.routes} | {w.roles} | {w.pairs} | {w.requests} | "
                         f"{len(w.leaks)} |")
        total = sum(w.requests for w in walks)
        lines.append(f"| {label} | all | | | {sum(w.pairs for w in walks)} | {total} | "
                     f"{sum(len(w.leaks) for w in walks)} |")
    for label, walks in results.items():
        lines.extend(f"\n* {label} leak: {leak}" for w in walks for leak in w.leaks)
    if skipped:
        lines += ["", f"PostgreSQL skipped: {skipped}."]
    lines += ["", f"Measured on {os.cpu_count()} cores with a load average of {os.getloadavg()[0]:.1f} "
              "when the run ended."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    skipped = postgres_reason()
    results: dict[str, list[Walk]] = {}
    for kind, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        if kind == "postgresql" and skipped:
            print(f"skipping PostgreSQL: {skipped}", flush=True)
            continue
        results[label] = matrix(kind)
        for w in results[label]:
            print(f"{label} as {w.foreign}: {w.routes} routes × {w.roles} roles, {w.requests} requests, "
                  f"{len(w.leaks)} leaks", flush=True)
    block = section(results, skipped)
    print(block)
    if not args.no_write:
        write_section(NAME, marked(NAME, block))
    return {"results": results, "skipped": skipped}


if __name__ == "__main__":
    main()
