"""Interleaved runs of the bench's command from several checkouts: medians and ratios in one run.

    git worktree add /tmp/before b9fe01f
    python scripts/bench_compare.py --repeat 3 \\
        before=/tmp/before:/tmp/bench-before/synthetic-100000-1 \\
        now=.:/tmp/orgmodel-bench/synthetic-100000-1 [--rules FILE]

A run may name its own pack file after its data (NAME=TREE:DATA:RULES), as when today's code
checks yesterday's data with yesterday's pack, which tells a change in the code from one in
the data.

Each NAME=TREE:DATA runs `python -m orgmodel.cli check DATA --format json --output F` with TREE
as its working directory (so TREE's orgmodel is the one imported), one run of each in turn, so
that a shared, noisy machine slows them alike. DATA is a folder made by
`python -m orgmodel.dev.bench --data DIR` in that tree (each tree's generator makes its own data).
The last lines give the median wall and CPU seconds of each and the ratio to the first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(tree: Path, data: Path, output: Path, rules: str | None) -> tuple[float, float]:
    command = [sys.executable, "-m", "orgmodel.cli", "check", str(data), "--format", "json", "--output", str(output),
               "--as-of", "2026-11-25", *(["--rules", rules] if rules else [])]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{tree}: orgmodel check failed:\n{process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", metavar="NAME=TREE:DATA[:RULES]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rules", help="a pack file every tree checks with (default: each tree's nantong)")
    args = parser.parse_args(argv)
    runs = []
    for spec in args.runs:
        name, _, place = spec.partition("=")
        tree, _, data = place.partition(":")
        data, _, rules = data.partition(":")
        runs.append((name, Path(tree).resolve(), Path(data).resolve(), str(Path(rules).resolve()) if rules else args.rules))
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in runs}
    out = Path(tempfile.mkdtemp())
    for i in range(args.repeat):
        for name, tree, data, rules in runs:
            wall, cpu = _run(tree, data, out / f"{name}.json", rules)
            times[name].append((wall, cpu))
            print(f"run {i + 1} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    first = runs[0][0]
    base_wall = statistics.median(w for w, _ in times[first])
    base_cpu = statistics.median(c for _, c in times[first])
    for name, *_ in runs:
        wall = statistics.median(w for w, _ in times[name])
        cpu = statistics.median(c for _, c in times[name])
        print(f"{name:>12}: median {wall:.2f} s wall ({wall / base_wall:.2f}×), {cpu:.2f} s CPU ({cpu / base_cpu:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
