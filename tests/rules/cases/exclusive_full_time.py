"""exclusive_full_time (X1): a person is full-time in at most one community.

A whole-roster check reported in every community involved; a person full-time in two
communities still counts in both.
"""

from __future__ import annotations

from orgmodel.rules.testing import BASE, SECOND, THIRD, F, add_community, appoint, case, dismiss

KINDS = ("exclusive_full_time",)
TWO = add_community(SECOND, "Q")


def twice(pid: str, communities: int = 2, where: tuple[str, ...] = (BASE, SECOND)) -> list[F]:
    return [F("X1", "error", person=pid, actual=communities, max=1, community=c) for c in where]


CASES = [
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
]
