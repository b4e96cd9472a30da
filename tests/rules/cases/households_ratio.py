"""households_ratio: S5, full-time station people ≥ max(1, round-half-up(households / 300)).

Every full-time person of the station counts, the 站长 included; part-time ones do not.
"""

from __future__ import annotations

from orgmodel.rules.testing import F, appoint, case, change_community, change_post, dismiss

STAFF = [f"P{n}" for n in range(11, 20)]
ONLY_THE_HEAD = tuple(dismiss(p) for p in STAFF)


def station(actual: int, required: int) -> F:
    return F("S5", "error", "service_station", "staff", actual=actual, min=required, shortfall=required - actual)


KINDS = ("households_ratio",)

CASES = [
    case("3000 households, 9 full-time: short by 1", dismiss("P19"), [station(9, 10)]),
    case("3100 households need 10 (10.33 rounds down)", change_community(households=3100), []),
    case("3149 households need 10", change_community(households=3149), []),
    case("3150 households need 11 (10.5 rounds up)", change_community(households=3150), [station(10, 11)]),
    case("450 households need 2 (1.5 rounds up)", (change_community(households=450), *ONLY_THE_HEAD), [station(1, 2)]),
    case("750 households need 3 (2.5 rounds up, not to 2)", (change_community(households=750), *ONLY_THE_HEAD),
         [station(1, 3)]),
    case("449 households need 1", (change_community(households=449), *ONLY_THE_HEAD), []),
    case("100 households need the minimum of 1: the 站长 is enough", (change_community(households=100), *ONLY_THE_HEAD),
         []),
    case("0 households still need 1", (change_community(households=0), *ONLY_THE_HEAD,
                                       change_post("P10", full_time=False)), [station(0, 1)]),
    case("the 站长 counts: part-time 站长 leaves 9", change_post("P10", full_time=False), [station(9, 10)]),
    case("a part-time staff member does not count", change_post("P11", full_time=False), [station(9, 10)]),
    case("a blank 专职 does not count", change_post("P11", full_time=None), [station(9, 10)]),
    case("more staff than required is fine", appoint("N01", "service_station", "staff"), []),
    case("a person with two station posts counts once", (dismiss("P19"), appoint("P11", "服务站", "站长")),
         [station(9, 10)]),
    case("an `other` post (网格员) of the station is counted by no rule",
         (dismiss("P19"), appoint("N01", "服务站", "网格员")), [station(9, 10)]),
    case("副主任兼站长 in the committee's row: the 站长 part counts for the station",
         (dismiss("P10"), appoint("P06", "居委会", "副主任兼站长")), []),
    case("a full-time 站长 of the civil-affairs station does not count",
         (dismiss("P19"), appoint("N01", "民政服务站", "站长"), appoint("N02", "民政服务站", "民政协理员")), [station(9, 10)]),
    case("blank households: missing-data warning", change_community(households=None),
         [F("S5", "warning", "service_station", "staff", actual=10, missing="households")]),
]

