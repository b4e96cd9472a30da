"""pilot_count: C1, each county runs 1–3 pilot communities; a region-level warning, checked
only when some community of the roster is marked pilot."""

from __future__ import annotations

from orgmodel.rules.testing import (
    BASE,
    COUNTY,
    FOURTH,
    OTHER_COUNTY,
    OTHER_STREET,
    SECOND,
    THIRD,
    F,
    add_community,
    add_other_county,
    case,
    change_community,
)

FOUR_COMMUNITIES = (add_community(SECOND, "Q"), add_community(THIRD, "R"), add_community(FOURTH, "S"))
BATCH = "four communities: a batch, the small path reads at most three (small.document.MAX_COMMUNITIES)"


def pilots(*communities: str) -> tuple:
    return tuple(change_community(c, pilot=True) for c in communities)


def county(actual: int, region: str = COUNTY) -> F:
    return F("C1", "warning", actual=actual, min=1, max=3, community=None, region=region)


KINDS = ("pilot_count",)

CASES = [
    case("C1 no pilot anywhere: not checked", FOUR_COMMUNITIES, [], small_declines=BATCH),
    case("C1 one pilot", (*FOUR_COMMUNITIES, *pilots(BASE)), [], small_declines=BATCH),
    case("C1 three pilots is the maximum", (*FOUR_COMMUNITIES, *pilots(BASE, SECOND, THIRD)), [],
         small_declines=BATCH),
    case("C1 four pilots in one county", (*FOUR_COMMUNITIES, *pilots(BASE, SECOND, THIRD, FOURTH)), [county(4)],
         small_declines=BATCH),
    case("C1 pilot 是 in Chinese", (*FOUR_COMMUNITIES, *(change_community(c, pilot="是") for c in (BASE, SECOND, THIRD, FOURTH))),
         [county(4)], small_declines=BATCH),
    case("C1 three communities, all pilots",
         (add_community(SECOND, "Q"), add_community(THIRD, "R"), *pilots(BASE, SECOND, THIRD)), []),
    case("C1 a county without pilot while another has one",
         (add_other_county(), add_community(SECOND, "Q", region=OTHER_STREET), *pilots(BASE)), [county(0, OTHER_COUNTY)]),
    case("C1 each county with one pilot",
         (add_other_county(), add_community(SECOND, "Q", region=OTHER_STREET), *pilots(BASE, SECOND)), []),
]
