"""body_size: S2 (party_org) and S3 (residents_committee), 5–9 urban / 5–7 rural.

Distinct persons holding the head, deputy or 委员 posts; a 大学生村官 or an `other` post does
not count. Below min: error, seats booked as `<unit>.member`; above max: warning, shortfall 0.
"""

from __future__ import annotations

from orgmodel.rules.testing import F, appoint, case, change_post, dismiss, rural


def party(actual: int, *, max: int = 9, shortfall: int = 0, severity: str = "error") -> F:
    return F("S2", severity, "party_org", "member", actual=actual, min=5, max=max, shortfall=shortfall)


def committee(actual: int, *, min: int = 5, max: int = 9, shortfall: int = 0, severity: str = "error") -> F:
    return F("S3", severity, "residents_committee", "member", actual=actual, min=min, max=max, shortfall=shortfall)


def extra_members(unit: str, count: int) -> tuple:
    return tuple(appoint(f"N{n:02d}", unit, "member") for n in range(count))


KINDS = ("body_size",)

CASES = [
    # S2
    case("S2 urban 4 members: short by 1", dismiss("P05"), [party(4, shortfall=1)]),
    case("S2 urban 3 members: short by 2", (dismiss("P04"), dismiss("P05")), [party(3, shortfall=2)]),
    case("S2 urban 9 members is the maximum", extra_members("party_org", 4), []),
    case("S2 urban 10 members: warning, no shortfall", extra_members("party_org", 5), [party(10, severity="warning")]),
    case("S2 rural 7 members is the maximum", (rural(), *extra_members("party_org", 2)), []),
    case("S2 rural 8 members: warning", (rural(), *extra_members("party_org", 3)),
         [party(8, max=7, severity="warning")]),
    case("S2 副书记 who is also 委员 counts once", (dismiss("P05"), appoint("P02", "party_org", "member")),
         [party(4, shortfall=1)]),
    case("S2 书记兼主任 compound post counts in both bodies",
         (dismiss("P01"), appoint("P01", "党组织", "书记兼主任")), []),
    case("S2 书记、主任 written in the committee's row counts in both bodies",
         (dismiss("P01"), appoint("P01", "居委会", "书记、主任")), []),
    case("S2 书记/主任 written in the party's row counts in both bodies",
         (dismiss("P01"), appoint("P01", "党委", "书记/主任")), []),
    case("S2 书记兼网格员: the 书记 part counts, the unknown part is `other`",
         (dismiss("P01", "party_org"), appoint("P01", "党组织", "书记兼网格员")), []),
    case("S2 an `other` post (组织委员) does not count", (dismiss("P05"), appoint("P05", "党委", "组织委员")),
         [party(4, shortfall=1)]),
    case("S2 part-time members count", change_post("P05", full_time=False), []),
    # S3
    case("S3 urban 4 members: short by 1", dismiss("P09"), [committee(4, shortfall=1)]),
    case("S3 urban 10 members: warning", extra_members("residents_committee", 5), [committee(10, severity="warning")]),
    case("S3 rural 8 members: warning", (rural(), *extra_members("residents_committee", 3)),
         [committee(8, max=7, severity="warning")]),
    case("S3 rural 4 members: short by 1", (rural(), dismiss("P09")), [committee(4, max=7, shortfall=1)]),
    case("S3 a 大学生村官 does not count", (dismiss("P09"), appoint("P09", "residents_committee", "student_official")),
         [committee(4, shortfall=1)]),
    case("S3 an `other` post (网格员) does not count", (dismiss("P09"), appoint("P09", "居委会", "网格员")),
         [committee(4, shortfall=1)]),
    case("S3 a member of the party_org only does not count", (dismiss("P09"), appoint("P09", "party_org", "member")),
         [committee(4, shortfall=1)]),
    case("S3 主任 who is also 委员 counts once", (dismiss("P09"), appoint("P01", "residents_committee", "member")),
         [committee(4, shortfall=1)]),
    case("S3 rural 3 members under nantong: short by 2", (rural(), dismiss("P08"), dismiss("P09")),
         [committee(3, max=7, shortfall=2)]),
    # cn-law overrides S3's numbers: a villagers' committee has 3–7 members
    case("cn-law S3 rural 3 members is fine", (rural(), dismiss("P08"), dismiss("P09")), [], pack="cn-law"),
    case("cn-law S3 rural 2 members: short by 1", (rural(), dismiss("P07"), dismiss("P08"), dismiss("P09")),
         [committee(2, min=3, max=7, shortfall=1)], pack="cn-law"),
    case("cn-law S3 rural 8 members: warning", (rural(), *extra_members("residents_committee", 3)),
         [committee(8, min=3, max=7, severity="warning")], pack="cn-law"),
    case("cn-law S3 urban 4 members: still 5–9", dismiss("P09"), [committee(4, shortfall=1)], pack="cn-law"),
    case("cn-law S2 rural keeps nantong's 5–7", (rural(), dismiss("P05")), [party(4, max=7, shortfall=1)], pack="cn-law"),
]

