"""Load test over loopback: Debian's `wrk` against `orgmodel serve` with its production settings.

    .venv/bin/python scripts/load_test.py [--workers 1] [--connections 1 2 4 8] [--seconds 10] [--repeat 3]
                                          [--database postgresql://postgres@127.0.0.1/orgmodel_load]
                                          [--rate-limit-storage redis://127.0.0.1:6379/0]

Each run posts the example community (examples/hongqiao.json) to `POST /v1/check` with an API
key (the per-key rate limit raised for the measurement, still counted: in memory, or in the
Redis that `--rate-limit-storage` names, as several instances would share it), over `--connections` keep-alive
connections for `--seconds`; it prints requests/s and the latency percentiles wrk measured,
the median of `--repeat` runs for each connection count. wrk closes the loop (a connection
sends its next request when the last one is answered), so the rows show how latency grows as
the offered load approaches what the service can do. `make load` installs `wrk` when missing and runs this.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "examples" / "hongqiao.json"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}

LUA = """
local file = io.open("{body}", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _orgmodel(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([str(BIN / "orgmodel"), *args], env=env, check=True, capture_output=True, text=True).stdout


def _wait_until_up(url: str, key: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"orgmodel serve exited with {server.returncode}")
        try:
            request = urllib.request.Request(f"{url}/v1/rulesets", headers={"Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("orgmodel serve did not come up")


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match is not None, text
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(url: str, script: Path, connections: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script),
                          f"{url}/v1/check"], check=True, capture_output=True, text=True).stdout
    figures = {f"p{p}": _ms(m) for p, m in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M)}
    figures["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non2xx"] = float(errors.group(1)) if errors else 0.0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--rate-limit-storage", default="memory://",
                        help="where the rate limits are counted (default memory://; e.g. redis://127.0.0.1:6379/0)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: make load installs it (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="orgmodel-load-") as tmp:
        env = {**os.environ, "ORGMODEL_DATABASE_URL": args.database or f"sqlite:///{tmp}/registry.sqlite3",
               "ORGMODEL_RATE_LIMIT_PER_MINUTE": "100000000", "ORGMODEL_RATE_LIMIT_BURST": "1000000",
               "ORGMODEL_RATE_LIMIT_STORAGE": args.rate_limit_storage,
               "ORGMODEL_RATE_LIMIT_KEY_PREFIX": f"orgmodel-load-{os.getpid()}"}
        _orgmodel("regions", "add", "320602", "--name", "崇川区", "--level", "county", env=env)
        key = _orgmodel("keys", "create", "--region", "320602", "--role", "viewer", env=env).strip()
        script = Path(tmp) / "post.lua"
        script.write_text(LUA.format(body=EXAMPLE, key=key), encoding="utf-8")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(BIN / "orgmodel"), "serve", "--port", str(port), "--workers", str(args.workers)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_until_up(url, key, server)
            run_wrk(url, script, max(args.connections), 3)  # warm-up: imports, pack caches, connection pools
            print(f"POST /v1/check, one community ({EXAMPLE.name}), {args.workers} worker(s), "
                  f"rate limits in {args.rate_limit_storage.split('@')[-1]}, "
                  f"wrk -t1, {args.seconds:g} s per run, median of {args.repeat} runs")
            print(f"{'connections':>11} {'req/s':>8} {'p50 ms':>7} {'p75 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'non-2xx':>8}")
            for connections in args.connections:
                runs = [run_wrk(url, script, connections, args.seconds) for _ in range(args.repeat)]
                median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{connections:>11} {median['rps']:>8.0f} {median['p50']:>7.2f} {median['p75']:>7.2f} "
                      f"{median['p90']:>7.2f} {median['p99']:>7.2f} {median['non2xx']:>8.0f}")
        finally:
            server.terminate()
            server.wait(20)


if __name__ == "__main__":
    main()
