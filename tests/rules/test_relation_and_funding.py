"""forbidden_relation (R1), funding_per_resident (F1), pay_floor (P1).

Money is reported in yuan (`actual`, `required_min`) with shortfall 0. The minimum wage is a
region attribute inherited down the tree.
"""

from __future__ import annotations

import pytest

from .conftest import (
    CITY,
    COUNTY,
    MIN_WAGE,
    SECOND,
    STREET,
    F,
    add_community,
    add_relation,
    appoint,
    case,
    change_community,
    change_person,
    change_post,
    change_region,
    check_case,
)

STREET_OFFICE = {"government": "和平桥街道办事处"}


def underpaid(pid: str, pay: float, minimum: float = MIN_WAGE) -> F:
    return F("P1", "error", person=pid, actual=pay, min=minimum)


NO_MIN_WAGE = F("P1", "warning", missing="min_wage_monthly_yuan")

CASES = [
    # R1: government bodies guide, they do not lead
    case("R1 street office leads the residents' committee", add_relation(STREET_OFFICE, "residents_committee", "leads"),
         [F("R1", "error", "residents_committee")]),
    case("R1 领导 written in Chinese, 政府: prefix, 居委会 label",
         add_relation("政府:和平桥街道办事处", "居委会", "领导"), [F("R1", "error", "residents_committee")]),
    case("R1 a department leading the service station", add_relation({"government": "区民政局"}, "service_station", "leads"),
         [F("R1", "error", "service_station")]),
    case("R1 street office guides: fine", add_relation(STREET_OFFICE, "residents_committee", "guides"), []),
    case("R1 street office is assisted: fine", add_relation("residents_committee", STREET_OFFICE, "assists"), []),
    case("R1 party_org leads the residents' committee: fine", add_relation("party_org", "residents_committee", "leads"), []),
    # F1: funding ≥ 20 yuan × population
    case("F1 one yuan short", change_community(office_activity_yuan=159_999),
         [F("F1", "error", actual=159_999, min=160_000)]),
    case("F1 exactly 20 per resident is fine", change_community(office_activity_yuan=160_000), []),
    case("F1 no budget at all: missing-data warning", change_community(budget=None),
         [F("F1", "warning", missing="office_activity_yuan")]),
    case("F1 blank population: missing-data warning", change_community(population=None),
         [F("F1", "warning", actual=160_000, missing="population")]),
    # P1: full-time pay ≥ the region's minimum wage
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


@pytest.mark.parametrize(("edits", "pack", "expected"), CASES)
def test_relation_and_funding(edits, pack, expected) -> None:
    check_case(edits, pack, expected)
