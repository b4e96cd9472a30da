"""role_holders: S4 (one head each), G1–G6 (the governance office's team), A1, A2.

The as-of date is checked here too: the check runs as of 2026-11-25 (`testing.AS_OF`) and a
security guard's post (G4) is moved around it.

Counts are of people holding the role; G3/G4 count full-time holders only and give a
warning (shortfall 0) for each part-time one; a blank 专职 is part-time.
"""

from __future__ import annotations

from orgmodel.rules.testing import Edit, F, add_unit, appoint, case, change_post, dismiss, relabel


def governance(rule: str, role: str, actual: int, minimum: int) -> F:
    return F(rule, "error", "governance_office", role, actual=actual, min=minimum, shortfall=minimum - actual)


def part_time(rule: str, role: str, pid: str) -> F:
    return F(rule, "warning", "governance_office", role, pid, min=2)


def head(unit: str, role: str, actual: int) -> F:
    return F("S4", "error", unit, role, actual=actual, min=1, max=1)


KINDS = ("role_holders",)

CASES = [
    # S4: exactly one 书记 and one 主任; shortfall 0 (S2/S3 count seats)
    case("S4 no 书记 in a full party_org: error, shortfall 0",
         (dismiss("P01", "party_org"), appoint("N01", "party_org", "member")), [head("party_org", "secretary", 0)]),
    case("S4 two 主任: error actual 2", appoint("P06", "residents_committee", "director"),
         [head("residents_committee", "director", 2)]),
    case("S4 two 书记: error actual 2", appoint("P02", "party_org", "secretary"), [head("party_org", "secretary", 2)]),
    case("S4 no 主任 in a short committee: S3 books the seat",
         dismiss("P01", "residents_committee"),
         [head("residents_committee", "director", 0),
          F("S3", "error", "residents_committee", "member", actual=4, min=5, max=9, shortfall=1)]),
    case("S4 a 主任 of the supervisory committee is no head of the residents' committee",
         (dismiss("P01", "residents_committee"), appoint("P01", "residents_committee", "member"),
          appoint("N01", "supervisory_committee", "director")),
         [head("residents_committee", "director", 0)]),
    case("S4 a part-time 主任 is the head", change_post("P01", "residents_committee", full_time=False), []),
    # G1, G2, G5, G6: at least one, need not be full-time
    case("G1 no 综治专干", dismiss("P20"), [governance("G1", "governance_specialist", 0, 1)]),
    case("G1 a part-time 综治专干 counts", change_post("P20", full_time=False), []),
    case("G1 two 综治专干 are fine", appoint("N01", "综治办", "专干"), []),
    case("G2 no 驻村(居)民警", dismiss("P21"), [governance("G2", "resident_police", 0, 1)]),
    case("G2 社区民警 is the same post", (dismiss("P21"), appoint("P21", "综治中心", "社区民警")), []),
    case("G2 a part-time 民警 counts", change_post("P21", full_time=False), []),
    case("G5 no 大学生综治社工", dismiss("P26"), [governance("G5", "student_social_worker", 0, 1)]),
    case("G5 a part-time 综治社工 counts", change_post("P26", full_time=False), []),
    case("G6 no 综治特派员", dismiss("P27"), [governance("G6", "legal_envoy", 0, 1)]),
    case("G6 a part-time 综治特派员 counts", change_post("P27", full_time=False), []),
    # G3, G4: at least two full-time
    case("G3 one full-time and one part-time mediator", change_post("P23", full_time=False),
         [governance("G3", "mediator", 1, 2), part_time("G3", "mediator", "P23")]),
    case("G3 blank 专职 is part-time", change_post("P22", full_time=None),
         [governance("G3", "mediator", 1, 2), part_time("G3", "mediator", "P22")]),
    case("G3 two part-time mediators", (change_post("P22", full_time=False), change_post("P23", full_time=False)),
         [governance("G3", "mediator", 0, 2), part_time("G3", "mediator", "P22"), part_time("G3", "mediator", "P23")]),
    case("G3 one mediator", dismiss("P23"), [governance("G3", "mediator", 1, 2)]),
    case("G3 two full-time plus a part-time one: only the warning",
         appoint("N01", "governance_office", "mediator", full_time=False), [part_time("G3", "mediator", "N01")]),
    case("G3 label variants 调解员 and 人民调解员 both count",
         (relabel("P22", "调解员"), relabel("P23", "人民调解员")), []),
    case("G3 label variants 专职调解员 and 专职人民调解员 both count",
         (relabel("P22", "专职调解员"), relabel("P23", "专职人民调解员")), []),
    case("G3 one person with two mediator rows counts once",
         (dismiss("P23"), appoint("P22", "综治办", "调解员")), [governance("G3", "mediator", 1, 2)]),
    case("G4 one full-time guard", dismiss("P25"), [governance("G4", "security_guard", 1, 2)]),
    case("G4 one full-time and one part-time guard", change_post("P25", full_time=False),
         [governance("G4", "security_guard", 1, 2), part_time("G4", "security_guard", "P25")]),
    case("G4 label variant 保安员 counts", relabel("P24", "保安员"), []),
    # A1: a civil-affairs station has an assistant (only where the station exists)
    case("A1 a declared civil_affairs_station without 民政协理员", add_unit("civil_affairs_station"),
         [F("A1", "warning", "civil_affairs_station", "civil_affairs_assistant", actual=0, min=1, shortfall=1)]),
    case("A1 a civil_affairs_station with only a 站长", appoint("N01", "民政服务站", "站长"),
         [F("A1", "warning", "civil_affairs_station", "civil_affairs_assistant", actual=0, min=1, shortfall=1)]),
    case("A1 a civil_affairs_station with a 民政协理员", appoint("N01", "民政站", "协理员", full_time=False), []),
    # A2: a 大学生村官 per community
    case("A2 no 大学生村官", dismiss("P28"),
         [F("A2", "warning", "residents_committee", "student_official", actual=0, min=1, shortfall=1)]),
    case("A2 a part-time 村官 counts", change_post("P28", full_time=False), []),
]

ONE_GUARD_SHORT = [F("G4", "error", "governance_office", "security_guard", actual=1, min=2, shortfall=1)]


def guard(**dates: str) -> Edit:
    return change_post("P25", **dates)


AS_OF_CASES = [  # a post counts when start ≤ as_of ≤ end, both inclusive, either blank
    case("ended the day before", guard(end="2026-11-24"), ONE_GUARD_SHORT),
    case("ends on the day: counts", guard(end="2026-11-25"), []),
    case("starts the day after", guard(start="2026-11-26"), ONE_GUARD_SHORT),
    case("starts on the day: counts", guard(start="2026-11-25"), []),
    case("one-day post on the day: counts", guard(start="2026-11-25", end="2026-11-25"), []),
    case("in force over the day: counts", guard(start="2024-01-01", end="2027-12-31"), []),
    case("a past term", guard(start="2020-01-01", end="2023-12-31"), ONE_GUARD_SHORT),
    case("Chinese date spelling", guard(end="2026年11月24日"), ONE_GUARD_SHORT),
]
CASES += AS_OF_CASES
