"""exclusive_full_time (X1) and cross_appointment (X2): questions about people across units.

X1 is a whole-roster check reported in every community involved; a person full-time in two
communities still counts in both. X2 counts owners' committee members who also sit on the
party organisation or the residents' committee (info), a warning when none does.
"""

from __future__ import annotations

import pytest

from .conftest import BASE, SECOND, THIRD, F, add_community, add_unit, appoint, case, check_case, dismiss

TWO = add_community(SECOND, "Q")


def twice(pid: str, communities: int = 2, where: tuple[str, ...] = (BASE, SECOND)) -> list[F]:
    return [F("X1", "error", person=pid, actual=communities, max=1, community=c) for c in where]


def owners(severity: str, actual: int) -> F:
    return F("X2", severity, "owners_committee", actual=actual, min=1 if actual == 0 else None)


CASES = [
    # X1
    case("X1 the 站长 full-time in a second community, counted in both",
         (TWO, dismiss("Q10", community=SECOND), appoint("P10", "service_station", "station_head", community=SECOND)),
         twice("P10")),
    case("X1 full-time in three communities", (TWO, add_community(THIRD, "R"),
                                               appoint("P11", "service_station", "staff", community=SECOND),
                                               appoint("P11", "service_station", "staff", community=THIRD)),
         twice("P11", 3, (BASE, SECOND, THIRD))),
    case("X1 a full-time post that has ended in the second community is fine",
         (TWO, appoint("P11", "service_station", "staff", community=SECOND, end="2026-01-31")), []),
    case("X1 part-time in the second community is fine",
         (TWO, appoint("P11", "service_station", "staff", full_time=False, community=SECOND)), []),
    case("X1 书记兼主任 full-time in one community is fine", (dismiss("P01"), appoint("P01", "党组织", "书记兼主任")), []),
    case("X1 several full-time posts in one community are fine", appoint("P11", "governance_office", "mediator"), []),
    # X2
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


@pytest.mark.parametrize(("edits", "pack", "expected"), CASES)
def test_people(edits, pack, expected) -> None:
    check_case(edits, pack, expected)
