"""Latency of a single-community `POST /v1/check` through FastAPI's TestClient, and where it goes.

    .venv/bin/python scripts/api_latency.py [--requests 200]

In-process (no sockets): the HTTP stack's own share plus the library's stages, each timed
alone over the same document. The load test over loopback (wrk against `orgmodel serve`)
is another script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

warnings.filterwarnings("ignore", message="Using `httpx`")

from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from api.services.pipeline import report_bytes  # noqa: E402
from api.settings import Settings  # noqa: E402
from orgmodel import small  # noqa: E402
from orgmodel.check import check  # noqa: E402
from orgmodel.input import normalize  # noqa: E402
from orgmodel.input.readers.json_yaml import read_json  # noqa: E402
from orgmodel.report.figures import build_report  # noqa: E402
from orgmodel.rules.pack import load_pack  # noqa: E402

DOCUMENT = (Path(__file__).resolve().parents[1] / "examples" / "hongqiao.json").read_bytes()
AS_OF = dt.date(2026, 11, 25)


def timed(n: int, call: Callable[[], object]) -> list[float]:
    for _ in range(5):
        call()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def show(name: str, times: list[float]) -> None:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{name:<38} p50 {statistics.median(times):7.2f} ms   p99 {p99:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(database_url=f"sqlite:///{folder}/registry.sqlite3", trusted_networks=["127.0.0.1/32"],
                                  rate_limit_per_minute=0))
        client = TestClient(app, client=("127.0.0.1", 50000))  # a trusted network: no key needed
        headers = {"content-type": "application/json"}
        show("POST /v1/check (TestClient)", timed(n, lambda: client.post("/v1/check?as_of=2026-11-25", content=DOCUMENT,
                                                                         headers=headers)))
        show("GET /nowhere (404, the stack alone)", timed(n, lambda: client.get("/nowhere")))
    pack = load_pack("nantong")
    show("small.report_bytes (the route's small path)", timed(n, lambda: small.report_bytes(json.loads(DOCUMENT), pack,
                                                                                            AS_OF)))
    show("report_bytes (the columnar pipeline)", timed(n, lambda: report_bytes(read_json, DOCUMENT, "request", pack, AS_OF,
                                                                                False)))
    raw = read_json(DOCUMENT, "request")
    roster, _ = normalize.load(raw)
    result = check(roster, pack, AS_OF)
    show("  read_json", timed(n, lambda: read_json(DOCUMENT, "request")))
    show("  normalize.load", timed(n, lambda: normalize.load(raw)))
    show("  check", timed(n, lambda: check(roster, pack, AS_OF)))
    show("  build_report(...).to_bytes()", timed(n, lambda: build_report(result).to_bytes()))


if __name__ == "__main__":
    main()
