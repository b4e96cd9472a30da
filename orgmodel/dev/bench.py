"""Benchmark the whole `orgmodel check DIR --format json --output FILE` at national scale.

    python -m orgmodel.dev.bench --communities 10000 100000 [--repeat 3] [--data /tmp/orgmodel-bench]

For each size: generate a deterministic synthetic roster in the CSV format (once, cached),
run the real command in a fresh process `--repeat` times, and print the median wall time,
communities per second and the peak memory of the process (its max RSS, from wait4).
The last line compares the sizes as a ratio measured in the same run, because these
machines are shared and noisy: 10× the data should take ≤ 11× the time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orgmodel.dev import synth


def _dataset(root: Path, communities: int, seed: int) -> Path:
    folder = root / f"synthetic-{communities}-{seed}"
    done = folder / ".complete"
    if not done.exists():
        print(f"generating {communities:,} communities in {folder} …", file=sys.stderr)
        synth.write_synthetic(folder, communities, seed)
        done.touch()
    return folder


def _run_once(folder: Path, output: Path, as_of: str) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in MiB, CPU seconds) of one `orgmodel check` in its own process."""
    command = [sys.executable, "-m", "orgmodel.cli", "check", str(folder), "--format", "json",
               "--output", str(output), "--as-of", as_of]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        raise SystemExit(f"orgmodel check failed with exit code {code}:\n{stderr}")
    return elapsed, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-25")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "orgmodel-bench")
    args = parser.parse_args(argv)

    medians: dict[int, float] = {}
    print(f"{'communities':>12} {'appointments':>13} {'median s':>9} {'runs (s)':>24} {'communities/s':>14} "
          f"{'peak MiB':>9} {'CPU s':>6}")
    for size in args.communities:
        folder = _dataset(args.data, size, args.seed)
        rows = sum(1 for _ in (folder / "人员.csv").open("rb")) - 1
        output = folder.parent / f"report-{size}.json"
        runs = [_run_once(folder, output, args.as_of) for _ in range(args.repeat)]
        times = [t for t, _, _ in runs]
        median = statistics.median(times)
        medians[size] = median
        peak = max(m for _, m, _ in runs)
        cpu = statistics.median(c for _, _, c in runs)
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{size:>12,} {rows:>13,} {median:>9.2f} {shown:>24} {size / median:>14,.0f} {peak:>9,} {cpu:>6.2f}")
    sizes = sorted(medians)
    for small, large in itertools.pairwise(sizes):
        ratio = medians[large] / medians[small]
        print(f"scaling {small:,} → {large:,}: {large / small:.0f}× the data took {ratio:.2f}× the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
