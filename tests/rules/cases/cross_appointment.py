"""cross_appointment (X2): owners' committee members who also sit on the party organisation
or the residents' committee (info), a warning when none does.
"""

from __future__ import annotations

from orgmodel.rules.testing import SECOND, F, add_community, add_unit, appoint, case

KINDS = ("cross_appointment",)
TWO = add_community(SECOND, "Q")


def owners(severity: str, actual: int) -> F:
    return F("X2", severity, "owners_committee", actual=actual, min=1 if actual == 0 else None)


CASES = [
    case("X2 an owners' committee member on the residents' committee: info 1",
         appoint("P07", "业委会", "主任", full_time=False), [owners("info", 1)]),
    case("X2 two cross-appointed of three members: info 2",
         (appoint("P07", "业委会", "主任", full_time=False), appoint("P02", "owners_committee", "member", full_time=False),
          appoint("N01", "owners_committee", "member", full_time=False)), [owners("info", 2)]),
    case("X2 a person holding two owners' committee posts counts once",
         (appoint("P07", "业委会", "主任", full_time=False), appoint("P07", "业委会", "委员", full_time=False)),
         [owners("info", 1)]),
    case("X2 no cross-appointed member: warning", appoint("N01", "业委会", "主任", full_time=False),
         [owners("warning", 0)]),
    case("X2 a declared owners' committee without members: warning", add_unit("owners_committee"),
         [owners("warning", 0)]),
    case("X2 a committee post in another community is no cross-appointment",
         (TWO, appoint("P07", "业委会", "主任", full_time=False, community=SECOND)),
         [owners("warning", 0)._replace(community=SECOND)]),
    case("X2 a service-station post is no cross-appointment",
         appoint("P11", "业委会", "委员", full_time=False), [owners("warning", 0)]),
]
