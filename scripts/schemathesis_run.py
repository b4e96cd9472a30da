"""Schemathesis against a real service: generated requests for every operation of the OpenAPI
document, sent over loopback to uvicorn (as `orgmodel serve` runs it) on SQLite and on PostgreSQL;
it counts the cases, the server errors (5xx) and the responses that break the schema.

    .venv/bin/python scripts/schemathesis_run.py                 # 25 cases per operation at most
    .venv/bin/python scripts/schemathesis_run.py --examples 5 --no-write

The checks are tests/api/test_schemathesis.py's (the same exclusions, for the reasons its docstring
gives), with an admin key of the county that holds the example community. PostgreSQL is skipped,
with the reason printed, when it does not answer.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import httpx  # noqa: E402
import schemathesis  # noqa: E402
from concurrent_writes import database, postgres_reason  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from reliability import marked, write_section  # noqa: E402
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

from api.registry import db  # noqa: E402
from tests.api.conftest import COUNTY  # noqa: E402
from tests.api.isolation_walk import stock  # noqa: E402

NAME = "schemathesis_run.py"
EXCLUDED: list[Any] = [positive_data_acceptance, negative_data_rejection]


@contextmanager
def server(url: str) -> Iterator[str]:
    """uvicorn serving the app as `orgmodel serve` does, on `url`'s registry: trusting no network, so
    every request needs its key; no rate limit and no limit of wrong keys per address (the fuzzer sends
    hundreds of requests, and its auth check sends wrong keys on purpose). Its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ORGMODEL_DATABASE_URL": url, "ORGMODEL_TRUSTED_NETWORKS": "[]",
           "ORGMODEL_RATE_LIMIT_PER_MINUTE": "0", "ORGMODEL_FAILED_KEYS_PER_ADDRESS": "0"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app_from_environment", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=5).raise_for_status()
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the service did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(20)


@dataclass
class Tally:
    database: str
    operations: int = 0
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # a check that failed: its first line, how often
    server_errors: list[str] = field(default_factory=list)

    @property
    def five_hundreds(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def fuzz(url: str, label: str, examples: int) -> Tally:
    """Every operation, at most `examples` generated cases each, against uvicorn on `url`'s registry."""
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        keys = stock(engine)
    finally:
        engine.dispose()
    headers = {"Authorization": f"Bearer {keys[(COUNTY, 'admin')]}"}
    tally = Tally(label)
    with server(url) as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        tally.operations = len(operations)
        for operation in operations:
            @given(operation.as_strategy())
            @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def case_of(case: schemathesis.Case) -> None:
                response = case.call(base_url=base, headers=headers, timeout=120)
                tally.cases += 1
                tally.statuses[response.status_code] += 1
                if response.status_code >= 500:
                    tally.server_errors.append(f"{case.method} {case.path}: {response.status_code} "
                                               f"{response.text[:200]}")
                try:
                    case.validate_response(response, excluded_checks=EXCLUDED, headers=headers)
                except Exception as failure:  # counted, never shrunk: the run goes on
                    first = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
                    tally.failures[f"{case.method} {case.path}: {first[:160]}"] += 1

            try:
                case_of()
            except Exception as failure:  # a check schemathesis reports once the operation's cases ran
                first = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
                tally.failures[f"{operation.method.upper()} {operation.path}: {first[:160]}"] += 1
            print(f"{label}: {operation.method.upper()} {operation.path}: {tally.cases} cases so far", flush=True)
    return tally


def section(tallies: list[Tally], examples: int, skipped: str | None) -> str:
    lines = [
        "## Schemathesis against a running service", "",
        f"Made by `.venv/bin/python scripts/schemathesis_run.py --examples {examples}`. Every operation of the "
        "OpenAPI document gets at most that many generated cases (hypothesis, via schemathesis's Python API), "
        "sent over loopback to uvicorn running the app as `orgmodel serve` does (rate limits off: the "
        "limits are tests/api/test_rate_limits.py's), with an admin key of the "
        "county holding the example community; each response is checked with the checks of "
        "`tests/api/test_schemathesis.py` (the same two left out, for the reasons it gives). "
        "*Schema failures* are responses a check refused.", "",
        "| database | operations | cases | server errors (5xx) | schema failures | statuses |",
        "|---|---|---|---|---|---|",
    ]
    for t in tallies:
        statuses = ", ".join(f"{status} × {n}" for status, n in sorted(t.statuses.items()))
        lines.append(f"| {t.database} | {t.operations} | {t.cases} | {t.five_hundreds} | "
                     f"{sum(t.failures.values())} | {statuses} |")
    for t in tallies:
        lines.extend(f"\n* {t.database}, server error: {error}" for error in t.server_errors[:10])
        lines.extend(f"\n* {t.database}, schema failure × {n}: {what}" for what, n in t.failures.most_common(10))
    if skipped:
        lines += ["", f"PostgreSQL skipped: {skipped}."]
    lines += ["", f"Measured on {os.cpu_count()} cores with a load average of {os.getloadavg()[0]:.1f} "
              "when the run ended."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="generated cases per operation at most")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    skipped = postgres_reason()
    tallies = []
    for kind, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        if kind == "postgresql" and skipped:
            print(f"skipping PostgreSQL: {skipped}", flush=True)
            continue
        with database(kind) as url:
            tallies.append(fuzz(url, label, args.examples))
    block = section(tallies, args.examples, skipped)
    print(block)
    if not args.no_write:
        write_section(NAME, marked(NAME, block))
    return {"tallies": tallies, "skipped": skipped}


if __name__ == "__main__":
    main()
