"""task_category_known (T1), task_forbidden (T2), task_requirements (T3, T4): the work list.

A blank or unknown category is a T1 finding, not an input error. A blank yes/no item is
missing data (a warning); a missing document number is an error. Absent tasks mean none.
"""

from __future__ import annotations

from dataclasses import replace

from orgmodel.rules.testing import Case, F, add_task, case

KINDS = ("task_category_known", "task_forbidden", "task_requirements")


def with_workload(c: Case) -> Case:
    """Every case hands tasks to the community, so T5 (task_count, whose own table is
    cases/task_count.py) gives its info figure too: one per community, the tasks counted."""
    return replace(c, expected=[*c.expected, F("T5", "info", actual=len(c.document()["communities"][0]["tasks"]))])


CASES = [
    # T1
    case("T1 blank category", add_task(None), [F("T1", "error")]),
    case("T1 unknown category", add_task("临时交办"), [F("T1", "error")]),
    case("T1 own_duty is known", add_task("own_duty"), []),
    case("T1 自治本职 label is known", add_task("自治本职"), []),
    # T2
    case("T2 government_duty handed down", add_task("government_duty"), [F("T2", "error")]),
    case("T2 政府职责 label", add_task("政府职责"), [F("T2", "error")]),
    # T3: assist needs approval, authorisation and funding
    case("T3 complete assist task", add_task("assist"), []),
    case("T3 协助政府 label, complete", add_task("协助政府"), []),
    case("T3 approved false", add_task("assist", approved=False), [F("T3", "error")]),
    case("T3 approved 否", add_task("assist", approved="否"), [F("T3", "error")]),
    case("T3 approved blank: missing-data warning", add_task("assist", approved=None),
         [F("T3", "warning", missing="approved")]),
    case("T3 no authorization", add_task("assist", authorization=None), [F("T3", "error")]),
    case("T3 funded false", add_task("assist", funded=False), [F("T3", "error")]),
    case("T3 funded blank: missing-data warning", add_task("assist", funded=None), [F("T3", "warning", missing="funded")]),
    case("T3 one error per missing item", add_task("assist", approved=False, funded=False, authorization=None),
         [F("T3", "error")] * 3),
    case("T3 each task is checked", (add_task("assist", approved=False), add_task("assist", authorization=None)),
         [F("T3", "error")] * 2),
    case("T3 does not apply to own_duty", add_task("own_duty", approved=False, funded=False, authorization=None), []),
    # T4: other needs a purchase-of-service contract
    case("T4 other without purchase contract", add_task("other", purchase_contract=None), [F("T4", "error")]),
    case("T4 其他 label without purchase contract", add_task("其他", purchase_contract=None), [F("T4", "error")]),
    case("T4 other with purchase contract", add_task("other"), []),
    case("T4 does not apply to assist", add_task("assist", purchase_contract=None), []),
]
CASES = [with_workload(c) for c in CASES]
