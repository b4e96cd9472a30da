"""Every case of every rule kind's table (`tests/rules/cases/`), through both engines.

The columnar engine (the library's pipeline) must give exactly the case's findings; the small
engine (`orgmodel.small`) must give exactly them too, in the pipeline's bytes, unless the case
says why the small engine declines it, and then it must decline.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orgmodel.rules.kinds import KINDS
from orgmodel.rules.testing import Case, check_columnar, check_small

from .cases import TABLES

ENGINES: dict[str, Callable[[Case], None]] = {"columnar": check_columnar, "small": check_small}
CASES = [(table.__name__.rsplit(".", 1)[-1], c) for table in TABLES for c in table.CASES]


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", [pytest.param(c, id=f"{table}: {c.id}") for table, c in CASES])
def test_case(case: Case, engine: str) -> None:
    ENGINES[engine](case)


def test_every_kind_has_a_case_table() -> None:
    assert sorted(k for table in TABLES for k in table.KINDS) == sorted(KINDS)


def test_case_ids_are_unique() -> None:
    ids = [c.id for _, c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
