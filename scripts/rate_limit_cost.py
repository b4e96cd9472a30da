"""What the shared rate limits cost a request: the limits off, counted in memory, counted in Redis.

    .venv/bin/python scripts/rate_limit_cost.py [--requests 2000] [--redis redis://127.0.0.1:6379/0]

For each store it serves the app with uvicorn on loopback (one process), sends `--requests`
sequential `GET /v1/rulesets` with one key over a keep-alive connection and prints the median
and 90th percentile latency and the ratio of the medians to the limits off; then the median
cost of one call of the key's charge and of the wrong-key check alone (api.rate_limits). The
Redis rows are left out, saying why, when no Redis answers.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import redis
import uvicorn

from api.main import create_app
from api.rate_limits import RateLimits
from api.registry import db, repository
from api.settings import Settings


def _registry(folder: Path) -> tuple[str, str]:
    url = f"sqlite:///{folder / 'registry.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        repository.create_region(session, "320602", "bench", name="崇川区", level="county")
        key, _ = repository.create_key(session, "320602", "viewer")
    engine.dispose()
    return url, key


def _latencies(settings: Settings, key: str, requests: int) -> list[float]:
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning",
                                           proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    times = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}) as http:
            for i in range(requests + 100):  # the first 100 warm up
                start = time.perf_counter()
                assert http.get("/v1/rulesets").status_code == 200
                if i >= 100:
                    times.append((time.perf_counter() - start) * 1000)
    finally:
        server.should_exit = True
        thread.join(10)
    return times


def _call_cost(call: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    prefix = f"orgmodel-bench-{secrets.token_hex(4)}"
    stores = {"off": None, "memory": "memory://", "redis": args.redis}
    try:
        redis.Redis.from_url(args.redis, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        print(f"(no Redis rows: {args.redis} does not answer: {exc})")
        del stores["redis"]
    with tempfile.TemporaryDirectory(prefix="orgmodel-rl-") as tmp:
        url, key = _registry(Path(tmp))
        common: dict[str, Any] = {"database_url": url, "rate_limit_burst": 10**6, "rate_limit_key_prefix": prefix}
        print(f"GET /v1/rulesets, one key, {args.requests} sequential requests over one keep-alive connection, "
              "uvicorn in-process on loopback")
        print(f"{'limits':>8} {'p50 ms':>7} {'p90 ms':>7} {'p50 / off':>9}")
        baseline = None
        for name, store in stores.items():
            settings = Settings(**common, rate_limit_per_minute=0 if store is None else 10**8,
                                rate_limit_storage=store or "memory://")
            times = _latencies(settings, key, args.requests)
            p50, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
            baseline = baseline or p50
            print(f"{name:>8} {p50:>7.3f} {p90:>7.3f} {p50 / baseline:>9.2f}")
        print(f"\none call, median of {args.requests} (µs)")
        print(f"{'store':>8} {'charge a key':>13} {'wrong keys check':>17}")
        for name, store in stores.items():
            if store is None:
                continue
            limits = RateLimits(Settings(**common, rate_limit_per_minute=10**8, rate_limit_storage=store))
            charge = _call_cost(lambda limits=limits: limits.charge_key(1), args.requests)  # type: ignore[misc]
            check = _call_cost(lambda limits=limits: limits.failures_spent("192.0.2.1"), args.requests)  # type: ignore[misc]
            print(f"{name:>8} {charge:>13.1f} {check:>17.1f}")
    if "redis" in stores:
        client = redis.Redis.from_url(args.redis)
        for name in client.scan_iter(f"{prefix}:*"):
            client.delete(name)


if __name__ == "__main__":
    main()
