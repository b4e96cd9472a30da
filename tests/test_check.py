"""The check's properties for any roster (hypothesis): more staff never means more to hire."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel.check import check
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.rules.strategies import POSTS, communities

AS_OF = dt.date(2026, 11, 25)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(doc: dict) -> list[dict]:
    roster, _ = normalize.load(read_document(doc, "case.json"))
    return build_report(check(roster, load_pack("nantong"), AS_OF)).to_model().model_dump()["findings"]


def shortfall(findings: list[dict], key: str) -> int:
    return sum(f["shortfall"] for f in findings
               if f["severity"] == "error" and f"{f['unit']}.{f['role']}" == key)


@SETTINGS
@given(doc=communities(), post=st.sampled_from(POSTS))
def test_a_qualified_full_time_holder_never_raises_a_shortfall(doc: dict, post: tuple[str, str]) -> None:
    unit, role = post
    before = run(doc)
    community = doc["communities"][0]
    community["people"].append({"id": "NEW", "name": "新人", "education": "bachelor", "police_officer": True,
                                "political_legal_officer": True, "monthly_pay_yuan": 5000})
    community["appointments"].append({"person": "NEW", "unit": unit, "role": role, "full_time": True})
    after = run(doc)
    for key in {f"{f['unit']}.{f['role']}" for f in before + after}:
        assert shortfall(after, key) <= shortfall(before, key), key
