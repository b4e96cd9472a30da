"""unit_exists: S1, the four core units (declared, or with a post active on the as-of date).

When a core unit is missing its seat and role minimums still fire with actual 0, so the
hiring plan counts every missing post (domain.md §4).
"""

from __future__ import annotations

from orgmodel.rules.testing import BASE, Doc, Edit, F, add_unit, appoint, case, change_post, dismiss, dismiss_unit, rural

GOVERNANCE_POSTS_MISSING = [
    F("G1", "error", "governance_office", "governance_specialist", actual=0, min=1, shortfall=1),
    F("G2", "error", "governance_office", "resident_police", actual=0, min=1, shortfall=1),
    F("G3", "error", "governance_office", "mediator", actual=0, min=2, shortfall=2),
    F("G4", "error", "governance_office", "security_guard", actual=0, min=2, shortfall=2),
    F("G5", "error", "governance_office", "student_social_worker", actual=0, min=1, shortfall=1),
    F("G6", "error", "governance_office", "legal_envoy", actual=0, min=1, shortfall=1),
]
S1_GOVERNANCE = F("S1", "error", "governance_office", actual=0, min=1)
GOVERNANCE_PEOPLE = [f"P{n}" for n in range(20, 28)]

KINDS = ("unit_exists",)
A3_MISSING = F("A3", "warning", "supervisory_committee", actual=0, min=1)


def undeclare(unit: str, community: str = BASE) -> Edit:
    """The unit no longer declared in the 机构 table."""
    def edit(doc: Doc) -> None:
        c = next(c for c in doc["communities"] if c["id"] == community)
        c["units"] = [u for u in c.get("units", []) if u["kind"] != unit]
    return edit


CASES = [
    case("no governance_office: S1 and every G post with actual 0", dismiss_unit("governance_office"),
         [S1_GOVERNANCE, *GOVERNANCE_POSTS_MISSING]),
    case("governance_office declared but empty exists: only the G posts", (dismiss_unit("governance_office"),
                                                                             add_unit("governance_office")),
         GOVERNANCE_POSTS_MISSING),
    case("governance_office staffed only by ended posts is missing",
         tuple(change_post(p, "governance_office", end="2026-06-30") for p in GOVERNANCE_PEOPLE),
         [S1_GOVERNANCE, *GOVERNANCE_POSTS_MISSING]),
    case("no party_org: S1, S2 seats and S4 head", (dismiss("P01", "party_org"), *(dismiss(f"P0{n}") for n in range(2, 6))),
         [F("S1", "error", "party_org", actual=0, min=1),
          F("S2", "error", "party_org", "member", actual=0, min=5, max=9, shortfall=5),
          F("S4", "error", "party_org", "secretary", actual=0, min=1, max=1)]),
    case("no service_station: S1 and S5 with actual 0", dismiss_unit("service_station"),
         [F("S1", "error", "service_station", actual=0, min=1),
          F("S5", "error", "service_station", "staff", actual=0, min=10, shortfall=10)]),
    case("no residents_committee: S1, S3 seats, S4 head, A2", dismiss_unit("residents_committee"),
         [F("S1", "error", "residents_committee", actual=0, min=1),
          F("S3", "error", "residents_committee", "member", actual=0, min=5, max=9, shortfall=5),
          F("S4", "error", "residents_committee", "director", actual=0, min=1, max=1),
          F("A2", "warning", "residents_committee", "student_official", actual=0, min=1, shortfall=1)]),
    case("a part-time post makes the unit exist", change_post("P10", full_time=False),
         [F("S5", "error", "service_station", "staff", actual=9, min=10, shortfall=1)]),
    # A3: the supervision body (居务/村务监督委员会); the baseline declares it
    case("A3 no supervisory committee declared or staffed: warning", undeclare("supervisory_committee"),
         [A3_MISSING]),
    case("A3 a supervisory committee with its director in post exists",
         (undeclare("supervisory_committee"), appoint("P03", "监委会", "主任", full_time=False)), []),
    case("A3 a rural community's 村务监督委员会", (rural(), undeclare("supervisory_committee"),
                                               appoint("P04", "村务监督委员会", "委员", full_time=False)), []),
    case("A3 a supervisory committee whose only member has left is missing",
         (undeclare("supervisory_committee"),
          appoint("P03", "supervisory_committee", "member", full_time=False, end="2026-01-31")), [A3_MISSING]),
]
