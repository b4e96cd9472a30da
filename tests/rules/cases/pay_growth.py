"""pay_growth (P2): a full-time worker's pay rises year by year.

A worker whose pay is not above last year's gets one warning (`detail` flat or cut); without
last year's figure nothing is said (it is not missing data); P1's exemptions hold.
"""

from __future__ import annotations

from orgmodel.rules.testing import F, case, change_person, change_post

KINDS = ("pay_growth",)


def stalled(pid: str, pay: float, before: float, detail: str) -> F:
    return F("P2", "warning", person=pid, actual=pay, min=before, detail=detail)


CASES = [
    case("P2 no last year's pay anywhere: nothing", (), []),
    case("P2 a rise is fine", change_person("P11", previous_monthly_pay_yuan=2800), []),
    case("P2 pay cut from 3200 to 3000", change_person("P11", previous_monthly_pay_yuan=3200),
         [stalled("P11", 3000, 3200, "cut")]),
    case("P2 pay flat at 3000", change_person("P11", previous_monthly_pay_yuan=3000),
         [stalled("P11", 3000, 3000, "flat")]),
    case("P2 one finding for a person with two full-time posts", change_person("P01", previous_monthly_pay_yuan=5000),
         [stalled("P01", 5000, 5000, "flat")]),
    case("P2 a part-time worker is not checked",
         (change_post("P11", full_time=False), change_person("P11", previous_monthly_pay_yuan=4000)),
         [F("S5", "error", "service_station", "staff", actual=9, min=10, shortfall=1)]),
    case("P2 the police officer is exempt",
         change_person("P21", monthly_pay_yuan=3000, previous_monthly_pay_yuan=3500), []),
    case("P2 last year's pay without this year's: nothing (P1 asks for the pay)",
         change_person("P11", monthly_pay_yuan=None, previous_monthly_pay_yuan=3000),
         [F("P1", "warning", person="P11", min=2280, missing="monthly_pay_yuan")]),
    case("P2 two workers, one cut and one flat",
         (change_person("P12", previous_monthly_pay_yuan=3100), change_person("P13", previous_monthly_pay_yuan=3000)),
         [stalled("P12", 3000, 3100, "cut"), stalled("P13", 3000, 3000, "flat")]),
]
