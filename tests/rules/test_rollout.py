"""pilot_count: C1, each county runs 1–3 pilot communities; a region-level warning, checked
only when some community of the roster is marked pilot."""

from __future__ import annotations

import pytest

from .conftest import (
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
    check_case,
)

FOUR_COMMUNITIES = (add_community(SECOND, "Q"), add_community(THIRD, "R"), add_community(FOURTH, "S"))


def pilots(*communities: str) -> tuple:
    return tuple(change_community(c, pilot=True) for c in communities)


def county(actual: int, region: str = COUNTY) -> F:
    return F("C1", "warning", actual=actual, min=1, max=3, community=None, region=region)


CASES = [
    case("C1 no pilot anywhere: not checked", FOUR_COMMUNITIES, []),
    case("C1 one pilot", (*FOUR_COMMUNITIES, *pilots(BASE)), []),
    case("C1 three pilots is the maximum", (*FOUR_COMMUNITIES, *pilots(BASE, SECOND, THIRD)), []),
    case("C1 four pilots in one county", (*FOUR_COMMUNITIES, *pilots(BASE, SECOND, THIRD, FOURTH)), [county(4)]),
    case("C1 pilot 是 in Chinese", (*FOUR_COMMUNITIES, *(change_community(c, pilot="是") for c in (BASE, SECOND, THIRD, FOURTH))),
         [county(4)]),
    case("C1 a county without pilot while another has one",
         (add_other_county(), add_community(SECOND, "Q", region=OTHER_STREET), *pilots(BASE)), [county(0, OTHER_COUNTY)]),
    case("C1 each county with one pilot",
         (add_other_county(), add_community(SECOND, "Q", region=OTHER_STREET), *pilots(BASE, SECOND)), []),
]


@pytest.mark.parametrize(("edits", "pack", "expected"), CASES)
def test_pilot_count(edits, pack, expected) -> None:
    check_case(edits, pack, expected)
