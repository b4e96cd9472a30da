"""forbidden_relation (R1): government bodies guide and assist a community's units, they do not lead."""

from __future__ import annotations

from orgmodel.rules.testing import F, add_relation, case

KINDS = ("forbidden_relation",)
STREET_OFFICE = {"government": "和平桥街道办事处"}

CASES = [
    case("R1 street office leads the residents' committee", add_relation(STREET_OFFICE, "residents_committee", "leads"),
         [F("R1", "error", "residents_committee")]),
    case("R1 领导 written in Chinese, 政府: prefix, 居委会 label",
         add_relation("政府:和平桥街道办事处", "居委会", "领导"), [F("R1", "error", "residents_committee")]),
    case("R1 a department leading the service station", add_relation({"government": "区民政局"}, "service_station", "leads"),
         [F("R1", "error", "service_station")]),
    case("R1 street office guides: fine", add_relation(STREET_OFFICE, "residents_committee", "guides"), []),
    case("R1 street office is assisted: fine", add_relation("residents_committee", STREET_OFFICE, "assists"), []),
    case("R1 party_org leads the residents' committee: fine", add_relation("party_org", "residents_committee", "leads"), []),
]
