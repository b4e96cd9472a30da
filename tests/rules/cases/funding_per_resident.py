"""funding_per_resident (F1): yearly office and activity funding ≥ 20 yuan × population.

Money is reported in yuan (`actual`, `required_min`) with shortfall 0.
"""

from __future__ import annotations

from orgmodel.rules.testing import F, case, change_community

KINDS = ("funding_per_resident",)

CASES = [
    case("F1 one yuan short", change_community(office_activity_yuan=159_999),
         [F("F1", "error", actual=159_999, min=160_000)]),
    case("F1 exactly 20 per resident is fine", change_community(office_activity_yuan=160_000), []),
    case("F1 no budget at all: missing-data warning", change_community(budget=None),
         [F("F1", "warning", missing="office_activity_yuan")]),
    case("F1 blank population: missing-data warning", change_community(population=None),
         [F("F1", "warning", actual=160_000, missing="population")]),
]
