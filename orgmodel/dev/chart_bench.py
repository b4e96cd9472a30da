"""Benchmark the charts against the issue's budgets: a community chart in ≤ 150 ms (svg), a
1,000-community overview in ≤ 5 s.

    python -m orgmodel.dev.chart_bench [--communities 1000] [--repeat 7] [--data /tmp/orgmodel-bench]

Times, as medians of `--repeat` runs in this process (the roster read and checked once):
the community chart of examples/hongqiao.json from the check's result to svg bytes, split into
building the DOT source and running `dot`; the overview of a synthetic region of
`--communities` communities (generated once, cached, as `python -m orgmodel.dev.bench` does) to
svg, pdf and png; and the whole `orgmodel render … --region` command in a fresh process, read
and check included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from orgmodel.charts import community_chart, region_overview, render
from orgmodel.check import CheckResult, check
from orgmodel.dev import synth
from orgmodel.input import normalize, readers
from orgmodel.rules.pack import load_pack

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hongqiao.json"
AS_OF = "2026-11-25"


def _median_ms(work: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), runs


def _checked(path: Path) -> CheckResult:
    roster, _ = normalize.load(readers.read_roster(path))
    return check(roster, load_pack("nantong"), dt.date.fromisoformat(AS_OF))


def _line(what: str, median: float, runs: list[float], budget: float | None = None) -> None:
    verdict = "" if budget is None else ("  ok" if median <= budget else f"  OVER {budget:g} ms")
    shown = " ".join(f"{r:.0f}" for r in runs)
    print(f"{what:<56} {median:>9.1f} ms   runs: {shown}{verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "orgmodel-bench")
    args = parser.parse_args(argv)

    result = _checked(EXAMPLE)
    community = result.roster.communities["id"][0]
    render(community_chart(result, community), "svg")  # warm: the font probe runs once per process
    _line("community chart: DOT source", *_median_ms(lambda: community_chart(result, community), args.repeat))
    source = community_chart(result, community)
    _line("community chart: dot -Tsvg", *_median_ms(lambda: render(source, "svg"), args.repeat))
    _line("community chart: result → svg bytes", *_median_ms(lambda: render(community_chart(result, community), "svg"),
                                                             args.repeat), budget=150)

    folder = args.data / f"synthetic-{args.communities}-{args.seed}"
    if not (folder / ".complete").exists():
        print(f"generating {args.communities:,} communities in {folder} …", file=sys.stderr)
        synth.write_synthetic(folder, args.communities, args.seed)
        (folder / ".complete").touch()
    big = _checked(folder)
    root = big.roster.regions.filter(big.roster.regions["parent"].is_null())["id"][0]
    n = big.roster.communities.height
    _line(f"overview of {n:,} communities: DOT source", *_median_ms(lambda: region_overview(big, root), args.repeat))
    overview = region_overview(big, root)
    for fmt in ("svg", "pdf", "png"):
        def draw(fmt: str = fmt) -> bytes:
            return render(region_overview(big, root), fmt)
        _line(f"overview of {n:,} communities: result → {fmt}", *_median_ms(draw, max(3, args.repeat // 2)), budget=5000)
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "orgmodel.cli", "render", str(folder), "--region", root, "--as-of", AS_OF,
                   "-o", str(Path(tmp) / "overview.svg")]
        _line(f"orgmodel render --region (read + check + svg, {n:,})",
              *_median_ms(lambda: subprocess.run(command, check=True), max(3, args.repeat // 2)), budget=5000)
    print(f"overview DOT source: {len(overview):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
