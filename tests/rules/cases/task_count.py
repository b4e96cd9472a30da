"""task_count (T5): the workload handed to a community, an info figure; only when the roster
carries tasks. `detail` counts the tasks by category."""

from __future__ import annotations

from pathlib import Path

from orgmodel.rules.testing import SECOND, F, add_community, add_task, case

CAPPED = Path(__file__).with_name("workload-cap.yaml")  # nantong with T5's max at 3

KINDS = ("task_count",)


def workload(actual: int, detail: str | None, community: str | None = None) -> F:
    found = F("T5", "info", actual=actual, detail=detail)
    return found if community is None else found._replace(community=community)


CASES = [
    case("T5 no tasks anywhere: nothing", (), []),
    case("T5 one own-duty task", add_task("own_duty"), [workload(1, "own_duty:1")]),
    case("T5 counts by category in the vocabulary's order",
         (add_task("assist"), add_task("own_duty"), add_task("assist"), add_task("other")),
         [workload(4, "own_duty:1,assist:2,other:1")]),
    case("T5 a blank category is counted as unknown (T1 names it)",
         (add_task(None), add_task("own_duty")), [F("T1", "error"), workload(2, "own_duty:1,unknown:1")]),
    case("T5 a community without tasks, beside one with: 0",
         (add_task("own_duty"), add_community(SECOND, "Q")),
         [workload(1, "own_duty:1"), workload(0, None, SECOND)]),
    case("T5 above the pack's max: a warning", tuple(add_task("own_duty") for _ in range(4)),
         [F("T5", "warning", actual=4, max=3, detail="own_duty:4")], pack=str(CAPPED)),
    case("T5 at the pack's max: info", tuple(add_task("own_duty") for _ in range(3)),
         [F("T5", "info", actual=3, max=3, detail="own_duty:3")], pack=str(CAPPED)),
]
