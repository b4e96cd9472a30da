"""pay_floor (P1): a full-time worker's pay ≥ the region's minimum wage.

Money is reported in yuan (`actual`, `required_min`) with shortfall 0. The minimum wage is a
region attribute inherited down the tree.
"""

from __future__ import annotations

from orgmodel.rules.testing import (
    CITY,
    COUNTY,
    MIN_WAGE,
    SECOND,
    STREET,
    F,
    add_community,
    appoint,
    case,
    change_community,
    change_person,
    change_post,
    change_region,
)

KINDS = ("pay_floor",)


def underpaid(pid: str, pay: float, minimum: float = MIN_WAGE) -> F:
    return F("P1", "error", person=pid, actual=pay, min=minimum)


NO_MIN_WAGE = F("P1", "warning", missing="min_wage_monthly_yuan")

CASES = [
    case("P1 a full-time staff member paid 1800", change_person("P11", monthly_pay_yuan=1800), [underpaid("P11", 1800)]),
    case("P1 one finding for a person with two full-time posts", change_person("P01", monthly_pay_yuan=1800),
         [underpaid("P01", 1800)]),
    case("P1 paid exactly the minimum wage is fine", change_person("P11", monthly_pay_yuan=MIN_WAGE), []),
    case("P1 a part-time worker is not checked",
         (change_post("P11", full_time=False), change_person("P11", monthly_pay_yuan=1000)),
         [F("S5", "error", "service_station", "staff", actual=9, min=10, shortfall=1)]),
    case("P1 a worker whose post has ended is not checked",
         (change_post("P19", end="2026-01-01"), change_person("P19", monthly_pay_yuan=1000),
          appoint("N01", "服务站", "工作人员")), []),
    case("P1 the police officer is exempt", change_person("P21", monthly_pay_yuan=1000), []),
    case("P1 the legal envoy is exempt", change_person("P27", monthly_pay_yuan=1000), []),
    case("P1 the police officer's other full-time post is not exempt",
         (appoint("P21", "service_station", "staff"), change_person("P21", monthly_pay_yuan=1000)),
         [underpaid("P21", 1000)]),
    case("P1 blank pay of a full-time worker: missing-data warning", change_person("P11", monthly_pay_yuan=None),
         [F("P1", "warning", person="P11", min=MIN_WAGE, missing="monthly_pay_yuan")]),
    case("P1 no minimum wage anywhere: one warning per community",
         (change_region(COUNTY, min_wage_monthly_yuan=None), change_person("P11", monthly_pay_yuan=1000)), [NO_MIN_WAGE]),
    case("P1 no minimum wage: a warning in each community",
         (add_community(SECOND, "Q"), change_region(COUNTY, min_wage_monthly_yuan=None)),
         [NO_MIN_WAGE, NO_MIN_WAGE._replace(community=SECOND)]),
    case("P1 a community without region: warning", change_community(region=None), [NO_MIN_WAGE]),
    case("P1 minimum wage inherited from the city",
         (change_region(COUNTY, min_wage_monthly_yuan=None), change_region(CITY, min_wage_monthly_yuan=2200),
          change_person("P11", monthly_pay_yuan=2100)), [underpaid("P11", 2100, 2200)]),
    case("P1 the county's minimum wage wins over the city's",
         (change_region(CITY, min_wage_monthly_yuan=2000), change_person("P11", monthly_pay_yuan=2200)),
         [underpaid("P11", 2200)]),
    case("P1 the street's own minimum wage wins over the county's",
         (change_region(STREET, min_wage_monthly_yuan=2200), change_person("P11", monthly_pay_yuan=2100)),
         [underpaid("P11", 2100, 2200)]),
]
