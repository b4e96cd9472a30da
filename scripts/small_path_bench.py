"""The small path against the full pipeline, for one community's report bytes.

    .venv/bin/python scripts/small_path_bench.py [--calls 2000] [--pipeline-calls 200] [--rules nantong]

Both start from the decoded document (what the HTTP API has after `json.loads`) and end with
the report's bytes; the two must be equal, or the script stops. Medians per call: the
machine may be shared, and the median stands still where the mean would not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from orgmodel import small
from orgmodel.check import check
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hongqiao.json"
AS_OF = dt.date(2026, 11, 25)


def median_ms(calls: int, call: Callable[[], object]) -> float:
    for _ in range(min(calls, 20)):  # warm caches (the pack's plan, the spellings read)
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="calls of the small path")
    parser.add_argument("--pipeline-calls", type=int, default=200, help="calls of the full pipeline (about 70 ms each)")
    parser.add_argument("--rules", default="nantong")
    parser.add_argument("--document", type=Path, default=EXAMPLE)
    args = parser.parse_args()

    document = json.loads(args.document.read_bytes())
    pack = load_pack(args.rules)

    def fast() -> bytes | None:
        return small.report_bytes(document, pack, AS_OF)

    def full() -> bytes:
        roster, _ = normalize.load(read_document(document, "request"))
        return build_report(check(roster, pack, AS_OF)).to_bytes()

    answer = fast()
    if answer is None:
        raise SystemExit(f"{args.document} is outside the small path")
    if answer != full():
        raise SystemExit("the small path's bytes differ from the pipeline's")
    small_ms = median_ms(args.calls, fast)
    full_ms = median_ms(args.pipeline_calls, full)
    print(f"{args.document.name}, pack {pack.id}, as of {AS_OF}: {len(answer)} bytes of report")
    print(f"small path     median {small_ms * 1000:8.1f} µs per call  ({args.calls} calls)")
    print(f"full pipeline  median {full_ms * 1000:8.1f} µs per call  ({args.pipeline_calls} calls)")
    print(f"ratio          {full_ms / small_ms:8.0f} ×")


if __name__ == "__main__":
    main()
