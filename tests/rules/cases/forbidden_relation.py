"""forbidden_relation (R1): government bodies guide and assist a community's units, they do not lead.

With a unit as the source (the `unit-sources.yaml` pack: R1S, the station leads nothing; R1M,
the committee manages nothing) both engines decide on the structure graph without people:
the units it holds are the declared ones and the ends of relations, not the staffed ones, and
the standing relations (居委会 manages 服务站) join the declared ones between them.
"""

from __future__ import annotations

from pathlib import Path

from orgmodel.rules.testing import BASE, SECOND, Doc, Edit, F, add_community, add_relation, add_unit, case, rural

KINDS = ("forbidden_relation",)
STREET_OFFICE = {"government": "和平桥街道办事处"}
CIVIL_AFFAIRS = {"government": "区民政局"}
UNIT_SOURCES = str(Path(__file__).with_name("unit-sources.yaml"))


def named_unit(kind: str, name: str) -> Edit:
    """A declared unit with a name of its own, which the graph labels it by."""
    def edit(doc: Doc) -> None:
        next(c for c in doc["communities"] if c["id"] == BASE).setdefault("units", []).append({"kind": kind, "name": name})
    return edit


def station_leads(unit: str, detail: str = "社区管理服务站", community: str = BASE) -> F:
    return F("R1S", "error", unit, detail=detail, community=community)


def committee_manages(unit: str, detail: str = "社区居民委员会") -> F:
    return F("R1M", "warning", unit, detail=detail)


def government_leads(unit: str, body: str = "和平桥街道办事处") -> F:
    return F("R1", "error", unit, detail=body)


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
    case("R1 two bodies leading one unit: by the body's name, the detail names it",
         (add_relation(STREET_OFFICE, "residents_committee", "leads"),
          add_relation(CIVIL_AFFAIRS, "residents_committee", "leads")),
         [government_leads("residents_committee"), government_leads("residents_committee", "区民政局")]),
    case("R1 the same relation declared twice: two findings",
         (add_relation(STREET_OFFICE, "service_station", "leads"), add_relation(STREET_OFFICE, "服务站", "领导")),
         [government_leads("service_station"), government_leads("service_station")]),
    case("R1 a body leading a body: no community unit, fine", add_relation(STREET_OFFICE, CIVIL_AFFAIRS, "leads"), []),
    # a unit as the source
    case("R1S the station leads the residents' committee", add_relation("service_station", "residents_committee", "leads"),
         [station_leads("residents_committee")], pack=UNIT_SOURCES),
    case("R1S the station's declared name is the detail",
         (named_unit("service_station", " 虹桥党群服务中心 "), add_relation("服务站", "居委会", "领导")),
         [station_leads("residents_committee", "虹桥党群服务中心")], pack=UNIT_SOURCES),
    case("R1S a declared unit without a name keeps its code's label",
         (add_unit("service_station"), named_unit("service_station", "后来的名字"),
          add_relation("service_station", "party_org", "leads")),
         [station_leads("party_org")], pack=UNIT_SOURCES),
    case("R1S leading a government body: no community unit, fine",
         add_relation("service_station", STREET_OFFICE, "leads"), [], pack=UNIT_SOURCES),
    case("R1S the station guides: fine", add_relation("service_station", "residents_committee", "guides"), [],
         pack=UNIT_SOURCES),
    case("R1S declared twice: two findings",
         (add_relation("service_station", "governance_office", "leads"),
          add_relation("service_station", "governance_office", "leads")),
         [station_leads("governance_office"), station_leads("governance_office")], pack=UNIT_SOURCES),
    case("R1S applies to urban communities only", (rural(), add_relation("service_station", "party_org", "leads")),
         [], pack=UNIT_SOURCES),
    case("R1S in two communities, each its own",
         (add_community(SECOND, "Q"), add_relation("service_station", "party_org", "leads", community=SECOND),
          add_relation("service_station", "residents_committee", "leads")),
         [station_leads("residents_committee"), station_leads("party_org", community=SECOND)], pack=UNIT_SOURCES),
    case("R1S beside R1: a body leads the station, the station leads the committee",
         (add_relation(STREET_OFFICE, "service_station", "leads"),
          add_relation("service_station", "residents_committee", "leads")),
         [government_leads("service_station"), station_leads("residents_committee")], pack=UNIT_SOURCES),
    case("R1M the committee manages the owners' committee; the staffed station is not in the graph",
         add_relation("residents_committee", "owners_committee", "manages"),
         [committee_manages("owners_committee")], pack=UNIT_SOURCES),
    case("R1M a declared station adds the standing 管理 of it",
         (add_unit("service_station"), add_relation("residents_committee", "owners_committee", "manages")),
         [committee_manages("owners_committee"), committee_manages("service_station")], pack=UNIT_SOURCES),
    case("R1M the standing relation declared: one edge, not two",
         add_relation("residents_committee", "service_station", "manages"),
         [committee_manages("service_station")], pack=UNIT_SOURCES),
    case("R1M a rural community: the village committee's label",
         (rural(), add_relation("residents_committee", "owners_committee", "manages")),
         [committee_manages("owners_committee", "村民委员会")], pack=UNIT_SOURCES),
    case("R1M a declared station without a 管理 from the committee: fine",
         (add_unit("service_station"), add_relation("residents_committee", "service_station", "supervises")), [],
         pack=UNIT_SOURCES),
    case("R1M a body managing the committee: the committee is not the source",
         add_relation(STREET_OFFICE, "residents_committee", "manages"), [], pack=UNIT_SOURCES),
]
