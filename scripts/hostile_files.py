"""Hostile files against the service: is each refused, what does its parsing worker cost, and
does the service stay responsive while it is parsed?

    .venv/bin/python scripts/hostile_files.py            # writes docs/reliability.md: its section, then SIBLINGS'

Every file of tests/api/hostile.py (at full size where a test uses a smaller one) is uploaded
to `POST /v1/check` of the service, served by uvicorn on a loopback port with the default
settings, while a probe sends `GET /v1/rulesets` every 20 ms. For each file it prints the
answer (rejected: 413/422; accepted: 200, or 422 for a roster read whole that has input errors),
the parsing worker's peak resident memory and its time, and the probe's worst latency during
that upload. It also times the worker's round trip for a tiny document (the price of the
isolation) against reading it in-process.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import parsing  # noqa: E402
from api.settings import Settings  # noqa: E402
from orgmodel.input import readers  # noqa: E402
from tests.api import hostile  # noqa: E402

REPORT = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- scripts/hostile_files.py: begin -->", "<!-- scripts/hostile_files.py: end -->"
PROBE_EVERY = 0.02
SIBLINGS = ("concurrent_writes.py",)  # run after this one: `scripts/hostile_files.py` makes the whole document


@dataclass(frozen=True)
class Case:
    label: str
    name: str
    data: bytes
    what: str
    settings: dict[str, Any]


def cases() -> list[Case]:
    found = [Case(h.label, h.name, h.build(), h.what, {}) for h in hostile.HOSTILE if h.label != "gb18030-zip"]
    found += [
        Case("gb18030-zip-300mb", "roster.zip", hostile.gb18030_csv_zip(300, line_bytes=200),
             "300 MB of GB18030 CSV (1.5 M rows, one astral character), unpacked size under the limit", {}),
        Case("grid-no-cell-limit", "grid.xlsx", hostile.wide_and_tall_grid(),
             "the XFD3/A1048576 grid with the cell limit lifted: the worker must die, not the server",
             {"max_upload_cells": 10**15}),
        Case("string-bomb-no-limit", "strings.xlsx", hostile.shared_string_bomb(),
             "the 1 MB × 2,000 shared string with its limit lifted (memory limit 2 GiB)",
             {"max_upload_string_bytes": 10**15, "parse_memory_bytes": 2 * 1024**3}),
        Case("formula-scan-4000", "formulas.xlsx", hostile.formula_cells(4000),
             "4,000 formula cells with saved values (the scan was quadratic: 51 s)", {}),
        Case("tall-merges-40", "merges.xlsx", hostile.tall_merges(40),
             "40 merges down to row 1,048,575 on a sheet reaching row 1,048,576 (0.55 s a merge before)", {}),
        Case("ordinary-workbook", "chongchuan.xlsx", (ROOT / "tests/fixtures/xlsx/chongchuan.xlsx").read_bytes(),
             "the example district as a workbook (100 communities): accepted", {}),
    ]
    return found


def _probe(url: str, stop: threading.Event, latencies: list[float]) -> None:
    with httpx.Client(base_url=url, timeout=120) as http:
        while not stop.is_set():
            started = time.monotonic()
            http.get("/v1/rulesets").raise_for_status()
            latencies.append(time.monotonic() - started)
            time.sleep(PROBE_EVERY)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _vm_hwm(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextmanager
def server(workdir: Path, label: str, settings: dict[str, Any]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The service as `orgmodel serve` runs it, in a process of its own (uvicorn, the app from
    the ORGMODEL_* environment), open to loopback clients."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ORGMODEL_DATABASE_URL": f"sqlite:///{workdir / label}.sqlite3",
           "ORGMODEL_TRUSTED_NETWORKS": '["127.0.0.1/32"]', "ORGMODEL_RATE_LIMIT_PER_MINUTE": "0",
           **{f"ORGMODEL_{k.upper()}": str(v) for k, v in settings.items()}}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app_from_environment", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/v1/rulesets", timeout=5).raise_for_status()
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the service did not start"
                time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(20)


def run(case: Case, workdir: Path) -> dict[str, Any]:
    with server(workdir, case.label, case.settings) as (url, process), httpx.Client(base_url=url, timeout=600) as http:
        http.post("/v1/check", files={"file": ("warm.json", hostile.document_json())}).raise_for_status()
        forkservers = _children(process.pid)
        stop, latencies = threading.Event(), []
        probe = threading.Thread(target=_probe, args=(url, stop, latencies), daemon=True)
        probe.start()
        time.sleep(0.2)
        before = len(latencies)
        done = threading.Event()
        peaks: dict[int, int] = {}
        lived: dict[int, list[float]] = {}

        def watch() -> None:  # the parsing workers: children of the service's forkserver
            while not done.is_set():
                for pid in (w for f in forkservers for w in _children(f)):
                    peak = _vm_hwm(pid)
                    if peak:
                        peaks[pid] = max(peaks.get(pid, 0), peak)
                        lived.setdefault(pid, [time.monotonic()]).append(time.monotonic())
                time.sleep(0.002)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        response = http.post("/v1/check", files={"file": (case.name, case.data)})
        elapsed = time.monotonic() - started
        done.set()
        watcher.join()
        while len(latencies) == before and probe.is_alive():  # one probe at least, sent while it was parsed
            time.sleep(0.001)
        stop.set()
        probe.join()
        after = http.get("/v1/rulesets").status_code
        alive = process.poll() is None
    during = latencies[before:]
    try:
        body = response.json()
        detail, code = body.get("detail") or "", None
        if response.status_code == 422 and body.get("errors"):
            detail, code = body["errors"][0]["message_en"], body["errors"][0]["code"]
    except ValueError:
        detail, code = "", None
    return {"case": case, "status": response.status_code, "code": code, "seconds": elapsed,
            "peak": max(peaks.values(), default=None), "probe_worst": max(during, default=None), "probes": len(during),
            "after": after if alive else "dead", "detail": detail}


def idle_probe(workdir: Path, seconds: float = 5.0) -> tuple[float, int]:
    """The probe's worst latency with no upload at all: what the machine's load alone costs."""
    with server(workdir, "idle", {}) as (url, _):
        stop, latencies = threading.Event(), []
        probe = threading.Thread(target=_probe, args=(url, stop, latencies), daemon=True)
        probe.start()
        time.sleep(seconds)
        stop.set()
        probe.join()
    return max(latencies[5:]), len(latencies[5:])


def overhead(samples: int = 30) -> tuple[float, float, float]:
    """Median seconds of a tiny document: read in-process; through a worker; a worker's cold start."""
    data = hostile.document_json()
    parser = parsing.Parser(Settings())
    started = time.monotonic()
    parser.outcome(readers.read_bytes, data, "roster.json")
    cold = time.monotonic() - started
    inline, isolated = [], []
    for _ in range(samples):
        started = time.perf_counter()
        readers.read_bytes(data, "roster.json")
        inline.append(time.perf_counter() - started)
        started = time.perf_counter()
        parser.outcome(readers.read_bytes, data, "roster.json")
        isolated.append(time.perf_counter() - started)
    return statistics.median(inline), statistics.median(isolated), cold


def _mib(n: int | None) -> str:
    return "–" if n is None else f"{n / 2**20:,.0f} MiB"


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f} ms"


def _verdict(status: int, code: str | None = None) -> str:
    if status == 422 and code not in (None, "unreadable_file", "bad_document"):
        return "read whole; its roster has input errors (422)"
    return {200: "accepted", 413: "rejected (413)", 422: "rejected (422)"}.get(status, f"answered {status}")


def main() -> None:
    settings = Settings()
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        idle_worst, idle_probes = idle_probe(Path(workdir))
        print(f"no upload: probe worst {_ms(idle_worst)} over {idle_probes} probes", flush=True)
        for case in cases():
            result = run(case, Path(workdir))
            rows.append(result)
            print(f"{case.label:24} {result['status']} {_verdict(result['status'], result['code']):15} "
                  f"worker {_mib(result['peak']):>10}  {result['seconds']:7.2f} s   probe worst "
                  f"{_ms(result['probe_worst']):>9} over {result['probes']:4} probes  then {result['after']}",
                  flush=True)
    inline, isolated, cold = overhead()
    print(f"a tiny document: {inline * 1000:.2f} ms in-process, {isolated * 1000:.1f} ms through a worker "
          f"(median of 30), {cold:.2f} s for the first one (forkserver start)")
    lines = [
        BEGIN,
        "## Hostile files",
        "",
        "Made by `.venv/bin/python scripts/hostile_files.py` (the files are built by code in",
        "`tests/api/hostile.py`). Each is uploaded to `POST /v1/check` of the service, run as",
        "`orgmodel serve` runs it (uvicorn in a process of its own, default settings unless the",
        f"row says otherwise), while a probe sends `GET /v1/rulesets` every {PROBE_EVERY * 1000:.0f} ms.",
        "*Worker memory* is the parsing worker's peak resident memory (VmHWM, read from /proc",
        "while it runs; – for a worker gone before it was seen); *time* is the upload's answer.",
        "*Then* is the status of the next request (the service survived).",
        f"Measured on {os.cpu_count()} cores with a load average of {load:.1f} when the run started",
        "(other work shares the machine: times and latencies are upper bounds). With no upload at all",
        f"the probe's worst latency was {_ms(idle_worst)} over {idle_probes} probes: what the load alone costs.",
        "",
        f"Limits: {settings.max_upload_cells:,} cells, {settings.max_upload_string_bytes:,} shared-string bytes, "
        f"{settings.max_decoded_bytes:,} decoded CSV bytes, {settings.max_unzipped_bytes:,} unpacked bytes, "
        f"{settings.max_upload_rows:,} rows; worker: {settings.parse_memory_bytes:,} bytes of address space, "
        f"{settings.parse_cpu_seconds} s CPU, {settings.parse_seconds:g} s wall clock.",
        "",
        "| file | what | answer | worker memory | time | probe's worst latency | then |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        case = r["case"]
        extra = "; " + ", ".join(f"{k}={v:,}" for k, v in case.settings.items()) if case.settings else ""
        lines.append(f"| `{case.label}` ({len(case.data):,} B) | {case.what}{extra} | {_verdict(r['status'], r['code'])} | "
                     f"{_mib(r['peak'])} | {r['seconds']:.2f} s | {_ms(r['probe_worst'])} "
                     f"({r['probes']} probes) | {r['after']} |")
    lines += [
        "",
        "What each answer said:",
        "",
        *(f"* `{r['case'].label}`: {' '.join(r['detail'].split())[:300]}" for r in rows if r["detail"]),
        "",
        f"The price of the isolation, for a tiny document: {inline * 1000:.2f} ms read in-process, "
        f"{isolated * 1000:.1f} ms through a worker (median of 30: the fork from the preloaded forkserver, "
        f"the pickles both ways); the first upload after a start pays {cold:.2f} s while the forkserver "
        "imports the readers (a service starts it when it starts).",
        END,
    ]
    section = "\n".join(lines) + "\n"
    REPORT.parent.mkdir(exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else (
        "# Reliability\n\nFigures of the service under attack and failure (issue 14), each section made by the "
        "script it names.\n\n")
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.write_text(text, encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    for sibling in SIBLINGS:  # the other sections of docs/reliability.md, each written by its own script
        subprocess.run([sys.executable, str(ROOT / "scripts" / sibling)], check=True)


if __name__ == "__main__":
    main()
