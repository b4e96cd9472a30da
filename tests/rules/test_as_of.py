"""The as-of date: a post counts when start ≤ as_of ≤ end, both inclusive, either blank.

The check runs as of 2026-11-25 (conftest.AS_OF); a security guard's post is moved around it.
"""

from __future__ import annotations

import pytest

from .conftest import F, case, change_post, check_case

ONE_GUARD_SHORT = [F("G4", "error", "governance_office", "security_guard", actual=1, min=2, shortfall=1)]


def guard(**dates: str) -> object:
    return change_post("P25", **dates)


CASES = [
    case("ended the day before", guard(end="2026-11-24"), ONE_GUARD_SHORT),
    case("ends on the day: counts", guard(end="2026-11-25"), []),
    case("starts the day after", guard(start="2026-11-26"), ONE_GUARD_SHORT),
    case("starts on the day: counts", guard(start="2026-11-25"), []),
    case("one-day post on the day: counts", guard(start="2026-11-25", end="2026-11-25"), []),
    case("in force over the day: counts", guard(start="2024-01-01", end="2027-12-31"), []),
    case("a past term", guard(start="2020-01-01", end="2023-12-31"), ONE_GUARD_SHORT),
    case("Chinese date spelling", guard(end="2026年11月24日"), ONE_GUARD_SHORT),
]


@pytest.mark.parametrize(("edits", "pack", "expected"), CASES)
def test_as_of(edits, pack, expected) -> None:
    check_case(edits, pack, expected)
