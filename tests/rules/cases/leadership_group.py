"""group_exists (LG1) and group_offices (LG2–LG4): the city's “政社互动” leadership group.

Region-level findings (the city's region id, no community), only when the roster carries
leadership-group data for some region. Offices are read from the titles offices write.
"""

from __future__ import annotations

from orgmodel.rules.testing import CITY, COUNTY, F, add_other_county, case, change_region, leadership_group

KINDS = ("group_exists", "group_offices")

FULL = (("组长", "市委书记"), ("副组长", "市长"), ("副组长", "市委副书记"), ("副组长", "市委政法委书记"),
        ("成员", "市依治办主任"), ("成员", "市民政局局长"), ("成员", "市政府法制办主任"), ("成员", "市财政局局长"))


def region(rule: str, severity: str, detail: str | None, where: str = CITY) -> F:
    return F(rule, severity, community=None, region=where, detail=detail)


def no_group(where: str = CITY) -> F:
    return F("LG1", "warning", actual=0, min=1, community=None, region=where, detail=None)


def without(*titles: str) -> tuple[tuple[str, str | None], ...]:
    return tuple(m for m in FULL if m[1] not in titles)


CASES = [
    case("LG no leadership data anywhere: nothing", (), []),
    case("LG a complete group", leadership_group(*FULL), []),
    case("LG 司法局局长 stands for the 法制办", leadership_group(*without("市政府法制办主任"), ("成员", "市司法局局长")), []),
    case("LG2 the mayor leads: error naming the office", leadership_group(("组长", "市长"), *without("市委书记")),
         [region("LG2", "error", "government_head")]),
    case("LG2 no leader: vacant", leadership_group(*without("市委书记")), [region("LG2", "error", "vacant")]),
    case("LG2 the Party secretary as a deputy is no leader",
         leadership_group(*without("市委书记"), ("副组长", "市委书记")), [region("LG2", "error", "vacant")]),
    case("LG3 one finding per deputy office missing", leadership_group(*without("市委副书记", "市委政法委书记")),
         [region("LG3", "error", "deputy_party_secretary"), region("LG3", "error", "political_legal_secretary")]),
    case("LG3 the mayor as a plain member is no deputy",
         leadership_group(*without("市长"), ("成员", "市长")), [region("LG3", "error", "government_head")]),
    case("LG4 the civil-affairs head missing: warning", leadership_group(*without("市民政局局长")),
         [region("LG4", "warning", "civil_affairs_head")]),
    case("LG4 an office among the deputies counts",
         leadership_group(*without("市依治办主任"), ("副组长", "依法治市办主任")), []),
    case("LG4 all three missing", leadership_group(*without("市依治办主任", "市民政局局长", "市政府法制办主任")),
         [region("LG4", "warning", o) for o in ("rule_of_law_office_head", "civil_affairs_head", "legal_affairs_head")]),
    case("LG1 a group only for the county: the city has none",
         leadership_group(("组长", "区委书记"), ("副组长", "区长"), ("副组长", "区委副书记"), ("副组长", "区委政法委书记"),
                          ("成员", "区依治办主任"), ("成员", "区民政局局长"), ("成员", "区司法局局长"), region=COUNTY),
         [no_group()]),
    case("LG a group's name", leadership_group(*without("市长"), name="南通市“政社互动”领导小组"),
         [region("LG3", "error", "government_head")]),
    case("LG1 a second county changes nothing", (add_other_county(), leadership_group(*FULL)), []),
    case("LG1 a second city without its group",
         (leadership_group(*FULL), change_region(COUNTY, name="崇川区"),
          lambda doc: doc["regions"].append({"id": "320500", "name": "苏州市", "level": "city"})),
         [no_group("320500")]),
]
